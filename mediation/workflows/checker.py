"""Soundness checks for a workflow definition and its policy."""

from __future__ import annotations

import re
from collections import deque

from mediation.workflows.calendar import DAY_COUNTS
from mediation.workflows.definition import FieldSpec, WorkflowDefinition
from mediation.workflows.effects import EFFECTS
from mediation.workflows.guards import GUARDS
from mediation.workflows.machine import transition_guards
from mediation.workflows.refusals import placeholders, refusal_words

ROLES = frozenset({"grid_worker", "mediator", "police", "department", "court", "supervisor", "admin", "system"})
REQUIRED_POLICY_KEYS = (
    "deadlines",
    "escalation_ladder",
    "return_visits",
    "judicial_confirmation",
    "key_case_orders",
    "referrals",
    "limits",
    "categories",
    "channels",
)
FIELD_TYPES = frozenset({
    "text", "enum", "category", "risk_level", "boolean", "username", "unit_code", "unit_codes",
    "party_id", "party_ids", "case_id", "list", "date", "datetime", "ruling_number",
    "short_text", "id", "integer", "id_number", "phone", "ethnicity", "sha256", "object", "objects",
})


def check_definition(definition: WorkflowDefinition) -> list[str]:
    """Every problem found, each a sentence naming the trigger, state or key; empty when sound."""
    problems: list[str] = []
    states = set(definition.states)
    if definition.initial not in states:
        problems.append(f"initial state '{definition.initial}' is not defined")
    for key in REQUIRED_POLICY_KEYS:
        if key not in definition.policy:
            problems.append(f"policy key '{key}' is missing")
    for trigger in definition.triggers.values():
        if not trigger.roles:
            problems.append(f"trigger '{trigger.name}' has no roles")
        problems += [f"trigger '{trigger.name}' names unknown role '{r}'" for r in trigger.roles if r not in ROLES]
        problems += _check_fields(trigger.name, trigger.fields)
        if not trigger.transitions:
            problems.append(f"trigger '{trigger.name}' has no transitions")
        for spec in trigger.transitions:
            for state in (spec.source, spec.dest):
                if state is not None and state not in states:
                    problems.append(f"trigger '{trigger.name}' names unknown state '{state}'")
            problems += [f"trigger '{trigger.name}' uses unknown guard '{g}'" for g in spec.guards if g not in GUARDS]
            problems += [
                f"trigger '{trigger.name}' uses unknown effect '{e}'" for e in spec.effects if e not in EFFECTS
            ]
    for name in definition.critical_allows:
        if name not in definition.triggers:
            problems.append(f"risk_overlay.critical_allows names unknown trigger '{name}'")
    problems += _check_graph(definition)
    problems += _check_deadlines(definition)
    problems += _check_day_counts(definition.policy)
    problems += _check_refusal_words(definition)
    problems += _check_report_back(definition)
    return problems


def _check_fields(trigger: str, fields: tuple[FieldSpec, ...], within: str = "") -> list[str]:
    """Unknown field types, and objects without fields, at any depth."""
    problems = []
    for spec in fields:
        name = within + spec.name
        if spec.type not in FIELD_TYPES:
            problems.append(f"trigger '{trigger}' field '{name}' has unknown type '{spec.type}'")
        if spec.type in ("object", "objects"):
            if not spec.fields:
                problems.append(f"trigger '{trigger}' field '{name}' lists no fields")
            problems += _check_fields(trigger, spec.fields, name + ".")
    return problems


def _check_graph(definition: WorkflowDefinition) -> list[str]:
    edges: dict[str, set[str]] = {state: set() for state in definition.states}
    for trigger in definition.triggers.values():
        for spec in trigger.transitions:
            if spec.dest is not None and spec.source in edges:
                edges[spec.source].add(spec.dest)
    reached = {definition.initial}
    queue = deque([definition.initial])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in reached:
                reached.add(nxt)
                queue.append(nxt)
    problems = [f"state '{s}' is unreachable from '{definition.initial}'" for s in definition.states if s not in reached]
    problems += [
        f"open state '{s}' has no way out"
        for s in definition.open_states
        if not (edges.get(s, set()) - {s})
    ]
    return problems


