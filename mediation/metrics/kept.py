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
from datetime import date, datetime
from typing import Any, Iterable

from mediation.cases import figure_rows
from mediation.cases.kept_sums import Kept, Predicate, summed
from mediation.db import RawTransaction
from mediation.metrics.periods import day_start
from mediation.metrics.report import UNSET
from mediation.workflows.return_visits import EARLY, EXTRA, ON_SCHEDULE


def _in_period(column: str, date_from: date | None, date_to: date | None) -> Predicate:
    def keep(row: dict[str, Any]) -> bool:
        return (date_from is None or row[column] >= date_from) and (date_to is None or row[column] <= date_to)
    return keep


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


def month_moment(day: date) -> datetime:
    """A stored moment on China's `day` (its first), for the figures that bucket by month."""
    return day_start(day)
