"""The holiday package as it is before it publishes a year: tests of the estimate run the same whatever
version of `chinesecalendar` is installed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

import chinese_calendar

from mediation.workflows.calendar import _warn_estimated


def lacking_is_workday(year: int):
    """chinesecalendar's is_workday, refusing `year` as the package does for a year it has no data for."""
    real = chinese_calendar.is_workday

    def is_workday(day: date) -> bool:
        if day.year == year:
            raise NotImplementedError(f"no data for {year}")
        return real(day)

    return is_workday


@contextmanager
def package_lacks(year: int) -> Iterator[None]:
    """chinesecalendar as it is before it publishes `year`."""
    _warn_estimated.cache_clear()
    with patch.object(chinese_calendar, "is_workday", lacking_is_workday(year)):
        yield
    _warn_estimated.cache_clear()
