"""Check a trigger's data against its field specs: types, required fields, lengths, dates ahead.

Lookups that need the database (usernames, unit codes, case ids) are returned for the
engine to resolve in its transaction; nothing here does I/O. Resident ID numbers are checked
here too (GB 11643), for intake and for any party field.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from mediation.clock import utcnow
from mediation.errors import InvalidData
from mediation.workflows.calendar import CHINA_OFFSET, china_today
from mediation.workflows.definition import FieldSpec, TriggerSpec
from mediation.workflows.particulars import ETHNICITIES, PHONE

RULING_NUMBER = re.compile(r"^[（(]\d{4}[)）].{1,40}\d+号$")
LOOKUP_TYPES = frozenset({"username", "unit_code", "unit_codes", "case_id"})
MAX_LIST_ITEMS = 50
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL
ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")  # ASCII digits only (\d takes any script's)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643: weight of each of the first 17
ID_CHECK_CHARACTERS = "10X98765432"  # the check character by weighted sum mod 11
EARLIEST_BIRTH_YEAR = 1900
CHINA_TIME = timezone(CHINA_OFFSET)
SHA256 = re.compile(r"[0-9a-f]{64}")
# A moment that must not lie ahead (a session held) may be typed a little ahead of the server's clock.
PAST_GRACE = timedelta(minutes=10)


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


def id_check_character(first_17: str) -> str:
    """The GB 11643 check character of an ID number's first 17 digits."""
    return ID_CHECK_CHARACTERS[sum(int(digit) * weight for digit, weight in zip(first_17, ID_WEIGHTS)) % 11]


def checked_id_number(where: str, value: Any, today: date) -> str:
    """A resident ID number (居民身份证号), trimmed, `x` as `X`; InvalidData naming `where` unless it has
    18 characters, a real birth date not after `today` and the right GB 11643 check character."""
    text = value.strip().upper() if isinstance(value, str) else None
    if text is None or not ID_NUMBER.fullmatch(text):
        raise InvalidData(where, "must be an 18-character resident ID number")
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < EARLIEST_BIRTH_YEAR:
        raise InvalidData(where, "has no valid birth date (characters 7 to 14)")
    if born > today:
        raise InvalidData(where, "has a birth date in the future")
    if text[17] != id_check_character(text[:17]):
        raise InvalidData(where, "has a wrong check digit (GB 11643)")
    return text


def _text(spec: FieldSpec, value: Any, limit: int) -> str:
    return checked_text(f"data.{spec.name}", value, min(limit, spec.max_length or limit), required=spec.required)


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


def _day(spec: FieldSpec, value: Any, now: datetime | None) -> str:
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidData(f"data.{spec.name}", "must be a date like 2026-12-31") from None
    if spec.future and now is not None and day < china_today(now):
        raise InvalidData(f"data.{spec.name}", "must be today or later")
    if spec.past and now is not None and day > china_today(now):
        raise InvalidData(f"data.{spec.name}", "must not be in the future")
    return day.isoformat()


def _moment(spec: FieldSpec, value: Any, now: datetime | None) -> str:
    """A date-time in China time with its offset (+08:00); one given without an offset is China time
    already (what a person types)."""
    try:
        moment = datetime.fromisoformat(value)
        moment = moment.astimezone(CHINA_TIME) if moment.tzinfo is not None else moment.replace(tzinfo=CHINA_TIME)
    except (TypeError, ValueError, OverflowError):  # overflow: year 9999 in a zone west of China
        raise InvalidData(f"data.{spec.name}", "must be a date-time like 2026-12-31T09:30:00") from None
    if spec.future and now is not None and moment <= now.replace(tzinfo=timezone.utc):
        raise InvalidData(f"data.{spec.name}", "must be later than now")
    if spec.past and now is not None and moment > now.replace(tzinfo=timezone.utc) + PAST_GRACE:
        raise InvalidData(f"data.{spec.name}", "must not be in the future")
    return moment.isoformat()


