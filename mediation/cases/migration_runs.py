"""`workflows migrate --dry-run`: stream the in-flight cases, plan each, store the plan in batches, total and hash it."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict, namedtuple
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterator

import sqlalchemy as sa

from mediation import jsontext
from mediation.cases import rows as case_rows
from mediation.cases.event_lookup import id_list, parse_event_ids
from mediation.cases.migration import (
    BATCH,
    INSERT_ENTRY,
    MOVES,
    PENDING_OF_VERSION,
    STORE_BATCH,
    Entry,
    Migration,
    plan_case,
    plan_columns,
)
from mediation.clock import utcnow
from mediation.db import Database, parse_timestamp
from mediation.errors import NotFound

OPEN_CASES = "SELECT {columns}, number FROM cases WHERE workflow_version_id = :version_id AND stage <> 'closed' ORDER BY id"
EVENTS_BY_ID = "SELECT from_state, to_state, at FROM events WHERE id IN ({marks}) ORDER BY seq DESC"


class UnknownVersion(NotFound):
    """No stored version of that number."""


def open_migration(db: Database, *, name: str, from_number: int, to_number: int,
                   state_map: dict[str, str]) -> Migration:
    """The migration between two stored versions (UnknownVersion naming the number otherwise)."""
    ids = []
    for number in (from_number, to_number):
        version_id = db.workflows.version_id(name, number)
        if version_id is None:
            raise UnknownVersion(f"workflow {name} has no version {number}")
        ids.append(version_id)
    return Migration(name, ids[0], ids[1], from_number, to_number, dict(state_map),
                     db.workflows.machine(ids[0]), db.workflows.machine(ids[1]))


@dataclass
class PlanSummary:
    """What a dry run found: its hash, its totals (per state, per outcome, deadline changes)."""

    plan_id: int
    hash: str
    totals: dict[str, Any]


def _streamed(db: Database, connection: sa.Connection, sql: str, params: dict[str, Any]) -> Iterator[tuple]:
    """The rows of one query on the read connection's own DBAPI cursor, fetched in batches
    (a server-side cursor on PostgreSQL): never all in memory."""
    raw = connection.connection.dbapi_connection
    cursor = raw.cursor() if db.is_sqlite else raw.cursor(name=f"migrate_{id(params)}")
    cursor.execute(db.prepare(sql), params)
    try:
        while rows := cursor.fetchmany(BATCH):
            yield from rows
    finally:
        cursor.close()


def _cases_with_deadlines(db: Database, connection: sa.Connection, version_id: int,
                          columns: tuple[str, ...]) -> Iterator[tuple[Any, list[tuple]]]:
    """Each open case of the version (id order: `columns`, number) with its pending deadlines: two ordered
    streams merged."""
    deadlines = _streamed(db, connection, PENDING_OF_VERSION, {"version_id": version_id})
    waiting = next(deadlines, None)
    for row in _streamed(db, connection, OPEN_CASES.format(columns=", ".join(columns)), {"version_id": version_id}):
        pending = []
        while waiting is not None and waiting[0] <= row[0]:
            if waiting[0] == row[0]:
                pending.append(waiting[1:])
            waiting = next(deadlines, None)
        yield row, pending


def _entered(db: Database, connection: sa.Connection) -> Callable[[case_rows.CaseRow], datetime]:
    """When a case entered its state: the last event that moved it there (its events read by id, on the
    read connection's own cursor: once for each case that gains a deadline)."""
    cursor = connection.connection.dbapi_connection.cursor()

    def entered(row: case_rows.CaseRow) -> datetime:
        ids = parse_event_ids(row.event_ids)
        if ids:
            marks, named = id_list(ids)
            cursor.execute(db.prepare(EVENTS_BY_ID.format(marks=marks)), named)
            for from_state, to_state, at in cursor.fetchall():
                if to_state == row.state and from_state != row.state:
                    return parse_timestamp(at)
        return parse_timestamp(row.triaged_at) or utcnow()
    return entered


def _full_row(db: Database, connection: sa.Connection) -> Callable[[int], case_rows.CaseRow]:
    """A case's whole row, read on the read connection's own cursor (for a guard to check)."""
    cursor = connection.connection.dbapi_connection.cursor()

    def full_row(case_id: int) -> case_rows.CaseRow:
        cursor.execute(db.prepare(case_rows.SELECT_CASE), {"id": case_id})
        return case_rows.CaseRow._make(cursor.fetchone())
    return full_row


def dry_run(db: Database, migration: Migration, *, now: datetime | None = None) -> PlanSummary:
    """Plan every in-flight case of the old version, store the plan in batches and name it by its hash."""
    now = now or utcnow()
    digest = hashlib.sha256(migration.header())
    totals = _Totals()
    plan_id = _store_header(db, migration, now)
    batch: list[dict[str, Any]] = []
    with db.read() as connection:
        if not db.is_sqlite:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        entered, full_row = _entered(db, connection), _full_row(db, connection)
        columns = plan_columns(migration)
        row_type = namedtuple("PlanRow", columns)
        for row, pending in _cases_with_deadlines(db, connection, migration.from_id, columns):
            entry = plan_case(migration, row_type._make(row[:-1]), row[-1], pending, entered, now, full_row)
            changes = entry.text or jsontext.dumps(entry.changes)
            digest.update(entry.hashed(changes))
            totals.count(entry)
            batch.append(_entry_row(plan_id, entry, changes))
            if len(batch) >= STORE_BATCH:
                _store_entries(db, batch)
                batch = []
    _store_entries(db, batch)
    return _finish(db, plan_id, digest.hexdigest(), totals.document())


def _entry_row(plan_id: int, entry: Entry, changes: str) -> dict[str, Any]:
    return {"plan_id": plan_id, "case_id": entry.case_id, "case_version": entry.version,
            "from_state": entry.from_state, "to_state": entry.to_state, "outcome": entry.outcome,
            "detail": entry.detail, "deadline_changes": changes,
            "status": "planned" if entry.movable else "refused"}


def _store_header(db: Database, migration: Migration, now: datetime) -> int:
    with db.write() as tx:
        return tx.insert(
            "INSERT INTO migration_plans (workflow, from_version_id, to_version_id, state_map, created_at) "
            "VALUES (:workflow, :from_id, :to_id, :state_map, :now)",
            {"workflow": migration.name, "from_id": migration.from_id, "to_id": migration.to_id,
             "state_map": jsontext.dumps(migration.state_map), "now": tx.timestamp(now)})


def _store_entries(db: Database, batch: list[dict[str, Any]]) -> None:
    if batch:
        with db.write() as tx:
            tx.execute_many(INSERT_ENTRY, batch)


def _finish(db: Database, plan_id: int, plan_hash: str, totals: dict[str, Any]) -> PlanSummary:
    """Name the plan by its hash; an earlier dry run of the same state (same hash) gives way to it."""
    with db.write() as tx:
        for (older,) in tx.all("SELECT id FROM migration_plans WHERE hash = :hash", {"hash": plan_hash}):
            tx.execute("DELETE FROM migration_plan_cases WHERE plan_id = :id", {"id": older})
            tx.execute("DELETE FROM migration_plans WHERE id = :id", {"id": older})
        tx.execute("UPDATE migration_plans SET hash = :hash, totals = :totals WHERE id = :id",
                   {"hash": plan_hash, "totals": jsontext.dumps(totals), "id": plan_id})
    return PlanSummary(plan_id, plan_hash, totals)


@dataclass
class _Totals:
    pairs: Counter = field(default_factory=Counter)  # (from state, outcome) -> cases
    deadlines: Counter = field(default_factory=Counter)
    rungs: int = 0  # cases whose ladder rung stands at another place on the new ladder

    def count(self, entry: Entry) -> None:
        self.pairs[entry.from_state, entry.outcome] += 1
        for change in entry.changes:
            if change["change"] == "rung":  # the ladder, not a deadline: counted under its own name
                self.rungs += 1
            else:
                self.deadlines[change["change"]] += 1

    def document(self) -> dict[str, Any]:
        by_state: dict[str, dict[str, int]] = defaultdict(dict)
        by_outcome: Counter = Counter()
        for (state, outcome), count in self.pairs.items():
            by_state[state][outcome] = count
            by_outcome[outcome] += count
        return {"cases": sum(by_outcome.values()), "by_state": dict(by_state), "by_outcome": dict(by_outcome),
                "deadlines": dict(self.deadlines), "ladder_rungs_moved": self.rungs}


def refused_cases(db: Database, plan_id: int, *, every: bool = False) -> Iterator[tuple]:
    """The plan's cases that cannot move (every case with `every`): number, state, outcome, detail, to, changes."""
    where = "" if every else f" AND p.outcome NOT IN ({', '.join(repr(m) for m in MOVES)})"
    with db.read() as connection:
        yield from _streamed(db, connection, (
            "SELECT c.number, p.from_state, p.outcome, p.detail, p.to_state, p.deadline_changes "
            "FROM migration_plan_cases p JOIN cases c ON c.id = p.case_id "
            f"WHERE p.plan_id = :plan_id{where} ORDER BY p.case_id"), {"plan_id": plan_id})
