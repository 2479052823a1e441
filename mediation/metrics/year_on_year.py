"""同比: cases created in the period against the same days a year earlier, in total and by category."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mediation.db import RawTransaction
from mediation.metrics.periods import in_china, period_condition
from mediation.metrics.report import UNSET, Period, YearOnYear, YearOnYearChange


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


def year_on_year(tx: RawTransaction, where: str, params: dict[str, Any], date_from: date | None,
                 date_to: date | None, now: datetime) -> YearOnYear | None:
    """The change of the cases matching `where` (on cases `c`); None when the period has no start."""
    end = date_to if date_to is not None else in_china(now).date()
    if date_from is None or end < date_from:
        return None
    previous_from, previous_to = _year_earlier(date_from), _year_earlier(end)
    if previous_from is None or previous_to is None:
        return None
    current = period_condition(tx, "c.created_at", "yoy_current", date_from, end, params)
    previous = period_condition(tx, "c.created_at", "yoy_previous", previous_from, previous_to, params)
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
