"""Form controls for a trigger's `object` and `objects` fields (DESIGN §9.2), and their posted values.

An object (a party's organisation) is its fields side by side, named `data.organisation.name`.
A list of objects is rows of them, `data.participants[0].name`; the rows of a list whose
objects name a party (a session's statements) are one per party of the case, the party fixed
in a hidden input. Rows left empty are left out of the data, so a form without its script
(static web/rows.js adds rows) offers a few empty ones to fill.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mediation.cases.read_models import CaseDetail
from mediation.web.i18n import Words
from mediation.workflows.definition import FieldSpec

if TYPE_CHECKING:
    from mediation.web.forms import FormField

EMPTY_ROWS = 2  # rows offered for a list of objects besides those already filled
MAX_ROWS = 50
ROW_INDEX = re.compile(r"\[(\d{1,2})\]\.")


def _sub_label(words: Words, parent: str, name: str) -> str:
    """`organisation_name` where the words have it ("单位名称"), else the sub-field's own name."""
    combined = f"{parent}_{name}"
    label = words.field(combined)
    return label if label != combined else words.field(name)


def object_control(made: FormField, spec: FieldSpec, words: Words, case: CaseDetail,
                   make_field: Callable[[FieldSpec], FormField], raw: Any) -> None:
    """Make `made` the control of an object or a list of objects, holding `raw` (what was posted)."""
    if spec.type == "object":
        made.control = "object"
        made.subfields = [make_field(replace(sub, name=f"{spec.name}.{sub.name}")) for sub in spec.fields]
        for sub, own in zip(made.subfields, spec.fields):
            sub.label = _sub_label(words, spec.name, own.name)
            sub.value = raw.get(own.name) if isinstance(raw, dict) else None
        return
    posted = [row for row in raw if isinstance(row, dict)] if isinstance(raw, list) else []
    party_field = next((sub for sub in spec.fields if sub.type == "party_id"), None)
    if party_field is not None:
        made.control = "statements"
        by_party = {str(row.get(party_field.name)): row for row in posted}
        for i, party in enumerate(case.parties):
            row = _row(made, spec, words, make_field, i, by_party.get(str(party.id), {}))
            for cell in row:
                if cell.name.endswith(f".{party_field.name}"):
                    cell.control, cell.value = "hidden", str(party.id)
                else:
                    cell.label = words.t("statement_of", name=party.name)
            made.rows.append(row)
        return
    made.control = "rows"
    if raw is None and spec.name == "participants":  # a fresh record: those the case file knows of, to confirm
        posted = _known_participants(case, words)
    for i, row in enumerate(posted + [{}] * EMPTY_ROWS):
        made.rows.append(_row(made, spec, words, make_field, i, row))


def _known_participants(case: CaseDetail, words: Words) -> list[dict[str, str]]:
    """The mediator and the participants recorded on the case (interpreter, co-mediators ...), as rows."""
    known = [{"name": case.mediator.name, "role": words.value("mediator")}] if case.mediator else []
    return known + [{"name": str(p.get("name") or ""), "role": words.value(str(p.get("role") or ""))}
                    for p in (case.progress or {}).get("participants") or [] if isinstance(p, dict)]


def _row(made: FormField, spec: FieldSpec, words: Words, make_field: Callable[[FieldSpec], FormField],
         index: int, values: dict[str, Any]) -> list[FormField]:
    """One row's fields, named `field[index].sub`, labelled "参加人员 1 · 姓名", holding `values`."""
    cells = []
    for sub in spec.fields:
        cell = make_field(replace(sub, name=f"{spec.name}[{index}].{sub.name}", required=False))
        cell.label = f"{made.label} {index + 1} · {_sub_label(words, spec.name, sub.name)}"
        cell.value = values.get(sub.name)
        cells.append(cell)
    return cells


def object_value(spec: FieldSpec, form: Any, scalar: Callable[[FieldSpec, str], Any]) -> tuple[Any, Any]:
    """(the field's data, or None when left empty; what was posted, to show again)."""
    if spec.type == "object":
        raw = {sub.name: _text(form.get(f"data.{spec.name}.{sub.name}")) for sub in spec.fields}
        data = _filled(spec, raw, scalar)
        return (data or None), raw
    prefix = f"data.{spec.name}["
    indexes = sorted({int(found.group(1)) for key in form.keys() if key.startswith(prefix)
                      and (found := ROW_INDEX.match(key, len(prefix) - 1))})[:MAX_ROWS]
    rows = [{sub.name: _text(form.get(f"{prefix}{i}].{sub.name}")) for sub in spec.fields} for i in indexes]
    kept = [row for row in rows if _has_content(spec, row)]  # row i of the data is row i shown again
    return ([_filled(spec, row, scalar) for row in kept] or None), kept


def _has_content(spec: FieldSpec, row: dict[str, str]) -> bool:
    """A row counts when something besides its fixed party was typed in."""
    return any(row.get(sub.name, "").strip() for sub in spec.fields if sub.type != "party_id")


def _filled(spec: FieldSpec, raw: dict[str, str], scalar: Callable[[FieldSpec, str], Any]) -> dict[str, Any]:
    return {sub.name: scalar(sub, raw[sub.name]) for sub in spec.fields if raw.get(sub.name, "").strip()}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
