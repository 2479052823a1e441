"""The case board at /: the cases in the user's reach, filtered, a page at a time, with their next deadline.

The rows are the API's case list (`list_cases`, the same reach and filters); HTMX asks for the
results alone (`_board_results.html`) when a filter changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get

from mediation.cases.queues import next_deadlines
from mediation.cases.read_models import CaseSummary
from mediation.cases.views import CaseFilters, list_cases
from mediation.directory.actors import Actor
from mediation.directory.queries import units_in_reach
from mediation.errors import InvalidData
from mediation.services import Services, services_of
from mediation.web.i18n import Words
from mediation.web.page import (
    current_definition,
    due_status,
    left_reach_notice,
    local_time,
    page_number,
    page_of,
    reason_text,
    to_login,
)
from mediation.workflows.definition import WorkflowDefinition

PAGE_SIZE = 25
BOARD_COUNT_LIMIT = 10_000  # the board counts this many matches at most ("10,000+"); the API counts all
BOARD_PAGES = -(-BOARD_COUNT_LIMIT // PAGE_SIZE)  # pages the board links to: no deeper OFFSET than the count
FILTERS = ("state", "stage", "channel", "category", "risk_level", "unit", "q")


class Board(Controller):
    """The case board at /."""

    include_in_schema = False

    @get("/", sync_to_thread=True)
    def board(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        query = request.query_params
        chosen = {name: (query.get(name) or "").strip()[:100] or None for name in FILTERS}
        overdue = True if query.get("overdue") == "1" else None
        filters = CaseFilters(chosen["state"], chosen["stage"], chosen["unit"], chosen["channel"],
                              chosen["category"], chosen["risk_level"], overdue, chosen["q"],
                              page_number(query, BOARD_PAGES), PAGE_SIZE)
        services = services_of(request)
        definition = current_definition(services)
        error = None
        words = page.words
        try:
            data = _board_data(services, page.actor, filters, words, definition)
        except InvalidData as invalid:
            error = f"{words.t(invalid.field)}: {reason_text(words, invalid.reason)}"
            data = _board_data(services, page.actor, CaseFilters(page_size=PAGE_SIZE), words, definition)
        keep = {k: v for k, v in {**chosen, "overdue": "1" if overdue else None}.items() if v}
        partial = request.headers.get("hx-request") == "true" and not request.headers.get("hx-history-restore-request")
        return page.render(
            "_board_results.html" if partial else "board.html", **data, chosen=chosen, overdue=bool(overdue), error=error,
            options={} if partial else _filter_options(words, definition),
            notice=None if partial else left_reach_notice(page, definition),
            page_url=lambda n: "/?" + urlencode({**keep, "page": n}),
        )


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
            "due": local_time(due), "due_status": status, "due_text": words.t(status) if status else ""}


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
