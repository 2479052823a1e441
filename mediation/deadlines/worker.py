"""The timer worker: claims due deadlines and fires their actions through the engine.

A batch is one transaction: claimed rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the
write lock on SQLite), each action under its own savepoint, each row marked with its
outcome. A crash before commit undoes the whole batch, so every deadline fires once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mediation import jsontext
from mediation.cases import figure_rows
from mediation.cases.engine import apply_transition
from mediation.cases.notice_recipients import add_person_notices
from mediation.db import Database, RawTransaction
from mediation.directory.actors import SYSTEM
from mediation.errors import MediationError, StaleCase
from mediation.observability import count_deadlines

CLAIM = (
    "SELECT id, case_id, kind, state, action FROM deadlines "
    "WHERE status = 'pending' AND due_at <= :now ORDER BY due_at, id LIMIT :limit"
)
CASE_NOW = "SELECT state, version, mediator_id, workflow_version_id, id FROM cases WHERE id = :id"
MARK = "UPDATE deadlines SET status = :status, fired_at = :now WHERE id = :id"
ORDER_STATUS = "UPDATE orders SET status = :status WHERE case_id = :case_id AND status <> 'done'"
REMIND = (
    "INSERT INTO outbox (case_id, event_seq, topic, recipient, payload, status, attempts, next_attempt_at, "
    "created_at) VALUES (:case_id, :event_seq, 'reminder', :recipient, :payload, 'pending', 0, :now, :now)"
)
ORDER_DEADLINES = {"order_due_soon": "due_soon", "order_overdue": "overdue"}


@dataclass
class BatchReport:
    """What one pass did: outcome -> count (fired, reminded, skipped, stale)."""

    outcomes: Counter = field(default_factory=Counter)

    @property
    def claimed(self) -> int:
        return sum(self.outcomes.values())


def _claim_sql(db: Database) -> str:
    return CLAIM if db.is_sqlite else CLAIM + " FOR UPDATE SKIP LOCKED"


def _still_guarded(db: Database, version_id: int, kind: str, state: str) -> bool:
    """The case is still in a state the deadline guards (order deadlines guard the open case)."""
    rules = db.workflows.machine(version_id).definition.deadline_rules()
    return kind not in rules or state in rules[kind][1]


def _lock_case(db: Database, tx: RawTransaction, case_id: int) -> Any:
    """The case row, locked for this batch; "busy" when someone is changing it right now.

    PostgreSQL: never wait for a person's transition (it may be waiting for this very
    deadline row to cancel it); the deadline stays pending for the next pass.
    """
    if db.is_sqlite:
        return tx.one(CASE_NOW, {"id": case_id})
    case = tx.one(CASE_NOW + " FOR UPDATE SKIP LOCKED", {"id": case_id})
    if case is None and tx.one("SELECT 1 FROM cases WHERE id = :id", {"id": case_id}) is not None:
        return "busy"
    return case


def _fire(db: Database, tx: RawTransaction, deadline: Any, now: datetime) -> str:
    """Carry out one deadline's action; returns its outcome."""
    deadline_id, case_id, kind, scope, action = deadline
    case = _lock_case(db, tx, case_id)
    if case == "busy":
        return "busy"
    if case is None or case[0].startswith("closed.") or not _still_guarded(db, case[3], kind, case[0]):
        return "stale"
    if kind in ORDER_DEADLINES:
        tx.execute(ORDER_STATUS, {"status": ORDER_DEADLINES[kind], "case_id": case_id})
    if action == "remind":
        _remind(tx, case_id, kind, _assignee(tx, kind, case), now)
        return "reminded"
    trigger = action
    spec = db.workflows.machine(case[3]).definition.triggers.get(trigger)
    fields = {f.name for f in spec.fields} if spec else set()
    data = {"reason": f"期限届满：{kind}"} if "reason" in fields else {}
    if "deadline" in fields:
        data["deadline"] = kind
    try:
        apply_transition(db, tx=tx, case_id=case_id, trigger=trigger, actor=SYSTEM, data=data,
                         expected_version=case[1], now=now)
    except StaleCase:
        return "busy"  # changed under us: look again on the next pass
    except MediationError:
        return "skipped"
    return "fired"


def _remind(tx: RawTransaction, case_id: int, kind: str, assignee: int | None, now: datetime) -> None:
    """A reminder to the webhooks (outbox) and to the assignee's own notices, in the batch's transaction."""
    recipient = "owner" if kind in ORDER_DEADLINES else "mediator"
    payload = jsontext.dumps({"deadline": kind, "user_id": assignee})
    tx.execute(REMIND, {"case_id": case_id, "event_seq": 0, "now": tx.timestamp(now), "recipient": recipient,
                        "payload": payload})
    add_person_notices(tx, case_id=case_id, recipient=recipient, topic="reminder", payload=payload, now=now,
                       actor_id=None, user_id=assignee, unit_id=None, unit_path="")


def _assignee(tx: RawTransaction, kind: str, case: Any) -> int | None:
    """Who a reminder is for: the order's owner for key-case deadlines, else the mediator."""
    if kind in ORDER_DEADLINES:
        owner = tx.one("SELECT owner_id FROM orders WHERE case_id = :case_id", {"case_id": case[4]})
        return owner[0] if owner else None
    return case[2]


def run_due(db: Database, *, now: datetime, batch_size: int = 200) -> BatchReport:
    """Claim up to batch_size due deadlines and carry them out in one transaction."""
    report = BatchReport()
    by_kind: Counter = Counter()
    with db.write() as tx:
        tx.after_commit(lambda: count_deadlines(by_kind.items()))  # what the committed batch did, for /metrics
        for deadline in tx.all(_claim_sql(db), {"now": tx.timestamp(now), "limit": batch_size}):
            outcome = _fire(db, tx, deadline, now)
            report.outcomes[outcome] += 1
            by_kind[deadline[2], outcome] += 1
            if outcome != "busy":
                figure_rows.deadline_ends(tx, deadline[1], deadline[0])  # only its pending count moves
                tx.execute(MARK, {"status": "done" if outcome != "stale" else "cancelled",
                                  "now": tx.timestamp(now), "id": deadline[0]})
    return report


def run_until_idle(db: Database, *, now: datetime, batch_size: int = 200) -> BatchReport:
    """Process batches until nothing is due at `now` (worker --once)."""
    total = BatchReport()
    while True:
        report = run_due(db, now=now, batch_size=batch_size)
        total.outcomes.update(report.outcomes)
        if report.claimed < batch_size or report.outcomes["busy"] == report.claimed:
            return total
