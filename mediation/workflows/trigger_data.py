"""Check a trigger's data against its field specs: types, required fields, lengths.

Lookups that need the database (usernames, unit codes, case ids) are returned for the
engine to resolve in its transaction; nothing here does I/O.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from mediation.errors import InvalidData
from mediation.workflows.definition import FieldSpec, TriggerSpec

RULING_NUMBER = re.compile(r"^[（(]\d{4}[)）].{1,40}\d+号$")
LOOKUP_TYPES = frozenset({"username", "unit_code", "unit_codes", "case_id"})
MAX_LIST_ITEMS = 50
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL


def checked_text(where: str, value: Any, limit: int, *, required: bool) -> str:
    """Text input trimmed; InvalidData naming `where` when not text, empty, too long or with control characters."""
    if not isinstance(value, str):
        raise InvalidData(where, "must be a string")
    value = value.strip()
    if CONTROL_CHARACTERS.search(value):
        raise InvalidData(where, "must not contain control characters")
    if required and not value:
        raise InvalidData(where, "must not be empty")
    if len(value) > limit:
        raise InvalidData(where, f"longer than {limit} characters")
    return value


def _text(spec: FieldSpec, value: Any, limit: int) -> str:
    return checked_text(f"data.{spec.name}", value, limit, required=spec.required)


def _integer(spec: FieldSpec, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise InvalidData(f"data.{spec.name}", f"must be an id between 1 and {MAX_ID}")
    return value


def _string_list(spec: FieldSpec, value: Any, limit: int) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_LIST_ITEMS:
        raise InvalidData(f"data.{spec.name}", f"must be a list of at most {MAX_LIST_ITEMS} strings")
    items = [_text(FieldSpec(f"{spec.name}[{i}]", "text", True), item, limit) for i, item in enumerate(value)]
    if spec.values:
        unknown = sorted(set(items) - set(spec.values))
        if unknown:
            raise InvalidData(f"data.{spec.name}", f"unknown values {unknown}; allowed: {list(spec.values)}")
    return items


def _one_of(spec: FieldSpec, value: Any, allowed: list[str] | tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidData(f"data.{spec.name}", f"must be one of {list(allowed)}")
    return value


def _clean(spec: FieldSpec, value: Any, policy: dict[str, Any], risk_levels: tuple[str, ...]) -> Any:
    limits = policy["limits"]
    kind = spec.type
    if kind == "text":
        return _text(spec, value, limits["text_max_length"])
    if kind in ("username", "unit_code", "ruling_number"):
        text = _text(spec, value, limits["short_text_max_length"])
        if kind == "ruling_number" and not RULING_NUMBER.match(text):
            raise InvalidData(f"data.{spec.name}", "must look like (2026)浙0324民特123号")
        return text
    if kind == "enum":
        return _one_of(spec, value, spec.values)
    if kind == "category":
        return _one_of(spec, value, list(policy["categories"]))
    if kind == "risk_level":
        return _one_of(spec, value, risk_levels)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise InvalidData(f"data.{spec.name}", "must be true or false")
        return value
    if kind in ("party_id", "case_id"):
        return _integer(spec, value)
    if kind == "party_ids":
        if not isinstance(value, list) or not value or len(value) > MAX_LIST_ITEMS:
            raise InvalidData(f"data.{spec.name}", "must be a non-empty list of party ids")
        return [_integer(spec, item) for item in value]
    if kind in ("list", "unit_codes"):
        return _string_list(spec, value, limits["short_text_max_length"])
    if kind == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except (TypeError, ValueError):
            raise InvalidData(f"data.{spec.name}", "must be a date like 2026-12-31") from None
    if kind == "datetime":
        try:
            return datetime.fromisoformat(value).isoformat()
        except (TypeError, ValueError):
            raise InvalidData(f"data.{spec.name}", "must be a date-time like 2026-12-31T09:30:00") from None
    raise InvalidData(f"data.{spec.name}", f"field type '{kind}' is not supported")


def clean_trigger_data(
    trigger: TriggerSpec, data: Any, policy: dict[str, Any], risk_levels: tuple[str, ...]
) -> dict[str, Any]:
    """The trigger's data, typed and trimmed; raises InvalidData naming the field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidData("data", "must be an object")
    specs = trigger.fields_by_name
    if not specs.keys() >= data.keys():
        unknown = sorted(set(data) - set(specs))
        raise InvalidData(f"data.{unknown[0]}", f"unknown field for trigger '{trigger.name}'")
    cleaned: dict[str, Any] = {}
    for name, spec in specs.items():
        value = data.get(name)
        if value is None:
            if spec.required:
                raise InvalidData(f"data.{name}", "is required")
            continue
        cleaned[name] = _clean(spec, value, policy, risk_levels)
    return cleaned
