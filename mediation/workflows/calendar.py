"""Deadlines on the Chinese calendar: statutory holidays and make-up working days (调休).

Which days are working days comes from, in order: `workflows/holidays.yaml` (a year entered by
an administrator from the State Council's notice), the `chinesecalendar` package, and for a
year neither covers an estimate: Monday to Friday without the statutory holidays the rules in
force give that year, lunar ones included, and the weekends near them counted as possible 调休
make-up working days (`holiday_estimate.py`: deadlines sooner, never later). A deadline counted over such a year says so (`after_counted`),
and a warning names the year once per process.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

from mediation.workflows.holiday_estimate import is_estimated_working_day
from mediation.workflows.loader import HOLIDAYS_FILE as HOLIDAYS_FILE_NAME
from mediation.workflows.loader import WORKFLOW_DIR

CHINA_OFFSET = timedelta(hours=8)  # China Standard Time, no daylight saving
HOLIDAYS_FILE = WORKFLOW_DIR / HOLIDAYS_FILE_NAME
log = logging.getLogger("mediation.workflows.calendar")


def china_today(now: datetime) -> date:
    """The date in China at the stored (naive UTC) moment `now`."""
    return (now + CHINA_OFFSET).date()


def china_day_start(day: date, *, end: bool = False) -> datetime:
    """The naive-UTC moment a China date starts (with `end`, the moment the next one starts): a range's bound."""
    return datetime.combine(day + timedelta(days=1 if end else 0), datetime.min.time()) - CHINA_OFFSET


@dataclass(frozen=True)
class YearArrangement:
    """One year's days off and make-up working days, as the State Council announced them."""

    holidays: frozenset[date]
    workdays: frozenset[date]


def _dates(entries: list[Any], where: str) -> frozenset[date]:
    days: set[date] = set()
    for entry in entries or []:
        text = str(entry)
        first, _, last = text.partition("..")
        try:
            start, end = date.fromisoformat(first.strip()), date.fromisoformat((last or first).strip())
        except ValueError:
            raise ValueError(f"{where}: '{text}' is not a date or a range 'YYYY-MM-DD..YYYY-MM-DD'") from None
        if end < start:
            raise ValueError(f"{where}: the range '{text}' ends before it starts")
        days.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return frozenset(days)


def read_arrangements(path: Path) -> dict[int, YearArrangement]:
    """The years of a holidays file; ValueError naming the year and entry on a bad one."""
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}  # every value text
    arrangements = {}
    for year, body in (document.get("years") or {}).items():
        if not str(year).isdigit() or not isinstance(body or {}, dict):
            raise ValueError(f"{path.name}: '{year}' is not a year with holidays and workdays")
        body = body or {}
        holidays = _dates(body.get("holidays"), f"{path.name}: {year} holidays")
        workdays = _dates(body.get("workdays"), f"{path.name}: {year} workdays")
        strays = sorted(day for day in holidays | workdays if day.year != int(year))
        if strays:
            raise ValueError(f"{path.name}: {year} lists {strays[0].isoformat()}, a day of another year")
        arrangements[int(year)] = YearArrangement(holidays, workdays)
    return arrangements


def holidays_file() -> Path:
    """MEDIATION_HOLIDAYS_FILE, else workflows/holidays.yaml."""
    return Path(os.environ.get("MEDIATION_HOLIDAYS_FILE") or HOLIDAYS_FILE)


_read: dict[str, Any] = {}  # the file's name, stamp and years as last read, and when to look again
RECHECK_SECONDS = 1.0  # how soon a process notices an edit of the file


def arrangements() -> dict[int, YearArrangement]:
    """The administrator's years, read again when the file changes (every process follows an edit
    within a second); an edit that does not read keeps the years read before, with an error in the log."""
    source = os.environ.get("MEDIATION_HOLIDAYS_FILE")
    if _read.get("source", ...) == source and time.monotonic() < _read["recheck_at"]:
        return _read["years"]
    path = holidays_file()
    status = path.stat()
    stamp = (str(path), status.st_mtime_ns, status.st_size)
    if _read.get("stamp") != stamp:
        try:
            years = read_arrangements(path)
        except ValueError:
            if "years" not in _read:
                raise
            log.exception("%s does not read; keeping the years read before", path)
            years = _read["years"]
        _read.update(stamp=stamp, years=years)
    _read.update(source=source, recheck_at=time.monotonic() + RECHECK_SECONDS)
    return _read["years"]


