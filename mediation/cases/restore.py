"""`import --restore`: bring exported cases back as they were, state, version, event trail and chain.

The JSON export carries each case's `record`: its rows in every table that makes up the case
(the case row, its text, parties, events, deadlines, order, shares, attachments and their bytes)
with their ids, because an event's hash covers its case's id and a case row lists its events' and
parties' ids. References leave the database by their natural keys (a unit's code, a user's name,
a workflow version's content hash) and come back as the target's ids; the export's header carries
the workflow versions, stored on arrival when the target lacks one. A case is restored whole, in
one transaction, or refused with the reason: its number or an id already present, a unit or user
the target does not know. The tables and their columns are read from the database, not listed here.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from mediation import jsontext
from mediation.cases import figure_rows
from mediation.cases import rows as case_rows
from mediation.db import Database, RawTransaction, parse_timestamp, search_index
from mediation.errors import InvalidData
from mediation.workflows.definition import parse_definition

RECORD_TABLES = ("cases", "case_texts", "parties", "events", "deadlines", "orders", "case_shares",
                 "attachments", "attachment_chunks")
NATURAL_KEYS = {"units": "code", "users": "username", "workflow_versions": "content_hash"}
PRINTED_NUMBER = re.compile(r"(.+)调〔(\d{4})〕(\d+)号")  # as intake prints it: 永嘉调〔2026〕00123号
RAISE_COUNTER = """
INSERT INTO case_number_counters (prefix, year, last) VALUES (:prefix, :year, :last)
ON CONFLICT (prefix, year) DO UPDATE SET last = CASE WHEN case_number_counters.last < excluded.last
  THEN excluded.last ELSE case_number_counters.last END
