"""The figures summed from the counts kept beside the cases (`mediation.cases.figure_rows`), not counted
from the cases on each request (issue 16: 13 s at a million cases, now a few milliseconds).

Why kept counts and not a periodic refresh: the figures must stay the same numbers the cases give
at this moment (a supervisor closes a case and looks at the dashboard), and every change to a case
already passes through a few writers that hold the case's row (the engine's persist step, intake,
the worker marking a deadline, a restore); updating a handful of count rows there costs a few
small statements, only when something counted moved. A refresh would be stale by design and would
need its own schedule, lock and "as of" on every page.

How a request reads them: the counts are keyed by the case's unit path, so the cases of one
subtree `P` — the caller's own unit's, narrowed by the `unit` filter — are summed from the kept
rows by path prefix and day. The other cases in reach (assigned to the caller, referred to or
confirmed by their unit, shared with it or with a unit of the chosen subtree) are few and found
by their indexes; their share is computed from their rows by the same function that keeps the
counts, so both parts count alike. A `partner` filter reads only the shared cases, all that way.
What falls due within the next days is read from the pending deadlines' index, a small slice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable

from mediation.cases import figure_rows
from mediation.db import RawTransaction, escape_like
from mediation.deadlines.orders import due_soon_days
from mediation.directory.actors import Actor
from mediation.metrics.periods import day_start
from mediation.metrics.report import UNSET
from mediation.workflows.calendar import china_today
from mediation.workflows.return_visits import EARLY, EXTRA, ON_SCHEDULE

Predicate = Callable[[dict[str, Any]], bool]
NORMALISED = {"day", "deadline", "due_at", "done", "mediator_id", "ladder_level", "close_us", "agree_us", "on_schedule"}


@dataclass(frozen=True)
class Kept:
    """Where the figures come from: the subtree summed from kept rows (`path`, None for none) and the ids
    of the other cases in scope, whose shares (`extra`) are added."""

    path: str | None
    extra: list[dict[tuple[str, tuple], tuple[int, ...]]] = field(default_factory=list)


def kept_path(actor: Actor, scope_path: str | None, partner: bool) -> str | None:
    """The subtree whose every case is in scope (a path prefix; '' for all cases), or None."""
    if partner:
        return None
    reach = "" if actor.is_system else (actor.unit_path if actor.unit_path != "/" else None)
    if scope_path is None or reach is None:
        return reach
    if scope_path.startswith(reach):
        return scope_path
    return reach if reach.startswith(scope_path) else None


def candidates(actor: Actor, params: dict[str, Any], *, unit_scope: bool, partner: bool) -> str:
    """SQL for the ids of the cases in scope that may lie outside the kept subtree (found by their indexes)."""
    if partner:
        return "SELECT ps.case_id FROM case_shares ps WHERE ps.unit_id = :partner_id"
    parts = []
    if not actor.is_system:
        parts += ["SELECT id FROM cases WHERE mediator_id = :reach_user",
                  "SELECT id FROM cases WHERE department_id = :reach_unit",
                  "SELECT id FROM cases WHERE court_id = :reach_unit",
                  "SELECT case_id FROM case_shares WHERE unit_id = :reach_unit"]
    if unit_scope:
        parts.append("SELECT ss.case_id FROM case_shares ss JOIN units su ON su.id = ss.unit_id "
                     "WHERE su.path LIKE :scope_path ESCAPE '\\'")
    return " UNION ".join(parts) if parts else "SELECT id FROM cases WHERE 1 = 0"


def kept_scope(tx: RawTransaction, actor: Actor, where: str, params: dict[str, Any], scope_path: str | None,
               partner: bool) -> Kept:
    """The kept subtree and the shares of the other cases `where` selects."""
    path = kept_path(actor, scope_path, partner)
    params = dict(params)
    sql = f"SELECT c.id FROM cases c WHERE c.id IN ({candidates(actor, params, unit_scope=scope_path is not None, partner=partner)}) AND {where}"
    if path is not None:
        params["kept_path"] = escape_like(path) + "%"
        sql += " AND NOT (c.unit_path LIKE :kept_path ESCAPE '\\')"
    ids = [row[0] for row in tx.all(sql, params)]
    return Kept(path, [figure_rows.share_of(tx, case_id) for case_id in ids])


def _in_period(column: str, date_from: date | None, date_to: date | None) -> Predicate:
    def keep(row: dict[str, Any]) -> bool:
        return (date_from is None or row[column] >= date_from) and (date_to is None or row[column] <= date_to)
    return keep


def summed(tx: RawTransaction, kept: Kept, table: str, group: tuple[str, ...], conditions: list[str],
           params: dict[str, Any], keep: Predicate) -> list[tuple]:
    """Rows of `group`'s columns and the summed counts of `table`, over the kept subtree (`conditions` in SQL)
    and the other cases' shares (`keep` in Python)."""
    keys, values = figure_rows.TABLES[table]
    totals: dict[tuple, list[int]] = {}
    if kept.path is not None:
        where = list(conditions)
        params = dict(params)
        if kept.path:
            params["kept_path"] = escape_like(kept.path) + "%"
            where.append("unit_path LIKE :kept_path ESCAPE '\\'")
        sql = (f"SELECT {', '.join((*group, *(f'sum({v})' for v in values)))} FROM {table}"
               + (f" WHERE {' AND '.join(where)}" if where else "")
               + (f" GROUP BY {', '.join(group)}" if group else ""))
        normal = [figure_rows._normal if column in NORMALISED else None for column in group]
        width = len(group)
        for row in tx.all(sql, params):
            key = tuple(value if fix is None else fix(column, value) for fix, column, value in zip(normal, group, row))
            totals[key] = [int(value or 0) for value in row[width:]]
    for share in kept.extra:
        for (name, key), counted in share.items():
            if name != table:
                continue
            named = dict(zip(keys, key))
            if not keep(named):
                continue
            grouped = tuple(named[column] for column in group)
            was = totals.setdefault(grouped, [0] * len(values))
            for i, value in enumerate(counted):
                was[i] += value
    return [(*key, *counted) for key, counted in totals.items()]


