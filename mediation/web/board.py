"""The case board at /: the cases in the user's reach, filtered, a page at a time, with their next deadline.

The rows are the API's case list (`list_cases`, the same reach and filters); HTMX asks for the
results alone (`_board_results.html`) when a filter changes. The results carry what depends on
the filters: the export links (`/cases.csv`, `/cases.xlsx`, every match of the filters) and the
form that saves them under a name; the user's saved filters are links to the board with them.
Bulk actions on the ticked rows are `board_bulk.py`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar import Controller, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.params import FromPath
from litestar.response import Redirect, Stream
from markupsafe import Markup

from mediation.cases.bulk import MAX_CASES, fire_bulk
from mediation.cases.list_export import CONTENT_TYPES, case_sheet, file_name, spreadsheet_bytes
from mediation.cases.queues import next_deadlines
from mediation.cases.read_models import CaseSummary
from mediation.cases.saved_filters import delete_filter, save_filter, saved_filters
from mediation.cases.views import CaseFilters, list_cases
from mediation.directory.actors import Actor
from mediation.directory.queries import units_in_reach
from mediation.errors import InvalidData, NotFound
from mediation.services import Services, services_of
from mediation.web import forms
from mediation.web.board_bulk import (
    bulk_form,
    bulk_outcome,
    offered_actions,
    posted_cases,
    posted_key,
)
from mediation.web.i18n import Words
from mediation.web.page import (
    Page,
    current_definition,
    due_status,
    left_reach_notice,
    local_due_time,
    local_time,
    page_number,
    page_of,
    reason_text,
    to_login,
)
from mediation.web.session import CSRF_FIELD, csrf_ok
from mediation.workflows.definition import WorkflowDefinition

PAGE_SIZE = 25
BOARD_COUNT_LIMIT = 10_000  # the board counts this many matches at most ("10,000+"); the API counts all
BOARD_PAGES = -(-BOARD_COUNT_LIMIT // PAGE_SIZE)  # pages the board links to: no deeper OFFSET than the count
FILTERS = ("state", "stage", "channel", "category", "risk_level", "unit", "q")


def chosen_filters(query: Mapping[str, Any]) -> tuple[dict[str, str | None], bool | None]:
    """The board's filters as the query gives them (trimmed, empty as None) and the overdue flag."""
    chosen = {name: (str(query.get(name) or "")).strip()[:100] or None for name in FILTERS}
    return chosen, True if query.get("overdue") in ("1", "true") else None


def filter_query(chosen: Mapping[str, str | None], overdue: bool | None) -> dict[str, str]:
    """The filters as a query (what the page's links, the exports and a saved filter keep)."""
    return {k: v for k, v in {**chosen, "overdue": "1" if overdue else None}.items() if v}


def render_board(page: Page, query: Mapping[str, Any], *, partial: bool = False, status: int = 200,
                 here: str | None = None, bulk_raw: dict[str, Any] | None = None, bulk_fields: bool = False,
                 ticked: frozenset[int] = frozenset(), **extra: Any) -> Response:
    """The board (or its results alone) for the filters in `query`; `extra` adds to the page (a bulk's outcome).

    The bulk form's fields come with the page only when asked for (`bulk_fields`, or a bulk to show again);
    otherwise a button loads them. `ticked` are the cases shown ticked."""
    chosen, overdue = chosen_filters(query)
    filters = CaseFilters(chosen["state"], chosen["stage"], chosen["unit"], chosen["channel"], chosen["category"],
                          chosen["risk_level"], overdue, chosen["q"], page_number(query, BOARD_PAGES), PAGE_SIZE)
    services = services_of(page.request)
    definition = current_definition(services)
    words, error = page.words, None
    try:
        data = _board_data(services, page.actor, filters, words, definition)
    except InvalidData as invalid:
        error = f"{words.t(invalid.field)}: {reason_text(words, invalid.reason)}"
        data = _board_data(services, page.actor, CaseFilters(page_size=PAGE_SIZE), words, definition)
    keep = filter_query(chosen, overdue)
    kept = urlencode(keep)
    return page.render(
        "_board_results.html" if partial else "board.html", status=status, here=here, **data, chosen=chosen,
        overdue=bool(overdue), error=error, kept=kept, saved=saved_filters(services.db, actor=page.actor,
                                                                           list_name="cases"),
        options={} if partial else _option_tags(_filter_options(words, definition), data["units"], chosen),
        notice=None if partial else left_reach_notice(page, definition),
        bulk=None if partial else bulk_form(page, definition, bulk_raw,
                                            fields=bulk_fields or bulk_raw is not None),
        selectable=bool(offered_actions(page, definition)), ticked=ticked,
        page_url=lambda n: "/?" + urlencode({**keep, "page": n}), **extra,
    )


