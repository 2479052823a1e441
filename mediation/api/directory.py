"""Directory administration (DESIGN §9.4): units and users, admin only, every change logged.

A signed-in user without the admin role is refused with 403 (these are not case reads: nothing
about a case's existence leaks); an unknown unit or user is 404; an unknown filter value 400.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

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
from mediation.directory.listings import MAX_PAGE_SIZE, UnitPage, UnitView, UserPage, UserView
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

    @get("/{code:str}", sync_to_thread=False, summary="One unit", responses=errors(400, 401, 403, 404))
    def show(self, request: Request, actor: NamedDependency[Actor], code: FromPath[str]) -> UnitView:
        return _unit(admin_services(request, actor), code)

    @patch("/{code:str}", summary="Rename, re-kind or move a unit (refused while cases were filed under it)",
           responses=errors(400, 401, 403, 404, 409, 422), dependencies=body_documented_as(UnitPatch))
    async def change(self, request: Request, actor: NamedDependency[Actor], code: FromPath[str]) -> UnitView:
        services = admin_services(request, actor)
        body = strict_body(await request.body(), UnitPatch)
        change_unit(services.db, actor_id=actor.user_id, code=code, changes=given_fields(body), now=services.clock())
        return _unit(services, code)


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["directory"]
    dependencies = AUTHENTICATED
    security = BEARER

    @get("/", sync_to_thread=False, summary="Users by username, filtered and paged", responses=errors(400, 401, 403))
    def index(self, request: Request, actor: NamedDependency[Actor], q: Text = None, unit: CodeFilter = None,
              role: RoleFilter = None, disabled: bool | None = None, page: Page = 1,
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

    @get("/{username:str}", sync_to_thread=False, summary="One user", responses=errors(400, 401, 403, 404))
    def show(self, request: Request, actor: NamedDependency[Actor], username: FromPath[str]) -> UserView:
        return _user(admin_services(request, actor), username)

    @patch("/{username:str}", summary="Change roles, unit, name or disable a user (their tokens end)",
           responses=errors(400, 401, 403, 404, 409, 422), dependencies=body_documented_as(UserPatch))
    async def change(self, request: Request, actor: NamedDependency[Actor], username: FromPath[str]) -> UserView:
        services = admin_services(request, actor)
        changes = given_fields(strict_body(await request.body(), UserPatch))
        if "roles" in changes:
            changes["roles"] = list(changes["roles"])
        change_user(services.db, actor_id=actor.user_id, username=username, changes=changes, now=services.clock())
        return _user(services, username)

    @post("/{username:str}/password", status_code=200, summary="Set a new password (a random one when none given)",
          responses=errors(400, 401, 403, 404, 422), dependencies=body_documented_as(PasswordSet))
    async def password(self, request: Request, actor: NamedDependency[Actor], username: FromPath[str]) -> PasswordAnswer:
        services = admin_services(request, actor)
        body = strict_body(await request.body(), PasswordSet)
        given = await sync_to_thread(set_password, services.db, actor_id=actor.user_id, username=username,
                                     password=body.password, now=services.clock())
        return PasswordAnswer(username, None if body.password else given)
