"""同比: cases created in the period against the same days a year earlier, in total and by category."""

from __future__ import annotations

from datetime import date, datetime
from typing import Callable

from mediation.metrics.periods import in_china
from mediation.metrics.report import Period, YearOnYear, YearOnYearChange


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


def year_on_year(created: Callable[[date, date], dict[str, int]], date_from: date | None, date_to: date | None,
                 now: datetime) -> YearOnYear | None:
    """The change of the cases created (`created(first day, last day)`: counts by category); None when the
    period has no start."""
    end = date_to if date_to is not None else in_china(now).date()
    if date_from is None or end < date_from:
        return None
    previous_from, previous_to = _year_earlier(date_from), _year_earlier(end)
    if previous_from is None or previous_to is None:
        return None
    current, previous = created(date_from, end), created(previous_from, previous_to)
    by_category = {key: (current.get(key, 0), previous.get(key, 0)) for key in current.keys() | previous.keys()}
    return YearOnYear(
        previous_period=Period(previous_from, previous_to),
        total=_change(sum(c for c, _ in by_category.values()), sum(p for _, p in by_category.values())),
        by_category={key: _change(*pair) for key, pair in sorted(by_category.items())},
    )