def _check_deadlines(definition: WorkflowDefinition) -> list[str]:
    problems = []
    for name, rule in (definition.policy.get("deadlines") or {}).items():
        scopes = [rule.get("state"), rule.get("stage")] + list(rule.get("states") or [])
        unknown = [s for s in scopes if s and s not in definition.states and s not in definition.stage_labels]
        if unknown or not definition.deadline_states(rule):
            problems.append(f"policy deadline '{name}' guards unknown or no states: {unknown or 'none'}")
        action = rule.get("action")
        if action not in ("remind", "supervise") and action not in definition.triggers:
            problems.append(f"policy deadline '{name}' has unknown action '{action}'")
        elif action in definition.triggers and "system" not in definition.triggers[action].roles:
            problems.append(f"policy deadline '{name}' fires '{action}', which the system role may not fire")
        after = rule.get("after") or {}
        if not ({"days", "working_days", "hours"} & set(after)):
            problems.append(f"policy deadline '{name}' needs after: {{days: N}} or {{working_days: N}}")
    return problems


def _check_day_counts(policy: dict) -> list[str]:
    """Every period in days says how it is counted (`count`, DESIGN §9.1); no other duration has a count."""
    periods = {f"deadline '{name}' {key}": rule.get(key) for name, rule in (policy.get("deadlines") or {}).items()
               for key in ("after", "extension") if isinstance(rule.get(key), dict)}
    schedule = (policy.get("return_visits") or {}).get("schedule") or []
    periods.update({f"return_visits.schedule[{i}]": entry for i, entry in enumerate(schedule)})
    periods["judicial_confirmation.window"] = (policy.get("judicial_confirmation") or {}).get("window")
    problems = []
    for where, period in periods.items():
        if not isinstance(period, dict):
            continue
        count = period.get("count")
        if "days" in period and count not in DAY_COUNTS:
            problems.append(f"policy {where} needs count: {' or '.join(DAY_COUNTS)} beside days, not {count!r}")
        elif "days" not in period and count is not None:
            problems.append(f"policy {where} has a count but no days")
    return problems


PLACEHOLDER = re.compile(r"\{[^{}]*\}")
LATIN = re.compile(r"[A-Za-z_]+")


def _check_refusal_words(definition: WorkflowDefinition) -> list[str]:
    """Every code a guard of a transition may refuse with has zh and en words, placeholders that guard
    fills, and Chinese without Latin words or code names (DESIGN §9.1)."""
    words = refusal_words(definition)
    used = {name for trigger in definition.triggers.values() for spec in trigger.transitions
            for name in transition_guards(definition, spec) if name in GUARDS}
    problems = [f"guards: words for unknown guard '{name}'" for name in words if name not in GUARDS]
    for name in sorted(used):
        for code, filled in getattr(GUARDS[name], "refusal_codes", {}).items():
            texts = (words.get(name) or {}).get(code)
            texts = texts if isinstance(texts, dict) else {}
            for lang in ("zh", "en"):
                text = texts.get(lang)
                if not isinstance(text, str) or not text.strip():
                    problems.append(f"guard '{name}' refusal '{code}' has no {lang} text")
                    continue
                problems += [f"guard '{name}' refusal '{code}' ({lang}) names '{{{p}}}', which the guard does not fill"
                             for p in sorted(placeholders(text) - set(filled))]
                latin = LATIN.findall(PLACEHOLDER.sub("", text)) if lang == "zh" else []
                if latin:
                    problems.append(f"guard '{name}' refusal '{code}' (zh) has Latin words or code names: {latin}")
    return problems


RESOLVED = "closed.resolved"
REPORT_BACK_GUARD = "outcome_reported"


def _check_report_back(definition: WorkflowDefinition) -> list[str]:
    """Policy `report_back_channels` names known channels; while it names any, every transition that closes a
    case as resolved waits for the outcome to be told to the complainant (闭环, DESIGN §9.2)."""
    channels = definition.policy.get("report_back_channels")
    if channels is None:
        return []
    if not isinstance(channels, list):
        return ["policy report_back_channels must be a list of channels"]
    known = definition.policy.get("channels") or {}
    problems = [f"policy report_back_channels names unknown channel '{name}'" for name in channels if name not in known]
    if channels:
        problems += [f"trigger '{trigger.name}' closes a case as resolved without the guard '{REPORT_BACK_GUARD}' "
                     "that policy report_back_channels asks for"
                     for trigger in definition.triggers.values() for spec in trigger.transitions
                     if spec.dest == RESOLVED and REPORT_BACK_GUARD not in transition_guards(definition, spec)]
    return problems
