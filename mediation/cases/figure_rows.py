"""The supervisors' figures kept in the transaction that changes them (issue 16): the only writer of
the `figure_*` tables.

At a million cases the dashboard cannot count the cases on every request (13 s on SQLite), so
what its figures count over every case of a subtree and period is kept as counts beside the
cases, keyed by the case's unit path and a day (China's, like the figures' periods):

- `figure_created` — cases by the day they were created, state, channel, category, mechanism,
  with their recurrence sums (the counts, stages, units, recurrence and year-on-year);
- `figure_closed` — cases by the day they closed and closing state; a resolved case also by its
  mediator, levels, days to close and to agreement (as microseconds) and scheduled visits kept
  (resolution rate, time to resolve, levels, quotas, visits on schedule);
- `figure_visits` — return visits by the day recorded and how each counted;
- `figure_deadlines` — pending deadlines by kind and due moment, and (kind '') each case once at
  its first pending deadline that is not a reminder (what is overdue at any `now`);
- `figure_orders` — key-case orders by deadline, done or not.

A case's share of these counts is a pure function of its row, its pending deadlines and its
order (`contributions`). Whoever changes a case takes its share before and after
(`share_of`) and `apply`s the difference: one UPSERT per count that moved, none when nothing
counted moved (a note, a record, an attachment). The engine does it in its persist step, intake
for a new case, the worker when it marks a deadline done; `recount` rebuilds every count from the
cases (the migration's backfill, `mediation metrics recount`, a restore), and `differences` tells
where kept counts and a recount disagree. Rows whose counts fall to zero stay (they add nothing, and
their keys come back: days, states, units) until the next recount, except a pending deadline's,
whose moment seldom comes back: that row is deleted.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any, Callable, Iterable

from mediation import jsontext
from mediation.db import RawTransaction, parse_timestamp
from mediation.workflows.loader import current_definition
from mediation.workflows.return_visits import ON_SCHEDULE, china_day, follow_up_start, mark_visits

RESOLVED_STATES = ("closed.resolved", "closed.enforcement")  # as mediation.metrics.report counts them
REMINDER = "order_due_soon"  # a reminder, not a deadline of its own: never makes a case overdue
FIRST = ""  # the kind of `figure_deadlines` rows that count each case once, at its first pending deadline
NO_AGREEMENT = -1  # agree_us of a resolved case that never reached follow-up
NOT_FOLLOWED = -1  # on_schedule of a case the visits figures do not judge

# table: (key columns, counted columns); day columns hold dates, `due_at` a timestamp.
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "figure_created": (("unit_path", "day", "state", "channel", "category", "mechanism"),
                       ("cases", "recurred", "recurrences", "followed_up")),
    "figure_closed": (("unit_path", "day", "state", "mediator_id", "resolved_level", "ladder_level", "close_us",
                       "agree_us", "on_schedule"), ("cases",)),
    "figure_visits": (("unit_path", "day", "schedule"), ("visits",)),
    "figure_deadlines": (("unit_path", "kind", "due_at"), ("pending",)),
    "figure_orders": (("unit_path", "deadline", "done"), ("orders",)),
}
DAY_COLUMNS = {"day", "deadline"}
TIMESTAMP_COLUMNS = {"due_at"}

CASE_COLUMNS = ("unit_path, created_at, state, channel, category, mechanism, recurrence_count, follow_up_at, "
                "closed_at, mediator_id, resolved_level, ladder_level, progress")
CASE_SQL = f"SELECT {CASE_COLUMNS} FROM cases WHERE id = :id"
DEADLINES_SQL = "SELECT kind, due_at FROM deadlines WHERE case_id = :id AND status = 'pending'"
ORDERS_SQL = "SELECT deadline, status FROM orders WHERE case_id = :id"

Share = dict[tuple[str, tuple], tuple[int, ...]]


@lru_cache(maxsize=8192)
def _stamp(value: Any) -> datetime | None:
    """A stored timestamp as naive UTC (cached: a case's own come back on every transition)."""
    return parse_timestamp(value)


@lru_cache(maxsize=8192)
def _china_day(value: Any) -> date | None:
    """The China day of a stored timestamp (cached alike)."""
    return None if value is None else china_day(_stamp(value))


def _micro(start: datetime, end: datetime) -> int:
    delta = end - start
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _as_day(value: Any) -> date:
    return value if isinstance(value, date) and not isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def visit_schedules(progress: dict[str, Any], follow_up_at: Any) -> list[str]:
    """How each recorded visit counts: as kept when it was recorded, else judged under the deployment's policy
    (a visit recorded before visits kept their judgement)."""
    visits = progress.get("visits") or []
    if all(visit.get("schedule") for visit in visits):
        return [visit["schedule"] for visit in visits]
    since = follow_up_start(progress) or follow_up_at
    judged = mark_visits(current_definition().policy, since, [visit["at"] for visit in visits])
    return [visit.get("schedule") or mark.schedule for visit, mark in zip(visits, judged)]


def _adding(share: Share) -> Callable[[str, tuple, tuple[int, ...]], None]:
    """A function adding counts to `share` (table, key, values)."""
    def add(table: str, key: tuple, values: tuple[int, ...]) -> None:
        was = share.get((table, key))
        share[(table, key)] = values if was is None else tuple(a + b for a, b in zip(was, values))
    return add


def contributions(case: tuple, deadlines: Iterable[tuple] | None, orders: Iterable[tuple] | None) -> Share:
    """One case's share of every kept count, from its row (CASE_COLUMNS), its pending deadlines (kind,
    due_at) and its orders (deadline, status); None leaves out the deadlines' (or orders') counts."""
    (unit_path, created_at, state, channel, category, mechanism, recurrence_count, follow_up_at, closed_at,
     mediator_id, resolved_level, ladder_level, progress_text) = case
    share: Share = {}
    add = _adding(share)
    created = _stamp(created_at)
    follow_up = _stamp(follow_up_at)
    recurrences = int(recurrence_count or 0)
    add("figure_created", (unit_path, _china_day(created_at), state, channel, category or "", mechanism or ""),
        (1, int(recurrences > 0), recurrences, int(follow_up is not None or recurrences > 0)))
    schedules: list[str] = []
    if follow_up is not None:
        progress = jsontext.loads(progress_text) if progress_text else {}
        schedules = visit_schedules(progress, follow_up_at)
        for visit, schedule in zip(progress.get("visits") or [], schedules):
            add("figure_visits", (unit_path, _china_day(visit["at"]), schedule), (1,))
    closed = _stamp(closed_at)
    if closed is not None:
        if state in RESOLVED_STATES:
            on_schedule = (sum(schedule == ON_SCHEDULE for schedule in schedules)
                           if state == "closed.resolved" and follow_up is not None else NOT_FOLLOWED)
            key = (unit_path, _china_day(closed_at), state, mediator_id or 0, resolved_level or "", int(ladder_level or 0),
                   _micro(created, closed), _micro(created, follow_up) if follow_up is not None else NO_AGREEMENT,
                   on_schedule)
        else:
            key = (unit_path, _china_day(closed_at), state, 0, "", 0, 0, NO_AGREEMENT, NOT_FOLLOWED)
        add("figure_closed", key, (1,))
    _add_deadlines(add, unit_path, deadlines or ())
    done_stage = state.split(".", 1)[0] == "closed"
    for deadline, status in orders or ():
        add("figure_orders", (unit_path, _as_day(deadline), int(status == "done" or done_stage)), (1,))
    return share


def _add_deadlines(add: Callable[[str, tuple, tuple[int, ...]], None], unit_path: str, deadlines: Iterable[tuple]) -> None:
    """The pending deadlines' share (kind, due_at each): one per kind and moment, and the case once at its first."""
    first = None
    for kind, due_at in deadlines:
        due = _stamp(due_at)
        add("figure_deadlines", (unit_path, kind, due), (1,))
        if kind != REMINDER and (first is None or due < first):
            first = due
    if first is not None:
        add("figure_deadlines", (unit_path, FIRST, first), (1,))


def _deadlines_share(unit_path: str, deadlines: list[tuple]) -> Share:
    share: Share = {}
    _add_deadlines(_adding(share), unit_path, deadlines)
    return share


PENDING_WITH_PATH_SQL = ("SELECT c.unit_path, d.id, d.kind, d.due_at FROM cases c LEFT JOIN deadlines d "
                         "ON d.case_id = c.id AND d.status = 'pending' WHERE c.id = :id")


def deadline_ends(tx: RawTransaction, case_id: int, deadline_id: int) -> int:
    """Move the counts of a pending deadline about to be marked fired or cancelled (the worker calls it just
    before it marks one): only the deadlines' counts move, read in one statement. The number of counts moved."""
    rows = tx.all(PENDING_WITH_PATH_SQL, {"id": case_id})
    pending = [(row[1], row[2], row[3]) for row in rows if row[1] is not None]
    if not any(found == deadline_id for found, _kind, _due in pending):
        return 0
    unit_path = rows[0][0]
    return apply(tx, _deadlines_share(unit_path, [(kind, due) for _id, kind, due in pending]),
                 _deadlines_share(unit_path, [(kind, due) for found, kind, due in pending if found != deadline_id]))


def share_of(tx: RawTransaction, case_id: int) -> Share:
    """The case's share of the kept counts as the database holds it now (nothing for no case)."""
    case = tx.one(CASE_SQL, {"id": case_id})
    if case is None:
        return {}
    return contributions(case, tx.all(DEADLINES_SQL, {"id": case_id}), tx.all(ORDERS_SQL, {"id": case_id}))


def pending_of(tx: RawTransaction, case_id: int, key_case: bool) -> tuple[list[tuple], list[tuple] | None]:
    """The case's pending deadlines and (for a key case, else None) orders, as `contributions` takes them."""
    return (tx.all(DEADLINES_SQL, {"id": case_id}), tx.all(ORDERS_SQL, {"id": case_id}) if key_case else None)


class PendingBefore:
    """A case's pending deadlines and orders as they stood before its transaction first changed them.

    The engine calls `read` just before it writes a deadline or an order of the case (and at once when
    the case enters or leaves the closed stage, which changes how its orders count); a transition that
    writes none (most of them) reads none, before or after."""

    __slots__ = ("before", "_case_id", "_key_case", "_tx")

    def __init__(self, tx: RawTransaction, case_id: int, key_case: bool) -> None:
        self._tx, self._case_id, self._key_case = tx, case_id, key_case
        self.before: tuple[list[tuple], list[tuple] | None] | None = None

    def read(self) -> None:
        if self.before is None:
            self.before = pending_of(self._tx, self._case_id, self._key_case)


_counted_columns = attrgetter(*(column.strip() for column in CASE_COLUMNS.split(",")))


def follow(tx: RawTransaction, row: Any, written: Any, before: tuple[list[tuple], list[tuple] | None] | None) -> int:
    """Move the counts of the case the engine just wrote from its `row` as loaded to its row as `written`
    (both CaseRows); `before`: its deadlines and orders as `PendingBefore` read them before the first of
    them changed, None when the transition changed none (then only the case's own counts are compared).
    The number of counts moved.

    No read at all when no deadline or order changed (a note, a record, an adjournment)."""
    was, now = _counted_columns(row), _counted_columns(written)
    if before is None:
        if was == now:
            return 0
        return apply(tx, contributions(was, None, None), contributions(now, None, None))
    after = pending_of(tx, row.id, before[1] is not None)
    return apply(tx, contributions(was, *before), contributions(now, *after))


UPSERT_ROWS = 50  # counts of one table per statement at most (SQLite allows some 32,000 parameters)


@lru_cache(maxsize=None)
def _parameter_names(table: str, rows: int) -> tuple[tuple[str, ...], ...]:
    """The UPSERT's parameter names (`column_i`), row by row, in its columns' order."""
    keys, values = TABLES[table]
    return tuple(tuple(f"{column}_{i}" for column in (*keys, *values)) for i in range(rows))


@lru_cache(maxsize=None)
def _upsert(table: str, rows: int) -> str:
    """The UPSERT of `rows` counts of `table` at once (parameters as `_parameter_names` names them)."""
    keys, values = TABLES[table]
    listed = ", ".join(f"({', '.join(':' + name for name in names)})" for names in _parameter_names(table, rows))
    return (f"INSERT INTO {table} ({', '.join((*keys, *values))}) VALUES {listed} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
            + ", ".join(f"{v} = {table}.{v} + excluded.{v}" for v in values))


# Tables whose keys are seldom used again once their count is back to zero: the row goes.
SWEPT = {"figure_deadlines": "DELETE FROM figure_deadlines WHERE kind = :kind AND due_at = :due_at "
                             "AND unit_path = :unit_path AND pending = 0"}


def row_params(tx: RawTransaction, table: str, key: tuple, values: tuple[int, ...]) -> dict[str, Any]:
    """One count of `table` as statement parameters, named by its columns (keys, then counts), as the driver stores them."""
    keys, counted = TABLES[table]
    params: dict[str, Any] = {}
    for column, value in zip(keys, key):
        if column in DAY_COLUMNS:
            value = tx.day(value)
        elif column in TIMESTAMP_COLUMNS:
            value = tx.timestamp(value)
        params[column] = value
    params.update(zip(counted, values))
    return params


def apply(tx: RawTransaction, before: Share, after: Share) -> int:
    """Move the kept counts from a case's share `before` to its share `after`; the number of counts moved.

    The differences are written just before the transaction commits (`RawTransaction.defer`), summed
    over every case the transaction changed: a worker's batch of two hundred deadlines of one unit and
    moment writes that count once, and holds its row only for the commit, so two workers or two API
    processes moving the same counts overlap everything but their commits."""
    if before == after:
        return 0
    moved = 0
    for item in before.keys() | after.keys():
        old, new = before.get(item), after.get(item)
        if old == new:
            continue
        width = len(old or new)
        tx.defer(_write_counts, (item, tuple((new[i] if new else 0) - (old[i] if old else 0) for i in range(width)),
                                 not new))
        moved += 1
    return moved


def _write_counts(tx: RawTransaction, moves: list[tuple[tuple[str, tuple], tuple[int, ...], bool]]) -> None:
    """One UPSERT per count the transaction moved, in one order in every process (a set's order follows
    the hash seed): two transactions moving the same rows the opposite way (adjourn and start_session)
    would otherwise deadlock on PostgreSQL."""
    summed: dict[tuple[str, tuple], tuple[int, ...]] = {}
    emptied: set[tuple[str, tuple]] = set()
    for item, delta, gone in moves:
        was = summed.get(item)
        summed[item] = delta if was is None else tuple(a + b for a, b in zip(was, delta))
        if gone:
            emptied.add(item)
    moved = [item for item in sorted(summed, key=repr) if any(summed[item])]
    for table in dict.fromkeys(table for table, _key in moved):  # in the sorted order, a statement per table
        items = [item for item in moved if item[0] == table]
        for start in range(0, len(items), UPSERT_ROWS):
            chunk = items[start:start + UPSERT_ROWS]
            rows = [row_params(tx, table, key, summed[(table, key)]) for _table, key in chunk]
            named: dict[str, Any] = {}
            for names, params in zip(_parameter_names(table, len(rows)), rows):
                named.update(zip(names, params.values()))  # `row_params` lists the columns in the UPSERT's order
            tx.execute(_upsert(table, len(rows)), named)
            if table in SWEPT:  # a deadline's moment is seldom another's: leave no empty row
                for item, params in zip(chunk, rows):
                    if item in emptied:
                        tx.execute(SWEPT[table], params)


def add_case(tx: RawTransaction, case_id: int) -> None:
    """Count a case just written whole (intake, a restored case)."""
    apply(tx, {}, share_of(tx, case_id))


def normal_value(column: str, value: Any) -> Any:
    """A key column's value as `contributions` makes it, whichever way the database handed it back."""
    if column in DAY_COLUMNS:
        return _as_day(value)
    if column in TIMESTAMP_COLUMNS:
        return parse_timestamp(value)
    if column in ("done", "mediator_id", "ladder_level", "close_us", "agree_us", "on_schedule"):
        return int(value)
    return value
