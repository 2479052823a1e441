"""Figures of the cases closed in the period: resolution rate, time to resolve, where resolved.

The resolved cases arrive as rows of (created_at, follow_up_at, closed_at, resolved_level,
mediator username, name, roles, unit path, ladder level[, cases]), as `figures` reads them; a row
with a tenth column stands for that many cases alike.
"""

from __future__ import annotations

from typing import Any

from mediation.metrics.report import (
    EXCLUDED_STATES,
    RESOLUTION_DEFINITION,
    RESOLVED_STATES,
    UNRECORDED,
    Resolution,
)


def ratio(part: int, whole: int) -> float | None:
    """part / whole to four places; None when whole is zero."""
    return round(part / whole, 4) if whole else None


def resolution(closed_counts: dict[str, int]) -> Resolution:
    """The resolution rate of the cases closed, given their counts by closing state."""
    closed = sum(closed_counts.values())
    resolved = sum(closed_counts.get(state, 0) for state in RESOLVED_STATES)
    denominator = closed - sum(closed_counts.get(state, 0) for state in EXCLUDED_STATES)
    return Resolution(
        closed=closed, closed_by_state=dict(sorted(closed_counts.items())), resolved=resolved,
        denominator=denominator, rate=ratio(resolved, denominator), resolved_states=list(RESOLVED_STATES),
        excluded_states=list(EXCLUDED_STATES), definition=RESOLUTION_DEFINITION,
    )


def resolution_levels(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """Where a case can be resolved: the escalation ladder's levels, then the court."""
    return [*policy["escalation_ladder"], policy["judicial_confirmation"]["resolution_level"]]


def resolved_levels(rows: list[tuple], policy: dict[str, Any]) -> dict[str, int]:
    """The resolved cases by the level where they were resolved (every level listed, zeros included)."""
    levels = {step["level"]: 0 for step in resolution_levels(policy)}
    for row in rows:
        key = row[3] or UNRECORDED
        levels[key] = levels.get(key, 0) + _cases(row)
    return levels


def agreement_levels(rows: list[tuple], policy: dict[str, Any], *, confirmed_only: bool = False) -> dict[str, int]:
    """The resolved cases by the ladder level where the agreement was reached (every level listed,
    zeros included); `confirmed_only`: only those the court confirmed.

    A confirmed case's `resolved_level` is the court's; its agreement was made at the level the
    case stood on the ladder (`ladder_level`, the rows' ninth column), which confirmation leaves.
    """
    ladder = [step["level"] for step in policy["escalation_ladder"]]
    court = policy["judicial_confirmation"]["resolution_level"]["level"]
    levels = dict.fromkeys(ladder, 0)
    for row in rows:
        confirmed = row[3] == court
        if confirmed_only and not confirmed:
            continue
        key = row[3] or UNRECORDED
        if confirmed:
            index = row[8]
            key = ladder[index] if isinstance(index, int) and 0 <= index < len(ladder) else UNRECORDED
        levels[key] = levels.get(key, 0) + _cases(row)
    return levels


def _cases(row: tuple) -> int:
    """How many resolved cases a row stands for (its tenth column when it has one)."""
    return row[9] if len(row) > 9 else 1
