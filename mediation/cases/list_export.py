"""A case list as people open it in a spreadsheet: CSV or XLSX, with the list's filters.

The rows are the case list's (`GET /api/v1/cases`, the board): the same reach and filters, newest
first, every match (not a page), read a batch at a time so a long list never sits in memory.
Columns carry labels in the reader's language (state, stage, channel, category, risk level, unit,
mediator), dates in China time, parties' numbers masked as the reader sees them on the case page;
every text cell is made safe for spreadsheets (`safe_cell`: no formula runs). CSV is UTF-8 with a
byte-order mark, so Excel reads the Chinese right; XLSX is written by openpyxl in write-only mode.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime, time, timedelta
from typing import Any, NamedTuple

from mediation.cases.masking import mask_id_number, mask_phone, sees_full_numbers
from mediation.cases.personal_data_views import record_view
from mediation.cases.queues import next_deadlines
from mediation.cases.views import CaseFilters, checked_filter_clause
from mediation.db import Database, parse_timestamp
from mediation.directory.actors import Actor
from mediation.spreadsheet import safe_cell
from mediation.workflows.calendar import CHINA_OFFSET
from mediation.workflows.definition import WorkflowDefinition

BATCH = 500
VIA = "export"  # how the personal-data view log names a spreadsheet of the case list
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {"csv": "text/csv",  # the server adds "; charset=utf-8" to a text type
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
HEADINGS = {
    "zh": ("案号", "标题", "阶段", "状态", "来源渠道", "纠纷类别", "风险等级", "重点案件", "单位", "调解员",
           "当事人", "登记时间", "更新时间", "结案时间", "最近期限"),
    "en": ("Number", "Title", "Stage", "State", "Channel", "Category", "Risk level", "Key case", "Unit", "Mediator",
           "Parties", "Filed", "Updated", "Closed", "Next deadline"),
}
WORDS = {
    "zh": {"low": "低", "elevated": "较高", "high": "高", "critical": "极高", "applicant": "申请人",
           "respondent": "被申请人", "third_party": "第三人", True: "是", False: "否", "sheet": "案件"},
    "en": {"low": "Low", "elevated": "Elevated", "high": "High", "critical": "Critical", "applicant": "applicant",
           "respondent": "respondent", "third_party": "third party", True: "yes", False: "no", "sheet": "Cases"},
}
ROWS_SQL = (
    "SELECT c.id, c.number, c.title, c.stage, c.state, c.channel, c.category, c.risk_level, c.key_case, "
    "u.name AS unit_name, m.display_name AS mediator_name, c.created_at, c.updated_at, c.closed_at, "
    "c.unit_path, c.mediator_id, c.court_id FROM cases c JOIN units u ON u.id = c.unit_id "
    "LEFT JOIN users m ON m.id = c.mediator_id"
)
PARTIES_SQL = "SELECT case_id, name, role, id_number, phone FROM parties WHERE case_id IN ({}) ORDER BY id"


class _Case(NamedTuple):
    id: int
    number: str
    title: str
    stage: str
    state: str
    channel: str
    category: str | None
    risk_level: str
    key_case: bool
    unit_name: str
    mediator_name: str | None
    created_at: Any
    updated_at: Any
    closed_at: Any
    unit_path: str
    mediator_id: int | None
    court_id: int | None


def language_of(lang: str | None) -> str:
    """The export's language: English when asked for, Chinese otherwise."""
    return "en" if lang == "en" else "zh"


def file_name(list_name: str, fmt: str, now: datetime) -> str:
    """The download's name: the list and the China date, e.g. cases-2026-12-07.xlsx."""
    return f"{list_name}-{(now + CHINA_OFFSET).date().isoformat()}.{fmt}"


def case_sheet(db: Database, actor: Actor, filters: CaseFilters, now: datetime, lang: str) -> Iterator[list[str]]:
    """The heading row, then each matching case as the reader may see it, newest first, a batch at a time.

    The filters are checked before the first row (InvalidData, UnknownFilterValue), so a refusal
    comes before anything is sent.
    """
    definition = db.workflows.machine(db.workflows.current_version_id()).definition
    with db.snapshot() as tx:
        checked_filter_clause(db, tx, actor, filters, now, {})
    return _sheet_rows(db, actor, filters, now, lang, definition)


def _sheet_rows(db: Database, actor: Actor, filters: CaseFilters, now: datetime, lang: str,
                definition: WorkflowDefinition) -> Iterator[list[str]]:
    yield list(HEADINGS[lang])
    last_id = None
    while True:
        params: dict[str, Any] = {"batch": BATCH}
        with db.snapshot() as tx:
            clause = checked_filter_clause(db, tx, actor, filters, now, params)
            if last_id is not None:
                clause += " AND c.id < :last_id"
                params["last_id"] = last_id
            cases = [_Case._make(row) for row in tx.all(f"{ROWS_SQL} WHERE {clause} ORDER BY c.id DESC LIMIT :batch",
                                                        params)]
            ids = [case.id for case in cases]
            parties = _parties(tx, ids)
            due = next_deadlines(tx=tx, case_ids=ids)
        _log_unmasked(db, actor, cases, parties, now)
        for case in cases:
            yield _row(case, parties.get(case.id, []), due.get(case.id), actor, lang, definition)
        if len(cases) < BATCH:
            return
        last_id = cases[-1].id


