"""Supervisors' figures (DESIGN §6, DOMAIN §3): counts, resolution rate, time to resolve, overdue,
recurrence, monthly quotas, the escalation ladder, year-on-year change and return visits on schedule.

Every figure is scoped like the case list: the actor's reach (own unit subtree, cases assigned
to them, referred to their department or court, shared with their unit), optionally narrowed to
a unit's subtree. A unit outside the reach gives zeros, never other units' numbers.

Periods are whole days of China (UTC+8), both ends included, over the stored naive-UTC
timestamps (`periods`); months (quotas) are China's too. The queries are a handful of grouped
statements on one snapshot; medians and month buckets are computed in Python, so the same SQL
runs on SQLite and PostgreSQL. Each family of figures has its module: `resolution`, `quotas`,
`year_on_year`, `visits`; this one reads the snapshot and counts the cases created.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from mediation.cases.read_models import UnitRef
from mediation.cases.views import reach_clause
from mediation.db import Database, RawTransaction, escape_like
from mediation.deadlines.orders import order_counts
from mediation.directory.actors import Actor
from mediation.directory.queries import unit_by_code, unit_by_id, unit_names
from mediation.errors import InvalidData
from mediation.metrics.co_mediation import SHARED_IN_SUBTREE, co_mediation, partner_condition
from mediation.metrics.periods import period_condition
from mediation.metrics.quotas import quotas
from mediation.metrics.report import (
    MECHANISMS,
    UNSET,
    Metrics,
    Overdue,
    Period,
    Recurrence,
    UnitCount,
)
from mediation.metrics.resolution import (
    agreement_levels,
    ratio,
    resolution,
    resolution_levels,
    resolved_levels,
    time_to_resolution,
)
from mediation.metrics.visits import return_visits
from mediation.metrics.year_on_year import year_on_year

__all__ = ["case_metrics", "resolution_levels"]

CUBE_SQL = (
    "SELECT c.channel, c.category, c.mechanism, c.state, c.unit_path, count(*), "
    "sum(CASE WHEN c.recurrence_count > 0 THEN 1 ELSE 0 END), sum(c.recurrence_count), "
    "sum(CASE WHEN c.follow_up_at IS NOT NULL OR c.recurrence_count > 0 THEN 1 ELSE 0 END) "
    "FROM cases c WHERE {where} GROUP BY c.channel, c.category, c.mechanism, c.state, c.unit_path"
)
RESOLVED_SQL = (
    "SELECT c.created_at, c.follow_up_at, c.closed_at, c.resolved_level, m.username, m.display_name, "
    "m.roles, mu.path, c.ladder_level "
    "FROM cases c LEFT JOIN users m ON m.id = c.mediator_id LEFT JOIN units mu ON mu.id = m.unit_id "
    "WHERE {where} AND c.state IN ('closed.resolved', 'closed.enforcement')"
)
# A key-case order's due-soon reminder is not a deadline of its own: missing it is not overdue
# (the order's own status says whether it is due soon or overdue).
REMINDERS_AHEAD = "dl.kind <> 'order_due_soon'"
PENDING_OVERDUE = f"dl.status = 'pending' AND dl.due_at < :now AND {REMINDERS_AHEAD}"
PENDING_DUE_SOON = f"dl.status = 'pending' AND dl.due_at >= :now AND dl.due_at < :soon AND {REMINDERS_AHEAD}"
DUE_SOON_DAYS = 2  # as the case page and the work lists mark a deadline due soon


def case_metrics(
    db: Database,
    actor: Actor,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    unit: str | None = None,
    partner: str | None = None,
    now: datetime,
) -> Metrics:
    """The figures for the actor's reach, optionally for one unit's subtree (with the cases shared with its
    units), the cases shared with one `partner` unit, and a period of days."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InvalidData("from", f"must be on or before 'to' ({date_from.isoformat()} > {date_to.isoformat()})")
    definition = db.workflows.machine(db.workflows.current_version_id()).definition
    policy = definition.policy
    with db.snapshot() as tx:
        scope = _scope(tx, actor, unit, partner)
        created = _created_counts(tx, scope, date_from, date_to)
        closed_counts, resolved = _closed_in_period(tx, scope, date_from, date_to)
        overdue = _overdue(tx, scope, now, policy)
        change = year_on_year(tx, scope.where, dict(scope.params), date_from, date_to, now)
        by_unit = _by_unit(tx, scope.root, created.by_path)
        visits = return_visits(tx, scope.where, scope.params, date_from, date_to, policy)
        quota_report = quotas(tx, resolved, policy, scope.root, date_from, date_to, now)
        shared = co_mediation(tx, scope.where, scope.params, date_from, date_to)
    return Metrics(
        period=Period(date_from, date_to), unit=scope.unit, now=now.isoformat() + "+00:00",
        cases=sum(created.by_state.values()),
        by_channel=_filled(policy.get("channels") or {}, created.by_channel),
        by_category=_filled(policy.get("categories") or {}, created.by_category),
        by_mechanism=_filled(MECHANISMS, created.by_mechanism),
        by_unit=by_unit,
        by_stage=_filled(definition.stage_labels, created.by_stage()),
        by_state=_filled(definition.states, created.by_state),
        resolution=resolution(closed_counts),
        time_to_resolution=time_to_resolution(resolved),
        overdue=overdue,
        recurrence=created.recurrence(),
        quotas=quota_report,
        resolved_levels=resolved_levels(resolved, policy),
        agreement_levels=agreement_levels(resolved, policy),
        court_confirmed=agreement_levels(resolved, policy, confirmed_only=True),
        year_on_year=change,
        return_visits=visits,
        partner=scope.partner,
        co_mediation=shared,
    )


