"""Cases out of and into the system as JSON or CSV (DESIGN §7 `export` / `import`).

Export writes each matching case with its parties (JSON also with its whole event trail and
hashes), optionally masked. Import files each row or object as a new case through intake
(`open_case`): the case starts in the workflow's first state with its own first event, so the
hash chains stay the engine's; a source system's history stays in its export (JSON: with each
case's `record`, which `import --restore` brings back as it was: `cases.restore`). Every refused
row is reported with its number, field and reason, and changes nothing; the others are filed.
A row already present (its case number, or the same parties and facts: `duplicates`) is refused
unless duplicates are allowed, so importing an export again files nothing twice. Channel,
category and risk level are taken as codes or as the labels of the workflow definition
(`来访`, `邻里纠纷`, `低`, `Walk-in`, `网格排查`: `workflows.vocabulary`).

CSV columns: number, title, description, channel, category, unit, risk_level, state, stage,
created_at, closed_at, then per party `party1_name`, `party1_role`, `party1_id_number`,
`party1_phone`, `party1_is_minor`, `party2_…`. Import reads the number, the intake columns (title,
description, channel, category, unit, risk_level, party columns) and ignores the others, so an
export can be imported elsewhere. CSV is written UTF-8 with a byte-order mark (Excel opens the
Chinese text right) and read with or without one.

Timestamps carry their offset (DESIGN §9.1): JSON gives them in UTC (`2026-03-02T01:00:00.000000Z`:
an event's `at` without its `Z` is what its hash covers), CSV in China time, which a person reads
(`2026-03-02T09:00:00+08:00`). Stored data is naive UTC and is not changed by an export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from mediation import jsontext
from mediation.cases import rows as case_rows
from mediation.cases.duplicates import AlreadyPresent, refuse_if_present
from mediation.cases.intake import CaseInput, PartyInput, open_case
from mediation.cases.masking import mask_id_number, mask_phone
from mediation.cases.read_models import utc_text
from mediation.cases.restore import CaseTables
from mediation.db import Database, escape_like
from mediation.directory.actors import Actor
from mediation.directory.queries import unit_by_code
from mediation.errors import InvalidData, MediationError
from mediation.spreadsheet import safe_cell
from mediation.workflows.calendar import CHINA_OFFSET
from mediation.workflows.vocabulary import Vocabulary, vocabularies

FORMAT = "mediation-cases/1"
CASE_FIELDS = ("number", "title", "description", "channel", "category", "unit", "risk_level", "state", "stage",
               "created_at", "closed_at")
PARTY_FIELDS = ("name", "role", "id_number", "phone", "is_minor")
INTAKE_FIELDS = ("title", "description", "channel", "category", "unit", "risk_level")
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "是"})

CASES_SQL = (
    "SELECT c.id, c.number, c.title, t.description, c.channel, c.category, u.code, c.risk_level, c.state, "
    "c.stage, c.created_at, c.closed_at FROM cases c JOIN units u ON u.id = c.unit_id "
    "LEFT JOIN case_texts t ON t.case_id = c.id"
)
PARTIES_SQL = "SELECT name, role, id_number, phone, is_minor FROM parties WHERE case_id = :id ORDER BY id"
EVENT_FIELDS = tuple(name.strip() for name in case_rows.EVENT_COLUMNS.split(","))
TIMESTAMP_FIELDS = frozenset({"created_at", "closed_at", "at"})  # stored naive UTC
CHINA_TIME = timezone(CHINA_OFFSET)


def _plain(name: str, value: Any) -> Any:
    """A stored value as JSON takes it: a timestamp as ISO text in UTC with `Z`, as the API shows it."""
    return utc_text(value) if name in TIMESTAMP_FIELDS else value


def _china_time(text: str) -> str:
    """An exported UTC timestamp as China time, to the second, with its offset."""
    return datetime.fromisoformat(text).astimezone(CHINA_TIME).isoformat(timespec="seconds")


def matching_case_ids(db: Database, *, unit: str | None = None, state: str | None = None) -> list[int]:
    """Ids of the cases to export: in a unit's subtree and/or in a state; InvalidData for an unknown unit."""
    where, params = [], {}
    with db.snapshot() as tx:
        if unit is not None:
            found = unit_by_code(tx, unit)
            if found is None:
                raise InvalidData("unit", f"no unit '{unit}'")
            where.append("unit_path LIKE :path ESCAPE '\\'")
            params["path"] = escape_like(found.path) + "%"
        if state is not None:
            where.append("state = :state")
            params["state"] = state
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return [row[0] for row in tx.all(f"SELECT id FROM cases{clause} ORDER BY id", params)]


