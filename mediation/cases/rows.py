"""The engine's statements: read a case, write it back with its event, deadlines and outbox.

Plain SQL on the raw transaction, prepared once per dialect; the schema is `models.py`.
None of these commit: the engine's transaction does.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import datetime
from operator import attrgetter
from typing import Any

from mediation import jsontext
from mediation.cases.event_lookup import event_ids_of, id_list
from mediation.cases.hashchain import chain_hash, event_document
from mediation.cases.notice_recipients import add_case_notices
from mediation.db import RawTransaction
from mediation.workflows.case_state import CaseState
from mediation.workflows.trigger_data import MAX_ID

CASE_COLUMNS = (
    "id, state, version, unit_id, unit_path, risk_level, category, mechanism, resolver, "
    "mediator_id, department_id, court_id, ladder_level, ladder_attempts, return_count, "
    "recurrence_count, key_case, resolved_level, party_ids, progress, last_event_hash, "
    "event_count, event_ids, workflow_version_id, triaged_at, mediation_at, joint_at, court_at, follow_up_at, "
    "closed_at, channel, created_at"
)
SELECT_CASE = f"SELECT {CASE_COLUMNS} FROM cases WHERE id = :id"
# PostgreSQL: lock the row, so a racing writer waits here and then sees the new version
# (SQLite's BEGIN IMMEDIATE already serialises writers).
SELECT_CASE_FOR_UPDATE = SELECT_CASE + " FOR UPDATE"
# `workflows migrate`: a case a person holds now is left for a re-run, not waited for.
SELECT_CASE_UNLESS_LOCKED = SELECT_CASE + " FOR UPDATE SKIP LOCKED"
SET_WORKFLOW_VERSION = "UPDATE cases SET workflow_version_id = :version_id WHERE id = :id"
MIGRATE_DEADLINE = (
    "UPDATE deadlines SET due_at = :due_at, estimated = :estimated, action = :action "
    "WHERE case_id = :case_id AND kind = :kind AND status = 'pending'"
)

# Columns a transition may change; only those that did change are written, because
# SQLite rewrites every index whose column is assigned, changed or not.
MUTABLE_COLUMNS = (
    "state", "risk_level", "category", "mechanism", "resolver", "mediator_id", "department_id",
    "court_id", "ladder_level", "ladder_attempts", "return_count", "recurrence_count", "key_case",
    "resolved_level",
)
_update_statements: dict[tuple[str, ...], str] = {}


def _update_statement(columns: tuple[str, ...]) -> str:
    statement = _update_statements.get(columns)
    if statement is None:
        assignments = "".join(f"{column} = :{column}, " for column in columns)
        statement = _update_statements[columns] = (
            f"UPDATE cases SET {assignments}version = :new_version, progress = :progress, "
            "last_event_hash = :last_event_hash, event_count = :event_count, event_ids = :event_ids, "
            "updated_at = :now "
            "WHERE id = :id AND version = :version"
        )
    return statement


INSERT_EVENT = (
    "INSERT INTO events (case_id, seq, trigger, actor, at, from_state, to_state, data, reason, prev_hash, hash) "
    "VALUES (:case_id, :seq, :trigger, :actor, :at, :from_state, :to_state, :data, :reason, :prev_hash, :hash)"
)
EVENT_COLUMNS = "seq, trigger, actor, at, from_state, to_state, data, reason, prev_hash, hash"

CANCEL_DEADLINES = """
UPDATE deadlines SET status = 'cancelled', fired_at = :now
WHERE case_id = :case_id AND kind = :kind AND status = 'pending'
"""

INSERT_DEADLINE = """
INSERT INTO deadlines (case_id, kind, state, due_at, action, status, created_at, estimated)
VALUES (:case_id, :kind, :state, :due_at, :action, 'pending', :now, :estimated)
"""
RECOUNT_DEADLINE = (
    "UPDATE deadlines SET due_at = :due_at, estimated = :estimated "
    "WHERE case_id = :case_id AND kind = :kind AND status = 'pending'"
)

PENDING_OF_KIND = "SELECT id, due_at FROM deadlines WHERE case_id = :case_id AND kind = :kind AND status = 'pending'"
MOVE_DEADLINE = "UPDATE deadlines SET due_at = :due_at WHERE id = :id"

INSERT_OUTBOX = """
INSERT INTO outbox (case_id, event_seq, topic, recipient, payload, status, attempts, next_attempt_at, created_at)
VALUES (:case_id, :event_seq, :topic, :recipient, :payload, 'pending', 0, :now, :now)
"""

INSERT_ORDER = """
INSERT INTO orders (case_id, owner_id, co_units, milestones, deadline, status, created_at)
VALUES (:case_id, :owner_id, :co_units, :milestones, :deadline, 'open', :now)
"""

STAGE_TIMESTAMP = {
    "screening.triaged": "triaged_at",
    "mediation": "mediation_at",
    "joint": "joint_at",
    "court": "court_at",
    "follow_up": "follow_up_at",
}


CaseRow = namedtuple("CaseRow", [column.strip() for column in CASE_COLUMNS.split(",")])
_mutable_values = attrgetter(*MUTABLE_COLUMNS)  # the same fields of a CaseRow and of a CaseState


def load_case(tx: RawTransaction, case_id: int) -> CaseRow | None:
    if not 1 <= case_id <= MAX_ID:
        return None
    row = tx.one(SELECT_CASE if tx.is_sqlite else SELECT_CASE_FOR_UPDATE, {"id": case_id})
    return CaseRow._make(row) if row else None


def load_case_unless_locked(tx: RawTransaction, case_id: int) -> CaseRow | None | str:
    """The case row, locked (PostgreSQL: "busy" when another transaction holds it); None if there is none."""
    if tx.is_sqlite:
        return load_case(tx, case_id)
    row = tx.one(SELECT_CASE_UNLESS_LOCKED, {"id": case_id})
    if row is None:
        return "busy" if tx.one("SELECT 1 FROM cases WHERE id = :id", {"id": case_id}) else None
    return CaseRow._make(row)


def case_state_of(row: CaseRow, policy: dict[str, Any]) -> CaseState:
    return CaseState(
        id=row.id,
        state=row.state,
        unit_id=row.unit_id,
        unit_path=row.unit_path,
        risk_level=row.risk_level,
        category=row.category,
        channel=row.channel,
        mechanism=row.mechanism,
        resolver=row.resolver,
        mediator_id=row.mediator_id,
        department_id=row.department_id,
        court_id=row.court_id,
        ladder_level=row.ladder_level,
        ladder_attempts=row.ladder_attempts,
        return_count=row.return_count,
        recurrence_count=row.recurrence_count,
        key_case=bool(row.key_case),
        resolved_level=row.resolved_level,
        party_ids=jsontext.loads(row.party_ids),
        progress=jsontext.loads(row.progress),
        policy=policy,
    )


def with_event(event_ids: str, event_id: int) -> str:
    """The case's list of event ids with one more at the end."""
    return f"{event_ids},{event_id}" if event_ids else str(event_id)