def _log_unmasked(db: Database, actor: Actor, cases: list[_Case], parties: dict[int, list[tuple]],
                  now: datetime) -> None:
    """Log (PIPL) each case of the batch whose parties' numbers the reader gets unmasked in the file."""
    shown = [case.id for case in cases if any(p[2] or p[3] for p in parties.get(case.id, []))
             and sees_full_numbers(actor, case)]
    if shown and not actor.is_system:
        with db.write() as tx:
            for case_id in shown:
                record_view(tx=tx, user_id=actor.user_id, case_id=case_id, via=VIA, now=now)


def _parties(tx: Any, ids: list[int]) -> dict[int, list[tuple]]:
    found: dict[int, list[tuple]] = {}
    if ids:
        sql = PARTIES_SQL.format(", ".join(f":c{i}" for i in range(len(ids))))
        for case_id, *party in tx.all(sql, {f"c{i}": case_id for i, case_id in enumerate(ids)}):
            found.setdefault(case_id, []).append(tuple(party))
    return found


def _row(case: _Case, parties: list[tuple], due: datetime | None, actor: Actor, lang: str,
         definition: WorkflowDefinition) -> list[str]:
    """One case's cells, labelled in `lang`, numbers masked unless the reader sees them whole."""
    words, policy = WORDS[lang], definition.policy
    full = sees_full_numbers(actor, case)
    return [
        case.number, case.title,
        _label(definition.stage_labels.get(case.stage), lang, case.stage),
        _label(definition.states.get(case.state), lang, case.state),
        _label(policy["channels"].get(case.channel), lang, case.channel),
        _label(policy["categories"].get(case.category), lang, case.category or ""),
        words.get(case.risk_level, case.risk_level), words[bool(case.key_case)], case.unit_name,
        case.mediator_name or "", "；".join(_party(party, full, words) for party in parties),
        china_time(case.created_at), china_time(case.updated_at), china_time(case.closed_at), china_due_time(due),
    ]


def _label(labels: dict[str, str] | None, lang: str, code: str) -> str:
    return (labels or {}).get(lang) or (labels or {}).get("zh") or code


def _party(party: tuple, full: bool, words: dict[Any, str]) -> str:
    """A party in one cell: 王某某（申请人，330324********1234，138****5678）."""
    name, role, id_number, phone = party
    if not full:
        id_number, phone = mask_id_number(id_number), mask_phone(phone)
    return f"{name}（{'，'.join(filter(None, (words.get(role, role), id_number, phone)))}）"


def china_time(value: Any) -> str:
    """A stored UTC moment as China time to the minute; empty when there is none."""
    moment = parse_timestamp(value) if value else None
    return (moment + CHINA_OFFSET).strftime("%Y-%m-%d %H:%M") if moment else ""


def china_due_time(value: Any) -> str:
    """When a deadline falls due, as China time to the minute; one that ends a day reads as its 24:00
    (2026-04-01 24:00, as a period's last day is written, DESIGN §9.1), not as 00:00 of the next."""
    moment = parse_timestamp(value) if value else None
    if moment is None:
        return ""
    local = moment + CHINA_OFFSET
    return f"{local - timedelta(days=1):%Y-%m-%d} 24:00" if local.time() == time(0) else f"{local:%Y-%m-%d %H:%M}"


def csv_bytes(rows: Iterable[list[str]]) -> Iterator[bytes]:
    """The rows as CSV, UTF-8 with a byte-order mark, a few hundred rows to a chunk; formulas made text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    for count, row in enumerate(rows, 1):
        writer.writerow([safe_cell(cell) for cell in row])
        if count % BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_bytes(rows: Iterable[list[str]], sheet_title: str) -> Iterator[bytes]:
    """The rows as an XLSX workbook (write-only: rows go to disk as they come), then read out in chunks.

    Every cell is typed as text, so a title such as `=HYPERLINK(…)` stays the words it is, never a formula.
    openpyxl is imported here, at the first export, not with the server (a fifth of a second)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for row in rows:
        sheet.append([_text_cell(WriteOnlyCell(sheet, value=text)) for text in row])
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(64 * 1024):
            yield chunk


def _text_cell(cell: Any) -> Any:
    """The write-only cell, typed as text."""
    cell.data_type = "s"
    return cell


def spreadsheet_bytes(rows: Iterable[list[str]], fmt: str, lang: str) -> Iterator[bytes]:
    """The rows in `fmt` (csv or xlsx)."""
    return xlsx_bytes(rows, WORDS[lang]["sheet"]) if fmt == "xlsx" else csv_bytes(rows)
