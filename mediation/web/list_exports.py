"""The work lists as spreadsheets: /orders.csv|xlsx and /inbox/{court,department}.csv|xlsx.

Each file holds what its page lists, with the page's filters (the orders' overdue and due-soon
flags; an inbox has none), in the reader's words and China time, every row (orders are read a page
at a time). The board's own export (every case matching its filters) is `board.py`'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.concurrency import sync_to_thread
from litestar.response import Stream

from mediation.cases.list_export import CONTENT_TYPES, file_name, spreadsheet_bytes
from mediation.deadlines.orders import MAX_PAGE_SIZE, list_orders
from mediation.directory.actors import Actor
from mediation.services import Services, services_of
from mediation.web.i18n import Words
from mediation.web.inboxes import COURT, DEPARTMENT, inbox_rows, waiting_states
from mediation.web.page import Page, current_definition, page_of, to_login
from mediation.workflows.definition import WorkflowDefinition

INBOXES = {inbox.role: inbox for inbox in (COURT, DEPARTMENT)}
ORDER_HEADINGS = ("number", "title", "state", "unit", "order_owner", "order_co_units", "order_deadline", "order_status")
INBOX_HEADINGS = ("number", "title", "state", "risk_level", "key_case", "unit", "next_deadline")


class ListExports(Controller):
    """Spreadsheets of the orders list and of the court and department inboxes."""

    include_in_schema = False

    # Async handlers that hop to a thread themselves: Litestar 2 fails a sync_to_thread handler with
    # several paths (it hands back the coroutine instead of the answer).
    @get(["/orders.csv", "/orders.xlsx"])
    async def orders(self, request: Request) -> Response:
        return await sync_to_thread(_orders, request)

    @get([f"/inbox/{role}.{fmt}" for role in INBOXES for fmt in CONTENT_TYPES])
    async def inbox(self, request: Request) -> Response:
        return await sync_to_thread(_inbox, request)


def _orders(request: Request) -> Response:
    """Every order the orders page lists with its flags (overdue=1, due_soon=1), as a file."""
    page = page_of(request)
    if page.actor is None:
        return to_login(request)
    fmt = _format(request)
    query = request.query_params
    flags = {name: True if query.get(name) == "1" else None for name in ("overdue", "due_soon")}
    services = services_of(request)
    rows = _order_rows(services, page, flags, services.clock())
    return _download(page, "orders", fmt, rows, services.clock())


def _inbox(request: Request) -> Response:
    """The court's or the department's inbox as a file, for those who hold that role."""
    page = page_of(request)
    if page.actor is None:
        return to_login(request)
    fmt = _format(request)
    role = request.url.path.rsplit("/", 1)[1].split(".")[0]
    inbox = INBOXES[role]
    if role not in page.actor.roles:
        return page.render("message.html", status=403, heading=page.words.t(inbox.title),
                           text=page.words.t(inbox.refused))
    services = services_of(request)
    definition = current_definition(services)
    rows, _total = inbox_rows(services, page.actor, inbox, list(waiting_states(definition, role)),
                              services.clock())
    sheet = [_inbox_row(row, page.words, definition) for row in rows]
    return _download(page, f"inbox-{role}", fmt, iter([[page.words.t(h) for h in INBOX_HEADINGS], *sheet]),
                     services.clock())


def _format(request: Request) -> str:
    """csv or xlsx, from the address's suffix (the routes list exactly those)."""
    return request.url.path.rsplit(".", 1)[1]


def _download(page: Page, name: str, fmt: str, rows: Iterator[list[str]], now: datetime) -> Response:
    return Stream(spreadsheet_bytes(rows, fmt, page.lang), media_type=CONTENT_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{file_name(name, fmt, now)}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})


def _order_rows(services: Services, page: Page, flags: dict[str, bool | None], now: datetime) -> Iterator[list[str]]:
    """The heading, then every order the orders page would list with these flags, a page at a time."""
    words, actor = page.words, page.actor
    definition = current_definition(services)
    yield [words.t(heading) for heading in ORDER_HEADINGS]
    number = 1
    while True:
        found = _orders_page(services, actor, flags, now, number)
        for order in found.items:
            case = order.case
            yield [case.number, case.title, words.label(definition.states.get(case.state), case.state),
                   case.unit.name, order.owner.name or order.owner.username,
                   "、".join(unit.name for unit in order.co_units), order.deadline.isoformat(),
                   words.t(f"order_is_{order.status}")]
        if number * MAX_PAGE_SIZE >= found.total:
            return
        number += 1


def _orders_page(services: Services, actor: Actor, flags: dict[str, bool | None], now: datetime, number: int) -> Any:
    return list_orders(services.db, actor, overdue=flags["overdue"], due_soon=flags["due_soon"], now=now,
                       page=number, page_size=MAX_PAGE_SIZE)


def _inbox_row(row: dict[str, Any], words: Words, definition: WorkflowDefinition) -> list[str]:
    """One inbox row as the inbox page shows it."""
    due = f"{words.value(row['deadline_kind'])} {row['due']}" if row["due"] else ""
    return [row["number"], row["title"], words.label(definition.states.get(row["state"]), row["state"]),
            words.value(row["risk_level"]), words.t("yes") if row["key_case"] else "", row["unit"], due]
