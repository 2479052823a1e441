"""Directory administration (DESIGN §9.4): units and users, admin only, every change logged.

A signed-in user without the admin role is refused with 403 (these are not case reads: nothing
about a case's existence leaks); an unknown unit or user is 404; an unknown filter value 400.
"""

from __future__ import annotations

import re
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath, HeaderParameter, QueryParameter

from mediation.api.auth import AUTHENTICATED
from mediation.api.directory_schemas import (
    PasswordAnswer,
    PasswordSet,
    UnitCreate,
    UnitPatch,
    UserCreate,
    UserPatch,
    given_fields,
)
from mediation.api.openapi_docs import BEARER, body_documented_as, errors, strict_body
from mediation.directory import listings
from mediation.directory.actors import Actor
from mediation.directory.listings import (
    MAX_PAGE_SIZE,
    UnitPage,
    UnitView,
    UserPage,
    UserView,
    view_tag,
)
from mediation.directory.unit_administration import change_unit, create_unit
from mediation.directory.user_administration import change_user, create_user, set_password
from mediation.errors import Forbidden, NotFound
from mediation.services import Services, services_of

Page = Annotated[int, QueryParameter(ge=1, le=1_000_000)]
PageSize = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)]
Text = Annotated[str | None, QueryParameter(max_length=100, description="Code, username or name contains")]
CodeFilter = Annotated[str | None, QueryParameter(max_length=64)]
KindFilter = Annotated[str | None, QueryParameter(max_length=20, schema_extra={"enum": list(listings.UNIT_KINDS)})]
RoleFilter = Annotated[str | None, QueryParameter(max_length=20, schema_extra={"enum": list(listings.ROLES)})]


TAG_PATTERN = re.compile(r'^"([0-9a-f]{20})"$')
IfMatch = Annotated[str | None, HeaderParameter(
    name="If-Match", required=False,
    description="The ETag of the unit or user as you read it: the change is refused (409) when it changed meanwhile.",
    schema_extra={"type": "string", "one_of": None, "pattern": TAG_PATTERN.pattern})]
ETAG = ResponseHeader(name="ETag", value='"0123456789abcdef0123"', documentation_only=True, required=True,
                      description="The unit's or user's state as read, quoted: send it back as If-Match.")


def tagged(view: UnitView | UserView) -> Response:
    """The view with its ETag."""
    return Response(view, headers={"ETag": f'"{view_tag(view)}"'})


def read_tag(if_match: str | None) -> str | None:
    """The tag an If-Match header names; 400 naming the header when it is not one this API gave."""
    if if_match is None:
        return None
    found = TAG_PATTERN.match(if_match.strip())
    if found is None:
        raise HTTPException(status_code=400, detail='If-Match must be the ETag you read, e.g. "0123456789abcdef0123"',
                            extra={"field": "If-Match"})
    return found.group(1)


class UserCreated(msgspec.Struct):
    user: UserView
    generated_password: str | None  # only when the server made it up; shown this once


def admin_services(request: Request, actor: Actor) -> Services:
    """The services, for an administrator; 403 for anyone else."""
    if "admin" not in actor.roles:
        raise Forbidden("only an administrator may read or change the directory", field="role")
    return services_of(request)


def _unit(services: Services, code: str) -> UnitView:
    with services.db.snapshot() as tx:
        found = listings.unit_view(tx, code)
    if found is None:
        raise NotFound(f"no unit '{code}'", field="code")
    return found


def _user(services: Services, username: str) -> UserView:
    with services.db.snapshot() as tx:
        found = listings.user_view(tx, username)
    if found is None:
        raise NotFound(f"no user '{username}'", field="username")
    return found


