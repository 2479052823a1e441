"""Lists of cases waiting on someone: the board's next deadlines, the court and department inboxes.

Reads only, each inside the caller's transaction; reach is the case list's (`reach_clause`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from mediation.cases.views import reach_clause
from mediation.db import RawTransaction, parse_timestamp
from mediation.directory.actors import Actor
from mediation.workflows.trigger_data import MAX_ID

# The role an inbox serves → the case's column naming the unit it was referred to, and when it entered the stage.
INBOX_COLUMNS = {"court": ("court_id", "court_at"), "department": ("department_id", "joint_at")}


class InboxCase(NamedTuple):
    id: int
    number: str
    title: str
    state: str
    risk_level: str
    key_case: bool
    unit_name: str
    since: datetime | None  # when the case reached the court or the department
    deadline_kind: str | None  # its earliest pending deadline, if any
    due: datetime | None


def workflow_version_of(*, tx: RawTransaction, case_id: int) -> int | None:
    """The workflow version the case runs on; None when there is no such case (reach is the caller's check)."""
    if not 1 <= case_id <= MAX_ID:
        return None
    found = tx.one("SELECT workflow_version_id FROM cases WHERE id = :id", {"id": case_id})
    return found[0] if found else None


def next_deadlines(*, tx: RawTransaction, case_ids: Sequence[int]) -> dict[int, datetime]:
    """Case id → its earliest pending deadline, for the cases given that have one."""
    if not case_ids:
        return {}
    params = {f"id{i}": case_id for i, case_id in enumerate(case_ids)}
    marks = ", ".join(f":{key}" for key in params)
    rows = tx.all(f"SELECT case_id, min(due_at) FROM deadlines WHERE status = 'pending' AND case_id IN ({marks}) "
                  "GROUP BY case_id", params)
    return {case_id: parse_timestamp(due) for case_id, due in rows}


def inbox_cases(*, tx: RawTransaction, actor: Actor, role: str, states: Sequence[str],
                limit: int) -> tuple[list[InboxCase], int]:
    """Cases in reach referred to the actor's unit as `role` and in `states`, earliest deadline first; and their count."""
    unit_column, since_column = INBOX_COLUMNS[role]
    params: dict[str, Any] = {"inbox_unit": actor.unit_id or -1, "limit": limit}
    params.update({f"state{i}": state for i, state in enumerate(states)})
    marks = ", ".join(f":state{i}" for i in range(len(states))) or "NULL"
    where = f"{reach_clause(actor, params)} AND c.{unit_column} = :inbox_unit AND c.state IN ({marks})"
    total = tx.one(f"SELECT count(*) FROM cases c WHERE {where}", params)[0]
    cases = tx.all(
        "SELECT * FROM (SELECT c.id, c.number, c.title, c.state, c.risk_level, c.key_case, u.name, "
        f"c.{since_column}, (SELECT min(dl.due_at) FROM deadlines dl WHERE dl.case_id = c.id "
        f"AND dl.status = 'pending') AS due FROM cases c JOIN units u ON u.id = c.unit_id WHERE {where}) inbox "
        "ORDER BY (due IS NULL), due, id LIMIT :limit", params)
    earliest = _earliest_deadlines(tx, [row[0] for row in cases])
    rows = [InboxCase(case_id, number, title, state, risk, bool(key_case), unit, parse_timestamp(since),
                      *earliest.get(case_id, (None, None)))
            for case_id, number, title, state, risk, key_case, unit, since, _due in cases]
    return rows, total


def _earliest_deadlines(tx: RawTransaction, case_ids: list[int]) -> dict[int, tuple[str, datetime]]:
    """Case id → kind and due time of its earliest pending deadline."""
    if not case_ids:
        return {}
    params = {f"id{i}": case_id for i, case_id in enumerate(case_ids)}
    rows = tx.all("SELECT case_id, kind, due_at FROM deadlines WHERE status = 'pending' AND case_id IN ("
                  + ", ".join(f":{key}" for key in params) + ") ORDER BY due_at DESC", params)
    return {case_id: (kind, parse_timestamp(due)) for case_id, kind, due in rows}  # the last (earliest) wins