def _day_conditions(tx: RawTransaction, column: str, date_from: date | None, date_to: date | None,
                    params: dict[str, Any], name: str) -> list[str]:
    conditions = []
    if date_from is not None:
        conditions.append(f"{column} >= :{name}_from")
        params[f"{name}_from"] = tx.day(date_from)
    if date_to is not None:
        conditions.append(f"{column} <= :{name}_to")
        params[f"{name}_to"] = tx.day(date_to)
    return conditions


def by_day(tx: RawTransaction, kept: Kept, table: str, group: tuple[str, ...], date_from: date | None,
           date_to: date | None, column: str = "day") -> list[tuple]:
    """`summed` over the days of a period (both ends included)."""
    params: dict[str, Any] = {}
    conditions = _day_conditions(tx, column, date_from, date_to, params, "p")
    return summed(tx, kept, table, group, conditions, params, _in_period(column, date_from, date_to))


@dataclass
class CreatedCounts:
    """The cases created in the period, counted by each breakdown, and their recurrence."""

    by_channel: Counter = field(default_factory=Counter)
    by_category: Counter = field(default_factory=Counter)
    by_mechanism: Counter = field(default_factory=Counter)
    by_state: Counter = field(default_factory=Counter)
    by_path: list[tuple[str, int]] = field(default_factory=list)
    recurred: int = 0
    recurrences: int = 0
    followed_up: int = 0

    def by_stage(self) -> Counter:
        """The state counts summed by stage (the state's first part)."""
        stages: Counter = Counter()
        for state, count in self.by_state.items():
            stages[state.split(".", 1)[0]] += count
        return stages


def created_counts(tx: RawTransaction, kept: Kept, date_from: date | None, date_to: date | None) -> CreatedCounts:
    """The cases created in the period by each breakdown: one small grouped read per breakdown (grouping
    the kept rows in SQL costs less than reading them all)."""
    counts = CreatedCounts()

    def by(column: str) -> Counter:
        found: Counter = Counter()
        for value, cases, *_ in by_day(tx, kept, "figure_created", (column,), date_from, date_to):
            if cases:
                found[value or UNSET] += cases
        return found

    counts.by_channel, counts.by_category, counts.by_mechanism = by("channel"), by("category"), by("mechanism")
    counts.by_state = by("state")
    counts.by_path = sorted(by("unit_path").items())
    for _cases, recurred, recurrences, followed in by_day(tx, kept, "figure_created", (), date_from, date_to):
        counts.recurred, counts.recurrences, counts.followed_up = recurred, recurrences, followed
    return counts