"""
OF_ATTACHMENTS = "attachment_id IN (SELECT id FROM attachments WHERE case_id = :id)"


class CaseTables:
    """The record tables of a database as reflected from it, and its natural keys both ways."""

    def __init__(self, db: Database) -> None:
        metadata = sa.MetaData()
        metadata.reflect(db.engine, only=[*RECORD_TABLES, *NATURAL_KEYS])
        self.db = db
        self.tables = [metadata.tables[name] for name in RECORD_TABLES if name in metadata.tables]
        self._keys: dict[str, dict[Any, Any]] = {}
        self._ids: dict[str, dict[Any, Any]] = {}

    def _references(self, table: sa.Table) -> dict[str, str]:
        """Columns of `table` that refer to a unit, a user or a workflow version: column → referred table."""
        return {fk.parent.name: fk.column.table.name for fk in table.foreign_keys
                if fk.column.table.name in NATURAL_KEYS}

    def _load(self, tx: RawTransaction, referred: str) -> None:
        pairs = tx.all(f"SELECT id, {NATURAL_KEYS[referred]} FROM {referred}")
        self._keys[referred] = dict(pairs)
        self._ids[referred] = {key: id_ for id_, key in pairs}

    def record(self, tx: RawTransaction, case_id: int) -> dict[str, list[dict[str, Any]]]:
        """The case's rows, table by table, as JSON takes them (references by natural key)."""
        found = {}
        for table in self.tables:
            where = ("id = :id" if table.name == "cases" else OF_ATTACHMENTS if table.name == "attachment_chunks"
                     else "case_id = :id")
            names = [column.name for column in table.columns]
            quoted = ", ".join(f'"{name}"' for name in names)
            rows = tx.all(f'SELECT {quoted} FROM "{table.name}" WHERE {where} ORDER BY 1', {"id": case_id})
            references = self._references(table)
            for referred in set(references.values()) - self._keys.keys():
                self._load(tx, referred)
            found[table.name] = [
                {name: (self._keys[references[name]].get(value) if name in references and value is not None
                        else _plain(table.c[name].type, value)) for name, value in zip(names, row)}
                for row in rows
            ]
        return found

    def stored_rows(self, tx: RawTransaction, table: sa.Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Exported rows as this database stores them; InvalidData naming a reference it does not hold."""
        references = self._references(table)
        for referred in set(references.values()) - self._ids.keys():
            self._load(tx, referred)
        stored = []
        for row in rows:
            values = {}
            for column in table.columns:
                value = row.get(column.name)
                if column.name in references and value is not None:
                    referred = references[column.name]
                    if value not in self._ids[referred]:
                        raise InvalidData(f"{table.name}.{column.name}",
                                          f"no {referred[:-1].replace('_', ' ')} '{value}' in this database")
                    value = self._ids[referred][value]
                values[column.name] = _stored(self.db, column.type, value)
            stored.append(values)
        return stored


def _plain(kind: sa.types.TypeEngine, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, sa.DateTime):
        return parse_timestamp(value).isoformat(timespec="microseconds")
    if isinstance(kind, sa.Date):
        return value if isinstance(value, str) else value.isoformat()
    if isinstance(kind, sa.Boolean):
        return bool(value)
    if isinstance(kind, sa.LargeBinary):
        return base64.b64encode(bytes(value)).decode()
    return value


def _stored(db: Database, kind: sa.types.TypeEngine, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, sa.DateTime):
        return db.timestamp(datetime.fromisoformat(value))
    if isinstance(kind, sa.Date):
        return db.day(date.fromisoformat(value))
    if isinstance(kind, sa.Boolean):
        return int(value) if db.is_sqlite else bool(value)
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode(value)
    return value


def exported_workflows(db: Database, case_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The workflow versions the cases run on, as the export's header carries them."""
    wanted = set(case_ids)
    with db.snapshot() as tx:
        used = {version for case_id, version in tx.all("SELECT id, workflow_version_id FROM cases")
                if case_id in wanted}
        rows = tx.all("SELECT id, name, version, content_hash, definition FROM workflow_versions ORDER BY id")
    return [{"name": name, "version": version, "content_hash": digest, "definition": jsontext.loads(source)}
            for id_, name, version, digest, source in rows if id_ in used]


@dataclass
class RestoreRefusal:
    """A case not restored: its place in the file (1 = the first), the field and the reason."""

    row: int
    field: str
    reason: str


@dataclass
class RestoreResult:
    restored: list[str]
    refused: list[RestoreRefusal]


def restore_cases(db: Database, cases: list[dict[str, Any]], workflows: list[dict[str, Any]], *,
                  on_row: Callable[[int], None] | None = None) -> RestoreResult:
    """Restore each exported case as it was; a refused case changes nothing and is reported."""
    _store_workflows(db, workflows)
    tables = CaseTables(db)
    result = RestoreResult([], [])
    for number, document in enumerate(cases, start=1):
        try:
            result.restored.append(_restore_case(db, tables, document))
        except InvalidData as error:
            result.refused.append(RestoreRefusal(number, error.field, error.reason))
        if on_row:
            on_row(number)
    if result.restored and not db.is_sqlite:
        _continue_sequences(db, tables)
    return result


def _store_workflows(db: Database, workflows: list[dict[str, Any]]) -> None:
    """Store the export's workflow versions this database lacks (each under its content hash)."""
    with db.snapshot() as tx:
        present = {digest for (digest,) in tx.all("SELECT content_hash FROM workflow_versions")}
    for version in workflows:
        if version.get("content_hash") in present:
            continue
        source = version.get("definition") or {}
        try:
            definition = parse_definition(source["workflow"], source["policy"])
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidData("workflows", f"workflow {version.get('name')} version {version.get('version')} "
                                           f"cannot be read: {error}") from None
        if definition.content_hash() != version.get("content_hash"):
            raise InvalidData("workflows", f"workflow {version.get('name')} version {version.get('version')} "
                                           "does not match its content hash")
        db.workflows.ensure_stored(definition)


def _restore_case(db: Database, tables: CaseTables, document: dict[str, Any]) -> str:
    record = document.get("record")
    if not isinstance(record, dict) or len(record.get("cases") or []) != 1:
        raise InvalidData("record", "the export holds no record of the case to restore (exported --masked or "
                                    "by an older version): import it as a new case instead")
    number = record["cases"][0].get("number")
    with db.write() as tx:
        present = tx.one("SELECT number FROM cases WHERE number = :number OR id = :id",
                         {"number": number, "id": record["cases"][0].get("id")})
        if present is not None:
            raise InvalidData("number", f"case {number} is already present" if present[0] == number else
                              f"case {number}'s id is held by case {present[0]} here")
        for table in tables.tables:
            rows = tables.stored_rows(tx, table, record.get(table.name) or [])
            _refuse_taken_ids(tx, table, rows)
            if rows:
                case_rows.insert_restored_rows(tx, table.name, list(rows[0]), rows)
        search_index.refresh(tx, record["cases"][0]["id"])
        figure_rows.add_case(tx, record["cases"][0]["id"])  # counted in the supervisors' figures
        _count_past(tx, number)
    return number


def _count_past(tx: RawTransaction, number: str | None) -> None:
    """Raise the number counter past a restored case's number, so intake never hands it out again."""
    found = PRINTED_NUMBER.fullmatch(number or "")
    if found:
        tx.execute(RAISE_COUNTER, {"prefix": found[1], "year": int(found[2]), "last": int(found[3])})


def _refuse_taken_ids(tx: RawTransaction, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if [column.name for column in table.primary_key.columns] != ["id"] or not rows:
        return
    marks = ", ".join(f":i{n}" for n in range(len(rows)))
    taken = tx.one(f'SELECT id FROM "{table.name}" WHERE id IN ({marks})',
                   {f"i{n}": row["id"] for n, row in enumerate(rows)})
    if taken is not None:
        raise InvalidData(f"{table.name}.id", f"id {taken[0]} is held by another row of {table.name} here")


def _continue_sequences(db: Database, tables: CaseTables) -> None:
    """PostgreSQL: ids handed out after a restore come after the restored ones."""
    with db.write() as tx:
        for table in tables.tables:
            if "id" not in table.c:
                continue
            sequence = tx.one("SELECT pg_get_serial_sequence(:table, 'id')", {"table": table.name})[0]
            if sequence:
                tx.execute(f'SELECT setval(:sequence, greatest((SELECT max(id) FROM "{table.name}"), '
                           f"(SELECT last_value FROM {sequence})))", {"sequence": sequence})
