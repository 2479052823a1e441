"""Mermaid state diagrams of a workflow, whole or one stage, and the steps out of a state in words.

For developers (the API, `workflows graph`) a state is shown with its code beside its label and an
arrow with its trigger codes; for readers (the case page, `codes=False`) only the labels of the
reader's language are shown, so a Chinese page shows Chinese words only.
"""

from __future__ import annotations

from mediation.workflows.definition import WorkflowDefinition, stage_of

CURRENT_STYLE = "fill:#fde68a,stroke:#b45309,stroke-width:3px,font-weight:bold"


def _node(state: str) -> str:
    return state.replace(".", "__")


def _text(value: str) -> str:
    """A label as Mermaid reads it: no quotes, colons or semicolons, which end or split a statement."""
    return value.replace('"', "'").replace(";", "；").replace(":", "：").replace("\n", " ")


def _label(labels: dict[str, str] | None, lang: str, fallback: str) -> str:
    labels = labels or {}
    return labels.get(lang) or labels.get("zh") or fallback


def _edges(definition: WorkflowDefinition, stage: str | None) -> dict[tuple[str, str], list[str]]:
    """(source, dest) -> the triggers moving a case that way, of the stage when one is given."""
    edges: dict[tuple[str, str], list[str]] = {}
    for trigger in definition.triggers.values():
        for spec in trigger.transitions:
            if spec.dest is None or (stage and stage not in (stage_of(spec.source), stage_of(spec.dest))):
                continue
            names = edges.setdefault((spec.source, spec.dest), [])
            if trigger.name not in names:
                names.append(trigger.name)
    return edges


def mermaid(definition: WorkflowDefinition, *, stage: str | None = None, lang: str = "zh",
            highlight: str | None = None, codes: bool = True) -> str:
    """A top-down `stateDiagram-v2` of the workflow (or of the transitions touching one stage);
    `codes=False` leaves the codes out of the labels (for a page people read). Drawn once per
    definition and choice (a definition does not change once stored)."""
    return definition.told("mermaid", (stage, lang, highlight, codes),
                           lambda: _draw(definition, stage, lang, highlight, codes))


def _draw(definition: WorkflowDefinition, stage: str | None, lang: str, highlight: str | None, codes: bool) -> str:
    edges = _edges(definition, stage)
    shown = {state for pair in edges for state in pair}
    lines = ["stateDiagram-v2", "    direction TB"]
    for state in definition.states:
        if state in shown:
            label = _text(_label(definition.states[state], lang, state))
            lines.append(f'    state "{label} ({state})" as {_node(state)}' if codes
                         else f'    state "{label}" as {_node(state)}')
    if definition.initial in shown:
        lines.append(f"    [*] --> {_node(definition.initial)}")
    for (source, dest), triggers in edges.items():
        names = triggers if codes else [_text(_label(definition.triggers[name].labels, lang, name)) for name in triggers]
        lines.append(f"    {_node(source)} --> {_node(dest)}: {('、' if not codes else ', ').join(names)}")
    for state in sorted(shown):
        if state.startswith("closed."):
            lines.append(f"    {_node(state)} --> [*]")
    if highlight in shown:
        lines.append(f"    classDef current {CURRENT_STYLE}")
        lines.append(f"    class {_node(highlight)} current")
    return "\n".join(lines) + "\n"


def next_steps(definition: WorkflowDefinition, state: str, lang: str = "zh") -> list[tuple[str, str]]:
    """The moves out of `state` in the reader's words: (trigger label, the state it leads to). Told once per
    definition, state and language, like the diagram (the list is shared: read it, do not change it)."""
    return definition.told("next_steps", (state, lang), lambda: _next_steps(definition, state, lang))


def _next_steps(definition: WorkflowDefinition, state: str, lang: str) -> list[tuple[str, str]]:
    steps: list[tuple[str, str]] = []
    for trigger in definition.triggers.values():
        for spec in trigger.transitions:
            if spec.source != state or spec.dest is None:
                continue
            step = (_label(trigger.labels, lang, trigger.name), _label(definition.states.get(spec.dest), lang,
                                                                       spec.dest))
            if step not in steps:
                steps.append(step)
    return steps
