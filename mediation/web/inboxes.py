"""Work lists of the web workspace: the court and department inboxes and the key-case orders.

An inbox lists the cases referred to the user's court or department that wait on it: the
states from which the workflow lets that role fire a trigger (court: applied, under review;
department: referred, in progress), each with its earliest pending deadline. Reach is the
case list's (`cases.queues.inbox_cases`); orders come from `list_orders`, as in the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get

from mediation.cases.queues import inbox_cases
from mediation.cases.work_reasons import waiting_states
from mediation.deadlines.orders import list_orders
from mediation.directory.actors import Actor
from mediation.services import Services, services_of
from mediation.web.page import (
    current_definition,
    due_status,
    left_reach_notice,
    local_due_time,
    local_time,
    page_number,
    page_of,
    to_login,
)

INBOX_LIMIT = 200
ORDERS_PAGE_SIZE = 50


@dataclass(frozen=True)
class Inbox:
    """Which role an inbox serves (the cases referred to the user's unit as that role) and its words."""

    role: str
    title: str  # word keys
    intro: str
    refused: str


COURT = Inbox("court", "court_inbox", "inbox_court_intro", "inbox_court_only")
DEPARTMENT = Inbox("department", "department_inbox", "inbox_department_intro", "inbox_department_only")


def work_list(actor: Actor) -> str:
    """Where the user's own work is listed: their inbox for department and court staff, else the board."""
    return next((f"/inbox/{inbox.role}" for inbox in (DEPARTMENT, COURT) if inbox.role in actor.roles), "/")


def inbox_rows(services: Services, actor: Actor, inbox: Inbox, states: list[str], now: datetime) -> tuple[list, int]:
    """The inbox's cases in `states` as the page shows them, earliest deadline first; and their count."""
    with services.db.snapshot() as tx:
        cases, total = inbox_cases(tx=tx, actor=actor, role=inbox.role, states=states, limit=INBOX_LIMIT)
    rows = [{"id": case.id, "number": case.number, "title": case.title, "state": case.state,
             "risk_level": case.risk_level, "key_case": case.key_case, "unit": case.unit_name,
             "since": local_time(case.since), "deadline_kind": case.deadline_kind, "due": local_due_time(case.due),
             "due_status": due_status(case.due, now)} for case in cases]
    return rows, total


def _inbox_page(request: Request, inbox: Inbox) -> Response:
    page = page_of(request)
    if page.actor is None:
        return to_login(request)
    services = services_of(request)
    definition = current_definition(services)
    if inbox.role not in page.actor.roles:
        return page.render("message.html", status=403, heading=page.words.t(inbox.title),
                           text=page.words.t(inbox.refused))
    waiting = waiting_states(definition, inbox.role)
    rows, total = inbox_rows(services, page.actor, inbox, list(waiting), services.clock())
    sections = [{"state": state, "triggers": triggers, "rows": [r for r in rows if r["state"] == state]}
                for state, triggers in waiting.items()]
    return page.render("inbox.html", inbox=inbox, sections=sections, shown=len(rows), total=total,
                       definition=definition, notice=left_reach_notice(page, definition))


def _flag(value: str | None) -> bool | None:
    return True if value == "1" else None


class WorkLists(Controller):
    """/inbox/court, /inbox/department and /orders."""

    include_in_schema = False

    @get("/inbox/court", sync_to_thread=True)
    def court_inbox(self, request: Request) -> Response:
        return _inbox_page(request, COURT)

    @get("/inbox/department", sync_to_thread=True)
    def department_inbox(self, request: Request) -> Response:
        return _inbox_page(request, DEPARTMENT)

    @get("/orders", sync_to_thread=True)
    def orders(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        query = request.query_params
        overdue, due_soon = _flag(query.get("overdue")), _flag(query.get("due_soon"))
        number = page_number(query, 1_000_000)
        services = services_of(request)
        found = list_orders(services.db, page.actor, overdue=overdue, due_soon=due_soon, now=services.clock(),
                            page=number, page_size=ORDERS_PAGE_SIZE)
        keep = {k: "1" for k, v in (("overdue", overdue), ("due_soon", due_soon)) if v}
        return page.render("orders.html", orders=found, overdue=bool(overdue), due_soon=bool(due_soon),
                           pages=max(1, -(-found.total // ORDERS_PAGE_SIZE)), definition=current_definition(services),
                           page_url=lambda n: "/orders?" + urlencode({**keep, "page": n}))
