"""Deadlines on the Chinese calendar: statutory holidays and make-up working days (调休)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar

from mediation.errors import MediationError

CHINA_OFFSET = timedelta(hours=8)  # China Standard Time, no daylight saving


class CalendarNotCovered(MediationError):
    """The holiday calendar has no data for the date asked about."""

    status_code = 422


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        raise CalendarNotCovered(
            f"the Chinese holiday calendar (chinesecalendar {chinese_calendar.__version__}) "
            f"has no data for {day.year}; update the package to compute working days",
            field="calendar",
            day=day.isoformat(),
        ) from None


def add_working_days(start: datetime, count: int) -> datetime:
    """The end (24:00 China time) of the count-th working day after the day start falls on.

    "Within 1 working day" of a referral on Friday afternoon means by the close of Monday
    (or of the make-up Saturday, 调休). Times are naive UTC; days are China's (UTC+8).
    """
    day = (start + CHINA_OFFSET).date()
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day + timedelta(days=1), datetime.min.time()) - CHINA_OFFSET


def after(start: datetime, duration: dict[str, Any]) -> datetime:
    """start plus a policy duration: {days: N} or {working_days: N}."""
    if "working_days" in duration:
        return add_working_days(start, int(duration["working_days"]))
    return start + timedelta(days=int(duration.get("days", 0)), hours=int(duration.get("hours", 0)))
