"""`workflows migrate --apply`: move the cases of a stored plan through the engine, each in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

import sqlalchemy as sa

from mediation import jsontext
from mediation.cases import engine
from mediation.cases.migration import Migration
from mediation.clock import utcnow
from mediation.db import Database
from mediation.directory.actors import Actor
from mediation.errors import NotFound, StaleCase


class PlanNotFound(NotFound):
    """No stored dry run with that hash for these versions and map."""


@dataclass
class ApplyTotals:
    """What `--apply` did: cases moved, and the numbers of those changed since the plan or busy now."""

    moved: int = 0
    skipped: int = 0
    refused: int = 0
    changed: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)


def find_plan(db: Database, migration: Migration, plan_hash: str) -> tuple[int, int]:
    """The plan's id and how many of its cases wait to move; PlanNotFound unless it is these versions and map."""
    with db.write() as tx:
        found = tx.one("SELECT id FROM migration_plans WHERE hash = :hash AND from_version_id = :f "
                       "AND to_version_id = :t AND state_map = :m",
                       {"hash": plan_hash, "f": migration.from_id, "t": migration.to_id,
                        "m": jsontext.dumps(migration.state_map)})
        if found is None:
            raise PlanNotFound(f"no dry run with plan {plan_hash} from version {migration.from_number} "
                               f"to {migration.to_number} with this map")
        waiting = tx.one("SELECT count(*) FROM migration_plan_cases WHERE plan_id = :id AND status = 'planned'",
                         {"id": found[0]})[0]
    return found[0], waiting


def apply_plan(db: Database, migration: Migration, plan_hash: str, *, actor: Actor, limit: int | None = None,
               advance: Callable[[], None] | None = None, now: datetime | None = None) -> ApplyTotals:
    """Move each planned case through the engine, each in its own transaction (at most `limit` of them)."""
    plan_id, _ = find_plan(db, migration, plan_hash)
    totals = ApplyTotals(refused=_count(db, plan_id, "refused"))
    after, done = 0, 0
    while True:
        with db.write() as tx:
            batch = tx.all("SELECT p.case_id, c.number, p.case_version, p.from_state, p.to_state, "
                           "p.deadline_changes FROM migration_plan_cases p JOIN cases c ON c.id = p.case_id "
                           "WHERE p.plan_id = :plan_id AND p.status = 'planned' AND p.case_id > :after "
                           "ORDER BY p.case_id LIMIT 500", {"plan_id": plan_id, "after": after})
        if not batch:
            return totals
        for case_id, number, version, from_state, to_state, changes in batch:
            if limit is not None and done >= limit:
                return totals
            _apply_one(db, migration, plan_id, plan_hash, actor, totals,
                       (case_id, number, version, from_state, to_state, jsontext.loads(changes)), now)
            done, after = done + 1, case_id
            if advance is not None:
                advance()


def _apply_one(db: Database, migration: Migration, plan_id: int, plan_hash: str, actor: Actor,
               totals: ApplyTotals, planned: tuple, now: datetime | None) -> None:
    case_id, number, version, from_state, to_state, changes = planned
    moment = now or utcnow()
    data = {"from_version": migration.from_number, "to_version": migration.to_number, "from_state": from_state,
            "to_state": to_state, "plan": plan_hash, "deadlines": changes}
    try:
        with db.write() as tx:
            status = engine.migrate_case(tx, case_id=case_id, expected_version=version, to_version_id=migration.to_id,
                                         to_state=to_state, deadline_changes=changes, actor=actor, data=data,
                                         now=moment)
            _mark(tx, plan_id, case_id, status, moment)
    except StaleCase:  # written by another between the check and the write: nothing of the move stays
        status = "changed"
        with db.write() as tx:
            _mark(tx, plan_id, case_id, status, moment)
    if status == "moved":
        totals.moved += 1
    elif status == "skipped":
        totals.skipped += 1
    else:
        (totals.changed if status == "changed" else totals.busy).append(number)


def _mark(tx: Any, plan_id: int, case_id: int, status: str, now: datetime) -> None:
    """The plan's line for the case says what became of it (a busy case stays planned for the next run)."""
    if status != "busy":
        tx.execute("UPDATE migration_plan_cases SET status = :status, moved_at = :now "
                   "WHERE plan_id = :plan_id AND case_id = :case_id",
                   {"status": status, "now": tx.timestamp(now) if status == "moved" else None,
                    "plan_id": plan_id, "case_id": case_id})


def _count(db: Database, plan_id: int, status: str) -> int:
    with db.write() as tx:
        return tx.one("SELECT count(*) FROM migration_plan_cases WHERE plan_id = :id AND status = :status",
                      {"id": plan_id, "status": status})[0]


def migrating_admin(db: Database, username: str | None) -> Actor:
    """The administrator who migrates: the one named, else the first active one; NotFound / PermissionError."""
    from mediation.directory.accounts import actor_for

    if username is None:
        with db.read() as connection:
            names = connection.execute(sa.text(
                "SELECT username, roles FROM users WHERE active = :yes ORDER BY id"), {"yes": True}).all()
        username = next((name for name, roles in names if "admin" in roles.split()), None)
        if username is None:
            raise NotFound("no active admin user: name one with --as")
    actor = actor_for(db, username)
    if "admin" not in actor.roles:
        raise PermissionError(f"user '{username}' is not an admin")
    return actor
