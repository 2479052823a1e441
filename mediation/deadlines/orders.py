"""Key-case orders (重点疑难, 订单管理、跟踪问效): the list supervisors watch.

An order's status is computed against `now` (not read from the stored column, which the worker
updates only when its timers fire): `done` when the case is closed (or the order was closed),
`overdue` when today is past the deadline, `due_soon` within the policy's
`key_case_orders.due_soon_before` days of it (the deadline day included), else `open`. This
matches the order's timers: due-soon at the start of deadline − N days, overdue at the start of
the day after the deadline. Days are China dates (DESIGN §9.1), as the timers are: an order due on D
is overdue from 00:00 China time of D+1.

Orders are listed when their case is in the actor's reach (the rule of the case list). An order's
`created_at` carries its offset (UTC, `Z`: DESIGN §9.1); its deadline is a date.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

import msgspec

from mediation import jsontext
from mediation.cases.kept_sums import Kept, kept_scope, summed
from mediation.cases.read_models import UnitRef, UserRef
from mediation.cases.views import list_reach_clause, reach_clause
from mediation.db import Database, RawTransaction, parse_timestamp
from mediation.directory.actors import Actor
from mediation.directory.queries import unit_names
from mediation.errors import InvalidData
from mediation.workflows.calendar import china_today

MAX_PAGE_SIZE = 200
OrderStatus = Literal["open", "due_soon", "overdue", "done"]
STATUSES: tuple[OrderStatus, ...] = ("overdue", "due_soon", "open", "done")  # listing order
STATUS_SQL = (
    "CASE WHEN o.status = 'done' OR c.stage = 'closed' THEN 'done' "
    "WHEN o.deadline < :order_today THEN 'overdue' "
    "WHEN o.deadline <= :order_soon THEN 'due_soon' ELSE 'open' END"
)
RANK_SQL = (
    "CASE WHEN o.status = 'done' OR c.stage = 'closed' THEN 3 "
    "WHEN o.deadline < :order_today THEN 0 WHEN o.deadline <= :order_soon THEN 1 ELSE 2 END"
)
ORDER_ROWS_SQL = (
    f"SELECT o.id, o.deadline, o.co_units, o.milestones, o.created_at, {STATUS_SQL} AS order_status, "
    "c.id, c.number, c.title, c.state, c.stage, u.code, u.name, w.username, w.display_name "
    "FROM orders o JOIN cases c ON c.id = o.case_id JOIN units u ON u.id = c.unit_id "
    "JOIN users w ON w.id = o.owner_id"
)


class OrderCase(msgspec.Struct):
    """The key case an order manages."""

    id: int
    number: str
    title: str
    state: str
    stage: str
    unit: UnitRef


class OrderView(msgspec.Struct):
    """One key-case order with its status at `now`.

    `days_left` is the deadline minus today (negative when overdue); `milestones` are as given
    when the case was designated.
    """

    id: int
    case: OrderCase
    owner: UserRef
    co_units: list[UnitRef]
    deadline: date
    days_left: int
    milestones: list[Any]
    status: OrderStatus
    created_at: datetime


class OrderPage(msgspec.Struct):
    """A page of orders: overdue first, then due soon, open and done, each by deadline."""

    items: list[OrderView]
    total: int
    page: int
    page_size: int
    # Always true: the total is summed from kept counts, exact at any size (kept for the clients that read it)
    total_exact: bool = True


def due_soon_days(policy: dict[str, Any]) -> int:
    """The policy's `key_case_orders.due_soon_before` in days."""
    return int(policy["key_case_orders"]["due_soon_before"].get("days", 0))


def _status_params(tx: RawTransaction, params: dict[str, Any], now: datetime, policy: dict[str, Any]) -> None:
    today = china_today(now)
    params["order_today"] = tx.day(today)
    params["order_soon"] = tx.day(today + timedelta(days=due_soon_days(policy)))


def wanted_statuses(overdue: bool | None, due_soon: bool | None) -> list[OrderStatus]:
    """Statuses the filters select: any true filter selects its status (several true ones add up);
    a false one excludes its status; none given selects every order."""
    chosen = {"overdue": overdue, "due_soon": due_soon}
    wanted = [name for name, value in chosen.items() if value] or list(STATUSES)
    return [status for status in STATUSES if status in wanted and chosen.get(status) is not False]


