"""The caller's own queue (DESIGN §9.3, `GET /api/v1/me/work`, the web's 我的工作): open cases that
wait on them, the most urgent first.

A case is in the queue — never a closed one, always within the caller's reach — for one or more reasons:

- `assigned`: the caller is its mediator (`mediator_id`);
- `order_owner`: the caller owns its key-case order (重点疑难督办);
- `awaiting_me`: it waits on an action the caller's role can take, worked out from the workflow
  (the states in which the role may fire a trigger that is not offered in every state):
  - court: referred to the caller's court, in a state where the court may act (受理、审查);
  - department: referred to the caller's unit, in a state where the department may act (签收、反馈);
  - mediator, police: in the caller's unit subtree, no mediator yet, in a screening state where
    the role may act (分流、指派);
  - supervisor: in the caller's unit subtree and overdue, or high/critical risk not yet a key case
    (`designate_key_case`), or escalated up the ladder in a state where a supervisor may
    `replace_mediator`;
  - grid_worker: filed by the caller in their unit subtree, in a state where a grid worker may act (回访跟踪);
  - mediator, police, supervisor: shared with the caller's unit for co-mediation (协同调解, DESIGN §9.5).

Each item carries its next pending deadline (a reminder of an order's coming deadline,
`order_due_soon`, is no deadline of its own) and its urgency: `overdue` when that deadline has
passed, `due_soon` within DUE_SOON of it, else `rest`. The queue is sorted overdue first (oldest
due first), then due soon, then the rest by due time; cases due at the same moment in the order their
deadlines were set; the cases with no deadline last, the longest untouched first.
The `kind` filter keeps the cases in the queue for that reason (`assigned` covers order owners)
or of that urgency.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec

from mediation.cases.read_models import UnitRef, utc_text
from mediation.cases.views import reach_clause
from mediation.cases.work_reasons import (
    ASSIGNED,
    AWAITING_ME,
    NOT_A_DEADLINE,
    ORDER_OWNER,
    any_of,
    reasons,
)
from mediation.db import RawTransaction
from mediation.directory.actors import Actor
from mediation.errors import UnknownFilterValue
from mediation.workflows.deadline_labels import DEADLINE_LABELS
from mediation.workflows.definition import WorkflowDefinition

DUE_SOON = timedelta(days=2)  # a deadline this close is highlighted (web and API alike)
SMALL_QUEUE = 1_000  # a queue this long or shorter is read whole and sorted; a longer one a page at a time
COUNT_LIMIT = 1_000  # a longer queue's counts stop past this many cases (COUNT_LIMIT + 1: "1,000+")
MAX_PAGE_SIZE = 200
KINDS = ("assigned", "awaiting_me", "due_soon", "overdue")
REASONS = ("assigned", "order_owner", "awaiting_me")  # a case's first reason is the one shown
URGENCIES = ("overdue", "due_soon", "rest")


class WorkDeadline(msgspec.Struct):
    kind: str
    label: str  # in Chinese
    due_at: str  # UTC with its offset


class WorkItem(msgspec.Struct):
    """One case of the queue, why it is there and how urgent it is."""

    id: int
    number: str
    title: str
    state: str
    state_label: str  # in Chinese
    stage: str
    unit: UnitRef
    risk_level: str
    key_case: bool
    reason: str  # the first of `reasons`
    reasons: list[str]
    deadline: WorkDeadline | None
    urgency: str
    updated_at: str


class WorkPage(msgspec.Struct):
    items: list[WorkItem]
    total: int
    page: int
    page_size: int
    # False when counting stopped at COUNT_LIMIT: `total` is then COUNT_LIMIT + 1 ("more than COUNT_LIMIT")
    total_exact: bool = True


class WorkCounts(msgspec.Struct):
    """How many cases of the whole queue each kind keeps (COUNT_LIMIT + 1: more than COUNT_LIMIT)."""

    all: int
    assigned: int
    awaiting_me: int
    due_soon: int
    overdue: int


def work_queue(*, tx: RawTransaction, definition: WorkflowDefinition, actor: Actor, now: datetime,
               kind: str | None = None, page: int = 1, page_size: int = 50) -> WorkPage:
    """A page of the actor's queue, most urgent first; `total` counts the whole (filtered) queue."""
    return work_page_and_counts(tx=tx, definition=definition, actor=actor, now=now, kind=kind, page=page,
                                page_size=page_size)[0]


def work_counts(*, tx: RawTransaction, definition: WorkflowDefinition, actor: Actor, now: datetime) -> WorkCounts:
    """How many cases the actor's queue holds in all and for each kind (the web's tabs)."""
    return work_page_and_counts(tx=tx, definition=definition, actor=actor, now=now, page_size=1)[1]


