"""Recompute every case's event hash chain."""

from __future__ import annotations

from collections import namedtuple
from typing import Callable, Iterator

import sqlalchemy as sa

from mediation.cases import rows as case_rows
from mediation.cases.hashchain import ChainBreak, verify_events
from mediation.db import Database
from mediation.db.models import Case

_cases = Case.__table__
_EVENT_COLUMNS = "case_id, " + case_rows.EVENT_COLUMNS
EventRow = namedtuple("EventRow", [name.strip() for name in _EVENT_COLUMNS.split(",")])


def case_ids(db: Database) -> list[int]:
    with db.read() as connection:
        return list(connection.execute(sa.select(_cases.c.id).order_by(_cases.c.id)).scalars())


def verify_case(db: Database, case_id: int) -> ChainBreak | None:
    """The first break in one case's chain, or None when every event verifies."""
    with db.snapshot() as tx:
        found = tx.one("SELECT last_event_hash FROM cases WHERE id = :id", {"id": case_id})
        rows = [EventRow._make(row) for row in case_rows.case_events(tx, case_id, _EVENT_COLUMNS).fetchall()]
    return verify_events(case_id, rows, found[0] if found else None)


def unlisted_events(db: Database) -> list[ChainBreak]:
    """Cases with more events stored under their id than their chain lists (one pass over events)."""
    with db.snapshot() as tx:
        stored = dict(tx.all("SELECT case_id, count(*) FROM events GROUP BY case_id"))
        listed = dict(tx.all("SELECT id, event_count FROM cases"))
    return [ChainBreak(case_id, listed.get(case_id, 0) + 1,
                       f"{count} events stored for the case, {listed.get(case_id, 0)} in its chain")
            for case_id, count in sorted(stored.items()) if count != listed.get(case_id, 0)]


def verify_all(db: Database, on_case: Callable[[int], None] | None = None) -> Iterator[ChainBreak]:
    """Every broken chain, case by case; `on_case` is told of each case checked (progress).

    Events stored for a case but missing from its chain are reported first.
    """
    yield from unlisted_events(db)
    for case_id in case_ids(db):
        broken = verify_case(db, case_id)
        if on_case:
            on_case(case_id)
        if broken:
            yield broken


def case_head_hash(db: Database, case_id: int) -> str | None:
    with db.read() as connection:
        return connection.execute(sa.select(_cases.c.last_event_hash).where(_cases.c.id == case_id)).scalar()
