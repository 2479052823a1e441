"""What changed between two versions of a workflow, grouped by section, in a policy author's words.

`diff_definitions(old, new)` compares states, triggers, roles, data fields, guards and effects of
each transition, the policy's deadlines, escalation ladder, limits and its other keys. Each change
has a stable `kind` (added / removed / changed), the `code` it concerns, its labels in zh and en,
and the values before and after; `diff_text.render` tells them as lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mediation.workflows.deadline_labels import DEADLINE_LABELS
from mediation.workflows.definition import (
    FieldSpec,
    TransitionSpec,
    TriggerSpec,
    WorkflowDefinition,
)
from mediation.workflows.field_labels import FIELD_LABELS
from mediation.workflows.rule_labels import (
    EFFECT_LABELS,
    GUARD_LABELS,
    POLICY_LABELS,
    ROLE_LABELS,
    label_of,
)

SECTIONS = ("states", "triggers", "roles", "fields", "transitions", "guards", "effects", "deadlines", "ladder",
            "limits", "policy")
ADDED, REMOVED, CHANGED = "added", "removed", "changed"
DEADLINE_ASPECTS = ("after", "count", "action", "states", "extension", "from", "when", "notify")
FIELD_ASPECTS = ("type", "required", "values", "roles", "kind", "future", "past", "max_length")
OWN_SECTIONS = ("deadlines", "escalation_ladder", "limits")
PERIOD_UNITS = {"days", "working_days", "hours"}


@dataclass(frozen=True)
class Change:
    """One difference: what (`section`, `code`, labels), how (`kind`, `aspect`) and the values around it."""

    section: str
    kind: str
    code: str
    label: dict[str, str]
    before: Any = None
    after: Any = None
    aspect: str | None = None  # what of the thing changed: "label", "after", "type", "to", …
    within: str | None = None  # the trigger (or trigger and state) the thing belongs to
    within_label: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class _Collector:
    old: WorkflowDefinition
    new: WorkflowDefinition
    changes: list[Change] = field(default_factory=list)

    def add(self, section: str, kind: str, code: str, label: dict[str, str], **rest: Any) -> None:
        self.changes.append(Change(section, kind, code, label, **rest))

    def state_label(self, state: str) -> dict[str, str]:
        return dict(self.new.states.get(state) or self.old.states.get(state) or {"zh": state, "en": state})


def diff_definitions(old: WorkflowDefinition, new: WorkflowDefinition) -> list[Change]:
    """Every change from `old` to `new`, by section in SECTIONS order; none for identical definitions."""
    found = _Collector(old, new)
    _states(found)
    _triggers(found)
    _deadlines(found)
    _ladder(found)
    _policy(found, "limits", old.policy.get("limits") or {}, new.policy.get("limits") or {}, prefix="limits.")
    for key in dict.fromkeys([*old.policy, *new.policy]):
        if key not in OWN_SECTIONS:
            _policy(found, "policy", {key: old.policy.get(key)}, {key: new.policy.get(key)}, prefix="")
    order = {section: index for index, section in enumerate(SECTIONS)}
    return sorted(found.changes, key=lambda change: order[change.section])


def _keyed(old: dict, new: dict) -> tuple[list, list, list]:
    """Keys only in new, only in old, and in both (each in its definition's order)."""
    return ([key for key in new if key not in old], [key for key in old if key not in new],
            [key for key in new if key in old])


def _states(found: _Collector) -> None:
    added, removed, both = _keyed(found.old.states, found.new.states)
    for state in added:
        found.add("states", ADDED, state, found.state_label(state), aspect="triggers",
                  after=[name for name, trigger in found.new.triggers.items() if state in trigger.sources])
    for state in removed:
        found.add("states", REMOVED, state, found.state_label(state), aspect="triggers",
                  before=[name for name, trigger in found.old.triggers.items() if state in trigger.sources])
    for state in both:
        if found.old.states[state] != found.new.states[state]:
            found.add("states", CHANGED, state, found.state_label(state), aspect="label",
                      before=found.old.states[state], after=found.new.states[state])


def _triggers(found: _Collector) -> None:
    added, removed, both = _keyed(found.old.triggers, found.new.triggers)
    for name in added:
        found.add("triggers", ADDED, name, dict(found.new.triggers[name].labels))
    for name in removed:
        found.add("triggers", REMOVED, name, dict(found.old.triggers[name].labels))
    for name in both:
        before, after = found.old.triggers[name], found.new.triggers[name]
        labels = dict(after.labels)
        if before.labels != after.labels:
            found.add("triggers", CHANGED, name, labels, aspect="label", before=before.labels, after=after.labels)
        if before.roles != after.roles:
            found.add("roles", CHANGED, name, labels, aspect="roles", before=list(before.roles), after=list(after.roles))
        _fields(found, name, labels, before.fields, after.fields, prefix="")
        _sets(found, "effects", EFFECT_LABELS, before.effects, after.effects, within=name, within_label=labels)
        _transitions(found, before, after)


def _fields(found: _Collector, trigger: str, labels: dict, old: tuple[FieldSpec, ...], new: tuple[FieldSpec, ...],
            *, prefix: str) -> None:
    olds, news = {spec.name: spec for spec in old}, {spec.name: spec for spec in new}
    added, removed, both = _keyed(olds, news)
    where = {"within": trigger, "within_label": labels}
    for name in added:
        found.add("fields", ADDED, prefix + name, _field_label(name), after=_field_summary(news[name]), **where)
    for name in removed:
        found.add("fields", REMOVED, prefix + name, _field_label(name), before=_field_summary(olds[name]), **where)
    for name in both:
        for aspect in FIELD_ASPECTS:
            before, after = getattr(olds[name], aspect), getattr(news[name], aspect)
            if before != after:
                found.add("fields", CHANGED, prefix + name, _field_label(name), aspect=aspect,
                          before=_plain(before), after=_plain(after), **where)
        _fields(found, trigger, labels, olds[name].fields, news[name].fields, prefix=f"{prefix}{name}.")


def _field_label(name: str) -> dict[str, str]:
    return dict(FIELD_LABELS.get(name) or {"zh": name, "en": name})


def _field_summary(spec: FieldSpec) -> dict[str, Any]:
    return {"type": spec.type, "required": spec.required, **({"values": list(spec.values)} if spec.values else {})}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _routes(trigger: TriggerSpec) -> dict[str, list[TransitionSpec]]:
    routes: dict[str, list[TransitionSpec]] = {}
    for transition in trigger.transitions:
        routes.setdefault(transition.source, []).append(transition)
    return routes


def _transitions(found: _Collector, old: TriggerSpec, new: TriggerSpec) -> None:
    """Per source state: where the trigger leads, and the guards and own effects of each way."""
    before, after = _routes(old), _routes(new)
    added, removed, both = _keyed(before, after)
    new_states = set(found.new.states) - set(found.old.states)
    gone_states = set(found.old.states) - set(found.new.states)
    for source in (source for source in added if source not in new_states):
        found.add("transitions", ADDED, f"{new.name}@{source}", found.state_label(source), aspect="to",
                  after=[way.dest for way in after[source]], within=new.name, within_label=dict(new.labels))
    for source in (source for source in removed if source not in gone_states):
        found.add("transitions", REMOVED, f"{new.name}@{source}", found.state_label(source), aspect="to",
                  before=[way.dest for way in before[source]], within=new.name, within_label=dict(new.labels))
    for source in both:
        ways_before, ways_after = before[source], after[source]
        where = {"within": f"{new.name}@{source}", "within_label": _at(new, found.state_label(source))}
        dests_before, dests_after = [way.dest for way in ways_before], [way.dest for way in ways_after]
        if dests_before != dests_after:
            found.add("transitions", CHANGED, f"{new.name}@{source}", found.state_label(source), aspect="to",
                      before=dests_before, after=dests_after, within=new.name, within_label=dict(new.labels))
        pairs = (list(zip(ways_before, ways_after)) if len(ways_before) == len(ways_after)
                 else [(_merged(ways_before), _merged(ways_after))])
        for way_before, way_after in pairs:
            _sets(found, "guards", GUARD_LABELS, way_before.guards, way_after.guards, **where)
            own_before = tuple(e for e in way_before.effects if e not in old.effects)
            own_after = tuple(e for e in way_after.effects if e not in new.effects)
            _sets(found, "effects", EFFECT_LABELS, own_before, own_after, **where)


def _at(trigger: TriggerSpec, state_label: dict[str, str]) -> dict[str, str]:
    """A transition named by its trigger and source state."""
    return {lang: f"{trigger.labels.get(lang, trigger.name)}（{state_label.get(lang, '')}）" if lang == "zh"
            else f"{trigger.labels.get(lang, trigger.name)} (from {state_label.get(lang, '')})"
            for lang in ("zh", "en")}


def _merged(ways: list[TransitionSpec]) -> TransitionSpec:
    """Several ways from one state as one: every guard and effect of any of them."""
    return TransitionSpec(ways[0].trigger, ways[0].source, None,
                          tuple(dict.fromkeys(g for way in ways for g in way.guards)),
                          tuple(dict.fromkeys(e for way in ways for e in way.effects)))


def _sets(found: _Collector, section: str, table: dict, before: tuple, after: tuple, **where: Any) -> None:
    for code in after:
        if code not in before:
            found.add(section, ADDED, code, label_of(table, code), **where)
    for code in before:
        if code not in after:
            found.add(section, REMOVED, code, label_of(table, code), **where)


def _deadlines(found: _Collector) -> None:
    old, new = found.old.policy.get("deadlines") or {}, found.new.policy.get("deadlines") or {}
    added, removed, both = _keyed(old, new)
    for kind in added:
        found.add("deadlines", ADDED, kind, label_of(DEADLINE_LABELS, kind), after=_deadline(found.new, new[kind]))
    for kind in removed:
        found.add("deadlines", REMOVED, kind, label_of(DEADLINE_LABELS, kind), before=_deadline(found.old, old[kind]))
    for kind in both:
        before, after = _deadline(found.old, old[kind]), _deadline(found.new, new[kind])
        for aspect in DEADLINE_ASPECTS:
            if aspect == "states" and set(before["states"]) == set(after["states"]):
                continue  # the same states, listed in another order
            if before.get(aspect) != after.get(aspect):
                found.add("deadlines", CHANGED, kind, label_of(DEADLINE_LABELS, kind), aspect=aspect,
                          before=before.get(aspect), after=after.get(aspect))


def _deadline(definition: WorkflowDefinition, rule: dict[str, Any]) -> dict[str, Any]:
    """A deadline's aspects as compared: its period without `count`, `count` apart, the states it guards."""
    period = dict(rule.get("after") or {})
    count = period.pop("count", None)
    guarded = definition.deadline_states(rule)
    return {"after": period, "count": count, "action": rule.get("action"),
            "states": [state for state in definition.states if state in guarded], "extension": rule.get("extension"),
            "from": rule.get("from"), "when": rule.get("when"), "notify": rule.get("notify")}


def _ladder(found: _Collector) -> None:
    old = {rung.get("level"): rung for rung in found.old.policy.get("escalation_ladder") or ()}
    new = {rung.get("level"): rung for rung in found.new.policy.get("escalation_ladder") or ()}
    added, removed, both = _keyed(old, new)
    for level in added:
        found.add("ladder", ADDED, level, _rung_label(new[level]),
                  after={"attempts": new[level].get("attempts"), "position": list(new).index(level) + 1})
    for level in removed:
        found.add("ladder", REMOVED, level, _rung_label(old[level]), before={"attempts": old[level].get("attempts")})
    for level in both:
        for aspect in ("attempts", "labels"):
            if old[level].get(aspect) != new[level].get(aspect):
                found.add("ladder", CHANGED, level, _rung_label(new[level]), aspect=aspect,
                          before=old[level].get(aspect), after=new[level].get(aspect))
    kept_old, kept_new = [level for level in old if level in new], [level for level in new if level in old]
    if kept_old != kept_new:
        found.add("ladder", CHANGED, "order", {"zh": "化解层级顺序", "en": "Order of the ladder"}, aspect="order",
                  before=[_rung_label(old[level]) for level in kept_old],
                  after=[_rung_label(new[level]) for level in kept_new])


def _rung_label(rung: dict[str, Any]) -> dict[str, str]:
    level = str(rung.get("level"))
    return dict(rung.get("labels") or {"zh": level, "en": level})


def _policy(found: _Collector, section: str, old: Any, new: Any, *, prefix: str) -> None:
    """Policy values compared key by key (mappings opened up), each change named by its dotted path."""
    for key in dict.fromkeys([*old, *new]):
        path = f"{prefix}{key}"
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict) and not _whole(before) and not _whole(after):
            _policy(found, section, before, after, prefix=f"{path}.")
            continue
        kind = ADDED if key not in old or before is None else REMOVED if key not in new or after is None else CHANGED
        found.add(section, kind, path, _policy_label(path, after if _labelled(after) else before), before=before,
                  after=after)


def _whole(value: Any) -> bool:
    """A value compared whole rather than key by key: a code's labels, or a period ({days: 5})."""
    return _labelled(value) or (isinstance(value, dict) and bool(PERIOD_UNITS & set(value)))


def _labelled(value: Any) -> bool:
    """A code's labels (`{zh: 邻里纠纷, en: …}`): compared whole, and naming the code."""
    return isinstance(value, dict) and isinstance(value.get("zh"), str)


def _policy_label(path: str, value: Any) -> dict[str, str]:
    """The path's own label, else its nearest labelled parent's followed by the code's labels (a category's,
    a role's) or the rest of the path."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        labels = POLICY_LABELS.get(".".join(parts[:end]))
        if labels:
            rest = ".".join(parts[end:])
            named = value if _labelled(value) else {
                lang: " · ".join(label_of({**ROLE_LABELS, **POLICY_LABELS}, part)[lang] for part in parts[end:])
                for lang in ("zh", "en")}
            return {lang: f"{text} · {named.get(lang, rest)}" if rest else text for lang, text in labels.items()}
    return {"zh": path, "en": path}
