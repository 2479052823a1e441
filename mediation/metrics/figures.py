"""Supervisors' figures (DESIGN §6, DOMAIN §3): counts, resolution rate, time to resolve, overdue,
recurrence, monthly quotas, the escalation ladder and year-on-year change.

Every figure is scoped like the case list: the actor's reach (own unit subtree, cases assigned
to them, referred to their department or court, shared with their unit), optionally narrowed to
a unit's subtree. A unit outside the reach gives zeros, never other units' numbers.

Periods are whole days of China (UTC+8), both ends included, over the stored naive-UTC
timestamps; months (quotas) are China's too. The queries
are a handful of grouped statements on one snapshot; medians and month buckets are computed
in Python, so the same SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any

from mediation.cases.read_models import UnitRef, UserRef
from mediation.cases.views import reach_clause
from mediation.db import Database, RawTransaction, escape_like, parse_timestamp
from mediation.deadlines.orders import order_counts
from mediation.directory.actors import Actor
from mediation.errors import InvalidData
from mediation.metrics.report import (
    EXCLUDED_STATES,
    MECHANISMS,
    RESOLUTION_DEFINITION,
    RESOLVED_STATES,
    UNRECORDED,
    UNSET,
    MediatorQuota,
    Metrics,
    Overdue,
    Period,
    QuotaMonth,
    QuotaReport,
    Recurrence,
    Resolution,
    TimeToResolution,
    UnitCount,
    YearOnYear,
    YearOnYearChange,
)
from mediation.workflows.calendar import CHINA_OFFSET


def case_metrics(
    db: Database,
    actor: Actor,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    unit: str | None = None,
    now: datetime,
) -> Metrics:
    """The figures for the actor's reach, optionally for one unit's subtree and a period of days."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InvalidData("from", f"must be on or before 'to' ({date_from.isoformat()} > {date_to.isoformat()})")
    definition = db.workflows.machine(db.workflows.current_version_id()).definition
    policy = definition.policy
    with db.snapshot() as tx:
        params: dict[str, Any] = {}
        scope = [reach_clause(actor, params)]
        unit_ref, root = None, actor.unit_path if not actor.is_system else "/"
        if unit is not None:
            if any(char < " " or char == "\x7f" for char in unit):  # PostgreSQL refuses NUL in text
                raise InvalidData("unit", "must not contain control characters")
            found = tx.one("SELECT code, name, path FROM units WHERE code = :scope_code", {"scope_code": unit})
            if found is None:
                raise InvalidData("unit", f"no unit '{unit}'")
            unit_ref, root = UnitRef(found[0], found[1]), found[2]
            scope.append("c.unit_path LIKE :scope_path ESCAPE '\\'")
            params["scope_path"] = escape_like(found[2]) + "%"
        where = " AND ".join(scope)
        created = _between(tx, "c.created_at", "created", date_from, date_to, params)
        closed = _between(tx, "c.closed_at", "closed", date_from, date_to, params)
        cube = tx.all(
            "SELECT c.channel, c.category, c.mechanism, c.state, c.unit_path, count(*), "
            "sum(CASE WHEN c.recurrence_count > 0 THEN 1 ELSE 0 END), sum(c.recurrence_count), "
            "sum(CASE WHEN c.follow_up_at IS NOT NULL OR c.recurrence_count > 0 THEN 1 ELSE 0 END) "
            f"FROM cases c WHERE {where} AND {created} "
            "GROUP BY c.channel, c.category, c.mechanism, c.state, c.unit_path", params)
        closed_counts = dict(tx.all(
            f"SELECT c.state, count(*) FROM cases c WHERE {where} AND {closed} GROUP BY c.state", params))
        resolved_rows = tx.all(
            "SELECT c.created_at, c.follow_up_at, c.closed_at, c.resolved_level, m.username, m.display_name "
            f"FROM cases c LEFT JOIN users m ON m.id = c.mediator_id WHERE {where} AND {closed} "
            "AND c.state IN ('closed.resolved', 'closed.enforcement')", params)
        overdue = _overdue(tx, where, dict(params), now, policy)
        year_on_year = _year_on_year(tx, where, dict(params), date_from, date_to, now)
        by_unit = _by_unit(tx, root, [(row[4], row[5]) for row in cube])

    counts = {key: Counter() for key in ("channel", "category", "mechanism", "state")}
    recurred = recurrences = followed_up = 0
    for channel, category, mechanism, state, _path, count, with_recurrence, reports, reached in cube:
        counts["channel"][channel] += count
        counts["category"][category or UNSET] += count
        counts["mechanism"][mechanism or UNSET] += count
        counts["state"][state] += count
        recurred += int(with_recurrence or 0)
        recurrences += int(reports or 0)
        followed_up += int(reached or 0)
    stages = Counter()
    for state, count in counts["state"].items():
        stages[state.split(".", 1)[0]] += count
    total = sum(counts["state"].values())
    return Metrics(
        period=Period(date_from, date_to),
        unit=unit_ref,
        now=now.isoformat() + "+00:00",
        cases=total,
        by_channel=_filled(policy.get("channels") or {}, counts["channel"]),
        by_category=_filled(policy.get("categories") or {}, counts["category"]),
        by_mechanism=_filled(MECHANISMS, counts["mechanism"]),
        by_unit=by_unit,
        by_stage=_filled(definition.stage_labels, stages),
        by_state=_filled(definition.states, counts["state"]),
        resolution=_resolution(closed_counts),
        time_to_resolution=_time_to_resolution(resolved_rows),
        overdue=overdue,
        recurrence=Recurrence(recurred, recurrences, followed_up, _ratio(recurred, followed_up)),
        quotas=_quotas(resolved_rows, int(policy["quotas"]["monthly_resolutions_per_mediator"]),
                       date_from, date_to, now),
        resolved_levels=_resolved_levels(resolved_rows, policy),
        year_on_year=year_on_year,
    )


