"""Bulk actions (DESIGN §9.3): one trigger fired on many cases, answered case by case.

Each case goes through the engine's one door (`apply_transition`) in its own write transaction,
at the version it has when its turn comes: one case refused (stale, out of reach, a guard) leaves
the others as they are. A case is named by its id or by its number; one out of the caller's reach
reads exactly like one that does not exist (its number is never echoed). Under an idempotency key
each case's answer is stored as the engine stores any other (key `bulk:<digest of the key>:<case id>`),
so a retry replays the cases that were changed and tries again the ones that were refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mediation import jsontext
from mediation.cases import idempotency
from mediation.cases.engine import TransitionResult, apply_transition
from mediation.cases.numbers import case_id_of
from mediation.db import Database, RawTransaction
from mediation.directory.actors import Actor
from mediation.errors import (
    GuardFailed,
    IdempotencyConflict,
    InvalidData,
    MediationError,
    NotFound,
    StaleCase,
)
from mediation.workflows.definition import WorkflowDefinition
from mediation.workflows.trigger_data import MAX_ID

MAX_CASES = 200
MAX_REFERENCE = 64  # characters of a case number as typed
# Data that names something of one case (its parties, another case) cannot be the same for many cases.
PER_CASE_TYPES = frozenset({"party_id", "party_ids", "objects", "case_id"})
ERROR_CODES = {"NotFound": "not_found", "StaleCase": "stale", "TransitionNotAllowed": "not_allowed",
               "Forbidden": "forbidden", "GuardFailed": "guard_failed", "InvalidData": "invalid_data",
               "IdempotencyConflict": "idempotency_conflict"}


@dataclass
class CaseOutcome:
    """What happened to one case of a bulk request; `case_id`/`number` only where the caller may know them."""

    case: int | str  # the reference as given
    status: int
    case_id: int | None = None
    number: str | None = None
    version: int | None = None
    state: str | None = None
    code: str | None = None
    detail: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200

    def answer(self) -> dict[str, Any]:
        """The outcome as the API answers it."""
        shown: dict[str, Any] = {"case": self.case, "status": self.status}
        for name in ("case_id", "number", "version", "state"):
            if getattr(self, name) is not None:
                shown[name] = getattr(self, name)
        if not self.ok:
            shown["error"] = {"code": self.code, "detail": self.detail, **self.extra}
        return shown


def bulk_triggers(definition: WorkflowDefinition) -> list[str]:
    """Triggers a bulk request may fire: those whose data can be the same for every case (worked out once per
    definition; the list is shared: read it only)."""
    return definition.told("bulk_triggers", None, lambda: [
        name for name, spec in definition.triggers.items()
        if not spec.via and not any(f.type in PER_CASE_TYPES for f in spec.fields)])


def check_bulk_request(definition: WorkflowDefinition, trigger: str, references: list[Any]) -> None:
    """InvalidData (422) naming `trigger` or `case_ids` when the request as a whole cannot be run."""
    if trigger not in definition.triggers:
        raise InvalidData("trigger", f"unknown trigger '{trigger}'")
    if trigger not in bulk_triggers(definition):
        raise InvalidData("trigger", f"'{trigger}' takes data of one case and cannot be fired in bulk")
    if not references:
        raise InvalidData("case_ids", "must name at least one case")
    if len(references) > MAX_CASES:
        raise InvalidData("case_ids", f"names {len(references)} cases; at most {MAX_CASES} at once")
    seen: dict[str, int] = {}
    for index, reference in enumerate(references):
        key = str(reference).strip()
        if key in seen:
            raise InvalidData(f"case_ids[{index}]", f"repeats case_ids[{seen[key]}]")
        seen[key] = index


def fire_bulk(db: Database, *, actor: Actor, trigger: str, references: list[int | str], data: dict[str, Any],
              now: datetime, idempotency_key: str | None = None,
              expected_versions: dict[str, int] | None = None) -> list[CaseOutcome]:
    """Fire `trigger` with `data` on each case named, each in its own transaction; an outcome per case, in order.

    A case is fired at its current version, or at the one `expected_versions` gives for its reference
    (as written in `references`: the version the caller saw, so a case changed since is refused as
    stale). The request as a whole is checked first (`check_bulk_request`); nothing changes when it is refused.
    """
    if idempotency_key is not None:
        idempotency.check_key(idempotency_key)
    definition = db.workflows.machine(db.workflows.current_version_id()).definition
    check_bulk_request(definition, trigger, references)
    expected = expected_versions or {}
    outcomes: list[CaseOutcome] = []
    fired: set[int] = set()
    for reference in references:
        outcome = _fire_one(db, actor, trigger, reference, data, now, idempotency_key, fired,
                            expected.get(str(reference).strip()))
        if outcome.case_id is not None and outcome.status != 404:
            fired.add(outcome.case_id)
        outcomes.append(outcome)
    return outcomes


def _fire_one(db: Database, actor: Actor, trigger: str, reference: int | str, data: dict[str, Any],
              now: datetime, key: str | None, fired: set[int], seen_version: int | None) -> CaseOutcome:
    """One case of the bulk: named, fired at its current version, its outcome."""
    given_id = reference if isinstance(reference, int) else None
    with db.snapshot() as tx:
        case_id = _case_id(tx, reference)
        current = tx.one("SELECT version, number FROM cases WHERE id = :id", {"id": case_id}) if case_id else None
    if current is None:
        return _not_found(reference, given_id)
    version, number = current
    if case_id in fired:  # an id and the number of the same case
        return CaseOutcome(reference, 422, case_id, number, code="duplicate",
                           detail="this case is named twice in case_ids")
    digest = idempotency.request_digest("POST bulk", case_id, trigger, data) if key is not None else None
    try:
        result = apply_transition(db, case_id=case_id, trigger=trigger, actor=actor, data=data,
                                  expected_version=version if seen_version is None else seen_version, now=now, request_hash=digest,
                                  idempotency_key=_case_key(key, case_id), respond=_stored(number) if key else None)
    except NotFound:
        return _not_found(reference, given_id)
    except MediationError as error:
        return _refusal(reference, case_id, number, error)
    return CaseOutcome(reference, 200, case_id, number, version=result.version, state=result.state)


def _case_id(tx: RawTransaction, reference: int | str) -> int | None:
    if isinstance(reference, int):
        return reference if 0 < reference <= MAX_ID else None
    return case_id_of(tx, reference) if 0 < len(reference) <= MAX_REFERENCE else None


def _case_key(key: str | None, case_id: int) -> str | None:
    """The engine's key for one case of a keyed bulk request (always short, whatever the caller's key)."""
    if key is None:
        return None
    return f"bulk:{hashlib.sha256(key.encode()).hexdigest()[:40]}:{case_id}"


def _stored(number: str):
    """The answer stored under a case's key: what a replay gives back."""
    def respond(result: TransitionResult, _tx: RawTransaction) -> tuple[int, str]:
        return 200, jsontext.dumps({"case_id": result.case_id, "number": number, "version": result.version,
                                    "state": result.state})
    return respond


def _not_found(reference: int | str, given_id: int | None) -> CaseOutcome:
    return CaseOutcome(reference, 404, given_id, code="not_found", detail="no such case")


def _refusal(reference: int | str, case_id: int, number: str, error: MediationError) -> CaseOutcome:
    """A case the engine refused: its status, a stable code and the engine's words."""
    extra = {key: value for key, value in error.extra.items() if key in ("field", "reason", "reasons", "guard",
                                                                        "current_version", "allowed_triggers")}
    code = next((ERROR_CODES[kind.__name__] for kind in type(error).__mro__ if kind.__name__ in ERROR_CODES), "refused")
    if isinstance(error, GuardFailed) and error.extra.get("code"):
        code = error.extra["code"]
    if isinstance(error, StaleCase):
        extra["current_version"] = error.current_version
    if isinstance(error, IdempotencyConflict):
        extra["field"] = "Idempotency-Key"
    return CaseOutcome(reference, error.status_code, case_id, number, code=code, detail=error.detail, extra=extra)
