"""Each trigger's request in the OpenAPI document, built from the current workflow definition at app start.

The server still reads a transition as one `TransitionRequest` whose `data` is an object, and the
engine checks that data against the case's own workflow version (DESIGN §3). These types only
tell a client which fields each trigger of the current version takes: `TransitionRequest` is
published as a union over `trigger`, each variant's `data` an object with that trigger's fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_type_hints

import msgspec
from litestar.openapi.spec import Discriminator, Reference, Schema
from litestar.params import KwargDefinition
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

from mediation import control_characters
from mediation.api.schemas import TransitionRequest
from mediation.workflows.definition import FieldSpec, TriggerSpec, WorkflowDefinition
from mediation.workflows.particulars import ETHNICITIES, PHONE
from mediation.workflows.trigger_data import (
    ID_NUMBER,
    MAX_ID,
    MAX_LIST_ITEMS,
    RULING_NUMBER,
    SHA256,
)

CHINA_TIME = "without an offset it is China time (UTC+8)"
ID_RANGE = {"ge": 1, "le": MAX_ID}
# What strict_body refuses (400) before the engine reads the data: a NUL in any text, any control
# character in a code or a name (mediation.control_characters).
FREE_TEXT = r"^[^\u0000]*$"
ONE_LINE_CHARACTER = r"[^\u0000-\u001f\u007f-\u009f]"
ONE_LINE = f"^{ONE_LINE_CHARACTER}*$"


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _description(spec: FieldSpec) -> str | None:
    """What the field takes beyond its JSON type, in the words of the workflow file."""
    notes = {
        "username": "a user's username" + (f", holding one of the roles {', '.join(spec.roles)}" if spec.roles else ""),
        "unit_code": "a unit's code" + (f" (a unit of kind {spec.kind})" if spec.kind else ""),
        "unit_codes": "units' codes",
        "case_id": "a case's id",
        "party_id": "the id of a party of the case",
        "party_ids": "ids of parties of the case",
        "ruling_number": "a court ruling number, e.g. (2026)浙0324民特123号",
        "date": "a date" + (", today or later (China time)" if spec.future else ""),
        "datetime": "a date and time, " + CHINA_TIME + ("; later than now" if spec.future else "")
                    + ("; not in the future" if spec.past else ""),
        "id_number": "a resident ID number (18 characters, GB 11643 check digit)",
        "ethnicity": "one of the 56 nationalities by name",
        "sha256": "a SHA-256 digest in hexadecimal",
    }
    if spec.type == "date" and spec.past:
        return "a date, not in the future (China time)"
    return notes.get(spec.type)


def _text(limit: int, pattern: str, *, required: bool) -> dict[str, Any]:
    return {"min_length": 1 if required else None, "max_length": limit, "pattern": pattern}


def _choice(values: tuple[str, ...] | list[str], fallback: Any) -> Any:
    return Literal[tuple(values)] if values else fallback  # type: ignore[valid-type]


def _field_type(spec: FieldSpec, definition: WorkflowDefinition, owner: str) -> tuple[Any, dict[str, Any]]:
    """The JSON shape the engine accepts for one field (mediation.workflows.trigger_data): a type, its constraints."""
    limits = definition.policy.get("limits") or {}
    long_text, short_text = limits.get("text_max_length"), limits.get("short_text_max_length")
    kind = spec.type
    characters = ONE_LINE if spec.name in control_characters.ONE_LINE_FIELDS else FREE_TEXT
    if kind in ("text", "short_text", "username", "unit_code"):
        limit = long_text if kind == "text" else short_text
        return str, _text(min(limit, spec.max_length or limit), characters, required=spec.required)
    patterns = {"id_number": f"^{ID_NUMBER.pattern}$", "phone": PHONE.pattern, "sha256": f"^{SHA256.pattern}$"}
    if kind in patterns:
        return str, {"pattern": patterns[kind]}
    if kind == "ethnicity":
        return _choice(ETHNICITIES, str), {}
    if kind in ("object", "objects"):
        item = _object_type(spec, definition, owner)
        return (item, {}) if kind == "object" else (list[item], {"max_items": MAX_LIST_ITEMS})  # type: ignore[valid-type]
    if kind == "ruling_number":  # its "any character" is one a code may hold
        return str, _text(short_text, RULING_NUMBER.pattern.replace(".", ONE_LINE_CHARACTER), required=spec.required)
    if kind in ("enum", "category", "risk_level"):
        values = {"enum": spec.values, "category": list(definition.policy.get("categories") or ()),
                  "risk_level": definition.risk_levels}[kind]
        return _choice(values, str), {}
    if kind in ("party_id", "case_id", "id"):
        return int, ID_RANGE
    if kind == "integer":
        return int, {"ge": 0, "le": MAX_ID}
    if kind == "party_ids":
        return list[Annotated[int, KwargDefinition(**ID_RANGE)]], {"min_items": 1, "max_items": MAX_LIST_ITEMS}
    if kind in ("list", "unit_codes"):
        item = _choice(spec.values, Annotated[str, KwargDefinition(**_text(short_text, characters, required=True))])
        return list[item], {"max_items": MAX_LIST_ITEMS}  # type: ignore[valid-type]
    plain = {"boolean": bool, "date": dt.date, "datetime": dt.datetime}
    # A field type this release does not know takes anything here; the engine answers 422 for it.
    return plain.get(kind, Any), {}


def _object_type(spec: FieldSpec, definition: WorkflowDefinition, owner: str) -> type[msgspec.Struct]:
    """The struct of an object field (or of each item of an objects field), named after its trigger and field."""
    name = f"{owner}{_pascal(spec.name)}"
    return msgspec.defstruct(name, [_data_field(sub, definition, name) for sub in spec.fields],
                             kw_only=True, forbid_unknown_fields=True, module=__name__)


def _data_field(spec: FieldSpec, definition: WorkflowDefinition, owner: str) -> tuple:
    base, constraints = _field_type(spec, definition, owner)
    kind = Annotated[base, KwargDefinition(**constraints, description=_description(spec))]
    # An optional field may be sent as null: the engine reads null as "not given".
    return (spec.name, kind) if spec.required else (spec.name, kind | None, None)


def _variant(trigger: TriggerSpec, definition: WorkflowDefinition) -> type[msgspec.Struct]:
    """`{trigger: <name>, expected_version?, data}` with the trigger's own data object."""
    name = _pascal(trigger.name)
    data = msgspec.defstruct(f"{name}TransitionData", [_data_field(spec, definition, name) for spec in trigger.fields],
                             kw_only=True, forbid_unknown_fields=True, module=__name__)
    required = any(spec.required for spec in trigger.fields)
    hints = get_type_hints(TransitionRequest, include_extras=True)
    return msgspec.defstruct(
        f"{name}Transition",
        [("expected_version", hints["expected_version"], None),
         ("data", data) if required else ("data", data, msgspec.field(default_factory=data))],
        kw_only=True, forbid_unknown_fields=True, tag_field="trigger", tag=trigger.name, module=__name__,
    )