def case_events(tx: RawTransaction, case_id: int, columns: str = EVENT_COLUMNS) -> Any:
    """The cursor over the case's events (`columns` of each), in order; empty for no such case."""
    ids = event_ids_of(tx, case_id)
    if not ids:
        return tx.execute(f"SELECT {columns} FROM events WHERE 1 = 0")
    marks, params = id_list(ids)
    return tx.execute(f"SELECT {columns} FROM events WHERE id IN ({marks}) ORDER BY seq", params)


def append_event(
    tx: RawTransaction,
    *,
    case_id: int,
    seq: int,
    prev_hash: str,
    trigger: str,
    actor: str,
    at: datetime,
    from_state: str | None,
    to_state: str,
    data: dict[str, Any],
    reason: str | None,
) -> tuple[str, int]:
    """Insert the case's next event, chained to prev_hash; returns its hash and id."""
    data_text = jsontext.dumps(data)
    document = event_document(
        case_id=case_id, seq=seq, trigger=trigger, actor=actor, at=at,
        from_state=from_state, to_state=to_state, data=data_text, reason=reason,
    )
    digest = chain_hash(prev_hash, document)
    event_id = tx.insert(
        INSERT_EVENT,
        {
            "case_id": case_id, "seq": seq, "trigger": trigger, "actor": actor,
            "at": tx.timestamp(at), "from_state": from_state, "to_state": to_state,
            "data": data_text, "reason": reason, "prev_hash": prev_hash, "hash": digest,
        },
    )
    return digest, event_id


def write_case(tx: RawTransaction, row: CaseRow, case: CaseState, *, event_hash: str, event_id: int,
               now: datetime) -> CaseRow | None:
    """Write the case back at version + 1 with its new event: the row as written, or None when another
    writer got there first."""
    stamp = tx.timestamp(now)
    params: dict[str, Any] = {
        "id": row.id, "version": row.version, "new_version": row.version + 1,
        "progress": jsontext.dumps(case.progress), "last_event_hash": event_hash,
        "event_count": row.event_count + 1, "event_ids": with_event(row.event_ids, event_id), "now": stamp,
    }
    changed = []
    for column, new, old in zip(MUTABLE_COLUMNS, _mutable_values(case), _mutable_values(row)):
        if new != old:
            changed.append(column)
            params[column] = new
    if case.state != row.state:
        stage = case.state.split(".", 1)[0]
        if stage != row.state.split(".", 1)[0]:  # an unchanged stage keeps its index entry
            changed.append("stage")
            params["stage"] = stage
        column = STAGE_TIMESTAMP.get(case.state) or STAGE_TIMESTAMP.get(stage)
        if column and not getattr(row, column):
            changed.append(column)
            params[column] = stamp
        if stage == "closed" or row.closed_at is not None:
            changed.append("closed_at")
            params["closed_at"] = stamp if stage == "closed" else None
    if case.new_party is not None:  # add_party: the case's list of parties grew
        changed.append("party_ids")
        params["party_ids"] = jsontext.dumps(case.party_ids)
    tx.execute(_update_statement(tuple(changed)), params)
    if tx.rowcount != 1:
        return None
    return row._replace(version=params["new_version"], progress=params["progress"], last_event_hash=event_hash,
                        event_count=params["event_count"], event_ids=params["event_ids"],
                        **{column: params[column] for column in changed if column != "stage"})