def list_orders(
    db: Database,
    actor: Actor,
    *,
    overdue: bool | None = None,
    due_soon: bool | None = None,
    now: datetime,
    page: int = 1,
    page_size: int = 50,
) -> OrderPage:
    """A page of the key-case orders whose cases are in the actor's reach, filtered by status at `now`.

    The page is read in deadline order from the orders' deadline index: the orders not done are in
    listing order by deadline alone (overdue, due soon and open are ranges of it), then the done ones.
    The total is summed from the orders counts kept beside the cases (`mediation.cases.figure_rows`), so
    it is exact at any size without reading the orders one by one."""
    if page < 1:
        raise InvalidData("page", "must be 1 or more")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidData("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
    policy = db.workflows.machine(db.workflows.current_version_id()).definition.policy
    with db.snapshot() as tx:
        params: dict[str, Any] = {}
        wanted = wanted_statuses(overdue, due_soon)
        clause = _orders_clause(tx, actor, wanted, now, policy, params)
        reach: dict[str, Any] = {}
        statuses = order_statuses(tx, kept_scope(tx, actor, reach_clause(actor, reach), reach, None, False), now,
                                  policy)
        total = sum(statuses.get(status, 0) for status in wanted)
        rows = _page_rows(tx, clause, params, wanted, page, page_size, statuses)
        co_units = [jsontext.loads(row[2]) for row in rows]
        names = unit_names(tx, {code for codes in co_units for code in codes})
    items = [_order_view(row, codes, names, china_today(now)) for row, codes in zip(rows, co_units)]
    return OrderPage(items=items, total=total, page=page, page_size=page_size)


def order_statuses(tx: RawTransaction, kept: Kept, now: datetime, policy: dict[str, Any]) -> dict[str, int]:
    """Key-case orders by status at `now` (done, overdue, due_soon, open), as STATUS_SQL tells them, summed
    from the kept counts of the orders by deadline and whether done."""
    today = china_today(now)
    soon = today + timedelta(days=due_soon_days(policy))
    found: Counter = Counter()
    for deadline, done, orders in summed(tx, kept, "figure_orders", ("deadline", "done"), [], {}, lambda row: True):
        if not orders:
            continue
        status = "done" if done else "overdue" if deadline < today else "due_soon" if deadline <= soon else "open"
        found[status] += orders
    return dict(found)


NOT_DONE_SQL = "o.status <> 'done' AND c.stage <> 'closed'"
DONE_SQL = "(o.status = 'done' OR c.stage = 'closed')"


def _page_rows(tx: RawTransaction, clause: str, params: dict[str, Any], wanted: list[OrderStatus], page: int,
               page_size: int, statuses: dict[str, int]) -> list[tuple]:
    """The page's rows in listing order: the orders not done by deadline, then the done ones by deadline
    (`statuses`: how many orders of each status the list holds, to continue after those not done)."""
    offset, rows = (page - 1) * page_size, []
    ordered = "ORDER BY o.deadline, o.id LIMIT :limit OFFSET :offset"
    if set(wanted) - {"done"}:
        rows = tx.all(f"{ORDER_ROWS_SQL} WHERE {clause} AND {NOT_DONE_SQL} {ordered}",
                      {**params, "limit": page_size, "offset": offset})
    if "done" in wanted and len(rows) < page_size:
        before = sum(statuses.get(status, 0) for status in wanted if status != "done")
        rows += tx.all(f"{ORDER_ROWS_SQL} WHERE {clause} AND {DONE_SQL} {ordered}",
                       {**params, "limit": page_size - len(rows), "offset": max(0, offset - before)})
    return rows


def _orders_clause(tx: RawTransaction, actor: Actor, statuses: list[OrderStatus], now: datetime,
                   policy: dict[str, Any], params: dict[str, Any]) -> str:
    """SQL (over orders `o` and cases `c`) for the orders in reach with one of `statuses`; adds its parameters."""
    where = [list_reach_clause(tx, actor, params)]
    _status_params(tx, params, now, policy)
    if len(statuses) < len(STATUSES):
        keys = [f"order_status_{i}" for i in range(len(statuses))]
        params.update(zip(keys, statuses))
        where.append(f"({STATUS_SQL}) IN (" + ", ".join(f":{key}" for key in keys) + ")")
        if "done" not in statuses:  # the deadlines they can have: a range of the deadline index
            if "open" not in statuses:
                where.append("o.deadline <= :order_soon")
            if "overdue" not in statuses:
                where.append("o.deadline >= :order_today")
    return " AND ".join(where)


def _order_view(row: tuple, codes: list[str], names: dict[str, tuple[str, str]], today: date) -> OrderView:
    """An order row (ORDER_ROWS_SQL's columns) as its view, its co-units named."""
    deadline = _as_date(row[1])
    return OrderView(
        id=row[0],
        case=OrderCase(row[6], row[7], row[8], row[9], row[10], UnitRef(row[11], row[12])),
        owner=UserRef(row[13], row[14]),
        co_units=[UnitRef(code, names[code][0] if code in names else code) for code in codes],
        deadline=deadline,
        days_left=(deadline - today).days,
        milestones=list(jsontext.loads(row[3]) or []),
        status=row[5],
        created_at=parse_timestamp(row[4]).replace(tzinfo=timezone.utc),
    )


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