class Board(Controller):
    """The case board at /, its exports and the user's saved filters."""

    include_in_schema = False

    @get("/", sync_to_thread=True)
    def board(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        partial = request.headers.get("hx-request") == "true" and not request.headers.get("hx-history-restore-request")
        return render_board(page, request.query_params, partial=partial)

    @get("/cases.csv", sync_to_thread=True)
    def export_csv(self, request: Request) -> Response:
        return _export(request, "csv")

    @get("/cases.xlsx", sync_to_thread=True)
    def export_xlsx(self, request: Request) -> Response:
        return _export(request, "xlsx")

    @get("/bulk/fields", sync_to_thread=True)
    def bulk_fields(self, request: Request) -> Response:
        """The bulk form's fields and action buttons alone (the board asks for them when the form is opened)."""
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        bulk = bulk_form(page, current_definition(services_of(request)))
        if bulk is None:
            return page.render("message.html", status=403, heading=page.words.t("bulk_heading"),
                               text=page.words.t("forbidden"))
        return page.render("_bulk_fields.html", bulk=bulk)

    @post("/bulk")
    async def bulk(self, request: Request) -> Response:
        page, form, refused = await _posted(request)
        return refused or await sync_to_thread(_bulk, page, form)

    @post("/filters")
    async def save(self, request: Request) -> Response:
        page, form, refused = await _posted(request)
        return refused or await sync_to_thread(_save_filter, page, str(form.get("name") or ""),
                                               str(form.get("query") or ""))

    @post("/filters/{filter_id:int}/delete")
    async def delete(self, request: Request, filter_id: FromPath[int]) -> Response:
        page, _form, refused = await _posted(request)
        return refused or await sync_to_thread(_delete_filter, page, filter_id)


async def _posted(request: Request) -> tuple[Page, Any, Response | None]:
    """The page and the posted form, or the answer instead: the login for a stranger, the board for an
    expired form."""
    page = page_of(request)
    if page.actor is None:
        return page, None, to_login(request)
    form = await request.form()
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        return page, form, await sync_to_thread(render_board, page, {}, status=403, here="/",
                                                alert=page.words.t("csrf_failed"))
    return page, form, None


def _export(request: Request, fmt: str) -> Response:
    """Every case matching the board's filters as a file; a refused filter shows the board with its reason."""
    page = page_of(request)
    if page.actor is None:
        return to_login(request)
    chosen, overdue = chosen_filters(request.query_params)
    filters = CaseFilters(chosen["state"], chosen["stage"], chosen["unit"], chosen["channel"], chosen["category"],
                          chosen["risk_level"], overdue, chosen["q"])
    services = services_of(request)
    now = services.clock()
    try:
        rows = case_sheet(services.db, page.actor, filters, now, page.lang)
    except InvalidData:
        return render_board(page, request.query_params, status=400)
    return Stream(spreadsheet_bytes(rows, fmt, page.lang), media_type=CONTENT_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{file_name("cases", fmt, now)}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})


def _bulk(page: Page, form: Any) -> Response:
    """Fire the chosen action on each ticked case; the board again (with its filters) says how each went."""
    services = services_of(page.request)
    definition = current_definition(services)
    back = dict(parse_qsl(str(form.get("back") or "")))
    words, trigger = page.words, str(form.get("trigger") or "")
    if not trigger:  # the form opened without script: the board again, with the fields and the same cases ticked
        return render_board(page, back, here="/", bulk_fields=True, ticked=frozenset(posted_cases(form)[0]))
    if trigger not in offered_actions(page, definition):
        return render_board(page, back, status=403, here="/", alert=words.t("forbidden"))
    ids, versions = posted_cases(form)
    if not ids or len(ids) > MAX_CASES:
        alert = words.t("bulk_too_many", n=MAX_CASES) if ids else words.t("bulk_none_selected")
        return render_board(page, back, status=422, here="/", alert=alert)
    spec = definition.triggers[trigger]
    try:
        data, raw = forms.form_values(spec, form)
    except forms.UnreadableField as error:
        return render_board(page, back, status=422, here="/", bulk_raw=error.raw,
                            alert=f"{words.field(error.field.removeprefix('data.'))}：{reason_text(words, error.reason)}")
    outcomes = fire_bulk(services.db, actor=page.actor, trigger=trigger, references=ids, data=data,
                         now=services.clock(), idempotency_key=posted_key(form), expected_versions=versions)
    result = bulk_outcome(words, words.label(spec.labels, trigger), outcomes)
    return render_board(page, back, here="/", bulk_result=result, bulk_raw=None if result["ok"] else raw)


