"""Who reaches a case, read from the database (DESIGN §5): the columns that decide it and the units it is
shared with for co-mediation (DESIGN §9.5). The rule itself, on a row in hand, is `access.in_reach`."""

from __future__ import annotations

from typing import Any, NamedTuple

from mediation.cases.access import in_reach
from mediation.db import RawTransaction
from mediation.directory.actors import Actor
from mediation.workflows.trigger_data import MAX_ID

SELECT_SHARED = "SELECT 1 FROM case_shares WHERE case_id = :case_id AND unit_id = :unit_id"
REACH_COLUMNS = "id, unit_path, mediator_id, department_id, court_id"


class CaseReach(NamedTuple):
    """What decides who reaches a case (DESIGN §5)."""

    id: int
    unit_path: str
    mediator_id: int | None
    department_id: int | None
    court_id: int | None


def load_reach(tx: RawTransaction, case_id: int) -> CaseReach | None:
    """The reach columns of a case another case's data names (no lock), or None."""
    if not 1 <= case_id <= MAX_ID:
        return None
    row = tx.one(f"SELECT {REACH_COLUMNS} FROM cases WHERE id = :id", {"id": case_id})
    return CaseReach._make(row) if row else None


def is_shared_with(tx: RawTransaction, case_id: int, unit_id: int | None) -> bool:
    if unit_id is None:
        return False
    return tx.one(SELECT_SHARED, {"case_id": case_id, "unit_id": unit_id}) is not None


def reaches(tx: RawTransaction, actor: Actor, case: Any) -> bool:
    """Whether the case (any row with the reach columns) is in the actor's reach, or shared with their unit."""
    return in_reach(actor, case) or is_shared_with(tx, case.id, actor.unit_id)