def _count(spec: FieldSpec, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise InvalidData(f"data.{spec.name}", f"must be a whole number between 0 and {MAX_ID}")
    return value


def _object(spec: FieldSpec, value: Any, clean_one) -> dict[str, Any]:
    """An object of the spec's own fields, each cleaned like a trigger's field (named `field.sub`)."""
    if not isinstance(value, dict):
        raise InvalidData(f"data.{spec.name}", "must be an object")
    specs = {sub.name: sub for sub in spec.fields}
    unknown = sorted(set(value) - set(specs))
    if unknown:
        raise InvalidData(f"data.{spec.name}.{unknown[0]}", "unknown field")
    cleaned: dict[str, Any] = {}
    for name, sub in specs.items():
        item = value.get(name)
        if item is None:
            if sub.required:
                raise InvalidData(f"data.{spec.name}.{name}", "is required")
            continue
        cleaned[name] = clean_one(replace(sub, name=f"{spec.name}.{name}"), item)
    return cleaned


def _objects(spec: FieldSpec, value: Any, clean_one) -> list[dict[str, Any]]:
    if not isinstance(value, list) or len(value) > MAX_LIST_ITEMS:
        raise InvalidData(f"data.{spec.name}", f"must be a list of at most {MAX_LIST_ITEMS} objects")
    return [_object(replace(spec, name=f"{spec.name}[{i}]"), item, clean_one) for i, item in enumerate(value)]


def _particular(spec: FieldSpec, value: Any, now: datetime | None, limit: int) -> str:
    """A party's ID number, phone number or ethnicity (DESIGN §9.2)."""
    where = f"data.{spec.name}"
    if spec.type == "id_number":
        return checked_id_number(where, value, china_today(now or utcnow()))
    text = _text(spec, value, limit)
    if spec.type == "phone" and not PHONE.match(text):
        raise InvalidData(where, "must be an 11-digit mobile or a landline number")
    if spec.type == "ethnicity" and text not in ETHNICITIES:
        raise InvalidData(where, "must be one of the 56 nationalities by name, e.g. 汉族, 维吾尔族")
    if spec.type == "sha256" and not SHA256.fullmatch(text):
        raise InvalidData(where, "must be 64 lower-case hexadecimal characters")
    return text


def _clean(spec: FieldSpec, value: Any, policy: dict[str, Any], risk_levels: tuple[str, ...],
           now: datetime | None) -> Any:
    limits = policy["limits"]
    kind = spec.type
    if kind == "text":
        return _text(spec, value, limits["text_max_length"])
    if kind in ("short_text", "username", "unit_code", "ruling_number"):
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
    if kind in ("party_id", "case_id", "id"):
        return _integer(spec, value)
    if kind == "integer":
        return _count(spec, value)
    if kind in ("id_number", "phone", "ethnicity", "sha256"):
        return _particular(spec, value, now, limits["short_text_max_length"])
    if kind in ("object", "objects"):
        def clean_one(sub: FieldSpec, item: Any) -> Any:
            return _clean(sub, item, policy, risk_levels, now)
        return (_object if kind == "object" else _objects)(spec, value, clean_one)
    if kind == "party_ids":
        if not isinstance(value, list) or not value or len(value) > MAX_LIST_ITEMS:
            raise InvalidData(f"data.{spec.name}", "must be a non-empty list of party ids")
        return [_integer(spec, item) for item in value]
    if kind in ("list", "unit_codes"):
        return _string_list(spec, value, limits["short_text_max_length"])
    if kind == "date":
        return _day(spec, value, now)
    if kind == "datetime":
        return _moment(spec, value, now)
    raise InvalidData(f"data.{spec.name}", f"field type '{kind}' is not supported")


def clean_trigger_data(
    trigger: TriggerSpec, data: Any, policy: dict[str, Any], risk_levels: tuple[str, ...], *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The trigger's data, typed and trimmed; raises InvalidData naming the field.

    Fields marked `future` must lie ahead of `now` (the transition's moment, naive UTC): a date today
    or later in China, a date-time later than now. Without `now` (checking data alone) that rule waits.
    """
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
        cleaned[name] = _clean(spec, value, policy, risk_levels, now)
    return cleaned


def clean_fields(fields: tuple[FieldSpec, ...], values: dict[str, Any], policy: dict[str, Any], *,
                 now: datetime | None, where: str) -> dict[str, Any]:
    """The given (not None) `values` of these fields, cleaned as trigger data is; InvalidData names `where.field`."""
    cleaned: dict[str, Any] = {}
    for spec in fields:
        value = values.get(spec.name)
        if value is None:
            continue
        try:
            cleaned[spec.name] = _clean(spec, value, policy, (), now)
        except InvalidData as problem:
            raise InvalidData(f"{where}.{problem.field.removeprefix('data.')}", problem.reason) from None
    return cleaned