def created_by_category(tx: RawTransaction, kept: Kept, date_from: date, date_to: date) -> dict[str, int]:
    """The cases created in a period by category (UNSET for none)."""
    found: Counter = Counter()
    for category, cases, *_ in by_day(tx, kept, "figure_created", ("category",), date_from, date_to):
        if cases:
            found[category or UNSET] += cases
    return dict(found)


@dataclass(frozen=True)
class Closings:
    """The cases closed in the period: counts by closing state; the resolved ones grouped as rows of
    (closed day, state, mediator id, resolved level, ladder level, µs to close, µs to agreement,
    visits on schedule, cases)."""

    by_state: dict[str, int]
    resolved: list[tuple]


def closings(tx: RawTransaction, kept: Kept, date_from: date | None, date_to: date | None) -> Closings:
    rows = by_day(tx, kept, "figure_closed", ("day", "state", "mediator_id", "resolved_level", "ladder_level",
                                              "close_us", "agree_us", "on_schedule"), date_from, date_to)
    by_state: Counter = Counter()
    resolved = []
    for row in rows:
        if not row[-1]:
            continue
        by_state[row[1]] += row[-1]
        if row[1] in figure_rows.RESOLVED_STATES:
            resolved.append(row)
    return Closings(dict(by_state), sorted(resolved))


def weighted_median_days(pairs: Iterable[tuple[int, int]]) -> float | None:
    """The median (as `statistics.median`, to two places) of microsecond spans given as (span, count), in days."""
    items = sorted((span, count) for span, count in pairs if count > 0)
    total = sum(count for _span, count in items)
    if not total:
        return None
    wanted = [total // 2] if total % 2 else [total // 2 - 1, total // 2]
    values = []
    seen = 0
    for span, count in items:
        while wanted and wanted[0] < seen + count:
            values.append((span / 10**6) / 86400)
            wanted.pop(0)
        seen += count
    return round(values[0] if len(values) == 1 else (values[0] + values[1]) / 2, 2)


def visit_counts(tx: RawTransaction, kept: Kept, date_from: date | None, date_to: date | None) -> Counter:
    """Visits recorded in the period by how they counted."""
    found: Counter = Counter()
    for schedule, visits in by_day(tx, kept, "figure_visits", ("schedule",), date_from, date_to):
        found[schedule] += visits
    return found


SCHEDULES = (ON_SCHEDULE, EARLY, EXTRA)


def overdue_counts(tx: RawTransaction, kept: Kept, now: datetime) -> tuple[int, dict[str, int]]:
    """The cases with a pending deadline (not a reminder) past due at `now`, and such deadlines by kind."""
    params = {"now": tx.timestamp(now)}
    rows = summed(tx, kept, "figure_deadlines", ("kind",), ["due_at < :now"], params,
                  lambda row: row["due_at"] < now)
    cases = sum(pending for kind, pending in rows if kind == figure_rows.FIRST)
    by_kind = {kind: pending for kind, pending in sorted(rows)
               if kind not in (figure_rows.FIRST, figure_rows.REMINDER) and pending}
    return cases, by_kind


def order_statuses(tx: RawTransaction, kept: Kept, now: datetime, policy: dict[str, Any]) -> dict[str, int]:
    """Key-case orders by status at `now` (done, overdue, due_soon, open), as `order_counts` tells them."""
    today = china_today(now)
    soon = today + timedelta(days=due_soon_days(policy))
    found: Counter = Counter()
    for deadline, done, orders in summed(tx, kept, "figure_orders", ("deadline", "done"), [], {}, lambda row: True):
        if not orders:
            continue
        status = "done" if done else "overdue" if deadline < today else "due_soon" if deadline <= soon else "open"
        found[status] += orders
    return dict(found)


def month_moment(day: date) -> datetime:
    """A stored moment on China's `day` (its first), for the figures that bucket by month."""
    return day_start(day)