def work_page_and_counts(*, tx: RawTransaction, definition: WorkflowDefinition, actor: Actor, now: datetime,
                         kind: str | None = None, page: int = 1,
                         page_size: int = 50) -> tuple[WorkPage, WorkCounts]:
    """work_queue and work_counts from one reading of the queue (the web page shows both)."""
    if kind is not None and kind not in KINDS:
        raise UnknownFilterValue("kind", kind, f"unknown value '{kind}'; must be one of {list(KINDS)}")
    size = _queue_size(tx, definition, actor, now, limit=max(SMALL_QUEUE, COUNT_LIMIT))
    if size > SMALL_QUEUE:
        return _long_queue_page(tx, definition, actor, now, kind, page, page_size, min(size, COUNT_LIMIT + 1))
    queue = _queue(tx, definition, actor, now)
    kept = [row for row in queue if _keeps(kind, row)]
    shown = kept[(page - 1) * page_size:page * page_size]
    details = _details(tx, [row[0] for row in shown])
    kinds = _deadline_kinds(tx, [row[0] for row in shown if row[3] is not None])
    items = [_item(row, details[row[0]], definition, kinds) for row in shown]
    return WorkPage(items=items, total=len(kept), page=page, page_size=page_size), _counts(queue)


def _keeps(kind: str | None, row: tuple) -> bool:
    """Whether the queue's row (case id, first and last reason rank, due, urgency rank) is of the kind."""
    _case, first, last, _due, urgency = row
    return {None: True, "assigned": first < 2, "awaiting_me": last == 2, "overdue": urgency == 0,
            "due_soon": urgency == 1}[kind]


def _counts(queue: list[tuple]) -> WorkCounts:
    return WorkCounts(len(queue), *(sum(_keeps(kind, row) for row in queue) for kind in KINDS))


def _queue_params(tx: RawTransaction, actor: Actor, now: datetime) -> dict[str, Any]:
    return {"me": actor.user_id, "work_unit": actor.unit_id or -1, "work_closed": "closed",
            "work_now": tx.timestamp(now), "work_soon": tx.timestamp(now + DUE_SOON)}


def _branches(tx: RawTransaction, definition: WorkflowDefinition, actor: Actor,
              params: dict[str, Any], ranks: tuple[int, ...] = (0, 1, 2)) -> list[str]:
    """SELECTs of (case_id, rank) for the reasons ranked `ranks`: the caller's cases (0), order cases (1)
    and the cases awaiting them (2)."""
    return [f"SELECT case_id, {reason.rank} AS rank FROM ({reason.selected()}) a"
            for reason in reasons(tx, definition, actor, params) if reason.rank in ranks]


def _queue_size(tx: RawTransaction, definition: WorkflowDefinition, actor: Actor, now: datetime,
                ranks: tuple[int, ...] = (0, 1, 2), limit: int = SMALL_QUEUE) -> int:
    """How many cases the queue (its branches of `ranks`) holds, counted up to `limit + 1`.

    Each branch is counted on its own first, up to the limit (a union is read whole before it is counted):
    one over the limit decides; else the union of branches that small is counted exactly."""
    params = _queue_params(tx, actor, now)
    branches = _branches(tx, definition, actor, params, ranks)
    if not branches:
        return 0
    kept = f"JOIN cases c ON c.id = q.case_id WHERE c.stage <> :work_closed AND {reach_clause(actor, params)}"
    for branch in branches:
        if tx.one(f"SELECT count(*) FROM (SELECT DISTINCT q.case_id FROM ({branch}) q {kept} LIMIT {limit + 1}) n",
                  params)[0] > limit:
            return limit + 1
    return min(limit + 1, tx.one(f"SELECT count(*) FROM (SELECT DISTINCT q.case_id FROM "
                                 f"({' UNION ALL '.join(branches)}) q {kept}) n", params)[0])


