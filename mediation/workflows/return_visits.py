"""Return visits on schedule (回访, DESIGN §9.2): which recorded visit counts as which scheduled one.

The policy schedules visits at +N days from the moment the case entered follow-up
(`return_visits.schedule`). The visit scheduled at +N days counts only when recorded on or after
day N − `early_tolerance_days` (default 1); days are China's calendar days (UTC+8), the day
follow-up started being day 0. Visits are taken in the order recorded: each fills the next
scheduled visit when it is on schedule; one recorded earlier is kept as an `early` (extra) visit
and the scheduled one stays open; one recorded after every scheduled visit is filled is `extra`.

Guards, effects, documents and the supervisors' figures all judge visits with `mark_visits`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

from mediation.workflows.calendar import CHINA_OFFSET

ON_SCHEDULE, EARLY, EXTRA = "on_schedule", "early", "extra"
DEFAULT_EARLY_TOLERANCE_DAYS = 1


@dataclass(frozen=True)
class VisitMark:
    """How one recorded visit counts."""

    schedule: str  # ON_SCHEDULE, EARLY or EXTRA
    slot: int | None  # the scheduled visit (1, 2, …) it fills (on schedule) or came before (early)
    day: int | None  # China calendar days since follow-up started (None: start unknown)


def schedule_days(policy: Mapping[str, Any]) -> list[int]:
    """The days after the start of follow-up at which visits are scheduled, in order."""
    return [int(entry["days"]) for entry in (policy.get("return_visits") or {}).get("schedule") or ()]


def early_tolerance_days(policy: Mapping[str, Any]) -> int:
    value = (policy.get("return_visits") or {}).get("early_tolerance_days")
    return DEFAULT_EARLY_TOLERANCE_DAYS if value is None else int(value)


def stored_moment(moment: datetime | str) -> datetime:
    """A stored moment as naive UTC (stored ones are; one with an offset is converted)."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo is not None else value


def china_day(moment: datetime | str) -> date:
    """The calendar day in China of a stored moment."""
    return (stored_moment(moment) + CHINA_OFFSET).date()


def counts_from(policy: Mapping[str, Any], since: datetime | str, slot: int) -> date:
    """The first China day on which the `slot`-th scheduled visit (1-based) counts."""
    return china_day(since) + timedelta(days=schedule_days(policy)[slot - 1] - early_tolerance_days(policy))


def mark_visits(policy: Mapping[str, Any], since: datetime | str | None,
                moments: Iterable[datetime | str]) -> list[VisitMark]:
    """How each visit recorded at `moments` (in order) counts, follow-up having started at `since`.

    With no known start (a case that entered follow-up under an earlier definition, which kept no
    record of when), visits fill the scheduled ones in order, as that definition counted them.
    """
    days = schedule_days(policy)
    tolerance = early_tolerance_days(policy)
    start = china_day(since) if since else None
    marks: list[VisitMark] = []
    filled = 0
    for moment in moments:
        day = (china_day(moment) - start).days if start else None
        if filled == len(days):
            marks.append(VisitMark(EXTRA, None, day))
        elif day is None or day >= days[filled] - tolerance:
            filled += 1
            marks.append(VisitMark(ON_SCHEDULE, filled, day))
        else:
            marks.append(VisitMark(EARLY, filled + 1, day))
    return marks


def follow_up_start(progress: Mapping[str, Any]) -> str | None:
    """When the case's current follow-up started, as kept in its progress.

    `tracking_since` is written on entering follow-up; for a case that entered it under an earlier
    definition, the latest moment recorded on the way in (court confirmation, agreement effective).
    """
    if progress.get("tracking_since"):
        return progress["tracking_since"]
    agreement = progress.get("agreement") or {}
    known = [moment for moment in (progress.get("confirmed_at"), progress.get("agreement_effective_at"),
                                   agreement.get("effective_at")) if moment]
    return max(known, key=stored_moment) if known else None
