"""Mermaid state diagrams of a workflow, whole or one stage."""

from __future__ import annotations

from mediation.workflows.definition import WorkflowDefinition, stage_of


def _node(state: str) -> str:
    return state.replace(".", "__")


def mermaid(definition: WorkflowDefinition, *, stage: str | None = None, lang: str = "zh",
            highlight: str | None = None) -> str:
    """A `stateDiagram-v2` of the workflow (or of the transitions touching one stage)."""
    lines = ["stateDiagram-v2"]
    shown: set[str] = set()
    edges: dict[tuple[str, str], list[str]] = {}
    for trigger in definition.triggers.values():
        for spec in trigger.transitions:
            if spec.dest is None:
                continue
            if stage and stage not in (stage_of(spec.source), stage_of(spec.dest)):
                continue
            edges.setdefault((spec.source, spec.dest), [])
            if trigger.name not in edges[(spec.source, spec.dest)]:
                edges[(spec.source, spec.dest)].append(trigger.name)
            shown.update((spec.source, spec.dest))
    for state in definition.states:
        if state in shown:
            label = definition.states[state].get(lang) or state
            lines.append(f'    state "{label} ({state})" as {_node(state)}')
    if definition.initial in shown:
        lines.append(f"    [*] --> {_node(definition.initial)}")
    for (source, dest), triggers in edges.items():
        lines.append(f"    {_node(source)} --> {_node(dest)}: {', '.join(triggers)}")
    for state in shown:
        if state.startswith("closed."):
            lines.append(f"    {_node(state)} --> [*]")
    if highlight in shown:
        lines.append("    classDef current fill:#fde68a,stroke:#b45309,stroke-width:3px")
        lines.append(f"    class {_node(highlight)} current")
    return "\n".join(lines) + "\n"
