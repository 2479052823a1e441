"""Work lists of the web workspace: the court and department inboxes and the key-case orders.

An inbox lists the cases referred to the user's court or department that wait on it: the
states from which the workflow lets that role fire a trigger (court: applied, under review;
department: referred, in progress), each with its earliest pending deadline. Reach is the
case list's (`reach_clause`); orders come from `list_orders`, as in the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get

from mediation.cases.views import reach_clause
from mediation.db import parse_timestamp
from mediation.deadlines.orders import list_orders
from mediation.directory.actors import Actor
from mediation.services import Services, services_of
from mediation.web.page import (
    current_definition,
    due_status,
    local_time,
    page_number,
    page_of,
    to_login,
)
from mediation.workflows.definition import WorkflowDefinition

INBOX_LIMIT = 200
ORDERS_PAGE_SIZE = 50


@dataclass(frozen=True)
class Inbox:
    """Which role an inbox serves and which case columns name the referral to the user's unit."""

    role: str
    unit_column: str  # the unit the case was referred to
    since_column: str  # when the case entered the stage
    title: str  # word keys
    intro: str
    refused: str


COURT = Inbox("court", "court_id", "court_at", "court_inbox", "inbox_court_intro", "inbox_court_only")
DEPARTMENT = Inbox("department", "department_id", "joint_at", "department_inbox", "inbox_department_intro",
                   "inbox_department_only")


def waiting_states(definition: WorkflowDefinition, role: str) -> dict[str, list[str]]:
    """States in which the role may fire a trigger (in workflow order), with those triggers."""
    waiting: dict[str, list[str]] = {}
    for state in definition.states:
        names = [spec.name for spec in definition.triggers.values() if role in spec.roles and state in spec.sources]
        if names:
            waiting[state] = names
    return waiting


def inbox_rows(services: Services, actor: Actor, inbox: Inbox, states: list[str], now: datetime) -> tuple[list, int]:
    """Cases in reach referred to the actor's unit and in `states`, by earliest pending deadline; and their count."""
    params: dict[str, Any] = {"inbox_unit": actor.unit_id or -1}
    params.update({f"state{i}": state for i, state in enumerate(states)})
    marks = ", ".join(f":state{i}" for i in range(len(states))) or "NULL"
    where = f"{reach_clause(actor, params)} AND c.{inbox.unit_column} = :inbox_unit AND c.state IN ({marks})"
    with services.db.snapshot() as tx:
        total = tx.one(f"SELECT count(*) FROM cases c WHERE {where}", params)[0]
        cases = tx.all(
            "SELECT * FROM (SELECT c.id, c.number, c.title, c.state, c.risk_level, c.key_case, u.name, "
            f"c.{inbox.since_column}, (SELECT min(dl.due_at) FROM deadlines dl WHERE dl.case_id = c.id "
            f"AND dl.status = 'pending') AS due FROM cases c JOIN units u ON u.id = c.unit_id WHERE {where}) inbox "
            f"ORDER BY (due IS NULL), due, id LIMIT {INBOX_LIMIT}", params)
        ids = {f"id{i}": row[0] for i, row in enumerate(cases)}
        deadlines = tx.all(
            "SELECT case_id, kind, due_at FROM deadlines WHERE status = 'pending' AND case_id IN ("
            + ", ".join(f":{key}" for key in ids) + ") ORDER BY due_at DESC", ids) if ids else []
    earliest = {case_id: (kind, parse_timestamp(due)) for case_id, kind, due in deadlines}  # the last one wins
    rows = []
    for case_id, number, title, state, risk, key_case, unit, since, _due in cases:
        kind, due = earliest.get(case_id, (None, None))
        rows.append({"id": case_id, "number": number, "title": title, "state": state, "risk_level": risk,
                     "key_case": bool(key_case), "unit": unit, "since": local_time(since),
                     "deadline_kind": kind, "due": local_time(due), "due_status": due_status(due, now)})
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
                       definition=definition)


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
