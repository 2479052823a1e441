"""/admin/units: the units as a tree (paged), adding a unit under a parent that may hold it, changing one.

Administrators only; anyone else gets a page saying so (403). Every change goes through the
directory's one set of rules (directory/unit_administration.py) and is logged there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from mediation.directory import listings
from mediation.directory.queries import units_in_tree_order
from mediation.directory.rules import PARENT_KINDS, UNIT_KINDS
from mediation.directory.unit_administration import change_unit, create_unit
from mediation.errors import ChangedMeanwhile, InvalidData, MediationError
from mediation.services import services_of
from mediation.web.page import Page, page_number, page_of, to_login
from mediation.web.session import CSRF_FIELD, csrf_ok

UNITS_PAGE_SIZE = 100
PARENT_CHOICES_LIMIT = 5000
# Kinds that may hold other units: the parent chooser offers only units of these kinds.
HOLDING_KINDS = sorted({parent for parents in PARENT_KINDS.values() for parent in parents if parent})


def admin_page(request: Request) -> tuple[Page | None, Response | None]:
    """The page for an administrator; otherwise the answer to give instead (login, or a 403 page)."""
    page = page_of(request)
    if page.actor is None:
        return None, to_login(request)
    if "admin" not in page.actor.roles:
        return None, page.render("message.html", status=403, heading=page.words.t("adm_units"),
                                 text=page.words.t("adm_only"))
    return page, None


def refusal_text(page: Page, error: MediationError) -> str:
    """A refused change for the reader: the field's label and the reason, in their language."""
    field = error.extra.get("field", "") if error.extra else ""
    label = page.words.t(f"adm_{field}") if f"adm_{field}" in _KNOWN_FIELDS else ""
    if isinstance(error, ChangedMeanwhile):
        return page.words.t("adm_refused", field="", reason=page.words.t("adm_changed_meanwhile"))
    if isinstance(error, InvalidData):
        reason = error.extra.get("reason_zh") if page.lang == "zh" and error.extra.get("reason_zh") else error.reason
    else:
        reason = page.words.t("adm_not_found") if error.status_code == 404 else error.detail
    return page.words.t("adm_refused", field=f"{label}：" if label and page.lang == "zh" else label, reason=reason)


_KNOWN_FIELDS = {f"adm_{name}" for name in ("code", "name", "kind", "parent", "abbreviation", "username",
                                            "display_name", "roles", "unit")}


def posted_tag(form: Any) -> str | None:
    """The entity tag the edit form was shown with (None when absent or not one: no precondition then)."""
    tag = str(form.get("etag") or "")
    return tag if len(tag) == 20 and all(c in "0123456789abcdef" for c in tag) else None


def parent_choices(services: Any) -> list[tuple[str, str, str]]:
    """(code, name, kind) of every unit that may hold others, in tree order."""
    with services.db.snapshot() as tx:
        return units_in_tree_order(tx, kinds=HOLDING_KINDS, limit=PARENT_CHOICES_LIMIT)


def _form_values(form: Any) -> dict[str, Any]:
    return {name: str(form.get(name) or "").strip() for name in ("code", "name", "kind", "parent", "abbreviation")}


class AdminUnits(Controller):
    include_in_schema = False

    @get("/admin/units", sync_to_thread=True)
    def units(self, request: Request) -> Response:
        page, refused = admin_page(request)
        if refused is not None:
            return refused
        return self._list(request, page)

    def _list(self, request: Request, page: Page, *, status: int = 200, error: str | None = None,
              entered: dict | None = None) -> Response:
        query = request.query_params
        q, kind = (query.get("q") or "").strip()[:100] or None, query.get("kind") or None
        kind = kind if kind in UNIT_KINDS else None
        services = services_of(request)
        number = page_number(query, 100_000)
        with services.db.snapshot() as tx:
            found = listings.list_units(tx, q=q, kind=kind, page=number, page_size=UNITS_PAGE_SIZE)
        keep = {key: value for key, value in (("q", q), ("kind", kind)) if value}
        return page.render(
            "admin_units.html", status=status, units=found, q=q or "", kind=kind or "", kinds=UNIT_KINDS,
            parents=parent_choices(services), error=error, entered=entered or {}, parent_kinds=PARENT_KINDS,
            pages=max(1, -(-found.total // UNITS_PAGE_SIZE)), done=query.get("done"),
            page_url=lambda n: "/admin/units?" + urlencode({**keep, "page": n}))

    @post("/admin/units")
    async def create(self, request: Request) -> Response:
        page, refused = admin_page(request)
        if refused is not None:
            return refused
        form = await request.form()
        if not csrf_ok(request, form.get(CSRF_FIELD)):
            return self._list(request, page, status=403, error=page.words.t("csrf_failed"))
        values = _form_values(form)
        services = services_of(request)
        try:
            create_unit(services.db, actor_id=page.actor.user_id, now=services.clock(), code=values["code"],
                        name=values["name"], kind=values["kind"], parent=values["parent"] or None,
                        abbreviation=values["abbreviation"] or None)
        except MediationError as error:
            return self._list(request, page, status=422, error=refusal_text(page, error), entered=values)
        return Redirect(path=f"/admin/units/{quote(values['code'], safe='')}?done=created", status_code=303)

    @get("/admin/units/{code:str}", sync_to_thread=True)
    def unit(self, request: Request, code: FromPath[str]) -> Response:
        page, refused = admin_page(request)
        if refused is not None:
            return refused
        return self._unit_page(request, page, code)

    def _unit_page(self, request: Request, page: Page, code: str, *, status: int = 200,
                   error: str | None = None) -> Response:
        services = services_of(request)
        with services.db.snapshot() as tx:
            unit = listings.unit_view(tx, code)
            children = listings.list_units(tx, parent=code, page_size=UNITS_PAGE_SIZE) if unit else None
            users = listings.list_users(tx, unit=code, page_size=UNITS_PAGE_SIZE) if unit else None
        if unit is None:
            return page.render("message.html", status=404, heading=page.words.t("adm_units"),
                               text=page.words.t("adm_not_found"), back="/admin/units",
                               back_text=page.words.t("adm_back_units"))
        return page.render("admin_unit.html", status=status, unit=unit, etag=listings.view_tag(unit),
                           children=children, users=users,
                           parents=[p for p in parent_choices(services) if p[0] != code], error=error,
                           done=request.query_params.get("done"))

    @post("/admin/units/{code:str}")
    async def change(self, request: Request, code: FromPath[str]) -> Response:
        page, refused = admin_page(request)
        if refused is not None:
            return refused
        form = await request.form()
        if not csrf_ok(request, form.get(CSRF_FIELD)):
            return self._unit_page(request, page, code, status=403, error=page.words.t("csrf_failed"))
        values = _form_values(form)
        changes = {"name": values["name"], "abbreviation": values["abbreviation"] or None,
                   "parent": values["parent"] or None}
        services = services_of(request)
        try:
            change_unit(services.db, actor_id=page.actor.user_id, code=code, changes=changes, now=services.clock(),
                        if_match=posted_tag(form))
        except MediationError as error:
            return self._unit_page(request, page, code, status=error.status_code if error.status_code < 500 else 422,
                                   error=refusal_text(page, error))
        return Redirect(path=f"/admin/units/{quote(code, safe='')}?done=saved", status_code=303)
