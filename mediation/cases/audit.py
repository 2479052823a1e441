"""Recompute every case's event hash chain, hold each case row against it, and re-hash its files.

A case row agrees with its chain when its state is the last event's `to_state` and its version
and `event_count` are the number of events: intake writes version 1 with event 1, and every
transition (one that keeps the state too) adds one version and one event in one transaction.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Collection
from typing import Callable, Iterator

import sqlalchemy as sa

from mediation.cases import rows as case_rows
from mediation.cases.attachment_audit import attachment_breaks, stored_attachments
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
    """The first break in one case's chain, or in its row's agreement with the chain; None when all holds."""
    return _case_breaks(db, case_id, with_files=False)[0]


def _case_breaks(db: Database, case_id: int, *, with_files: bool = True,
                 stored_ids: Collection[int] | None = None) -> tuple[ChainBreak | None, list[ChainBreak]]:
    """The case's first chain break, and what is wrong with its files (each re-hashed against its event)."""
    with db.snapshot() as tx:
        found = tx.one("SELECT last_event_hash, state, version, event_count FROM cases WHERE id = :id",
                       {"id": case_id})
        rows = [EventRow._make(row) for row in case_rows.case_events(tx, case_id, _EVENT_COLUMNS).fetchall()]
        files = attachment_breaks(tx, case_id, rows, stored_ids) if with_files else []
    if found is None:
        return verify_events(case_id, rows, None), files
    return verify_events(case_id, rows, found[0]) or row_disagreement(case_id, rows, *found[1:]), files


def row_disagreement(case_id: int, events: list[EventRow], state: str, version: int,
                     event_count: int) -> ChainBreak | None:
    """Where the case row says other than its (verified) chain: state, version or event count."""
    last = events[-1] if events else None
    seq = last.seq if last else 0
    if last is None or state != last.to_state:
        return ChainBreak(case_id, seq, f"case row state '{state}' differs from its last event's "
                                        f"'{last.to_state if last else None}'")
    if version != len(events):
        return ChainBreak(case_id, seq, f"case row version {version} but its chain holds {len(events)} events "
                                        "(one version per event)")
    if event_count != len(events):
        return ChainBreak(case_id, seq, f"case row counts {event_count} events, its chain holds {len(events)}")
    return None


STORED_PER_CASE = "SELECT case_id, count(*) FROM events {where} GROUP BY case_id"
LISTED_PER_CASE = "SELECT id, event_count FROM cases {where}"


def unlisted_events(db: Database, case_id: int | None = None) -> list[ChainBreak]:
    """Cases with more events stored under their id than their chain lists (one pass over events).

    With `case_id`, that case only (still one pass: events have no index by case).
    """
    params = {"id": case_id}
    with db.snapshot() as tx:
        stored = dict(tx.all(STORED_PER_CASE.format(where="" if case_id is None else "WHERE case_id = :id"), params))
        listed = dict(tx.all(LISTED_PER_CASE.format(where="" if case_id is None else "WHERE id = :id"), params))
    return [ChainBreak(found, listed.get(found, 0) + 1,
                       f"{count} events stored for the case, {listed.get(found, 0)} in its chain")
            for found, count in sorted(stored.items()) if count != listed.get(found, 0)]


def check_case(db: Database, case_id: int) -> list[ChainBreak]:
    """Everything a full `verify_all` finds for one case: events left out of its chain, its chain and row,
    then its files."""
    broken, files = _case_breaks(db, case_id)
    return [*unlisted_events(db, case_id), *([broken] if broken else []), *files]


def verify_all(db: Database, on_case: Callable[[int], None] | None = None) -> Iterator[ChainBreak]:
    """Every broken chain, case by case, and every changed, missing or unlisted file;
    `on_case` is told of each case checked (progress).

    Events stored for a case but missing from its chain are reported first.
    """
    yield from unlisted_events(db)
    stored = stored_attachments(db)
    for case_id in case_ids(db):
        broken, files = _case_breaks(db, case_id, stored_ids=stored.get(case_id, ()))
        if on_case:
            on_case(case_id)
        if broken:
            yield broken
        yield from files


def case_head_hash(db: Database, case_id: int) -> str | None:
    with db.read() as connection:
        return connection.execute(sa.select(_cases.c.last_event_hash).where(_cases.c.id == case_id)).scalar()