def exported_cases(db: Database, case_ids: Iterable[int], *, masked: bool = False,
                   with_events: bool = True, with_record: bool = False) -> Iterator[dict[str, Any]]:
    """Each case as a document: its fields, parties (masked on request) and, optionally, events
    and the `record` that `import --restore` brings back (never with masked numbers)."""
    tables = CaseTables(db) if with_record and not masked else None
    for case_id in case_ids:
        with db.snapshot() as tx:
            row = tx.one(f"{CASES_SQL} WHERE c.id = :id", {"id": case_id})
            if row is None:
                continue
            parties = tx.all(PARTIES_SQL, {"id": case_id})
            events = case_rows.case_events(tx, case_id).fetchall() if with_events else []
            record = tables.record(tx, case_id) if tables else None
        document = {name: _plain(name, value) for name, value in zip(CASE_FIELDS, row[1:])}
        document["parties"] = [
            {"name": name, "role": role,
             "id_number": mask_id_number(id_number) if masked else id_number,
             "phone": mask_phone(phone) if masked else phone, "is_minor": bool(is_minor)}
            for name, role, id_number, phone, is_minor in parties
        ]
        if with_events:
            document["events"] = [
                {**{name: _plain(name, value) for name, value in zip(EVENT_FIELDS, event)},
                 "data": jsontext.loads(event[EVENT_FIELDS.index("data")])}
                for event in events
            ]
        if record is not None:
            document["record"] = record
        yield document


def write_json(cases: Iterable[dict[str, Any]], out: io.TextIOBase, *, exported_at: datetime,
               workflows: list[dict[str, Any]] | None = None) -> int:
    """The export document: {format, exported_at, [workflows,] cases}; returns the number of cases written.

    `workflows`: the versions the cases' records run on (for `import --restore`)."""
    count = 0
    header = f', "workflows": {jsontext.dumps(workflows)}' if workflows is not None else ""
    out.write(f'{{"format": "{FORMAT}", "exported_at": "{exported_at.isoformat()}Z"{header}, "cases": [\n')
    for document in cases:
        out.write((",\n" if count else "") + jsontext.dumps(document))
        count += 1
    out.write("\n]}\n")
    return count