@dataclass(frozen=True)
class _Scope:
    """The cases the figures count: SQL over cases `c` with its parameters, and the unit narrowed to."""

    where: str
    params: dict[str, Any]
    unit: UnitRef | None
    root: str  # the path whose children `by_unit` rolls cases up to
    partner: UnitRef | None = None


def _scope(tx: RawTransaction, actor: Actor, unit: str | None, partner: str | None = None) -> _Scope:
    """The actor's reach, narrowed to `unit`'s subtree (and the cases shared with its units) and to the cases
    shared with `partner` when given; InvalidData for a bad or unknown unit, 400 for an unknown partner."""
    params: dict[str, Any] = {}
    reach = reach_clause(actor, params)
    partner_unit = None
    if partner is not None:
        reach = f"{reach} AND {partner_condition(tx, partner, params)}"
        found = unit_by_id(tx, params["partner_id"])
        partner_unit = UnitRef(found.code, found.name)
    if unit is None:
        return _Scope(reach, params, None, actor.unit_path if not actor.is_system else "/", partner_unit)
    if any(char < " " or char == "\x7f" for char in unit):  # PostgreSQL refuses NUL in text
        raise InvalidData("unit", "must not contain control characters")
    found = unit_by_code(tx, unit)
    if found is None:
        raise InvalidData("unit", f"no unit '{unit}'")
    params["scope_path"] = escape_like(found.path) + "%"
    return _Scope(f"{reach} AND (c.unit_path LIKE :scope_path ESCAPE '\\' OR {SHARED_IN_SUBTREE})", params,
                  UnitRef(found.code, found.name), found.path, partner_unit)


@dataclass
class _CreatedCounts:
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

    def recurrence(self) -> Recurrence:
        return Recurrence(self.recurred, self.recurrences, self.followed_up, ratio(self.recurred, self.followed_up))


def _created_counts(tx: RawTransaction, scope: _Scope, date_from: date | None,
                    date_to: date | None) -> _CreatedCounts:
    """One grouped read of the cases created in the period, tallied by each breakdown."""
    params = dict(scope.params)
    created = period_condition(tx, "c.created_at", "created", date_from, date_to, params)
    counts = _CreatedCounts()
    for channel, category, mechanism, state, path, count, recurred, reports, reached in tx.all(
            CUBE_SQL.format(where=f"{scope.where} AND {created}"), params):
        counts.by_channel[channel] += count
        counts.by_category[category or UNSET] += count
        counts.by_mechanism[mechanism or UNSET] += count
        counts.by_state[state] += count
        counts.by_path.append((path, count))
        counts.recurred += int(recurred or 0)
        counts.recurrences += int(reports or 0)
        counts.followed_up += int(reached or 0)
    return counts


def _closed_in_period(tx: RawTransaction, scope: _Scope, date_from: date | None,
                      date_to: date | None) -> tuple[dict[str, int], list[tuple]]:
    """The cases closed in the period: counts by closing state, and the resolved ones' rows."""
    params = dict(scope.params)
    closed = period_condition(tx, "c.closed_at", "closed", date_from, date_to, params)
    where = f"{scope.where} AND {closed}"
    counts = dict(tx.all(f"SELECT c.state, count(*) FROM cases c WHERE {where} GROUP BY c.state", params))
    return counts, tx.all(RESOLVED_SQL.format(where=where), params)


def _overdue(tx: RawTransaction, scope: _Scope, now: datetime, policy: dict[str, Any]) -> Overdue:
    """What is overdue at `now`, and apart from it what falls due soon: cases, deadlines by kind, orders."""
    where = scope.where
    params = {**scope.params, "now": tx.timestamp(now), "soon": tx.timestamp(now + timedelta(days=DUE_SOON_DAYS))}
    overdue_cases, overdue_by_kind = _pending(tx, where, params, PENDING_OVERDUE)
    soon_cases, soon_by_kind = _pending(tx, where, params, PENDING_DUE_SOON)
    orders = order_counts(tx, where, scope.params, now, policy)
    return Overdue(
        cases=overdue_cases, deadlines_by_kind=overdue_by_kind, orders_overdue=orders.get("overdue", 0),
        orders_due_soon=orders.get("due_soon", 0),
        orders_open=sum(count for status, count in orders.items() if status != "done"),
        due_soon_cases=soon_cases, due_soon_by_kind=soon_by_kind, due_soon_days=DUE_SOON_DAYS,
    )


def _pending(tx: RawTransaction, where: str, params: dict[str, Any], condition: str) -> tuple[int, dict[str, int]]:
    """The cases with a pending deadline meeting `condition` (on deadlines `dl`), and those deadlines by kind."""
    cases = tx.one(f"SELECT count(*) FROM cases c WHERE {where} AND EXISTS "
                   f"(SELECT 1 FROM deadlines dl WHERE dl.case_id = c.id AND {condition})", params)[0]
    by_kind = dict(tx.all(
        f"SELECT dl.kind, count(*) FROM deadlines dl JOIN cases c ON c.id = dl.case_id "
        f"WHERE {where} AND {condition} GROUP BY dl.kind ORDER BY dl.kind", params))
    return cases, by_kind


def _filled(names: Any, counts: Counter) -> dict[str, int]:
    """Counts for every known name (zeros included), then any other names seen."""
    filled = {name: counts.get(name, 0) for name in names}
    for name, count in sorted(counts.items()):
        filled.setdefault(name, count)
    return filled


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
    names = unit_names(tx, counts)
    return [UnitCount(code, names[code][0] if code in names else code, count)
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
