"""Trigger forms derived from the workflow definition: field specs in, form fields out, and back.

Each field spec of a trigger (DESIGN §4) becomes one form control: its input type, its
choices and its required mark come from the spec; what the browser posts is turned back
into the trigger's `data` for the engine, which validates it (InvalidData names the field).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mediation import control_characters
from mediation.cases.read_models import CaseDetail
from mediation.db import Database
from mediation.directory.queries import assignable_users, units_of_kind
from mediation.errors import InvalidData
from mediation.web.i18n import Words
from mediation.workflows.definition import FieldSpec, TriggerSpec, WorkflowDefinition

LONG_TEXT = frozenset({"reason", "terms", "summary", "notes", "description"})


@dataclass
class FormField:
    name: str
    label: str
    control: str  # text, textarea, select, checkbox, checkboxes, number, date, datetime-local, lines
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: Any = None  # what the user entered (kept after an error)
    error: str | None = None

    @property
    def input_id(self) -> str:
        return f"f-{self.name}"


@dataclass
class TriggerForm:
    trigger: str
    label: str
    fields: list[FormField]
    error: str | None = None
    open: bool = False


def _users(db: Database, roles: tuple[str, ...], county_prefix: str) -> list[tuple[str, str]]:
    with db.snapshot() as tx:
        users = assignable_users(tx, roles, county_prefix)
    return [(name, f"{display}（{name}）") for name, display in users]


def _units(db: Database, kind: str | None) -> list[tuple[str, str]]:
    with db.snapshot() as tx:
        units = units_of_kind(tx, kind)
    return [(code, f"{name}（{code}）") for code, name in units]


def form_field(spec: FieldSpec, words: Words, definition: WorkflowDefinition, case: CaseDetail,
               db: Database, county_prefix: str) -> FormField:
    made = FormField(spec.name, words.field(spec.name), "text", spec.required)
    kind = spec.type
    if kind == "text":
        made.control = "textarea" if spec.name in LONG_TEXT else "text"
    elif kind == "enum":
        made.control, made.choices = "select", [(v, words.value(v)) for v in spec.values]
    elif kind == "category":
        made.control = "select"
        made.choices = [(code, words.label(labels, code)) for code, labels in definition.policy["categories"].items()]
    elif kind == "risk_level":
        made.control, made.choices = "select", [(v, words.value(v)) for v in definition.risk_levels]
    elif kind == "boolean":
        made.control = "checkbox"
    elif kind == "party_id":
        made.control = "select"
        made.choices = [(str(p.id), f"{p.name}（{words.value(p.role)}）") for p in case.parties]
    elif kind == "party_ids":
        made.control = "checkboxes"
        made.choices = [(str(p.id), f"{p.name}（{words.value(p.role)}）") for p in case.parties]
    elif kind == "case_id":
        made.control = "number"
    elif kind == "date":
        made.control = "date"
    elif kind == "datetime":
        made.control = "datetime-local"
    elif kind == "username":
        made.control, made.choices = "select", _users(db, spec.roles, county_prefix)
    elif kind == "unit_code":
        made.control, made.choices = "select", _units(db, spec.kind)
    elif kind in ("list", "unit_codes"):
        if spec.values:
            categories = definition.policy["categories"]
            made.control = "checkboxes"
            made.choices = [(v, words.label(categories.get(v), words.value(v))) for v in spec.values]
        else:
            made.control = "lines"
    return made


def trigger_form(spec: TriggerSpec, words: Words, definition: WorkflowDefinition, case: CaseDetail,
                 db: Database, county_prefix: str) -> TriggerForm:
    return TriggerForm(
        trigger=spec.name,
        label=words.label(spec.labels, spec.name),
        fields=[form_field(f, words, definition, case, db, county_prefix) for f in spec.fields],
    )


def form_values(spec: TriggerSpec, form: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(data for the engine, raw values to show again); empty inputs are left out of data."""
    data: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    for f in spec.fields:
        name = f"data.{f.name}"
        if f.type in ("party_ids",) or (f.type in ("list", "unit_codes") and f.values):
            values = [v for v in form.getall(name, []) if v and isinstance(v, str)]
            raw[f.name] = values
            if values:
                data[f.name] = [_as_int(v) for v in values] if f.type == "party_ids" else values
            continue
        value = form.get(name)
        if value is not None and not isinstance(value, str):  # a file where text belongs
            value = ""
        raw[f.name] = value
        if f.type == "boolean":
            if value:
                data[f.name] = True
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if f.type in ("party_id", "case_id"):
            data[f.name] = _as_int(value)
        elif f.type == "datetime":
            data[f.name] = _local_datetime(value)
        elif f.type in ("list", "unit_codes"):
            data[f.name] = [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]
        else:
            data[f.name] = value
    _refuse_control_characters(spec, raw)
    return data, raw


class UnreadableField(InvalidData):
    """A posted field holds a NUL, or a control character where a code or a name belongs."""

    def __init__(self, field: str, reason: str, raw: dict[str, Any]) -> None:
        super().__init__(field, reason)
        self.raw = raw  # the values to show again, without the refused characters


def _refuse_control_characters(spec: TriggerSpec, raw: dict[str, Any]) -> None:
    """UnreadableField for the first field holding what `control_characters` refuses."""
    for f in spec.fields:
        one_line = f.type != "text" or f.name in control_characters.ONE_LINE_FIELDS
        value = raw.get(f.name)
        texts = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        if f.type in ("list", "unit_codes") and isinstance(value, str):
            texts = value.splitlines() or [value]  # the "lines" control: a code a line
        reason = next(filter(None, (control_characters.refusal(text, one_line=one_line) for text in texts)), None)
        if reason:
            shown = {name: _shown(value) for name, value in raw.items()}
            raise UnreadableField(f"data.{f.name}", reason, shown)


def _shown(value: Any) -> Any:
    """A posted value as the form shows it again: without any control character but line breaks."""
    if isinstance(value, list):
        return [_shown(item) for item in value]
    if not isinstance(value, str):
        return value
    return "\n".join(control_characters.without_refused(line, one_line=True) for line in value.split("\n"))


def _as_int(value: str) -> int | str:
    """An id as a number; anything else goes to the engine as it is (and is refused there)."""
    text = value.strip()
    return int(text) if text.isdigit() and len(text) < 12 else text


def _local_datetime(value: str) -> str:
    """`datetime-local` gives 2026-12-31T09:30: the engine takes ISO text."""
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        return value
