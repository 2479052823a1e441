"""A guard's refusal in words, with the case's party names: for the engine's 422 and for the forms
that show, before anything is filled in, why a trigger cannot succeed now (DESIGN §9.1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mediation.cases import rows as case_rows
from mediation.db import Database, RawTransaction
from mediation.errors import Forbidden, GuardFailed, TransitionNotAllowed
from mediation.workflows.definition import WorkflowDefinition
from mediation.workflows.guards import GUARDS
from mediation.workflows.loader import current_definition
from mediation.workflows.machine import WorkflowMachine, transition_guards
from mediation.workflows.refusals import Refusal, render_refusal

LANGUAGES = ("zh", "en")
PARTY_NAMES_SQL = "SELECT id, name FROM parties WHERE case_id = :id"


def party_names(tx: RawTransaction, case_id: int) -> dict[int, str]:
    """The case's parties by id: what a refusal names them by."""
    return {party_id: name for party_id, name in tx.all(PARTY_NAMES_SQL, {"id": case_id})}


def refusal_reasons(definition: WorkflowDefinition, guard: str, refusal: Refusal,
                    names: dict[int, str]) -> dict[str, str]:
    """{zh, en}: the refusal in both languages (words of the shipped workflow for an older version)."""
    return {lang: render_refusal(definition, guard, refusal, lang, names, fallback=current_definition())
            for lang in LANGUAGES}


def guard_failed(definition: WorkflowDefinition, trigger: str, guard: str, refusal: Any,
                 names: dict[int, str]) -> GuardFailed:
    """The 422 of a refused trigger: `detail` in English, `extra` with the code, both languages, the values."""
    if not isinstance(refusal, Refusal):  # a guard of an older release answering with bare text
        return GuardFailed(trigger, guard, str(refusal))
    reasons = refusal_reasons(definition, guard, refusal, names)
    error = GuardFailed(trigger, guard, reasons["en"])
    values = {key: value.isoformat() if isinstance(value, (date, datetime)) else value
              for key, value in refusal.values.items() if key not in error.extra}
    error.extra.update(values, code=refusal.code, reasons=reasons)
    return error


def _trigger_label(definition: WorkflowDefinition, trigger: str, lang: str) -> str:
    spec = definition.triggers.get(trigger)
    return (spec.labels or {}).get(lang, trigger) if spec is not None else trigger


def _state_label(definition: WorkflowDefinition, state: str, lang: str) -> str:
    return (definition.states.get(state) or {}).get(lang, state)


def forbidden(definition: WorkflowDefinition, trigger: str, roles: list[str]) -> Forbidden:
    """The 403 of a trigger the caller's roles may not fire: `code` and both languages in `extra`."""
    error = Forbidden(f"your roles may not fire '{trigger}' on this case", trigger=trigger, roles=roles)
    error.extra.update(code="role_may_not_fire", reasons={
        "zh": f"您的角色不能对本案办理“{_trigger_label(definition, trigger, 'zh')}”",
        "en": f"Your roles may not do '{_trigger_label(definition, trigger, 'en')}' on this case"})
    return error


def not_allowed(definition: WorkflowDefinition, trigger: str, state: str, permitted: list[str]) -> TransitionNotAllowed:
    """The 409 of a trigger the case's state does not offer, naming what the caller may do instead."""
    error = TransitionNotAllowed(trigger, state, permitted)
    known = trigger in definition.triggers
    texts = {"zh": ("案件处于“{here}”，不能办理“{action}”", "没有名为“{trigger}”的办理事项", "；现在可以办理：{instead}", "、"),
             "en": ("In the state '{here}', '{action}' cannot be done", "There is no action '{trigger}'",
                    "; you may now: {instead}", ", ")}
    reasons = {}
    for lang, (refused, unknown, offered, separator) in texts.items():
        here, action = _state_label(definition, state, lang), _trigger_label(definition, trigger, lang)
        instead = separator.join(_trigger_label(definition, t, lang) for t in permitted)
        reasons[lang] = (refused if known else unknown).format(here=here, action=action, trigger=trigger) + (
            offered.format(instead=instead) if instead else "")
    error.extra.update(code="not_allowed_in_state" if known else "unknown_trigger", reasons=reasons)
    return error


def blocked_triggers(db: Database, case_id: int, triggers: list[str], now: datetime) -> dict[str, dict[str, str]]:
    """Of `triggers`, those no input can make succeed now, each with its refusal {zh, en}.

    Guards that do not read the trigger's data are judged on the case as the engine would; a
    trigger is blocked when every one of its transitions from the case's state has such a guard refusing.
    """
    with db.snapshot() as tx:
        row = case_rows.load_case(tx, case_id)
        if row is None:
            return {}
        machine = db.workflows.machine(row.workflow_version_id)
        case = case_rows.case_state_of(row, machine.definition.policy)
        case.now = now
        blocked = {name: found for name in triggers if (found := _first_refusal(machine, case, name))}
        names = party_names(tx, case_id) if blocked else {}
    return {name: refusal_reasons(machine.definition, guard, refusal, names)
            for name, (guard, refusal) in blocked.items()}


def _first_refusal(machine: WorkflowMachine, case: Any, trigger: str) -> tuple[str, Refusal] | None:
    """The first data-independent refusal when every transition of `trigger` from the case's state has one."""
    definition = machine.definition
    spec = definition.triggers.get(trigger)
    first: tuple[str, Refusal] | None = None
    for transition in (t for t in spec.transitions if t.source == case.state) if spec else ():
        refused = next(((name, found) for name in transition_guards(definition, transition)
                        if not getattr(GUARDS[name], "reads_data", True)
                        and isinstance(found := GUARDS[name](case), Refusal)), None)
        if refused is None:
            return None
        first = first or refused
    return first
