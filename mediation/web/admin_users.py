"""/admin/users: users filtered and paged, adding a user, changing roles, unit or name, disabling and
enabling, resetting a password (the new one shown once, never stored in a page address).

Administrators land here after signing in. Every change goes through directory/user_administration.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from litestar import Controller, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.params import FromPath
from litestar.response import Redirect

from mediation.directory import listings
from mediation.directory.queries import unit_by_code, units_in_tree_order
from mediation.directory.rules import ROLES
from mediation.directory.user_administration import change_user, create_user, set_password
from mediation.errors import MediationError
from mediation.services import services_of
from mediation.web.admin_units import admin_page, posted_tag, refusal_text
from mediation.web.page import Page, page_number
from mediation.web.session import CSRF_FIELD, csrf_ok

USERS_PAGE_SIZE = 100
UNIT_CHOICES_LIMIT = 10_000
DONE_WORDS = {"created": "adm_created_user", "saved": "adm_saved", "disabled": "adm_user_disabled",
              "enabled": "adm_user_enabled"}


def unit_choices(services: Any) -> list[tuple[str, str]]:
    """(code, name) of the units a user may belong to, in tree order."""
    with services.db.snapshot() as tx:
        return [(code, name) for code, name, _kind in units_in_tree_order(tx, limit=UNIT_CHOICES_LIMIT)]


def _filters(query: Any) -> dict[str, Any]:
    role = query.get("role") or None
    return {"q": (query.get("q") or "").strip()[:100] or None, "unit": (query.get("unit") or "").strip() or None,
            "role": role if role in ROLES else None, "disabled": True if query.get("disabled") == "1" else None}


class AdminUsers(Controller):
    include_in_schema = False

    @get("/admin/users", sync_to_thread=True)
    def users(self, request: Request) -> Response:
        page, refused = admin_page(request)
        if refused is not None:
            return refused
        return self._list(request, page)

    def _list(self, request: Request, page: Page, *, status: int = 200, error: str | None = None,
              entered: dict | None = None, created: tuple[str, str] | None = None) -> Response:
        filters = _filters(request.query_params)
        services = services_of(request)
        number = page_number(request.query_params, 100_000)
        with services.db.snapshot() as tx:
            if filters["unit"] and unit_by_code(tx, filters["unit"]) is None:
                filters["unit"] = None  # a unit that is no more: the whole list
            found = listings.list_users(tx, **filters, page=number, page_size=USERS_PAGE_SIZE)
        keep = {key: ("1" if value is True else value) for key, value in filters.items() if value}
        return page.render("admin_users.html", status=status, users=found, filters=filters, roles=ROLES,
                           units=unit_choices(services), error=error, entered=entered or {}, created=created,
                           pages=max(1, -(-found.total // USERS_PAGE_SIZE)),
                           page_url=lambda n: "/admin/users?" + urlencode({**keep, "page": n}))

    @post("/admin/users")
    async def create(self, request: Request) -> Response:
        page, refused = admin_page(request)
        if refused is not None:
            return refused
        form = await request.form()
        if not csrf_ok(request, form.get(CSRF_FIELD)):
            return self._list(request, page, status=403, error=page.words.t("csrf_failed"))
        entered = {name: str(form.get(name) or "").strip() for name in ("username", "display_name", "unit")}
        entered["roles"] = [role for role in form.getall("roles", []) if isinstance(role, str)]
        password = str(form.get("password") or "") or None
        services = services_of(request)
        try:
            _, given = await sync_to_thread(  # argon2 hashing: off the event loop
                create_user, services.db, actor_id=page.actor.user_id, username=entered["username"],
                                   display_name=entered["display_name"] or None, unit=entered["unit"],
                                   roles=entered["roles"], password=password, now=services.clock())
        except MediationError as error:
            return self._list(request, page, status=422, error=refusal_text(page, error), entered=entered)
        if password is None:  # shown on this answer only: no address holds it
            return self._user_page(request, page, entered["username"], done="created", password=given)
        return Redirect(path=f"/admin/users/{quote(entered['username'], safe='')}?done=created", status_code=303)

    @get("/admin/users/{username:str}", sync_to_thread=True)
    def user(self, request: Request, username: FromPath[str]) -> Response:
        page, refused = admin_page(request)
        if refused is not None:
            return refused
        return self._user_page(request, page, username, done=request.query_params.get("done"))

    def _user_page(self, request: Request, page: Page, username: str, *, status: int = 200, done: str | None = None,
                   error: str | None = None, password: str | None = None) -> Response:
        services = services_of(request)
        with services.db.snapshot() as tx:
            user = listings.user_view(tx, username)
        if user is None:
            return page.render("message.html", status=404, heading=page.words.t("adm_users"),
                               text=page.words.t("adm_not_found"), back="/admin/users",
                               back_text=page.words.t("adm_back_users"))
        return page.render("admin_user.html", status=status, shown=user, etag=listings.view_tag(user), roles=ROLES, units=unit_choices(services),
                           done=DONE_WORDS.get(done or ""), error=error, password=password,
                           is_self=username == page.actor.username, here=f"/admin/users/{quote(username, safe='')}")

    @post("/admin/users/{username:str}")
    async def change(self, request: Request, username: FromPath[str]) -> Response:
        page, refused = admin_page(request)
        if refused is not None:
            return refused
        form = await request.form()
        if not csrf_ok(request, form.get(CSRF_FIELD)):
            return self._user_page(request, page, username, status=403, error=page.words.t("csrf_failed"))
        action = str(form.get("action") or "save")
        services = services_of(request)
        try:
            if action == "password":
                given = await sync_to_thread(set_password, services.db, actor_id=page.actor.user_id,
                                             username=username, password=None, now=services.clock())
                return self._user_page(request, page, username, password=given)
            changes = _changes_of(form, action)
            change_user(services.db, actor_id=page.actor.user_id, username=username, changes=changes,
                        now=services.clock(), if_match=posted_tag(form) if action == "save" else None)
        except MediationError as error:
            status = error.status_code if error.status_code < 500 else 422
            return self._user_page(request, page, username, status=status, error=refusal_text(page, error))
        done = {"disable": "disabled", "enable": "enabled"}.get(action, "saved")
        return Redirect(path=f"/admin/users/{quote(username, safe='')}?done={done}", status_code=303)


def _changes_of(form: Any, action: str) -> dict[str, Any]:
    """What the submitted form changes: the disabled flag, or the name, unit and roles."""
    if action in ("disable", "enable"):
        return {"disabled": action == "disable"}
    return {"display_name": str(form.get("display_name") or "").strip(), "unit": str(form.get("unit") or "").strip(),
            "roles": [role for role in form.getall("roles", []) if isinstance(role, str)]}
