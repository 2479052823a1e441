"""Recompute every case's event hash chain."""

from __future__ import annotations

from typing import Callable, Iterator

import sqlalchemy as sa

from mediation.db import Database
from mediation.hashchain import ChainBreak, verify_events
from mediation.models import Case, Event

_cases = Case.__table__
_events = Event.__table__


def case_ids(db: Database) -> list[int]:
    with db.read() as connection:
        return list(connection.execute(sa.select(_cases.c.id).order_by(_cases.c.id)).scalars())


def verify_case(db: Database, case_id: int) -> ChainBreak | None:
    """The first break in one case's chain, or None when every event verifies."""
    with db.read() as connection:
        head = connection.execute(sa.select(_cases.c.last_event_hash).where(_cases.c.id == case_id)).scalar()
        rows = connection.execute(
            sa.select(_events).where(_events.c.case_id == case_id).order_by(_events.c.seq)
        ).all()
    return verify_events(case_id, rows, head)


def verify_all(db: Database, on_case: Callable[[int], None] | None = None) -> Iterator[ChainBreak]:
    """Every broken chain, case by case; `on_case` is told of each case checked (progress)."""
    for case_id in case_ids(db):
        broken = verify_case(db, case_id)
        if on_case:
            on_case(case_id)
        if broken:
            yield broken


def case_head_hash(db: Database, case_id: int) -> str | None:
    with db.read() as connection:
        return connection.execute(sa.select(_cases.c.last_event_hash).where(_cases.c.id == case_id)).scalar()