def _day_start(day: date) -> datetime:
    """Midnight in China (UTC+8) at the start of the day, as stored (naive UTC)."""
    start = datetime.combine(day, time())
    return start - CHINA_OFFSET if start - datetime.min >= CHINA_OFFSET else datetime.min


def _china(moment: datetime) -> datetime:
    return moment + CHINA_OFFSET


def _day_end(day: date) -> datetime | None:
    """The first moment after the day; None when there is none (date.max)."""
    return _day_start(day) + timedelta(days=1) if day < date.max else None


def _between(tx: RawTransaction, column: str, name: str, start: date | None, end: date | None,
             params: dict[str, Any]) -> str:
    """A condition on a timestamp column for the period's days (both ends included)."""
    clauses = [f"{column} IS NOT NULL"]
    if start is not None:
        clauses.append(f"{column} >= :{name}_from")
        params[f"{name}_from"] = tx.timestamp(_day_start(start))
    end_moment = _day_end(end) if end is not None else None
    if end_moment is not None:
        clauses.append(f"{column} < :{name}_to")
        params[f"{name}_to"] = tx.timestamp(end_moment)
    return "(" + " AND ".join(clauses) + ")"


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _filled(names: Any, counts: Counter) -> dict[str, int]:
    """Counts for every known name (zeros included), then any other names seen."""
    filled = {name: counts.get(name, 0) for name in names}
    for name, count in sorted(counts.items()):
        filled.setdefault(name, count)
    return filled


def _resolution(closed_counts: dict[str, int]) -> Resolution:
    closed = sum(closed_counts.values())
    resolved = sum(closed_counts.get(state, 0) for state in RESOLVED_STATES)
    denominator = closed - sum(closed_counts.get(state, 0) for state in EXCLUDED_STATES)
    return Resolution(
        closed=closed, closed_by_state=dict(sorted(closed_counts.items())), resolved=resolved,
        denominator=denominator, rate=_ratio(resolved, denominator), resolved_states=list(RESOLVED_STATES),
        excluded_states=list(EXCLUDED_STATES), definition=RESOLUTION_DEFINITION,
    )


def _days_between(start: Any, end: Any) -> float | None:
    first, last = parse_timestamp(start), parse_timestamp(end)
    if first is None or last is None:
        return None
    return (last - first).total_seconds() / 86400


