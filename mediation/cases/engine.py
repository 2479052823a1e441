"""The one door for state changes: `apply_transition`, the service every caller fires triggers through.

The API, the web workspace, the worker, the demo and the command line all call it. In one
write transaction it holds the caller's idempotency key, checks the caller's reach, the
expected version and the caller's role, runs the case's workflow machine (pure), writes
state + version + hash-chained event + deadlines + outbox, builds the answer the caller is
entitled to after the change and stores it with the key; or it writes nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from mediation import jsontext
from mediation.cases import figure_rows, idempotency, party_rows
from mediation.cases import rows as case_rows
from mediation.cases.access import may_fire
from mediation.cases.case_reach import reaches
from mediation.cases.refusal_texts import forbidden, guard_failed, not_allowed, party_names
from mediation.cases.share_rows import shared_units, write_share
from mediation.cases.trigger_lookups import resolve_lookups
from mediation.clock import utcnow
from mediation.db import Database, RawTransaction, parse_timestamp, search_index
from mediation.db.workflow_versions import WorkflowRegistry
from mediation.directory.actors import Actor
from mediation.errors import (
    GuardFailed,
    NotFound,
    StaleCase,
)
from mediation.observability import count_transition
from mediation.workflows.calendar import after_counted, china_day_start, extended
from mediation.workflows.case_file_effects import note_interpreter_need
from mediation.workflows.case_state import CaseState
from mediation.workflows.definition import CLOSED, WorkflowDefinition, stage_of
from mediation.workflows.engine_triggers import MIGRATE
from mediation.workflows.guards import GUARDS
from mediation.workflows.machine import WorkflowMachine
from mediation.workflows.refusals import Refusal
from mediation.workflows.sharing import reads_shares
from mediation.workflows.trigger_data import clean_trigger_data


@dataclass
class TransitionResult:
    """What a fired trigger did; `replayed` when an idempotency key returned a stored answer.

    `in_reach` says whether the caller still reaches the case after the change (a department
    that hands a referral back does not); `response_*` is the answer built for the caller.
    """

    case_id: int
    trigger: str
    from_state: str | None
    state: str
    version: int
    event_seq: int
    event_hash: str
    in_reach: bool = True
    replayed: bool = False
    response_status: int = 200
    response_body: str = ""


Responder = Callable[[TransitionResult, RawTransaction], tuple[int, str]]


def default_response(result: TransitionResult, _tx: RawTransaction) -> tuple[int, str]:
    return 200, jsontext.dumps(
        {"id": result.case_id, "state": result.state, "version": result.version, "event_seq": result.event_seq}
    )


def apply_transition(
    db: Database,
    *,
    case_id: int,
    trigger: str,
    actor: Actor,
    data: dict[str, Any] | None,
    expected_version: int,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    respond: Responder | None = None,
    request_hash: str | None = None,
    tx: RawTransaction | None = None,
) -> TransitionResult:
    """Fire `trigger` on the case as `actor`; all of it commits together or not at all.

    With an idempotency key, a retry of the same request returns the stored answer
    (`replayed`); the key with a different request raises IdempotencyConflict. `respond`
    builds the answer inside the transaction, after the change (stored under the key).
    Given `tx`, it runs inside that transaction (under a savepoint) and the caller commits.
    """
    now = now or utcnow()
    with (db.write() if tx is None else tx.savepoint()) as tx:
        if idempotency_key is not None:
            digest = request_hash or idempotency.request_digest(case_id, trigger, expected_version, data)
            stored = idempotency.hold_key(tx, user_id=actor.user_id, key=idempotency_key, digest=digest, now=now)
            if stored is not None:
                return _replayed(case_id, trigger, stored)
        result = _apply(tx, db.workflows, case_id, trigger, actor, data, expected_version, now)
        tx.after_commit(count_transition, trigger)  # whoever called: counted once it is kept
        if respond is not None or idempotency_key is not None:
            result.response_status, result.response_body = (respond or default_response)(result, tx)
        if idempotency_key is not None:
            idempotency.record_answer(tx, user_id=actor.user_id, key=idempotency_key, digest=digest,
                                      case_id=case_id, status=result.response_status, body=result.response_body)
        return result


def _apply(tx: RawTransaction, workflows: WorkflowRegistry, case_id: int, trigger: str, actor: Actor,
           data: dict[str, Any] | None, expected_version: int, now: datetime) -> TransitionResult:
    """Check, run the machine and persist: the transition itself."""
    row = case_rows.load_case(tx, case_id)
    if row is None or not reaches(tx, actor, row):
        raise NotFound(f"case {case_id} not found", case_id=case_id)
    if row.version != expected_version:
        raise StaleCase(case_id, expected_version, row.version)
    machine = workflows.machine(row.workflow_version_id)
    spec = _check_trigger(machine, actor, row, trigger)
    definition = machine.definition
    cleaned = clean_trigger_data(spec, data, definition.policy, definition.risk_levels, now=now)
    case = case_rows.case_state_of(row, definition.policy)
    case.now, case.data, case.actor_id = now, cleaned, actor.user_id
    case.resolved = resolve_lookups(tx, actor, spec, cleaned, case)
    if reads_shares(GUARDS, spec):
        case.shares = shared_units(tx, case.id)
    if not machine.fire(case, trigger):
        raise _refused(tx, definition, case.id, trigger, *case.failed_guards[0])
    # The supervisors' figures move with the case; its deadlines and orders are read before the first of
    # them is written, or at once when the case enters or leaves the closed stage (its orders count anew).
    pending = figure_rows.PendingBefore(tx, row.id, bool(row.key_case or case.key_case))
    if (stage_of(case.state) == CLOSED) != (stage_of(row.state) == CLOSED):
        pending.read()
    result, written = _persist(tx, machine, row, case, actor, trigger, cleaned, now, pending)
    figure_rows.follow(tx, row, written, pending.before)
    result.in_reach = reaches(tx, actor, case)
    return result


def _refused(tx: RawTransaction, definition: WorkflowDefinition, case_id: int, trigger: str, guard: str,
             refusal: Refusal) -> GuardFailed:
    """The guard's refusal in both languages, naming the parties by name, with its code and values in `extra`."""
    return guard_failed(definition, trigger, guard, refusal, party_names(tx, case_id))


