"""Workflow definitions as plain data: what the YAML files say, parsed and resolved."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

OPEN = "open"
CLOSED = "closed"
SAME = "same"
T = TypeVar("T")


@dataclass(frozen=True)
class FieldSpec:
    """One field of a trigger's data."""

    name: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()
    kind: str | None = None  # unit_code: the unit kind required
    roles: tuple[str, ...] = ()  # username: the user must hold one of these roles
    future: bool = False  # date or datetime: must lie ahead of the transition (a date: today or later)
    past: bool = False  # date or datetime: must not lie ahead of the transition (a birth date, a session held)
    fields: tuple[FieldSpec, ...] = ()  # object and objects: the fields of each object
    max_length: int | None = None  # text: shorter than the policy's limit (the column it is stored in)


@dataclass(frozen=True)
class TransitionSpec:
    """One way a trigger can go from a source state."""

    trigger: str
    source: str
    dest: str | None  # None: internal transition, the state stays
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()


@dataclass(frozen=True)
class TriggerSpec:
    """A trigger: who may fire it, the data it takes, where it leads."""

    name: str
    labels: dict[str, str]
    roles: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    effects: tuple[str, ...]
    transitions: tuple[TransitionSpec, ...]
    via: str | None = None  # fired only by the server through this route (e.g. attachments)

    @cached_property
    def fields_by_name(self) -> dict[str, FieldSpec]:
        return {spec.name: spec for spec in self.fields}

    @property
    def sources(self) -> list[str]:
        seen: dict[str, None] = {}
        for transition in self.transitions:
            seen.setdefault(transition.source, None)
        return list(seen)


@dataclass
class WorkflowDefinition:
    """A whole workflow: states, triggers, the risk overlay and its policy."""

    name: str
    labels: dict[str, str]
    initial: str
    states: dict[str, dict[str, str]]  # "stage.state" -> labels
    stage_labels: dict[str, dict[str, str]]
    triggers: dict[str, TriggerSpec]
    critical_allows: frozenset[str]
    risk_levels: tuple[str, ...]
    policy: dict[str, Any]
    source: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def open_states(self) -> list[str]:
        return [s for s in self.states if not s.startswith(CLOSED + ".")]

    @property
    def closed_states(self) -> list[str]:
        return [s for s in self.states if s.startswith(CLOSED + ".")]

    def content_hash(self) -> str:
        """The hash that names this version of the definition."""
        canonical = json.dumps(self.source, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def deadline_states(self, rule: dict[str, Any]) -> frozenset[str]:
        """The states a policy deadline guards: one `state`, a whole `stage`, or a list of `states`."""
        if rule.get("state"):
            return frozenset([rule["state"]])
        if rule.get("stage"):
            return frozenset(s for s in self.states if stage_of(s) == rule["stage"])
        return frozenset(rule.get("states") or ())

    def deadline_rules(self) -> dict[str, tuple[dict[str, Any], frozenset[str]]]:
        """Policy deadlines by kind, with the states each guards (computed once)."""
        return self.told("deadline_rules", None, lambda: {
            kind: (rule, self.deadline_states(rule)) for kind, rule in (self.policy.get("deadlines") or {}).items()})

    def told(self, name: str, key: Hashable, make: Callable[[], T]) -> T:
        """What `make` gives, worked out once per definition, `name` and `key` (a definition does not change
        once parsed). The value is shared by every caller: read it, do not change it."""
        answers = self.__dict__.setdefault("_told", {})
        if (name, key) not in answers:
            answers[name, key] = make()
        return answers[name, key]


def stage_of(state: str) -> str:
    return state.split(".", 1)[0]


def parse_definition(workflow: dict[str, Any], policy: dict[str, Any]) -> WorkflowDefinition:
    """Turn the YAML documents into a definition; shape errors raise ValueError."""
    states: dict[str, dict[str, str]] = {}
    stage_labels: dict[str, dict[str, str]] = {}
    for stage, body in _mapping(workflow, "stages").items():
        stage_labels[stage] = dict(body.get("labels") or {})
        for state, labels in _mapping(body, "states", where=f"stage {stage}").items():
            states[f"{stage}.{state}"] = dict(labels or {})
    open_states = [s for s in states if not s.startswith(CLOSED + ".")]
    closed_states = [s for s in states if s.startswith(CLOSED + ".")]
    triggers = {
        name: _parse_trigger(name, body or {}, open_states, closed_states)
        for name, body in _mapping(workflow, "triggers").items()
    }
    overlay = workflow.get("risk_overlay") or {}
    return WorkflowDefinition(
        name=str(workflow.get("name") or ""),
        labels=dict(workflow.get("labels") or {}),
        initial=str(workflow.get("initial") or ""),
        states=states,
        stage_labels=stage_labels,
        triggers=triggers,
        critical_allows=frozenset(overlay.get("critical_allows") or ()),
        risk_levels=tuple(overlay.get("levels") or ()),
        policy=policy,
        source={"workflow": workflow, "policy": policy},
    )


def _parse_fields(data: dict | None) -> tuple[FieldSpec, ...]:
    return tuple(
        FieldSpec(
            name=field_name,
            type=str(spec.get("type", "text")),
            required=bool(spec.get("required", False)),
            values=tuple(spec.get("values") or ()),
            kind=spec.get("kind"),
            roles=tuple(spec.get("roles") or ()),
            future=bool(spec.get("future", False)),
            past=bool(spec.get("past", False)),
            fields=_parse_fields(spec.get("fields")),
            max_length=spec.get("max_length"),
        )
        for field_name, spec in (data or {}).items()
    )


def _parse_trigger(name: str, body: dict, open_states: list[str], closed: list[str]) -> TriggerSpec:
    fields = _parse_fields(body.get("data"))
    trigger_effects = tuple(body.get("effects") or ())
    transitions: list[TransitionSpec] = []
    for entry in body.get("transitions") or ():
        dest = entry.get("to")
        for source in _expand_sources(entry.get("from"), open_states, closed):
            transitions.append(
                TransitionSpec(
                    trigger=name,
                    source=source,
                    dest=None if dest == SAME else dest,
                    guards=tuple(entry.get("guards") or ()),
                    effects=tuple(entry.get("effects") or ()) + trigger_effects,
                )
            )
    return TriggerSpec(
        name=name,
        labels=dict(body.get("labels") or {}),
        roles=tuple(body.get("roles") or ()),
        fields=fields,
        effects=trigger_effects,
        transitions=tuple(transitions),
        via=body.get("via"),
    )


def _expand_sources(source: Any, open_states: list[str], closed: list[str]) -> list[str]:
    expanded: list[str] = []
    for item in source if isinstance(source, list) else [source]:
        if item == OPEN:
            expanded.extend(open_states)
        elif item == CLOSED:
            expanded.extend(closed)
        elif item is not None:
            expanded.append(str(item))
    return expanded


def _mapping(document: dict, key: str, *, where: str = "workflow") -> dict:
    value = document.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"{where}: '{key}' must be a mapping")
    return value
