"""The administrator's holidays file: ranges, make-up working days, and clear refusals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mediation.workflows.calendar import HOLIDAYS_FILE, read_arrangements


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_ranges_and_single_days_are_read(tmp_path: Path) -> None:
    years = read_arrangements(write(tmp_path, "years:\n  2027:\n    holidays: [2027-01-01, 2027-02-06..2027-02-08]\n"
                                              "    workdays: ['2027-02-14']\n"))
    assert years[2027].holidays == {date(2027, 1, 1), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)}
    assert years[2027].workdays == {date(2027, 2, 14)}


@pytest.mark.parametrize(("text", "message"), [
    ("years:\n  2027:\n    holidays: [2027-02-30]\n", "'2027-02-30' is not a date"),
    ("years:\n  2027:\n    holidays: [2027-02-08..2027-02-06]\n", "ends before it starts"),
    ("years:\n  2027:\n    workdays: [2026-12-27]\n", "2026-12-27, a day of another year"),
])
def test_a_bad_entry_is_refused_naming_it(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_arrangements(write(tmp_path, text))


def test_the_shipped_file_reads() -> None:
    assert isinstance(read_arrangements(HOLIDAYS_FILE), dict)