def _variant_description(trigger: TriggerSpec) -> str:
    labels = " / ".join(label for label in (trigger.labels.get("zh"), trigger.labels.get("en")) if label)
    roles = ", ".join(trigger.roles) or "the system"
    return f"{labels}. Fired by {roles}; from {', '.join(trigger.sources) or 'no state'}."


class TransitionRequestSchemaPlugin(OpenAPISchemaPlugin):
    """`TransitionRequest` in the document: one variant per trigger of the current workflow, told apart by `trigger`."""

    def __init__(self, definition: WorkflowDefinition) -> None:
        self.triggers = definition.triggers
        self.variants = {name: _variant(trigger, definition) for name, trigger in definition.triggers.items()}

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is TransitionRequest

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema | Reference:
        registry = schema_creator.schema_registry
        union = registry.get_schema_for_field_definition(field_definition)
        union.title = "TransitionRequest"
        union.description = (f"{TransitionRequest.__doc__} The trigger names the variant; the triggers and their "
                             "data are those of the current workflow version (GET /api/v1/workflows/{name}).")
        union.one_of = [self._variant_schema(name, schema_creator) for name in self.variants]
        # Schema names are the variants' own: unique, so the registry keeps them as they are.
        union.discriminator = Discriminator(property_name="trigger", mapping={
            name: f"#/components/schemas/{variant.__name__}" for name, variant in self.variants.items()})
        return registry.get_reference_for_field_definition(field_definition)

    def _variant_schema(self, name: str, schema_creator: Any) -> Schema | Reference:
        reference = schema_creator.for_field_definition(FieldDefinition.from_annotation(self.variants[name]))
        schema_creator.schema_registry.from_reference(reference).schema.description = (
            _variant_description(self.triggers[name]))
        return reference
