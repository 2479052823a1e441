"""A party's row (DESIGN §9.2): inserted at intake or by `add_party`, corrected by `correct_party`.

Plain SQL on the engine's transaction (it never commits); fields are named as trigger data names them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from mediation.db import RawTransaction

# A party's fields (as trigger data names them) and their columns; `organisation` is two columns.
PARTY_COLUMNS = (
    "name", "role", "id_number", "phone", "is_minor", "gender", "ethnicity", "birth_date", "occupation", "address",
    "language", "needs_interpreter", "organisation_name", "legal_representative",
)
BOOLEAN_PARTY_COLUMNS = frozenset({"is_minor", "needs_interpreter"})


def party_columns(tx: RawTransaction, fields: dict[str, Any]) -> dict[str, Any]:
    """The columns of a party's fields (trigger data or intake): the organisation split, the birth date a date."""
    values = {name: value for name, value in fields.items() if name not in ("organisation", "birth_date")}
    if "organisation" in fields:
        organisation = fields["organisation"] or {}
        values["organisation_name"] = organisation.get("name")
        values["legal_representative"] = organisation.get("legal_representative")
    if fields.get("birth_date") is not None:
        values["birth_date"] = tx.day(date.fromisoformat(str(fields["birth_date"])))
    return values


def insert_party(tx: RawTransaction, case_id: int, fields: dict[str, Any]) -> int:
    """A new party row of the case; its id."""
    values = {column: None for column in PARTY_COLUMNS} | party_columns(tx, fields)
    for column in BOOLEAN_PARTY_COLUMNS:
        values[column] = bool(values[column])
    marks = ", ".join(f":{column}" for column in PARTY_COLUMNS)
    statement = f"INSERT INTO parties (case_id, {', '.join(PARTY_COLUMNS)}) VALUES (:case_id, {marks}) RETURNING id"
    return tx.one(statement, {"case_id": case_id, **values})[0]


def _as_data(column: str, value: Any) -> Any:
    if column in BOOLEAN_PARTY_COLUMNS:
        return bool(value)
    return value.isoformat() if isinstance(value, date) else value


def correct_party(tx: RawTransaction, case_id: int, party_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Set the party's given fields; returns their previous values (as trigger data names them)."""
    values = party_columns(tx, fields)
    columns = list(values)
    found = tx.one(f"SELECT {', '.join(columns)} FROM parties WHERE id = :id AND case_id = :case_id",
                   {"id": party_id, "case_id": case_id})
    previous = {column: _as_data(column, old) for column, old in zip(columns, found)}
    if "organisation_name" in previous:
        previous["organisation"] = {"name": previous.pop("organisation_name"),
                                    "legal_representative": previous.pop("legal_representative")}
    assignments = ", ".join(f"{column} = :{column}" for column in columns)
    tx.execute(f"UPDATE parties SET {assignments} WHERE id = :id", {"id": party_id, **values})
    return previous

