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
from mediation.cases.refusal_texts import blocked_triggers
from mediation.db import Database
from mediation.directory.queries import assignable_users, units_of_kind
from mediation.errors import InvalidData
from mediation.web.form_objects import object_control, object_value
from mediation.web.i18n import Words
from mediation.workflows.definition import FieldSpec, TriggerSpec, WorkflowDefinition
from mediation.workflows.particulars import ETHNICITIES

CORRECTIONS = frozenset({"correct_party"})  # triggers whose fields change what is there; empty means unchanged
# Triggers a party takes part in once: the progress list of those who did; the form offers the others.
ONCE_PER_PARTY = {"record_consent": "consents", "sign": "signatures"}
PREFILLED = {"triage": ("category", "risk_level")}  # fields a trigger's form starts with as the case has them
ALL_PARTIES = frozenset({"applicants"})  # party lists that must name every party: they start all ticked
LONG_TEXT = frozenset({"reason", "terms", "summary", "notes", "description", "text", "findings", "content"})


@dataclass
class FormField:
    name: str  # the field's path in the trigger's data: `place`, `organisation.name`, `participants[0].role`
    label: str
    control: str  # text, textarea, select, checkbox, checkboxes, number, date, datetime-local, lines,
    #               hidden, object (subfields), rows (a list of objects), statements (one object a party)
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: Any = None  # what the user entered (kept after an error)
    error: str | None = None
    subfields: list[FormField] = field(default_factory=list)  # an object's fields
    rows: list[list[FormField]] = field(default_factory=list)  # a list of objects: each row's fields

    @property
    def input_id(self) -> str:
        return "f-" + self.name.replace("[", "-").replace("].", "-").replace(".", "-")

    @property
    def input_name(self) -> str:
        return f"data.{self.name}"

    def find(self, path: str) -> FormField | None:
        """This field or one inside it, by its path in the data."""
        if path == self.name:
            return self
        inner = self.subfields + [sub for row in self.rows for sub in row]
        return next((found for sub in inner if (found := sub.find(path)) is not None), None)


@dataclass
class TriggerForm:
    trigger: str
    label: str
    fields: list[FormField]
    error: str | None = None
    open: bool = False
    blocked: str | None = None  # why no input can make it succeed now (the button is disabled)


def _users(db: Database, roles: tuple[str, ...], county_prefix: str) -> list[tuple[str, str]]:
    with db.snapshot() as tx:
        users = assignable_users(tx, roles, county_prefix)
    return [(name, f"{display}（{name}）") for name, display in users]


def _units(db: Database, kind: str | None) -> list[tuple[str, str]]:
    with db.snapshot() as tx:
        units = units_of_kind(tx, kind)
    return [(code, f"{name}（{code}）") for code, name in units]


SIMPLE_CONTROLS = {"short_text": "text", "id_number": "text", "phone": "text", "integer": "number", "id": "number",
                   "case_id": "number", "boolean": "checkbox", "date": "date", "datetime": "datetime-local"}


def form_field(spec: FieldSpec, words: Words, definition: WorkflowDefinition, case: CaseDetail,
               db: Database, county_prefix: str, raw: Any = None) -> FormField:
    """The control of one field of a trigger's data, holding `raw` (what was posted, shown again)."""
    made = FormField(spec.name, words.field(spec.name), SIMPLE_CONTROLS.get(spec.type, "text"), spec.required,
                     value=raw)
    kind = spec.type
    parties = [(str(p.id), f"{p.name}（{words.value(p.role)}）") for p in case.parties]
    if kind == "text":
        made.control = "textarea" if spec.name.rsplit(".", 1)[-1] in LONG_TEXT else "text"
    elif kind in ("object", "objects"):
        made.value = None
        object_control(made, spec, words, case,
                       lambda sub: form_field(sub, words, definition, case, db, county_prefix), raw)
    elif kind in ("enum", "ethnicity", "category", "risk_level", "party_id", "username", "unit_code"):
        made.control, made.choices = "select", _choices(spec, words, definition, parties, db, county_prefix)
    elif kind == "party_ids":
        made.control, made.choices = "checkboxes", parties
    elif kind in ("list", "unit_codes"):
        if spec.values:
            categories = definition.policy["categories"]
            made.control = "checkboxes"
            made.choices = [(v, words.label(categories.get(v), words.value(v))) for v in spec.values]
        else:
            made.control = "lines"
    return made


def _choices(spec: FieldSpec, words: Words, definition: WorkflowDefinition, parties: list[tuple[str, str]],
             db: Database, county_prefix: str) -> list[tuple[str, str]]:
    """The choices of a select: codes with their labels in the reader's words."""
    kind = spec.type
    if kind == "enum":
        return [(v, words.value(v)) for v in spec.values]
    if kind == "ethnicity":
        return [(name, name) for name in ETHNICITIES]
    if kind == "category":
        return [(code, words.label(labels, code)) for code, labels in definition.policy["categories"].items()]
    if kind == "risk_level":
        return [(v, words.value(v)) for v in definition.risk_levels]
    if kind == "party_id":
        return parties
    if kind == "username":
        return _users(db, spec.roles, county_prefix)
    return _units(db, spec.kind)