def _replayed(case_id: int, trigger: str, stored: idempotency.StoredAnswer) -> TransitionResult:
    answer = jsontext.loads(stored.body) if stored.body.startswith("{") else {}
    return TransitionResult(
        case_id=case_id, trigger=trigger, from_state=None, state=answer.get("state", ""),
        version=answer.get("version", 0), event_seq=answer.get("event_seq", 0), event_hash="",
        replayed=True, response_status=stored.status, response_body=stored.body,
    )


def _check_trigger(machine: WorkflowMachine, actor: Actor, row: case_rows.CaseRow, trigger: str):
    definition = machine.definition
    spec = definition.triggers.get(trigger)
    allowed_here = machine.allowed_triggers(row.state)
    if spec is not None and not may_fire(actor, spec.roles, row):
        raise forbidden(definition, trigger, sorted(actor.roles))
    if spec is None or trigger not in allowed_here:
        permitted = [t for t in allowed_here if may_fire(actor, definition.triggers[t].roles, row)]
        raise not_allowed(definition, trigger, row.state, permitted)
    return spec


def _persist(
    tx: RawTransaction,
    machine: WorkflowMachine,
    row: case_rows.CaseRow,
    case: CaseState,
    actor: Actor,
    trigger: str,
    data: dict[str, Any],
    now: datetime,
    pending: figure_rows.PendingBefore,
) -> tuple[TransitionResult, case_rows.CaseRow]:
    """Write the event, the case, its deadlines, order, shares and notices: the answer and the row as written."""
    seq = row.event_count + 1
    if case.new_party is not None or case.party_changes is not None or case.fact_changes is not None:
        data = _write_case_file(tx, row, case, data)
    event_hash, event_id = case_rows.append_event(
        tx, case_id=row.id, seq=seq, prev_hash=row.last_event_hash, trigger=trigger, actor=actor.username,
        at=now, from_state=row.state, to_state=case.state, data=data, reason=data.get("reason"),
    )
    if not case.internal:
        _move_deadlines(tx, machine, row.state, case, now, pending)
    written = case_rows.write_case(tx, row, case, event_hash=event_hash, event_id=event_id, now=now)
    if written is None:
        current = tx.one("SELECT version FROM cases WHERE id = :id", {"id": row.id})
        raise StaleCase(row.id, row.version, current[0] if current else row.version)
    if case.new_deadlines or case.moved_deadlines or case.new_order is not None:
        pending.read()
        _write_order_and_timers(tx, row.id, case, now)
    if case.new_share is not None or case.ended_share is not None or case.co_unit_shares:
        write_share(tx, case, actor.username, now)
    case_rows.add_notifications(tx, case, seq, now)
    return TransitionResult(
        case_id=row.id, trigger=trigger, from_state=row.state, state=case.state,
        version=row.version + 1, event_seq=seq, event_hash=event_hash,
    ), written