def write_csv(cases: Iterable[dict[str, Any]], out: io.TextIOBase, *, party_columns: int) -> int:
    """One row per case, `party_columns` groups of party columns; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*CASE_FIELDS, *(f"party{n}_{name}" for n in range(1, party_columns + 1)
                                     for name in PARTY_FIELDS)])
    count = 0
    for document in cases:
        cells = ["" if document[name] is None else _china_time(document[name]) if name in TIMESTAMP_FIELDS
                 else document[name] for name in CASE_FIELDS]
        for party in document["parties"][:party_columns]:
            cells += ["" if party[name] is None else ("1" if party[name] is True else
                      "0" if party[name] is False else party[name]) for name in PARTY_FIELDS]
        writer.writerow([safe_cell(str(cell)) for cell in cells])
        count += 1
    return count


def most_parties(db: Database, case_ids: list[int]) -> int:
    """The largest party count among the cases (the CSV's party column groups)."""
    with db.snapshot() as tx:
        counts = tx.all("SELECT case_id, count(*) FROM parties GROUP BY case_id")
    wanted = set(case_ids)
    return max((count for case_id, count in counts if case_id in wanted), default=0)


# --------------------------------------------------------------------------- import


@dataclass
class Refusal:
    """A row that was not filed: its number (1 = the first case), the field and the reason."""

    row: int
    field: str
    reason: str
    already_present: bool = False


@dataclass
class ImportResult:
    filed: list[int]
    refused: list[Refusal]


def read_json(text: str) -> list[dict[str, Any]]:
    """The cases of an export document, or of a plain JSON list of case objects."""
    try:
        document = jsontext.loads(text)
    except ValueError as error:
        raise InvalidData("file", f"is not JSON: {error}") from None
    cases = document.get("cases") if isinstance(document, dict) else document
    if not isinstance(cases, list) or not all(isinstance(case, dict) for case in cases):
        raise InvalidData("file", "must be a list of case objects, or an export with a 'cases' list")
    return cases


def read_csv(text: str) -> list[dict[str, Any]]:
    """Cases from CSV rows: intake columns and party<N>_<field> groups (blank groups skipped)."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    if not reader.fieldnames or "title" not in reader.fieldnames:
        raise InvalidData("file", "a CSV needs a header row with at least a 'title' column")
    groups = sum(1 for name in reader.fieldnames if name.startswith("party") and name.endswith("_name"))
    cases = []
    for row in reader:
        case: dict[str, Any] = {name: (row.get(name) or "").strip() or None for name in ("number", *INTAKE_FIELDS)}
        parties = []
        for n in range(1, 1 + groups):
            party = {name: (row.get(f"party{n}_{name}") or "").strip() or None for name in PARTY_FIELDS}
            if any(party.values()):
                party["is_minor"] = (party["is_minor"] or "").lower() in TRUE_WORDS
                parties.append(party)
        case["parties"] = parties
        cases.append(case)
    return cases


def _coded(source: dict[str, Any], words: dict[str, Vocabulary]) -> dict[str, Any]:
    """The row with channel, category and risk level as codes (given as codes or labels)."""
    coded = dict(source)
    for field, vocabulary in words.items():
        value = source.get(field)
        if isinstance(value, str) and value.strip():  # blank, or not text: intake's checks name it
            coded[field] = vocabulary.code_of(value)
    return coded


def _text(name: str, value: Any) -> str | None:
    """An optional text field; InvalidData when it is not text."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidData(name, "must be text")
    return value


def _case_input(source: dict[str, Any]) -> CaseInput:
    """A CaseInput from an object's intake fields; InvalidData naming a field of the wrong shape."""
    def text(name: str, value: Any, required: bool = False) -> str | None:
        if value is None or value == "":
            if required:
                raise InvalidData(name, "is required")
            return None
        if not isinstance(value, str):
            raise InvalidData(name, "must be text")
        return value

    parties_in = source.get("parties") or []
    if not isinstance(parties_in, list) or not all(isinstance(p, dict) for p in parties_in):
        raise InvalidData("parties", "must be a list of party objects")
    parties = []
    for index, party in enumerate(parties_in):
        minor = party.get("is_minor", False)
        if not isinstance(minor, bool):
            raise InvalidData(f"parties[{index}].is_minor", "must be true or false")
        parties.append(PartyInput(text(f"parties[{index}].name", party.get("name")) or "",
                                  text(f"parties[{index}].role", party.get("role")) or "",
                                  text(f"parties[{index}].id_number", party.get("id_number")),
                                  text(f"parties[{index}].phone", party.get("phone")), minor))
    return CaseInput(
        title=text("title", source.get("title")) or "", description=text("description", source.get("description")) or "",
        channel=text("channel", source.get("channel")) or "", unit=text("unit", source.get("unit"), required=True) or "",
        parties=parties, category=text("category", source.get("category")),
        risk_level=text("risk_level", source.get("risk_level")) or "low",
    )


def import_cases(db: Database, cases: list[dict[str, Any]], *, actor: Actor, now: datetime,
                 allow_duplicates: bool = False, on_row: Callable[[int], None] | None = None) -> ImportResult:
    """File each case through intake as `actor`; a refused row changes nothing and is reported.

    A row already present is refused unless `allow_duplicates` (then it is filed as a new case)."""
    words = vocabularies(db.workflows.machine(db.workflows.current_version_id()).definition)
    result = ImportResult([], [])
    for number, source in enumerate(cases, start=1):
        try:
            case = _case_input(_coded(source, words))
            if not allow_duplicates:
                with db.snapshot() as tx:
                    refuse_if_present(tx, case, number=_text("number", source.get("number")))
            result.filed.append(open_case(db, actor=actor, case=case, now=now))
        except AlreadyPresent as error:
            result.refused.append(Refusal(number, error.field, error.reason, already_present=True))
        except InvalidData as error:
            result.refused.append(Refusal(number, error.field, error.reason))
        except MediationError as error:
            result.refused.append(Refusal(number, "case", error.detail))
        if on_row:
            on_row(number)
    return result
