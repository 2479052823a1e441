"""/audit/personal-data: the personal-data view log for supervisors (their unit's cases) and administrators."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get

from mediation.cases.numbers import case_id_of
from mediation.cases.personal_data_views import list_views, may_read_log
from mediation.services import services_of
from mediation.web.i18n import TEXT, Words
from mediation.web.page import local_time, page_number, page_of, to_login
from mediation.workflows.calendar import china_day_start

VIEWS_PAGE_SIZE = 100


def _day(text: str, *, end: bool = False) -> datetime | None:
    """The naive-UTC start of a China date (for `to`, of the day after); None when it is not a date."""
    try:
        day = date.fromisoformat(text)
        return china_day_start(day, end=end)
    except (ValueError, OverflowError):
        return None


def via_label(words: Words, via: str) -> str:
    """How the numbers were seen, in words: a page, the API, an attachment, or a document by its name."""
    if via.startswith("document:"):
        return f"{words.t('via_document')}：{words.value(via.removeprefix('document:'))}"
    key = f"via_{via}"
    return words.t(key) if key in TEXT else via


class PersonalDataLog(Controller):
    include_in_schema = False

    @get("/audit/personal-data", sync_to_thread=True)
    def views(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        if not may_read_log(page.actor):
            return page.render("message.html", status=403, heading=page.words.t("adm_personal_data"),
                               text=page.words.t("adm_log_only"))
        query = request.query_params
        entered = {name: (query.get(name) or "").strip()[:64] for name in ("case", "user", "from", "to")}
        since, until = (_day(entered["from"]) if entered["from"] else None,
                        _day(entered["to"], end=True) if entered["to"] else None)
        bad = [page.words.t(f"adm_{name}") for name, moment in (("from", since), ("to", until))
               if entered[name] and moment is None]
        services = services_of(request)
        with services.db.snapshot() as tx:
            case_id = case_id_of(tx, entered["case"]) if entered["case"] else None
            if entered["case"] and case_id is None:
                bad.append(page.words.t("adm_case_filter"))
            found = list_views(tx, page.actor, case_id=case_id if not bad else -1, username=entered["user"] or None,
                               since=since, until=until, page=page_number(query, 100_000), page_size=VIEWS_PAGE_SIZE)
        keep = {name: value for name, value in entered.items() if value}
        rows = [{"at": local_time(entry.viewed_at.rstrip("Z")), "via": via_label(page.words, entry.via),
                 "entry": entry} for entry in found.items]
        return page.render("admin_personal_data.html", views=found, rows=rows, entered=entered,
                           error=page.words.t("adm_bad_filter", field="、".join(bad)) if bad else None,
                           is_admin="admin" in page.actor.roles, pages=max(1, -(-found.total // VIEWS_PAGE_SIZE)),
                           page_url=lambda n: "/audit/personal-data?" + urlencode({**keep, "page": n}),
                           status=400 if bad else 200)