def _queue(tx: RawTransaction, definition: WorkflowDefinition, actor: Actor, now: datetime,
           ranks: tuple[int, ...] = (0, 1, 2)) -> list[tuple]:
    """The whole queue, sorted: (case id, first and last reason rank in REASONS, next due time, urgency rank).
    With `ranks`, only the cases in the queue for those reasons."""
    params = _queue_params(tx, actor, now)
    branches = _branches(tx, definition, actor, params, ranks)
    if not branches:
        return []
    first = ("FROM deadlines dl WHERE dl.case_id = q.case_id AND dl.status = 'pending' "
             f"AND dl.kind <> '{NOT_A_DEADLINE}' ORDER BY dl.due_at, dl.id LIMIT 1")
    return tx.all(
        "SELECT c.id, r.first_reason, r.last_reason, r.due, "
        "CASE WHEN r.due < :work_now THEN 0 WHEN r.due < :work_soon THEN 1 ELSE 2 END AS urgency "
        "FROM (SELECT q.case_id, min(q.rank) AS first_reason, max(q.rank) AS last_reason, "
        f"(SELECT dl.due_at {first}) AS due, (SELECT dl.id {first}) AS first_id "
        f"FROM ({' UNION ALL '.join(branches)}) q GROUP BY q.case_id) r "
        f"JOIN cases c ON c.id = r.case_id WHERE c.stage <> :work_closed AND {reach_clause(actor, params)} "
        "ORDER BY urgency, (r.due IS NULL), r.due, r.first_id, c.updated_at, c.id", params)


def _details(tx: RawTransaction, case_ids: list[int]) -> dict[int, tuple]:
    """Case id → what an item shows of the case beyond the queue's row."""
    if not case_ids:
        return {}
    params = {f"w{i}": case_id for i, case_id in enumerate(case_ids)}
    rows = tx.all("SELECT c.id, c.number, c.title, c.state, c.stage, c.risk_level, c.key_case, c.updated_at, "
                  "u.code, u.name FROM cases c JOIN units u ON u.id = c.unit_id "
                  f"WHERE c.id IN ({', '.join(':' + key for key in params)})", params)
    return {row[0]: row for row in rows}


def _deadline_kinds(tx: RawTransaction, cases: list[int]) -> dict[int, str]:
    """Case id → kind of its next deadline (the one due at the time the queue found)."""
    if not cases:
        return {}
    params = {f"k{i}": case_id for i, case_id in enumerate(cases)}
    rows = tx.all(f"SELECT case_id, kind, due_at FROM deadlines WHERE status = 'pending' AND kind <> '{NOT_A_DEADLINE}' "
                  f"AND case_id IN ({', '.join(':' + key for key in params)}) ORDER BY due_at DESC, id DESC", params)
    return {case_id: kind for case_id, kind, _due in rows}  # the last (earliest) wins


def _item(row: tuple, case: tuple, definition: WorkflowDefinition, kinds: dict[int, str]) -> WorkItem:
    case_id, first_reason, last_reason, due, urgency = row
    _id, number, title, state, stage, risk, key_case, updated, unit_code, unit_name = case
    why = [REASONS[first_reason]] + ([REASONS[last_reason]] if last_reason != first_reason else [])
    kind = kinds.get(case_id)
    deadline = (WorkDeadline(kind, DEADLINE_LABELS.get(kind, {}).get("zh", kind), utc_text(due))
                if kind is not None else None)
    return WorkItem(id=case_id, number=number, title=title, state=state,
                    state_label=(definition.states.get(state) or {}).get("zh", state), stage=stage,
                    unit=UnitRef(unit_code, unit_name), risk_level=risk, key_case=bool(key_case),
                    reason=why[0], reasons=why, deadline=deadline, urgency=URGENCIES[urgency],
                    updated_at=utc_text(updated))


# --- a long queue (a county's supervisor: hundreds of thousands of cases), a page at a time ---------------


FIRST_DUE_SQL = (  # `dl` is its case's first pending deadline (earliest, then lowest id)
    "NOT EXISTS (SELECT 1 FROM deadlines d2 WHERE d2.case_id = dl.case_id AND d2.status = 'pending' "
    f"AND d2.kind <> '{NOT_A_DEADLINE}' AND (d2.due_at < dl.due_at OR (d2.due_at = dl.due_at AND d2.id < dl.id)))"
)
NO_DUE_SQL = (
    "NOT EXISTS (SELECT 1 FROM deadlines d3 WHERE d3.case_id = c.id AND d3.status = 'pending' "
    f"AND d3.kind <> '{NOT_A_DEADLINE}')"
)
DUE_RANGES = {None: "", "overdue": " AND dl.due_at < :work_now",
              "due_soon": " AND dl.due_at >= :work_now AND dl.due_at < :work_soon", "awaiting_me": ""}