def _write_order_and_timers(tx: RawTransaction, case_id: int, case: CaseState, now: datetime) -> None:
    """The deadlines the effects started or moved (a key-case order's timers, an extension, a recount on
    new holidays) and the key-case order they opened."""
    for deadline in case.new_deadlines:
        due = china_day_start(deadline["due_on"])  # a key-case order's timers fall at 00:00 China time (§9.1)
        case_rows.add_deadline(tx, case_id=case_id, kind=deadline["kind"], state=None, due_at=due,
                               action=deadline["action"], now=now)
    for move in case.moved_deadlines:
        if "to" in move:  # recompute_deadlines: counted anew on the holiday arrangement entered since
            case_rows.recount_deadline(tx, case_id=case_id, kind=move["kind"], due_at=move["to"],
                                       estimated=move["estimated"])
            continue
        for deadline_id, due in tx.all(case_rows.PENDING_OF_KIND, {"case_id": case_id, "kind": move["kind"]}):
            moved = extended(parse_timestamp(due), move["by"])
            tx.execute(case_rows.MOVE_DEADLINE, {"id": deadline_id, "due_at": tx.timestamp(moved)})
    if case.new_order is not None:
        case_rows.add_order(tx, case, now)


def _write_case_file(tx: RawTransaction, row: case_rows.CaseRow, case: CaseState,
                     data: dict[str, Any]) -> dict[str, Any]:
    """Write a new or corrected party, or corrected facts; the event's data gains the new party's id
    or the values they replaced (`previous`)."""
    data = dict(data)
    if case.new_party is not None:
        party_id = party_rows.insert_party(tx, row.id, case.new_party)
        case.party_ids.append(party_id)
        note_interpreter_need(case, party_id, bool(case.new_party.get("needs_interpreter")))
        data["party_id"] = party_id
    if case.party_changes is not None:
        party_id, fields = case.party_changes["party_id"], case.party_changes["fields"]
        data["previous"] = party_rows.correct_party(tx, row.id, party_id, fields)
        if "needs_interpreter" in fields:
            note_interpreter_need(case, party_id, fields["needs_interpreter"])
    if case.fact_changes is not None:
        data["previous"] = case_rows.correct_facts(tx, row, case.fact_changes)
    search_index.refresh(tx, row.id)
    return data


