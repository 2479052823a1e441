"""A year the calendar package lacks: its statutory holidays from the rules in force, lunar ones included.

The estimate is checked against what chinesecalendar publishes for 2025 and 2026 (the first two
years under the 2024 amendment): every day the rules give off is a holiday of the same festival
there, and every weekday the package has as a working day is one in the estimate too (the
arrangement's bridged weekdays and make-up weekends, 调休, are what the estimate leaves out).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from mediation.workflows.calendar import add_working_days, after_counted
from mediation.workflows.holiday_estimate import is_estimated_working_day, statutory_holidays
from tests.calendar_years import package_lacks

PACKAGE_NAMES = {
    "new_years_day": "New Year's Day", "spring_festival": "Spring Festival", "tomb_sweeping_day": "Tomb-sweeping Day",
    "labour_day": "Labour Day", "dragon_boat_festival": "Dragon Boat Festival",
    "mid_autumn_festival": "Mid-autumn Festival", "national_day": "National Day",
}
DAYS_BY_LAW = {"new_years_day": 1, "spring_festival": 4, "tomb_sweeping_day": 1, "labour_day": 2,
               "dragon_boat_festival": 1, "mid_autumn_festival": 1, "national_day": 3}


def china(day: str, clock: str) -> datetime:
    """A China time as the naive UTC the database keeps."""
    return datetime.fromisoformat(f"{day}T{clock}") - timedelta(hours=8)


def test_2027_gets_its_lunar_holidays() -> None:
    """2027: 除夕 Fri 5 Feb to 初三 Mon 8 Feb, 清明 Mon 5 Apr, 端午 Wed 9 Jun, 中秋 Wed 15 Sep."""
    days = statutory_holidays(2027)
    assert sorted(day for day, name in days.items() if name == "spring_festival") == [
        date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]
    assert days[date(2027, 4, 5)] == "tomb_sweeping_day"
    assert days[date(2027, 6, 9)] == "dragon_boat_festival"
    assert days[date(2027, 9, 15)] == "mid_autumn_festival"
    assert Counter(days.values()) == DAYS_BY_LAW
    assert not is_estimated_working_day(date(2027, 2, 5)) and not is_estimated_working_day(date(2027, 2, 8))
    assert is_estimated_working_day(date(2027, 2, 9))


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_estimate_agrees_with_the_package_on_every_statutory_holiday(year: int) -> None:
    days = statutory_holidays(year)
    assert Counter(days.values()) == DAYS_BY_LAW
    for day, name in days.items():
        assert chinese_calendar.get_holiday_detail(day) == (True, PACKAGE_NAMES[name]), day
    every_day = (date(year, 1, 1) + timedelta(days=n) for n in range(365))
    for day in every_day:
        if day.weekday() < 5 and chinese_calendar.is_workday(day):
            assert is_estimated_working_day(day), day


def test_the_rules_in_force_are_not_applied_to_years_before_them() -> None:
    with pytest.raises(ValueError, match="2024"):
        statutory_holidays(2024)


def test_seven_working_days_from_thursday_4_feb_2027_end_after_the_spring_festival() -> None:
    """Fri 5 (除夕) to Mon 8 (初三) off; then 9–12 Feb, and the weekend of 13–14 Feb counted as possible
    make-up working days (sooner, never later), and Mon 15 Feb: the end of 15 Feb."""
    with package_lacks(2027):
        start = china("2027-02-04", "10:00")
        assert add_working_days(start, 7) == china("2027-02-16", "00:00")
        assert after_counted(start, {"working_days": 7}) == (china("2027-02-16", "00:00"), True)
        # Without the holidays (the defect this replaced) the same deadline ended on Fri 12 Feb.
        assert not any(is_estimated_working_day(date(2027, 2, day)) for day in range(5, 9))


def _nth_working_day(start: date, count: int, is_working) -> date:
    day = start
    while count:
        day += timedelta(days=1)
        count -= is_working(day)
    return day


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_estimate_is_never_later_than_the_published_arrangement(year: int) -> None:
    """Every deadline of 1 to 15 working days from every day of a year the package publishes comes out
    on or before the day the State Council's arrangement puts it (make-up weekends included)."""
    later = []
    for offset in range(335):
        start = date(year, 1, 1) + timedelta(days=offset)
        for count in range(1, 16):
            estimated = _nth_working_day(start, count, is_estimated_working_day)
            published = _nth_working_day(start, count, chinese_calendar.is_workday)
            if estimated > published:
                later.append((start, count, estimated, published))
    assert later == []


def test_a_deadline_says_whether_it_counted_an_estimated_day() -> None:
    with package_lacks(2027):
        # 31 Dec 2026 + 1 working day reaches into 2027 (Sat 2 Jan, a possible make-up day): an estimate.
        assert after_counted(china("2026-12-31", "10:00"), {"working_days": 1})[1] is True
        # Within 2026, or counted in calendar days, it does not.
        assert after_counted(china("2026-12-01", "10:00"), {"working_days": 3})[1] is False
        assert after_counted(china("2026-12-31", "10:00"), {"days": 30})[1] is False
