"""Why a case waits on a person (DESIGN §9.3): the reasons of my work's queue, each written once as SQL.

A reason is a condition on one case (`cases c`) and the SELECT of the case ids it holds, read through
the index that fits it. The whole queue is the union of the SELECTs (`my_work._queue`); a long queue
is walked in deadline order and each case tested against the conditions (`my_work._long_queue_page`).
The rules themselves are listed in `mediation.cases.my_work`'s docstring.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from mediation.db import RawTransaction, escape_like
from mediation.directory.actors import Actor
from mediation.workflows.definition import WorkflowDefinition

ASSIGNED, ORDER_OWNER, AWAITING_ME = 0, 1, 2  # a reason's rank: a case's first reason is the one shown
NOT_A_DEADLINE = "order_due_soon"  # the reminder before an order's deadline, not a deadline
HIGH_RISK = ("high", "critical")
CO_MEDIATING_ROLES = frozenset({"mediator", "police", "supervisor"})  # their unit's shared cases wait on them


class Reason(NamedTuple):
    """One reason a case is in the queue: its rank, its condition on `cases c`, and the SELECT of `case_id`
    of the cases it holds (when not given: the cases that meet the condition)."""

    rank: int
    condition: str
    select: str = ""

    def selected(self) -> str:
        return self.select or f"SELECT c.id AS case_id FROM cases c WHERE {self.condition}"


def waiting_states(definition: WorkflowDefinition, role: str) -> dict[str, list[str]]:
    """States in which the role may fire a trigger (in workflow order), with those triggers. A trigger
    fired in every open state (a note, a risk change) is no work the case waits on. Worked out once per
    definition and role (the answer is shared: read it only)."""
    return definition.told("waiting_states", role, lambda: _waiting_states(definition, role))


def _waiting_states(definition: WorkflowDefinition, role: str) -> dict[str, list[str]]:
    open_states = set(definition.open_states)
    work = [(spec.name, spec.sources) for spec in definition.triggers.values()
            if role in spec.roles and not open_states <= set(spec.sources)]
    waiting: dict[str, list[str]] = {}
    for state in definition.states:
        names = [name for name, sources in work if state in sources]
        if names:
            waiting[state] = names
    return waiting


def reasons(tx: RawTransaction, definition: WorkflowDefinition, actor: Actor, params: dict[str, Any]) -> list[Reason]:
    """Every reason a case may wait on the actor, with their parameters added to `params`."""
    params.update(work_no=False)
    subtree = _subtree(tx, actor, params)
    found = [
        Reason(ASSIGNED, "c.mediator_id = :me AND c.stage <> :work_closed"),
        Reason(ORDER_OWNER, "EXISTS (SELECT 1 FROM orders o WHERE o.case_id = c.id AND o.owner_id = :me)",
               "SELECT o.case_id FROM orders o WHERE o.owner_id = :me"),
    ]
    for role in ("court", "department"):
        if role in actor.roles:
            column = "court_id" if role == "court" else "department_id"
            found.append(Reason(AWAITING_ME, f"c.{column} = :work_unit AND "
                                             f"{_in_states(role, list(waiting_states(definition, role)), params)}"))
    for role in ("mediator", "police"):
        if role in actor.roles:
            screening = [s for s in waiting_states(definition, role) if s.startswith(definition.initial.split(".")[0])]
            # `+` keeps SQLite off the mediator index (most closed cases have no mediator either): the subtree's is narrower
            found.append(Reason(AWAITING_ME, f"{subtree} AND +c.mediator_id IS NULL AND "
                                             f"{_in_states(role, screening, params)}"))
    if "supervisor" in actor.roles:
        found += _supervisor_reasons(definition, subtree, params)
    if "grid_worker" in actor.roles:
        found.append(Reason(AWAITING_ME, f"{subtree} AND c.created_by = :me AND "
                                         f"{_in_states('grid', list(waiting_states(definition, 'grid_worker')), params)}"))
    if actor.roles & CO_MEDIATING_ROLES:
        found.append(Reason(
            AWAITING_ME, "EXISTS (SELECT 1 FROM case_shares s WHERE s.case_id = c.id AND s.unit_id = :work_unit)",
            "SELECT s.case_id FROM case_shares s WHERE s.unit_id = :work_unit"))
    return found


def _supervisor_reasons(definition: WorkflowDefinition, subtree: str, params: dict[str, Any]) -> list[Reason]:
    """A supervisor's waiting cases in the subtree: overdue, high risk not yet key, escalated."""
    replace = definition.triggers.get("replace_mediator")
    params.update(work_high0=HIGH_RISK[0], work_high1=HIGH_RISK[1])
    overdue = Reason(
        AWAITING_ME,
        f"{subtree} AND EXISTS (SELECT 1 FROM deadlines od WHERE od.case_id = c.id AND od.status = 'pending' "
        f"AND od.due_at < :work_now AND od.kind <> '{NOT_A_DEADLINE}')",
        "SELECT dl.case_id FROM deadlines dl CROSS JOIN cases c WHERE c.id = dl.case_id AND dl.status = 'pending' "
        f"AND dl.due_at < :work_now AND dl.kind <> '{NOT_A_DEADLINE}' AND c.stage <> :work_closed AND {subtree}")
    high_risk = Reason(AWAITING_ME, "c.risk_level IN (:work_high0, :work_high1) AND c.key_case = :work_no "
                                    f"AND c.stage <> :work_closed AND {subtree}")
    escalated = Reason(AWAITING_ME, "c.ladder_level > 0 AND "
                                    f"{_in_states('replace', list(replace.sources) if replace else [], params)} "
                                    f"AND {subtree}")
    return [overdue, high_risk, escalated]


def _subtree(tx: RawTransaction, actor: Actor, params: dict[str, Any]) -> str:
    """SQL (over `cases c`) for the cases of the actor's unit subtree (the reach clause's test).

    On SQLite a range on the path comes first: its LIKE cannot use the reach index and a range can
    (paths compare byte by byte there). PostgreSQL compares text by its collation, so it has the LIKE alone.
    """
    if actor.unit_path == "/":
        return "1 = 0"
    params.update(work_path=escape_like(actor.unit_path) + "%")
    like = "c.unit_path LIKE :work_path ESCAPE '\\'"
    if not tx.is_sqlite or not actor.unit_path.endswith("/"):
        return like
    params.update(work_from=actor.unit_path, work_to=actor.unit_path[:-1] + chr(ord("/") + 1))
    return f"c.unit_path >= :work_from AND c.unit_path < :work_to AND {like}"


def _in_states(prefix: str, states: list[str], params: dict[str, Any]) -> str:
    """`c.state IN (…)` with its parameters named after `prefix`; false when there are none."""
    names = {f"work_{prefix}_state{i}": state for i, state in enumerate(states)}
    params.update(names)
    return f"c.state IN ({', '.join(':' + name for name in names)})" if names else "1 = 0"


def any_of(conditions: list[str]) -> str:
    """The conditions joined by OR; false when there are none."""
    return "(" + " OR ".join(f"({condition})" for condition in conditions) + ")" if conditions else "1 = 0"