def _move_deadlines(tx: RawTransaction, machine: WorkflowMachine, old_state: str, case: CaseState, now: datetime,
                    before: figure_rows.PendingBefore):
    """Cancel the deadlines whose guarded states were left; start those whose states were entered."""
    # The kinds with a pending deadline are kept on the case, so nothing is cancelled blindly.
    pending = case.progress.get("pending_deadlines", [])
    for kind, rule, cancels, starts in machine.deadline_moves(old_state, case.state):
        if cancels and kind in pending:
            before.read()
            case_rows.cancel_deadlines(tx, case.id, kind, now)
            pending = [k for k in pending if k != kind]
        if starts and _applies(rule, case):
            before.read()
            base = case.progress.get(rule["from"]) if rule.get("from") else None
            start = datetime.fromisoformat(base) if base else now
            scope = rule.get("state") or rule.get("stage") or kind
            due_at, estimated = after_counted(start, rule["after"])
            case_rows.add_deadline(tx, case_id=case.id, kind=kind, state=scope, due_at=due_at,
                                   action=rule["action"], now=now, estimated=estimated)
            pending.append(kind)
    if pending:
        case.progress["pending_deadlines"] = pending
    else:
        case.progress.pop("pending_deadlines", None)
    if stage_of(case.state) == CLOSED and stage_of(old_state) != CLOSED and case.key_case:
        before.read()
        case_rows.close_order(tx, case.id, now)


def _applies(rule: dict[str, Any], case: CaseState) -> bool:
    return all(getattr(case, key, None) == value for key, value in (rule.get("when") or {}).items())


def migrate_case(tx: RawTransaction, *, case_id: int, expected_version: int, to_version_id: int, to_state: str,
                 deadline_changes: list[dict[str, Any]], actor: Actor, data: dict[str, Any], now: datetime) -> str:
    """Move one case onto another workflow version as the dry run planned it, in the caller's transaction.

    "moved", or why not: "changed" (a person changed it since the plan), "busy" (PostgreSQL: locked now),
    "skipped" (already on that version, or gone). No machine runs: the plan says what changes.
    """
    row = case_rows.load_case_unless_locked(tx, case_id)
    if row is None or row == "busy":
        return "skipped" if row is None else "busy"
    if row.workflow_version_id == to_version_id:
        return "skipped"
    if row.version != expected_version:
        return "changed"
    counted = figure_rows.share_of(tx, row.id)
    case = case_rows.case_state_of(row, {})
    case.state = to_state
    for change in deadline_changes:
        if change["change"] == "rung":  # the same rung of the escalation ladder, at its place in the new one
            case.ladder_level = change["level"]
    _migrate_deadlines(tx, case, deadline_changes, now)
    event_hash, event_id = case_rows.append_event(
        tx, case_id=row.id, seq=row.event_count + 1, prev_hash=row.last_event_hash, trigger=MIGRATE,
        actor=actor.username, at=now, from_state=row.state, to_state=to_state, data=data, reason=None,
    )
    if case_rows.write_case(tx, row, case, event_hash=event_hash, event_id=event_id, now=now) is None:
        raise StaleCase(row.id, row.version, row.version + 1)  # the caller's transaction rolls the event back
    tx.execute(case_rows.SET_WORKFLOW_VERSION, {"id": row.id, "version_id": to_version_id})
    figure_rows.apply(tx, counted, figure_rows.share_of(tx, row.id))
    return "moved"


def _migrate_deadlines(tx: RawTransaction, case: CaseState, changes: list[dict[str, Any]], now: datetime) -> None:
    """Cancel, recount and start the case's deadlines as planned; its list of pending kinds follows."""
    pending = list(case.progress.get("pending_deadlines", []))
    for change in changes:
        kind, what = change["kind"], change["change"]
        if what == "cancelled":
            case_rows.cancel_deadlines(tx, case.id, kind, now)
            pending = [k for k in pending if k != kind]
        elif what == "recomputed":
            tx.execute(case_rows.MIGRATE_DEADLINE, {
                "case_id": case.id, "kind": kind, "due_at": tx.timestamp(datetime.fromisoformat(change["due"])),
                "estimated": change["estimated"], "action": change["action"]})
        elif what == "added":
            case_rows.add_deadline(tx, case_id=case.id, kind=kind, state=change["state"],
                                   due_at=datetime.fromisoformat(change["due"]), action=change["action"], now=now,
                                   estimated=change["estimated"])
            pending.append(kind)
    if pending:
        case.progress["pending_deadlines"] = pending
    else:
        case.progress.pop("pending_deadlines", None)