def _delete_filter(page: Page, filter_id: int) -> Response:
    """Delete one of the user's filters; the board says so (another user's reads as missing)."""
    try:
        delete_filter(services_of(page.request).db, actor=page.actor, filter_id=filter_id)
    except NotFound:
        return render_board(page, {}, status=404, here="/", alert=page.words.t("saved_missing"))
    return render_board(page, {}, here="/", success=page.words.t("saved_deleted"))


def _save_filter(page: Page, name: str, query: str) -> Response:
    """Keep the board's filters under the name; back to the board with them, or its reason to refuse."""
    services = services_of(page.request)
    words = page.words
    try:
        saved, _new = save_filter(services.db, actor=page.actor, list_name="cases", name=name, query=query,
                                  now=services.clock())
    except InvalidData as refused:
        field = words.t("saved_name") if refused.field == "name" else words.t(refused.field.removeprefix("query."))
        return render_board(page, {}, status=422, here="/", alert=f"{field}：{reason_text(words, refused.reason)}")
    return Redirect(path="/?" + saved.query if saved.query else "/", status_code=303)


def _board_data(services: Services, actor: Actor, filters: CaseFilters, words: Words,
                definition: WorkflowDefinition) -> dict[str, Any]:
    """The board's rows with their labels already in the page's language (the template only places them)."""
    now = services.clock()
    result = list_cases(services.db, actor, filters, now, count_limit=BOARD_COUNT_LIMIT)
    with services.db.snapshot() as tx:
        next_due = next_deadlines(tx=tx, case_ids=[item.id for item in result.items])
        units = units_in_reach(tx, actor.unit_path)
    rows = [_board_row(item, next_due.get(item.id), now, words, definition) for item in result.items]
    capped = result.total > BOARD_COUNT_LIMIT
    total = min(result.total, BOARD_COUNT_LIMIT)
    pages = max(1, min(-(-total // filters.page_size), BOARD_PAGES))
    return {"rows": rows, "total": total, "capped": capped, "page": filters.page, "pages": pages, "units": units}


def _board_row(item: CaseSummary, due: datetime | None, now: datetime, words: Words,
               definition: WorkflowDefinition) -> dict[str, Any]:
    """One row of the board: the case and its labels, and its next deadline with how close it is."""
    status = due_status(due, now)
    return {"case": item, "state": words.label(definition.states.get(item.state), item.state),
            "risk": words.value(item.risk_level), "updated": local_time(item.updated_at),
            "due": local_due_time(due), "due_status": status, "due_text": words.t(status) if status else ""}


def _option_tags(options: dict[str, list[tuple[str, str]]], units: list[tuple[str, str]],
                 chosen: Mapping[str, str | None]) -> dict[str, Markup]:
    """Each filter's `<option>` tags, the chosen one selected (escaped here: a board has a hundred or more)."""
    def tags(name: str, pairs: list[tuple[str, str]]) -> Markup:
        picked = chosen.get(name)
        return Markup("".join(f'<option value="{escape(code)}"{" selected" if code == picked else ""}>'
                              f"{escape(text)}</option>" for code, text in pairs))
    return {**{name: tags(name, pairs) for name, pairs in options.items()}, "unit": tags("unit", units)}


def _filter_options(words: Words, definition: WorkflowDefinition) -> dict[str, list[tuple[str, str]]]:
    """Code and label of each choice of the board's filters, in the definition's order."""
    stages, policy = definition.stage_labels, definition.policy
    return {
        "stage": [(code, words.label(labels, code)) for code, labels in stages.items()],
        "state": [(code, f"{words.label(stages[code.split('.')[0]], '')} · {words.label(labels, code)}")
                  for code, labels in definition.states.items()],
        "channel": [(code, words.label(labels, code)) for code, labels in policy["channels"].items()],
        "category": [(code, words.label(labels, code)) for code, labels in policy["categories"].items()],
        "risk_level": [(code, words.value(code)) for code in definition.risk_levels],
    }