def _long_queue_page(tx: RawTransaction, definition: WorkflowDefinition, actor: Actor, now: datetime,
                     kind: str | None, page: int, page_size: int, size: int) -> tuple[WorkPage, WorkCounts]:
    """A page of a long queue and its counts, reading no more of it than the page and the capped counts need.

    The queue's order is that of each case's first pending deadline, by due moment then id (overdue, due
    soon and the rest are ranges of it), so the page is read from the pending deadlines in that order
    (their index), each taken when it is its case's first and the case is in the queue. The cases with no
    deadline come after, the longest untouched first. Counts stop at COUNT_LIMIT + 1."""
    if kind == "assigned":  # one person's own cases and orders: few, read whole
        kept = _queue(tx, definition, actor, now, ranks=(0, 1))
        shown = kept[(page - 1) * page_size:page * page_size]
        return (_page(tx, definition, shown, len(kept), page, page_size, True),
                _long_counts(tx, definition, actor, now, size))
    params = _queue_params(tx, actor, now)
    found = reasons(tx, definition, actor, params)
    awaiting = any_of([reason.condition for reason in found if reason.rank == AWAITING_ME])
    assigned, order_owner = (any_of([reason.condition for reason in found if reason.rank == rank])
                             for rank in (ASSIGNED, ORDER_OWNER))
    member = awaiting if kind == "awaiting_me" else any_of([reason.condition for reason in found])
    first = f"CASE WHEN {assigned} THEN 0 WHEN {order_owner} THEN 1 ELSE 2 END"
    last = f"CASE WHEN {awaiting} THEN 2 WHEN {order_owner} THEN 1 ELSE 0 END"
    base = f"c.stage <> :work_closed AND {reach_clause(actor, params)} AND {member}"
    wanted = page * page_size
    walk = (f"SELECT c.id, {first}, {last}, dl.due_at FROM deadlines dl CROSS JOIN cases c "
            f"WHERE c.id = dl.case_id AND dl.status = 'pending' AND dl.kind <> '{NOT_A_DEADLINE}'"
            f"{DUE_RANGES[kind]} AND {FIRST_DUE_SQL} AND {base}")
    rows = tx.all(f"{walk} ORDER BY dl.due_at, dl.id LIMIT {wanted}", params)
    if len(rows) < wanted and kind in (None, "awaiting_me"):  # past the deadlines: the cases without one
        rows += tx.all(f"SELECT c.id, {first}, {last}, NULL FROM cases c WHERE {base} AND "
                       f"{NO_DUE_SQL} ORDER BY c.updated_at, c.id LIMIT {wanted - len(rows)}", params)
    now_stamp, soon_stamp = params["work_now"], params["work_soon"]
    queue = [(case_id, first_reason, last_reason, due,
              2 if due is None else 0 if due < now_stamp else 1 if due < soon_stamp else 2)
             for case_id, first_reason, last_reason, due in rows]  # already in queue order
    shown = queue[(page - 1) * page_size:page * page_size]
    counts = _long_counts(tx, definition, actor, now, size)
    total = {None: counts.all, "awaiting_me": counts.awaiting_me, "overdue": counts.overdue,
             "due_soon": counts.due_soon}[kind]
    return _page(tx, definition, shown, total, page, page_size, total <= COUNT_LIMIT), counts


def _long_counts(tx: RawTransaction, definition: WorkflowDefinition, actor: Actor, now: datetime,
                 size: int) -> WorkCounts:
    """The counts of a long queue of `size` cases, each stopping at COUNT_LIMIT + 1."""
    params = _queue_params(tx, actor, now)
    member = any_of([reason.condition for reason in reasons(tx, definition, actor, params)])
    base = f"c.stage <> :work_closed AND {reach_clause(actor, params)} AND {member}"

    def due(kind: str) -> int:
        return tx.one(f"SELECT count(*) FROM (SELECT 1 FROM deadlines dl CROSS JOIN cases c WHERE c.id = dl.case_id "
                      f"AND dl.status = 'pending' AND dl.kind <> '{NOT_A_DEADLINE}'{DUE_RANGES[kind]} AND "
                      f"{FIRST_DUE_SQL} AND {base} LIMIT {COUNT_LIMIT + 1}) n", params)[0]

    return WorkCounts(all=size,
                      assigned=_queue_size(tx, definition, actor, now, ranks=(0, 1), limit=COUNT_LIMIT),
                      awaiting_me=_queue_size(tx, definition, actor, now, ranks=(2,), limit=COUNT_LIMIT),
                      due_soon=due("due_soon"), overdue=due("overdue"))


def _page(tx: RawTransaction, definition: WorkflowDefinition, shown: list[tuple], total: int, page: int,
          page_size: int, exact: bool) -> WorkPage:
    """The page of the queue's rows `shown` (case id, first and last reason rank, due, urgency rank)."""
    details = _details(tx, [row[0] for row in shown])
    kinds = _deadline_kinds(tx, [row[0] for row in shown if row[3] is not None])
    items = [_item(row, details[row[0]], definition, kinds) for row in shown]
    return WorkPage(items=items, total=total, page=page, page_size=page_size, total_exact=exact)