def _median_days(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return round(median(known), 2) if known else None


def _time_to_resolution(rows: list[tuple]) -> TimeToResolution:
    return TimeToResolution(
        cases=len(rows),
        median_days=_median_days([_days_between(row[0], row[2]) for row in rows]),
        median_days_to_agreement=_median_days([_days_between(row[0], row[1]) for row in rows]),
    )


def _overdue(tx: RawTransaction, where: str, params: dict[str, Any], now: datetime,
             policy: dict[str, Any]) -> Overdue:
    params["now"] = tx.timestamp(now)
    pending = "dl.status = 'pending' AND dl.due_at < :now"
    cases = tx.one(
        f"SELECT count(*) FROM cases c WHERE {where} AND EXISTS "
        f"(SELECT 1 FROM deadlines dl WHERE dl.case_id = c.id AND {pending})", params)[0]
    by_kind = dict(tx.all(
        f"SELECT dl.kind, count(*) FROM deadlines dl JOIN cases c ON c.id = dl.case_id "
        f"WHERE {where} AND {pending} GROUP BY dl.kind ORDER BY dl.kind", params))
    orders = order_counts(tx, where, params, now, policy)
    return Overdue(
        cases=cases, deadlines_by_kind=by_kind, orders_overdue=orders.get("overdue", 0),
        orders_due_soon=orders.get("due_soon", 0),
        orders_open=sum(count for status, count in orders.items() if status != "done"),
    )


def _by_unit(tx: RawTransaction, root: str, paths: list[tuple[str, int]]) -> list[UnitCount]:
    """Counts rolled up to the units one level below `root` (see `Metrics.by_unit`)."""
    counts: Counter = Counter()
    for path, count in paths:
        if path.startswith(root):
            below = [code for code in path[len(root):].split("/") if code]
            code = below[0] if below else root.rstrip("/").rsplit("/", 1)[-1]
        else:
            code = path.rstrip("/").rsplit("/", 1)[-1]
        counts[code] += count
    if not counts:
        return []
    codes = sorted(counts)
    names = dict(tx.all(
        "SELECT code, name FROM units WHERE code IN (" + ", ".join(f":u{i}" for i in range(len(codes))) + ")",
        {f"u{i}": code for i, code in enumerate(codes)}))
    return [UnitCount(code, names.get(code, code), count)
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _month(value: date | datetime) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while (label := f"{year:04d}-{month:02d}") <= last:
        months.append(label)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _quotas(rows: list[tuple], quota: int, date_from: date | None, date_to: date | None,
            now: datetime) -> QuotaReport:
    per_mediator: dict[tuple[str, str], Counter] = defaultdict(Counter)
    unattributed = 0
    for _created, _follow_up, closed_at, _level, username, name in rows:
        if username is None:
            unattributed += 1
        else:
            per_mediator[(username, name)][_month(_china(parse_timestamp(closed_at)))] += 1
    seen = sorted({month for counter in per_mediator.values() for month in counter})
    if not seen:
        return QuotaReport(quota, [], [], unattributed)
    first = max(seen[0], _month(date_from)) if date_from else seen[0]
    this_month = _month(_china(now))
    last = max(min(_month(date_to), this_month) if date_to else this_month, seen[-1])
    months = _months(first, last)
    mediators = []
    for (username, name), counter in sorted(per_mediator.items()):
        rows_of = [QuotaMonth(month, counter[month], round(counter[month] / quota, 4) if quota else 0.0,
                              counter[month] >= quota) for month in months]
        mediators.append(MediatorQuota(UserRef(username, name), sum(counter.values()),
                                       sum(row.met for row in rows_of), rows_of))
    return QuotaReport(quota, months, mediators, unattributed)


def resolution_levels(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """Where a case can be resolved: the escalation ladder's levels, then the court."""
    return [*policy["escalation_ladder"], policy["judicial_confirmation"]["resolution_level"]]


def _resolved_levels(rows: list[tuple], policy: dict[str, Any]) -> dict[str, int]:
    levels = {step["level"]: 0 for step in resolution_levels(policy)}
    for row in rows:
        key = row[3] or UNRECORDED
        levels[key] = levels.get(key, 0) + 1
    return levels


def _year_earlier(day: date) -> date | None:
    if day.year == 1:
        return None
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _change(current: int, previous: int) -> YearOnYearChange:
    percent = round((current - previous) * 100 / previous, 2) if previous else None
    return YearOnYearChange(current, previous, current - previous, percent)


def _year_on_year(tx: RawTransaction, where: str, params: dict[str, Any], date_from: date | None,
                  date_to: date | None, now: datetime) -> YearOnYear | None:
    end = date_to if date_to is not None else _china(now).date()
    if date_from is None or end < date_from:
        return None
    previous_from, previous_to = _year_earlier(date_from), _year_earlier(end)
    if previous_from is None or previous_to is None:
        return None
    current = _between(tx, "c.created_at", "yoy_current", date_from, end, params)
    previous = _between(tx, "c.created_at", "yoy_previous", previous_from, previous_to, params)
    rows = tx.all(
        f"SELECT c.category, sum(CASE WHEN {current} THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN {previous} THEN 1 ELSE 0 END) FROM cases c "
        f"WHERE {where} AND ({current} OR {previous}) GROUP BY c.category", params)
    by_category: dict[str, tuple[int, int]] = {}
    for category, now_count, then_count in rows:
        key = category or UNSET
        was = by_category.get(key, (0, 0))
        by_category[key] = (was[0] + int(now_count or 0), was[1] + int(then_count or 0))
    return YearOnYear(
        previous_period=Period(previous_from, previous_to),
        total=_change(sum(c for c, _ in by_category.values()), sum(p for _, p in by_category.values())),
        by_category={key: _change(*pair) for key, pair in sorted(by_category.items())},
    )
