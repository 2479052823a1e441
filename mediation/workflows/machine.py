"""Build one `transitions` machine per workflow version, once, and fire triggers on it."""

from __future__ import annotations

import logging
from typing import Any, Callable

from transitions import Event, EventData, Machine, Transition

from mediation.errors import DefinitionError
from mediation.workflows.case_state import CaseState
from mediation.workflows.definition import TransitionSpec, WorkflowDefinition
from mediation.workflows.effects import EFFECTS
from mediation.workflows.guards import GUARDS

OVERLAY_GUARD = "risk_not_critical"

# The library logs every callback at DEBUG/INFO; at this rate that is noise and time.
logging.getLogger("transitions").setLevel(logging.WARNING)


def _condition(names: tuple[str, ...]) -> Callable[[Any], bool]:
    """One condition for all of a transition's guards: the first refusal is recorded."""
    checks = [(name, GUARDS[name]) for name in names]

    def condition(event: Any) -> bool:
        case = event.model
        for name, check in checks:
            reason = check(case)
            if reason is not None:
                case.failed_guards.append((name, reason))
                return False
        return True

    return condition


def _after(internal: bool, names: tuple[str, ...]) -> Callable[[Any], None]:
    """One callback running a transition's effects in order, noting whether it was internal."""
    changes = [EFFECTS[name] for name in names]

    def after(event: Any) -> None:
        case = event.model
        case.internal = internal
        for change in changes:
            change(case)

    return after


def transition_guards(definition: WorkflowDefinition, spec: TransitionSpec) -> tuple[str, ...]:
    """The transition's own guards plus the risk overlay's (which watches open cases only)."""
    if spec.trigger in definition.critical_allows or spec.source in definition.closed_states:
        return spec.guards
    return (OVERLAY_GUARD, *spec.guards)


class _CaseTransition(Transition):
    """A transition that skips the library's per-step logging and its empty callback lists.

    The workflow machines use conditions and `after` callbacks only (no prepare/before
    callbacks, no state enter/exit callbacks, no machine-wide callbacks): for those the
    library's own `execute` runs as before; for the rest this is the same sequence with less
    work per fired trigger, which is on every transition's path.
    """

    def execute(self, event_data: Any) -> bool:
        machine = event_data.machine
        if self.prepare or self.before or machine.before_state_change or machine.after_state_change:
            return super().execute(event_data)
        for condition in self.conditions:
            if not condition.check(event_data):
                return False
        if self.dest:
            self._change_state(event_data)
        for callback in self.after:
            machine.callback(callback, event_data)
        return True

    def _change_state(self, event_data: Any) -> None:
        machine = event_data.machine
        source, dest = machine.states[self.source], machine.states[self.dest]
        if source.on_exit or dest.on_enter or dest.final:
            super()._change_state(event_data)
            return
        setattr(event_data.model, machine.model_attribute, dest.value)
        event_data.state = dest


class _CaseEvent(Event):
    """An event fired straight through its transitions when the machine has no queue and no
    machine-wide prepare/finalize/exception callbacks (as here); otherwise the library's path."""

    def trigger(self, model: Any, *args: Any, **kwargs: Any) -> bool:
        machine = self.machine
        state = machine.states.get(getattr(model, machine.model_attribute))
        if (machine.has_queue or machine.prepare_event or machine.finalize_event or machine.on_exception
                or state is None or state.name not in self.transitions):
            return super().trigger(model, *args, **kwargs)  # also raises the library's errors
        event_data = EventData(state, self, machine, model, args=args, kwargs=kwargs)
        for transition in self.transitions[state.name]:
            event_data.transition = transition
            if transition.execute(event_data):
                event_data.result = True
                break
        return event_data.result


class _CaseMachine(Machine):
    transition_cls = _CaseTransition
    event_cls = _CaseEvent


class WorkflowMachine:
    """A built machine for one workflow version, shared by every case on that version."""

    def __init__(self, definition: WorkflowDefinition) -> None:
        self.definition = definition
        unknown = [
            name
            for trigger in definition.triggers.values()
            for spec in trigger.transitions
            for name in (*spec.guards, *spec.effects)
            if name not in GUARDS and name not in EFFECTS
        ]
        if unknown:
            raise DefinitionError(f"unknown guards or effects: {sorted(set(unknown))}")
        self.machine = _CaseMachine(
            model=None,
            states=list(definition.states),
            initial=definition.initial,
            send_event=True,
            auto_transitions=False,
        )
        for trigger in definition.triggers.values():
            for spec in trigger.transitions:
                self.machine.add_transition(
                    trigger.name,
                    spec.source,
                    spec.dest,
                    conditions=[_condition(transition_guards(definition, spec))],
                    after=[_after(spec.dest is None, spec.effects)],
                )
        self._deadline_moves: dict[tuple[str, str], list[tuple[str, dict, bool, bool]]] = {}
        self._allowed = {
            state: [t for t, event in self.machine.events.items() if state in event.transitions]
            for state in definition.states
        }

    def deadline_moves(self, old_state: str, new_state: str) -> list[tuple[str, dict, bool, bool]]:
        """For an external transition: (kind, rule, cancels, starts) of each deadline it touches.

        A deadline guarding one state restarts when that state is re-entered; one guarding
        a stage or a list of states keeps running while the case moves inside them.
        """
        key = (old_state, new_state)
        moves = self._deadline_moves.get(key)
        if moves is None:
            moves = []
            for kind, (rule, states) in self.definition.deadline_rules().items():
                was_in, now_in = old_state in states, new_state in states
                restart = was_in and now_in and old_state == new_state and "state" in rule
                cancels, starts = restart or (was_in and not now_in), now_in and (restart or not was_in)
                if cancels or starts:
                    moves.append((kind, rule, cancels, starts))
            self._deadline_moves[key] = moves
        return moves

    def allowed_triggers(self, state: str) -> list[str]:
        """Triggers defined from this state (before roles and guards)."""
        return self._allowed.get(state, [])

    def fire(self, case: CaseState, trigger: str) -> bool:
        """Run the trigger on the case; False when every transition's guards refused."""
        return self.machine.events[trigger].trigger(case)
