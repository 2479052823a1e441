"""The statutory holidays of a year nobody has published yet, from the rules in force.

国务院《全国年节及纪念日放假办法》 (as amended in November 2024, in force from 2025) gives every
citizen these days off: 元旦 1 day (1 Jan); 春节 4 days, 除夕 to 初三; 清明 1 day, the day of the
清明 solar term; 劳动节 2 days (1–2 May); 端午 1 day (5th of the 5th lunar month); 中秋 1 day
(15th of the 8th lunar month); 国庆 3 days (1–3 Oct). The lunar dates and the solar term come
from `lunar-python`.

What the estimate cannot know is the State Council's yearly arrangement around these days:
- weekdays given off to bridge a holiday to a weekend, and the weekday given in lieu of a
  holiday that falls on a weekend (补假). The estimate counts them as working days, so a
  deadline over them comes out sooner than the arrangement would put it;
- the weekend days worked to pay for those bridges (调休 make-up working days). They fall on a
  Saturday or Sunday near the holiday they pay for (within 8 days in 2025 and 2026). The
  estimate counts every weekend day within MAKE_UP_WINDOW days of a statutory holiday (and not
  one itself) as a possible make-up working day, so a deadline over one also comes out sooner.
A make-up day the estimate missed would put a deadline later, and one just before a holiday
block would push it past the whole block (a week later, in 2025 and 2026's arrangements); with
the window, no deadline of 1 to 15 working days from any day of 2025–2026 comes out later than
the published arrangements put it (tests/unit/test_holiday_estimate.py). So the estimate is
sooner, never later; and it is short-lived: the State Council publishes the arrangement in
November, and entering it in holidays.yaml recounts every open deadline that rested on the
estimate (`mediation calendar recompute`, or the worker by itself).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from lunar_python import Lunar

RULES_IN_FORCE_FROM = 2025  # the 2024 amendment: 除夕 and a second Labour Day became holidays
FIXED_DATE_HOLIDAYS = {  # (month, day) -> festival
    (1, 1): "new_years_day",
    (5, 1): "labour_day", (5, 2): "labour_day",
    (10, 1): "national_day", (10, 2): "national_day", (10, 3): "national_day",
}


def _solar(lunar_year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(lunar_year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    """The day of the 清明 solar term (4, 5 or 6 April), China time."""
    solar = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


@cache
def statutory_holidays(year: int) -> dict[date, str]:
    """The days off the rules in force give in `year`, each with its festival's name."""
    if year < RULES_IN_FORCE_FROM:
        raise ValueError(f"{year} lies before the rules in force ({RULES_IN_FORCE_FROM}); use the published arrangement")
    days = {date(year, month, day): name for (month, day), name in FIXED_DATE_HOLIDAYS.items()}
    new_year = _solar(year, 1, 1)  # 初一 falls between 21 Jan and 20 Feb, so 除夕 is in the same year
    days.update({new_year + timedelta(days=n): "spring_festival" for n in range(-1, 3)})
    days[_qingming(year)] = "tomb_sweeping_day"
    days[_solar(year, 5, 5)] = "dragon_boat_festival"
    days[_solar(year, 8, 15)] = "mid_autumn_festival"
    return days


MAKE_UP_WINDOW = 10  # days around a statutory holiday where a weekend day may be a make-up working day


@cache
def _holidays_around(year: int) -> frozenset[date]:
    """The statutory holidays of the year and of the years beside it (a window may cross New Year)."""
    return frozenset(holiday for near in (year - 1, year, year + 1) if near >= RULES_IN_FORCE_FROM
                     for holiday in statutory_holidays(near))


def is_estimated_working_day(day: date) -> bool:
    """Monday to Friday but the statutory holidays, and a weekend day near a holiday (a possible make-up day)."""
    holidays = _holidays_around(day.year)
    if day in holidays:
        return False
    if day.weekday() < 5:
        return True
    return any(day + timedelta(days=offset) in holidays for offset in range(-MAKE_UP_WINDOW, MAKE_UP_WINDOW + 1))