def reload_arrangements() -> dict[int, YearArrangement]:
    """The administrator's years as the file holds them at this moment."""
    _read.pop("source", None)
    return arrangements()


arrangements.cache_clear = _read.clear  # type: ignore[attr-defined]  # tests that swap the file


def coverage(year: int) -> str:
    """Where the working days of `year` come from: 'holidays.yaml', 'chinesecalendar' or 'estimate'."""
    if year in arrangements():
        return "holidays.yaml"
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return "estimate"
    return "chinesecalendar"


@cache
def _warn_estimated(year: int) -> None:
    log.warning("no holiday data for %s (chinesecalendar %s): estimating its statutory holidays, without 调休; "
                "add the State Council's arrangement to %s", year, chinese_calendar.__version__, holidays_file().name)


def is_working_day(day: date) -> bool:
    arrangement = arrangements().get(day.year)
    if arrangement is not None:
        return day in arrangement.workdays or (day.weekday() < 5 and day not in arrangement.holidays)
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_estimated(day.year)
        return is_estimated_working_day(day)


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


# How a policy period in days is counted (its `count`, DESIGN §9.1, 民事诉讼法 art. 85): the day it
# starts on in China is not counted and it ends at 24:00 China time of its last day; `civil_procedure`
# also moves a last day that is no working day (a weekend or statutory holiday) to the first working
# day after it, `whole_days` does not.
CIVIL_PROCEDURE, WHOLE_DAYS = "civil_procedure", "whole_days"
DAY_COUNTS = (CIVIL_PROCEDURE, WHOLE_DAYS)
NO_TIME = timedelta(microseconds=1)


def closing_day(due: datetime) -> date:
    """The China day a due moment closes: 24:00 of a day is 00:00 of the next, and belongs to the first."""
    return (due + CHINA_OFFSET - NO_TIME).date()


def days_after(day: date, duration: dict[str, Any]) -> datetime:
    """The end (24:00 China time) of day N after `day` ({days: N, count: …}), naive UTC."""
    last = day + timedelta(days=int(duration["days"]))
    if duration.get("count") == CIVIL_PROCEDURE:
        while not is_working_day(last):
            last += timedelta(days=1)
    return china_day_start(last, end=True)


def after(start: datetime, duration: dict[str, Any]) -> datetime:
    """When a policy duration from `start` ends: {days: N, count: …}, {working_days: N} or {hours: N}.

    The agreement took effect on 2 March at 09:26 in China: {days: 30} ends at 24:00 of 1 April.
    """
    if "working_days" in duration:
        return add_working_days(start, int(duration["working_days"]))
    if "days" in duration:
        return days_after((start + CHINA_OFFSET).date(), duration)
    return start + timedelta(hours=int(duration.get("hours", 0)))


def extended(due: datetime, duration: dict[str, Any]) -> datetime:
    """A period that ends at `due`, lengthened by `duration`: the extension counts from the period's last day."""
    return after(due - NO_TIME, duration) if {"days", "working_days"} & set(duration) else after(due, duration)


def after_counted(start: datetime, duration: dict[str, Any]) -> tuple[datetime, bool]:
    """`after(start, duration)`, and whether it counted a working day of a year whose holidays are estimated."""
    due = after(start, duration)
    if "working_days" not in duration:
        return due, False
    first = ((start + CHINA_OFFSET).date() + timedelta(days=1)).year  # the start's own day does not count
    last = (due + CHINA_OFFSET - timedelta(microseconds=1)).date().year
    return due, any(coverage(year) == "estimate" for year in range(first, last + 1))
