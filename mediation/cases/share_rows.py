"""The engine's writes of a case's shares (co-mediation, DESIGN §9.5): the units it is shared with now,
a share a transition makes or ends, a key-case order's co-units. The event that made it is the audit."""

from __future__ import annotations

from datetime import datetime

from mediation.db import RawTransaction
from mediation.workflows.case_state import CaseState
from mediation.workflows.effects import CO_UNIT_REASON

SHARED_UNITS = "SELECT unit_id FROM case_shares WHERE case_id = :case_id"
INSERT_SHARE = (
    "INSERT INTO case_shares (case_id, unit_id, created_at, reason, shared_by) "
    "VALUES (:case_id, :unit_id, :now, :reason, :shared_by)"
)
DELETE_SHARE = "DELETE FROM case_shares WHERE case_id = :case_id AND unit_id = :unit_id"


def shared_units(tx: RawTransaction, case_id: int) -> tuple[int, ...]:
    """The units the case is shared with now (cross-jurisdiction co-mediation)."""
    return tuple(unit_id for (unit_id,) in tx.all(SHARED_UNITS, {"case_id": case_id}))


def write_share(tx: RawTransaction, case: CaseState, username: str, now: datetime) -> None:
    """Write the share a transition made (reason, who, when) or delete the one it ended; the event is the audit."""
    if case.new_share is not None:
        tx.execute(INSERT_SHARE, {"case_id": case.id, "unit_id": case.new_share["unit_id"], "now": tx.timestamp(now),
                                  "reason": case.new_share["reason"], "shared_by": username})
    if case.ended_share is not None:
        tx.execute(DELETE_SHARE, {"case_id": case.id, "unit_id": case.ended_share})
    for unit_id in case.co_unit_shares:  # a key-case order's co-units (one already shared keeps its share)
        tx.execute(INSERT_SHARE + " ON CONFLICT DO NOTHING", {"case_id": case.id, "unit_id": unit_id,
                                                                "now": tx.timestamp(now), "reason": CO_UNIT_REASON,
                                                                "shared_by": username})
