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
- the weekend days worked to pay for those bridges (调休 make-up working days). They are not
  guessed: a weekend stays a day off. A make-up day repays a bridged weekday of the same
  holiday, so a period that holds both comes out the same or sooner. Only a period that holds
  a make-up weekend but not the weekday it repays (it starts after the holiday's bridged days,
  or ends before them) comes out later, by at most the make-up days it holds (one, as a rule).
So every day the law fixes makes a deadline sooner, never later; the one exception above is
bounded and short-lived: the State Council publishes the arrangement in November, weeks before
a deadline counted in working days can reach into the next year, and entering it in
holidays.yaml recounts every open deadline that rested on the estimate (`mediation calendar
recompute`, or the worker by itself).
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


def is_estimated_working_day(day: date) -> bool:
    """Monday to Friday, except the statutory holidays of the day's year."""
    return day.weekday() < 5 and day not in statutory_holidays(day.year)
