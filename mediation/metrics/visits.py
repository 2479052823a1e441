"""Return visits (回访) in the period: on schedule, early (kept as extra visits) or extra (DESIGN §9.2).

Each visit keeps how it counted when it was recorded (`progress.visits[].schedule`, judged under the
case's own policy); a visit recorded before that was kept is judged now, from the start of the
case's follow-up (`tracking_since`, else the moment the case first entered the follow-up stage).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mediation import jsontext
from mediation.db import RawTransaction, parse_timestamp
from mediation.metrics.periods import day_end, day_start
from mediation.metrics.report import ReturnVisits
from mediation.workflows.return_visits import (
    EARLY,
    EXTRA,
    ON_SCHEDULE,
    follow_up_start,
    mark_visits,
    schedule_days,
)

# Cases that ever reached follow-up; recording a visit or closing touches `updated_at`, so a case
# with something in the period was updated on or after its start.
FOLLOWED_UP_SQL = (
    "SELECT c.progress, c.follow_up_at, c.state, c.closed_at FROM cases c "
    "WHERE {where} AND c.follow_up_at IS NOT NULL"
)


def return_visits(tx: RawTransaction, where: str, params: dict[str, Any], date_from: date | None,
                  date_to: date | None, policy: dict[str, Any]) -> ReturnVisits:
    """The visits recorded in the period on the cases matching `where`, and the resolutions they bore."""
    params = dict(params)
    start = day_start(date_from) if date_from is not None else None
    end = day_end(date_to) if date_to is not None else None
    sql = FOLLOWED_UP_SQL.format(where=where)
    if start is not None:
        sql += " AND c.updated_at >= :visits_from"
        params["visits_from"] = tx.timestamp(start)
    figures = ReturnVisits()
    scheduled = len(schedule_days(policy))

    def in_period(moment: datetime) -> bool:
        return (start is None or moment >= start) and (end is None or moment < end)

    for progress_text, follow_up_at, state, closed_at in tx.all(sql, params):
        progress = jsontext.loads(progress_text)
        visits = progress.get("visits") or []
        marks = _schedules(progress, visits, follow_up_at, policy)
        for visit, schedule in zip(visits, marks):
            if in_period(parse_timestamp(visit["at"])):
                figures.recorded += 1
                figures.on_schedule += schedule == ON_SCHEDULE
                figures.early += schedule == EARLY
                figures.extra += schedule == EXTRA
        if state == "closed.resolved" and in_period(parse_timestamp(closed_at)):
            if sum(schedule == ON_SCHEDULE for schedule in marks) >= scheduled:
                figures.resolved_on_schedule += 1
            else:
                figures.resolved_not_on_schedule += 1
    return figures


def _schedules(progress: dict[str, Any], visits: list[dict[str, Any]], follow_up_at: Any,
               policy: dict[str, Any]) -> list[str]:
    """How each visit counts: as kept when it was recorded, else judged now."""
    if all(visit.get("schedule") for visit in visits):
        return [visit["schedule"] for visit in visits]
    since = follow_up_start(progress) or follow_up_at
    judged = mark_visits(policy, since, [visit["at"] for visit in visits])
    return [visit.get("schedule") or mark.schedule for visit, mark in zip(visits, judged)]
