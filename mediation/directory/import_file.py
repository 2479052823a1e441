"""The rows of a directory file: one CSV sheet, or an XLSX workbook with one sheet, a header row first."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from mediation.directory.rules import Refusal

COLUMNS = ("type", "code", "name", "kind", "parent", "abbreviation", "username", "display_name", "unit", "roles",
           "password")


class FileRow(NamedTuple):
    """A data row: its number as a spreadsheet shows it (the header is row 1) and its cells by column."""

    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class FileRefused(Exception):
    """The file as a whole cannot be read (not CSV or XLSX, several sheets, no `type` column)."""

    refusal: Refusal


def read_rows(path: Path) -> list[FileRow]:
    """The data rows of the file, blank rows left out; FileRefused when the file itself is unusable."""
    rows = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path)
    try:
        header = next(rows)
    except StopIteration:
        raise FileRefused(Refusal("file", "is empty: a header row is needed", "文件为空：须有表头行")) from None
    names = [str(cell or "").strip().lower() for cell in header]
    if "type" not in names:
        raise FileRefused(Refusal("type", "the header row has no 'type' column", "表头行没有“type”列"))
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        raise FileRefused(Refusal(unknown[0], f"unknown column; known: {', '.join(COLUMNS)}",
                                  f"未知列；可用列：{'、'.join(COLUMNS)}"))
    found = []
    for number, values in enumerate(rows, start=2):
        cells = {name: _cell_text(value) for name, value in zip(names, values) if name}
        if any(cells.values()):
            found.append(FileRow(number, cells))
    return found


def _cell_text(value: object) -> str:
    """A cell as text: a whole number typed into a spreadsheet (a unit code) without its '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(path: Path) -> Iterator[list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(Refusal("file", "is neither UTF-8 CSV nor XLSX", "文件既不是 UTF-8 编码的 CSV，也不是 XLSX"))
    yield from csv.reader(text.splitlines())


def _xlsx_rows(path: Path) -> Iterator[tuple]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise FileRefused(Refusal("file", "is not a readable XLSX workbook", "不是可读取的 XLSX 工作簿")) from None
    try:
        if len(workbook.worksheets) != 1:
            raise FileRefused(Refusal("file", f"has {len(workbook.worksheets)} sheets: one is needed",
                                      f"有 {len(workbook.worksheets)} 个工作表：只能有一个"))
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()