def trigger_form(spec: TriggerSpec, words: Words, definition: WorkflowDefinition, case: CaseDetail,
                 db: Database, county_prefix: str, raw: dict[str, Any] | None = None) -> TriggerForm:
    """A trigger's form; `raw` holds what was posted when it is shown again after a refusal."""
    fresh = not raw
    raw = raw or {}
    fields = [form_field(f, words, definition, case, db, county_prefix, raw.get(f.name)) for f in spec.fields]
    _offer_only_what_can_succeed(spec.name, fields, case)
    if fresh:
        _prefill(spec.name, fields, case)
    if spec.name in CORRECTIONS:  # a correction may set a yes/no back to no: unchanged, yes or no
        for made in fields:
            if made.control == "checkbox":
                made.control, made.choices = "select", [("true", words.t("yes")), ("false", words.t("no"))]
    return TriggerForm(trigger=spec.name, label=words.label(spec.labels, spec.name), fields=fields)


def _offer_only_what_can_succeed(trigger: str, fields: list[FormField], case: CaseDetail) -> None:
    """Leave out the parties who already did what the trigger records once, and a mediator who signed."""
    progress = case.progress or {}
    done = {str(p) for p in progress.get(ONCE_PER_PARTY.get(trigger, ""), ())}
    for made in fields:
        if made.name == "party_id" and done:
            made.choices = [(code, text) for code, text in made.choices if code not in done]
        if trigger == "sign" and made.name == "signer" and progress.get("mediator_signed"):
            made.choices = []


def _prefill(trigger: str, fields: list[FormField], case: CaseDetail) -> None:
    """A fresh form starts with what is known: triage with intake's category and risk, applicants all ticked."""
    for made in fields:
        if made.name in PREFILLED.get(trigger, ()):
            made.value = getattr(case, made.name, None)
        elif made.name in ALL_PARTIES and made.control == "checkboxes":
            made.value = [code for code, _ in made.choices]


def mark_blocked(trigger_forms: list[TriggerForm], words: Words, db: Database, case_id: int, now: datetime) -> None:
    """Mark the forms of triggers no input can make succeed now, with the reason in the reader's words."""
    blocked = blocked_triggers(db, case_id, [form.trigger for form in trigger_forms], now)
    for form in trigger_forms:
        if form.trigger in blocked:
            form.blocked = blocked[form.trigger][words.lang]
            form.fields = []


def form_values(spec: TriggerSpec, form: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(data for the engine, raw values to show again); empty inputs are left out of data."""
    data: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    for f in spec.fields:
        name = f"data.{f.name}"
        if f.type in ("object", "objects"):
            value, raw[f.name] = object_value(f, form, _scalar)
            if value is not None:
                data[f.name] = value
            continue
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
            if value:  # a checkbox sends "true" when ticked; a correction's select "true" or "false"
                data[f.name] = value != "false"
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        data[f.name] = _scalar(f, value)
    _refuse_control_characters(spec, raw)
    return data, raw


def _scalar(spec: FieldSpec, value: str) -> Any:
    """A posted text as the engine takes the field: ids and counts as numbers, a local time as ISO text."""
    if spec.type in ("party_id", "case_id", "id", "integer"):
        return _as_int(value)
    if spec.type == "boolean":
        return value != "false"
    if spec.type == "datetime":
        return _local_datetime(value)
    if spec.type in ("list", "unit_codes"):
        return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]
    return value


class UnreadableField(InvalidData):
    """A posted field holds a NUL, or a control character where a code or a name belongs."""

    def __init__(self, field: str, reason: str, raw: dict[str, Any]) -> None:
        super().__init__(field, reason)
        self.raw = raw  # the values to show again, without the refused characters


def _refuse_control_characters(spec: TriggerSpec, raw: dict[str, Any]) -> None:
    """UnreadableField for the first field holding what `control_characters` refuses."""
    for f, path, value in _posted(spec.fields, raw, ""):
        one_line = f.type != "text" or f.name in control_characters.ONE_LINE_FIELDS
        texts = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        if f.type in ("list", "unit_codes") and isinstance(value, str):
            texts = value.splitlines() or [value]  # the "lines" control: a code a line
        reason = next(filter(None, (control_characters.refusal(text, one_line=one_line)
                                    for text in texts if isinstance(text, str))), None)
        if reason:
            shown = {name: _shown(value) for name, value in raw.items()}
            raise UnreadableField(f"data.{path}", reason, shown)


def _posted(fields: tuple[FieldSpec, ...], raw: dict[str, Any], parent: str) -> Any:
    """(spec, path, posted value) of each field, the fields of objects and of each row included."""
    for f in fields:
        value = raw.get(f.name)
        path = f"{parent}{f.name}"
        if f.type == "object" and isinstance(value, dict):
            yield from _posted(f.fields, value, f"{path}.")
        elif f.type == "objects" and isinstance(value, list):
            for i, row in enumerate(value):
                yield from _posted(f.fields, row if isinstance(row, dict) else {}, f"{path}[{i}].")
        else:
            yield f, path, value


def _shown(value: Any) -> Any:
    """A posted value as the form shows it again: without any control character but line breaks."""
    if isinstance(value, list):
        return [_shown(item) for item in value]
    if isinstance(value, dict):
        return {key: _shown(item) for key, item in value.items()}
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