class UnitController(Controller):
    path = "/api/v1/units"
    tags = ["directory"]
    dependencies = AUTHENTICATED
    security = BEARER

    @get("/", sync_to_thread=False, summary="Units in tree order, filtered and paged", responses=errors(400, 401, 403))
    def index(self, request: Request, actor: NamedDependency[Actor], q: Text = None, kind: KindFilter = None,
              parent: CodeFilter = None, under: CodeFilter = None, page: Page = 1, page_size: PageSize = 100) -> UnitPage:
        services = admin_services(request, actor)
        with services.db.snapshot() as tx:
            return listings.list_units(tx, q=q, kind=kind, parent=parent, under=under, page=page, page_size=page_size)

    @post("/", status_code=201, summary="Add a unit (kinds nest county → town → community → grid)",
          responses=errors(400, 401, 403, 409, 422), dependencies=body_documented_as(UnitCreate))
    async def create(self, request: Request, actor: NamedDependency[Actor]) -> UnitView:
        services = admin_services(request, actor)
        body = strict_body(await request.body(), UnitCreate)
        create_unit(services.db, actor_id=actor.user_id, now=services.clock(), **msgspec.structs.asdict(body))
        return _unit(services, body.code)

    @get("/{code:str}", sync_to_thread=False, summary="One unit", responses=errors(400, 401, 403, 404),
         response_headers=[ETAG])
    def show(self, request: Request, actor: NamedDependency[Actor], code: FromPath[str]) -> Response[UnitView]:
        return tagged(_unit(admin_services(request, actor), code))

    @patch("/{code:str}", summary="Rename, re-kind or move a unit (refused while cases were filed under it)",
           responses=errors(400, 401, 403, 404, 409, 422), dependencies=body_documented_as(UnitPatch),
           response_headers=[ETAG])
    async def change(self, request: Request, actor: NamedDependency[Actor], code: FromPath[str],
                     if_match: IfMatch = None) -> Response[UnitView]:
        services = admin_services(request, actor)
        expected = read_tag(if_match)
        body = strict_body(await request.body(), UnitPatch)
        change_unit(services.db, actor_id=actor.user_id, code=code, changes=given_fields(body), now=services.clock(),
                    if_match=expected)
        return tagged(_unit(services, code))


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["directory"]
    dependencies = AUTHENTICATED
    security = BEARER

    @get("/", sync_to_thread=False, summary="Users by username, filtered and paged", responses=errors(400, 401, 403))
    def index(self, request: Request, actor: NamedDependency[Actor], q: Text = None, unit: CodeFilter = None,
              role: RoleFilter = None, disabled: Annotated[bool | None, QueryParameter()] = None, page: Page = 1,
              page_size: PageSize = 100) -> UserPage:
        services = admin_services(request, actor)
        with services.db.snapshot() as tx:
            return listings.list_users(tx, q=q, unit=unit, role=role, disabled=disabled, page=page,
                                       page_size=page_size)

    @post("/", status_code=201, summary="Add a user (a random password when none is given, answered once)",
          responses=errors(400, 401, 403, 409, 422), dependencies=body_documented_as(UserCreate))
    async def create(self, request: Request, actor: NamedDependency[Actor]) -> UserCreated:
        services = admin_services(request, actor)
        body = strict_body(await request.body(), UserCreate)
        _, password = await sync_to_thread(  # argon2 hashing: off the event loop
            create_user, services.db, actor_id=actor.user_id, username=body.username, display_name=body.display_name,
            unit=body.unit, roles=list(body.roles), password=body.password, now=services.clock())
        return UserCreated(_user(services, body.username), None if body.password else password)

    @get("/{username:str}", sync_to_thread=False, summary="One user", responses=errors(400, 401, 403, 404),
         response_headers=[ETAG])
    def show(self, request: Request, actor: NamedDependency[Actor], username: FromPath[str]) -> Response[UserView]:
        return tagged(_user(admin_services(request, actor), username))

    @patch("/{username:str}", summary="Change roles, unit, name or disable a user (their tokens end)",
           responses=errors(400, 401, 403, 404, 409, 422), dependencies=body_documented_as(UserPatch),
           response_headers=[ETAG])
    async def change(self, request: Request, actor: NamedDependency[Actor], username: FromPath[str],
                     if_match: IfMatch = None) -> Response[UserView]:
        services = admin_services(request, actor)
        expected = read_tag(if_match)
        changes = given_fields(strict_body(await request.body(), UserPatch))
        if "roles" in changes:
            changes["roles"] = list(changes["roles"])
        change_user(services.db, actor_id=actor.user_id, username=username, changes=changes, now=services.clock(),
                    if_match=expected)
        return tagged(_user(services, username))

    @post("/{username:str}/password", status_code=200, summary="Set a new password (a random one when none given)",
          responses=errors(400, 401, 403, 404, 422), dependencies=body_documented_as(PasswordSet))
    async def password(self, request: Request, actor: NamedDependency[Actor], username: FromPath[str]) -> PasswordAnswer:
        services = admin_services(request, actor)
        body = strict_body(await request.body(), PasswordSet)
        given = await sync_to_thread(set_password, services.db, actor_id=actor.user_id, username=username,
                                     password=body.password, now=services.clock())
        return PasswordAnswer(username, None if body.password else given)
