"""/admin/changes: the directory's change log for administrators, each change told in words."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get

from mediation.directory import listings
from mediation.services import services_of
from mediation.web.admin_units import admin_page
from mediation.web.i18n import TEXT, Words
from mediation.web.page import local_time, page_number

CHANGES_PAGE_SIZE = 100
FIELDS = ("display_name", "name", "abbreviation", "kind", "parent", "unit", "roles", "disabled")


def _value(words: Words, field: str, value: Any) -> str:
    """One stored value as the reader reads it: kinds and roles by name, the disabled flag as a status."""
    if value is None or value == []:
        return "—"
    if field == "kind":
        return words.t(f"kind_{value}") if f"kind_{value}" in TEXT else str(value)
    if field == "roles":
        return "、".join(words.t(f"role_{role}") if f"role_{role}" in TEXT else str(role) for role in value)
    if field == "disabled":
        return words.t("adm_disabled" if value else "adm_active")
    return str(value)


def change_text(words: Words, action: str, details: dict[str, Any]) -> str:
    """What a change set: `field: old → new` for a change made here, `field: value` for what was created
    or imported."""
    pairs = action.endswith("_changed") and details.get("via") != "import"
    parts = []
    for field in (name for name in FIELDS if name in details):
        label = words.t("adm_status" if field == "disabled" else f"adm_{field}")
        given = details[field]
        if pairs:
            parts.append(f"{label}：{_value(words, field, given[0])} → {_value(words, field, given[1])}")
        else:
            parts.append(f"{label}：{_value(words, field, given)}")
    if "generated" in details:
        parts.append(words.t("adm_password_generated" if details["generated"] else "adm_password_given"))
    if details.get("via") == "import":
        parts.append(words.t("adm_via_import"))
    return "；".join(parts)


class DirectoryChanges(Controller):
    include_in_schema = False

    @get("/admin/changes", sync_to_thread=True)
    def changes(self, request: Request) -> Response:
        page, refused = admin_page(request)
        if refused is not None:
            return refused
        target = (request.query_params.get("target") or "").strip()[:64]
        with services_of(request).db.snapshot() as tx:
            found = listings.list_changes(tx, target=target or None, page=page_number(request.query_params, 100_000),
                                          page_size=CHANGES_PAGE_SIZE)
        words = page.words
        rows = [{"at": local_time(change.at.rstrip("Z")), "actor": change.actor or words.t("adm_system"),
                 "action": words.t(f"adm_action_{change.action}"), "target": change.target,
                 "what": change_text(words, change.action, change.details)} for change in found.items]
        keep = {"target": target} if target else {}
        return page.render("admin_changes.html", changes=found, rows=rows, target=target,
                           pages=max(1, -(-found.total // CHANGES_PAGE_SIZE)),
                           page_url=lambda n: "/admin/changes?" + urlencode({**keep, "page": n}))