def cancel_deadlines(tx: RawTransaction, case_id: int, kind: str, now: datetime) -> None:
    tx.execute(CANCEL_DEADLINES, {"case_id": case_id, "kind": kind, "now": tx.timestamp(now)})


def add_deadline(
    tx: RawTransaction, *, case_id: int, kind: str, state: str | None, due_at: datetime, action: str, now: datetime,
    estimated: bool = False,
) -> None:
    """A pending deadline; `estimated` when counted over a year whose holidays are estimated."""
    tx.execute(
        INSERT_DEADLINE,
        {"case_id": case_id, "kind": kind, "state": state, "due_at": tx.timestamp(due_at),
         "action": action, "now": tx.timestamp(now), "estimated": estimated},
    )


def recount_deadline(tx: RawTransaction, *, case_id: int, kind: str, due_at: datetime, estimated: bool) -> None:
    """The case's pending deadline of `kind`, due anew (recounted on the holiday arrangement)."""
    tx.execute(RECOUNT_DEADLINE, {"case_id": case_id, "kind": kind, "due_at": tx.timestamp(due_at),
                                  "estimated": estimated})


def add_notifications(tx: RawTransaction, case: CaseState, event_seq: int, now: datetime) -> None:
    """The transition's notices: to the outbox (webhooks) and to each person they concern."""
    for message in case.notifications:
        payload = {key: value for key, value in message.items() if key not in ("topic", "recipient")}
        text = jsontext.dumps(payload)
        tx.execute(
            INSERT_OUTBOX,
            {"case_id": case.id, "event_seq": event_seq, "topic": message["topic"],
             "recipient": message["recipient"], "payload": text, "now": tx.timestamp(now)},
        )
        add_case_notices(tx, case, message, payload, text, now)


def add_order(tx: RawTransaction, case: CaseState, now: datetime) -> None:
    order = case.new_order
    assert order is not None
    tx.execute(
        INSERT_ORDER,
        {"case_id": case.id, "owner_id": order["owner_id"], "co_units": jsontext.dumps(order["co_units"]),
         "milestones": jsontext.dumps(order["milestones"]), "deadline": tx.day(order["deadline"]),
         "now": tx.timestamp(now)},
    )


CLOSE_ORDER = "UPDATE orders SET status = 'done' WHERE case_id = :case_id AND status <> 'done'"
CANCEL_ORDER_DEADLINES = (
    "UPDATE deadlines SET status = 'cancelled', fired_at = :now "
    "WHERE case_id = :case_id AND state IS NULL AND status = 'pending'"
)


def close_order(tx: RawTransaction, case_id: int, now: datetime) -> None:
    """A closed case's order is done and its due-soon and overdue timers are cancelled."""
    tx.execute(CLOSE_ORDER, {"case_id": case_id})
    tx.execute(CANCEL_ORDER_DEADLINES, {"case_id": case_id, "now": tx.timestamp(now)})


def correct_facts(tx: RawTransaction, row: CaseRow, changes: dict[str, Any]) -> dict[str, Any]:
    """Set the case's title and description as given (the category goes with the case row); the previous values."""
    previous: dict[str, Any] = {}
    if "category" in changes:
        previous["category"] = row.category
    if "title" in changes:
        previous["title"] = tx.one("SELECT title FROM cases WHERE id = :id", {"id": row.id})[0]
        tx.execute("UPDATE cases SET title = :title WHERE id = :id", {"id": row.id, "title": changes["title"]})
    if "description" in changes:
        previous["description"] = tx.one("SELECT description FROM case_texts WHERE case_id = :id", {"id": row.id})[0]
        tx.execute("UPDATE case_texts SET description = :description WHERE case_id = :id",
                   {"id": row.id, "description": changes["description"]})
    return previous


def insert_restored_rows(tx: RawTransaction, table: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """One table's rows of a restored case, ids as exported (`import --restore`: a faithful copy of a
    case's record and chain, not a state change, so it is written here beside the engine's statements)."""
    names = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join(f":{column}" for column in columns)
    tx.execute_many(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
