"""Supervisors' figures (DESIGN §6, DOMAIN §3): counts, resolution rate, time to resolve, overdue,
recurrence, monthly quotas, the escalation ladder, year-on-year change and return visits on schedule.

Every figure is scoped like the case list: the actor's reach (own unit subtree, cases assigned
to them, referred to their department or court, shared with their unit), optionally narrowed to
a unit's subtree. A unit outside the reach gives zeros, never other units' numbers.

Periods are whole days of China (UTC+8), both ends included, over the stored naive-UTC
timestamps (`periods`); months (quotas) are China's too. The figures are sums of the counts kept
beside the cases in the transaction that changes them (`kept`, `mediation.cases.figure_rows`:
why, and how the cases outside the summed subtree are added), a handful of grouped statements
on one snapshot; medians and month buckets are computed in Python, so the same SQL runs on
SQLite and PostgreSQL. Each family of figures has its module: `resolution`, `quotas`,
`year_on_year`, `co_mediation`, `kept`; this one puts them together.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from mediation.cases import figure_rows
from mediation.cases.kept_sums import Kept, kept_scope
from mediation.cases.read_models import UnitRef
from mediation.cases.views import reach_clause
from mediation.db import Database, RawTransaction, escape_like
from mediation.deadlines.orders import order_statuses
from mediation.directory.actors import Actor
from mediation.directory.queries import unit_by_code, unit_by_id, unit_names
from mediation.errors import InvalidData
from mediation.metrics.co_mediation import SHARED_IN_SUBTREE, co_mediation, partner_condition
from mediation.metrics.kept import (
    SCHEDULES,
    Closings,
    CreatedCounts,
    closings,
    created_by_category,
    created_counts,
    month_moment,
    overdue_counts,
    visit_counts,
    weighted_median_days,
)
from mediation.metrics.quotas import quotas
from mediation.metrics.report import (
    MECHANISMS,
    Metrics,
    Overdue,
    Period,
    Recurrence,
    ReturnVisits,
    TimeToResolution,
    UnitCount,
)
from mediation.metrics.resolution import (
    agreement_levels,
    ratio,
    resolution,
    resolution_levels,
    resolved_levels,
)
from mediation.metrics.year_on_year import year_on_year
from mediation.workflows.definition import WorkflowDefinition
from mediation.workflows.return_visits import EARLY, EXTRA, ON_SCHEDULE, schedule_days

__all__ = ["case_metrics", "resolution_levels"]

# The mediators of the resolved cases, as the quotas name them.
MEDIATORS_SQL = ("SELECT m.id, m.username, m.display_name, m.roles, mu.path FROM users m "
                 "LEFT JOIN units mu ON mu.id = m.unit_id WHERE m.id IN ({ids})")
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
        kept = kept_scope(tx, actor, scope.where, scope.params, scope.scope_path, partner is not None)
        created = created_counts(tx, kept, date_from, date_to)
        closed = closings(tx, kept, date_from, date_to)
        resolved = _resolved_rows(tx, closed.resolved)
        return Metrics(
            period=Period(date_from, date_to), unit=scope.unit, now=now.isoformat() + "+00:00",
            **_created_breakdowns(definition, created),
            by_unit=_by_unit(tx, scope.root, created.by_path),
            resolution=resolution(closed.by_state),
            time_to_resolution=_time_to_resolution(closed),
            overdue=_overdue(tx, scope, kept, now, policy),
            recurrence=_recurrence(created),
            quotas=quotas(tx, resolved, policy, scope.root, date_from, date_to, now),
            resolved_levels=resolved_levels(resolved, policy),
            agreement_levels=agreement_levels(resolved, policy),
            court_confirmed=agreement_levels(resolved, policy, confirmed_only=True),
            year_on_year=year_on_year(lambda start, end: created_by_category(tx, kept, start, end),
                                      date_from, date_to, now),
            return_visits=_return_visits(tx, kept, closed, date_from, date_to, policy),
            partner=scope.partner,
            co_mediation=co_mediation(tx, scope.where, scope.params, date_from, date_to),
        )


def _created_breakdowns(definition: WorkflowDefinition, created: CreatedCounts) -> dict[str, Any]:
    """The cases created in the period in all and by channel, category, mechanism, stage and state (every
    name the policy and the workflow know, at zero when none)."""
    policy = definition.policy
    return {
        "cases": sum(created.by_state.values()),
        "by_channel": _filled(policy.get("channels") or {}, created.by_channel),
        "by_category": _filled(policy.get("categories") or {}, created.by_category),
        "by_mechanism": _filled(MECHANISMS, created.by_mechanism),
        "by_stage": _filled(definition.stage_labels, created.by_stage()),
        "by_state": _filled(definition.states, created.by_state),
    }


def _recurrence(created: CreatedCounts) -> Recurrence:
    """How many of the cases created recurred, and how often, against those followed up."""
    return Recurrence(created.recurred, created.recurrences, created.followed_up,
                      ratio(created.recurred, created.followed_up))


def _time_to_resolution(closed: Closings) -> TimeToResolution:
    """The median days to resolve the resolved cases, and to their agreement (of those that reached one)."""
    return TimeToResolution(
        cases=sum(row[-1] for row in closed.resolved),
        median_days=weighted_median_days((row[5], row[-1]) for row in closed.resolved),
        median_days_to_agreement=weighted_median_days(
            (row[6], row[-1]) for row in closed.resolved if row[6] != figure_rows.NO_AGREEMENT))


@dataclass(frozen=True)
class _Scope:
    """The cases the figures count: SQL over cases `c` with its parameters, and the unit narrowed to."""

    where: str
    params: dict[str, Any]
    unit: UnitRef | None
    root: str  # the path whose children `by_unit` rolls cases up to
    partner: UnitRef | None = None
    scope_path: str | None = None  # the `unit` filter's subtree


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
                  UnitRef(found.code, found.name), found.path, partner_unit, found.path)


def _overdue(tx: RawTransaction, scope: _Scope, kept: Kept, now: datetime, policy: dict[str, Any]) -> Overdue:
    """What is overdue at `now` (from the kept counts), and apart from it what falls due soon (from the pending
    deadlines' index: the next few days' are few): cases, deadlines by kind, orders."""
    params = {**scope.params, "now": tx.timestamp(now), "soon": tx.timestamp(now + timedelta(days=DUE_SOON_DAYS))}
    overdue_cases, overdue_by_kind = overdue_counts(tx, kept, now)
    soon_cases, soon_by_kind = _due_soon(tx, scope.where, params)
    orders = order_statuses(tx, kept, now, policy)
    return Overdue(
        cases=overdue_cases, deadlines_by_kind=overdue_by_kind, orders_overdue=orders.get("overdue", 0),
        orders_due_soon=orders.get("due_soon", 0),
        orders_open=sum(count for status, count in orders.items() if status != "done"),
        due_soon_cases=soon_cases, due_soon_by_kind=soon_by_kind, due_soon_days=DUE_SOON_DAYS,
    )


def _due_soon(tx: RawTransaction, where: str, params: dict[str, Any]) -> tuple[int, dict[str, int]]:
    """The cases with a pending deadline falling due soon, and those deadlines by kind (read from the
    deadlines due in the window, then their cases)."""
    rows = tx.all(
        f"SELECT dl.case_id, dl.kind FROM deadlines dl JOIN cases c ON c.id = dl.case_id "
        f"WHERE {PENDING_DUE_SOON} AND {where}", params)
    by_kind: Counter = Counter(kind for _case, kind in rows)
    return len({case for case, _kind in rows}), dict(sorted(by_kind.items()))


def _resolved_rows(tx: RawTransaction, grouped: list[tuple]) -> list[tuple]:
    """The resolved cases' groups as the quotas and levels read them: (created, follow-up, closed, resolved
    level, mediator's username, name, roles, unit path, ladder level, cases)."""
    ids = sorted({row[2] for row in grouped if row[2]})
    mediators: dict[int, tuple] = {}
    if ids:
        params = {f"m{i}": mediator for i, mediator in enumerate(ids)}
        for mediator, *about in tx.all(MEDIATORS_SQL.format(ids=", ".join(":" + name for name in params)), params):
            mediators[mediator] = tuple(about)
    rows = []
    for day, _state, mediator, level, ladder, _close, _agree, _visits, cases in grouped:
        username, name, roles, path = mediators.get(mediator, (None, None, None, None))
        rows.append((None, None, month_moment(day), level or None, username, name, roles, path, ladder, cases))
    return rows


def _return_visits(tx: RawTransaction, kept: Kept, closed: Closings, date_from: date | None, date_to: date | None,
                   policy: dict[str, Any]) -> ReturnVisits:
    """The visits recorded in the period by how they counted, and the resolutions they bore."""
    counted = visit_counts(tx, kept, date_from, date_to)
    scheduled = len(schedule_days(policy))
    figures = ReturnVisits(recorded=sum(counted[name] for name in SCHEDULES), on_schedule=counted[ON_SCHEDULE],
                           early=counted[EARLY], extra=counted[EXTRA])
    for _day, state, *_rest, on_schedule, cases in closed.resolved:
        if state != "closed.resolved" or on_schedule == figure_rows.NOT_FOLLOWED:
            continue
        if on_schedule >= scheduled:
            figures.resolved_on_schedule += cases
        else:
            figures.resolved_not_on_schedule += cases
    return figures


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
