"""Every case's chain verified in one pass over the cases and the events (after `db copy`).

`verify_all` asks the database twice per case, which is right for a running system and slow for a
million freshly copied cases. Here the cases (by id) and the events (by case and sequence) are
read as two streams and merged; each case goes through the same checks as `verify_all`
(`verify_events`, `row_disagreement`). A case found anything but plain — events stored outside its
chain, a break, files to re-hash — is checked again by `check_case`, so what is reported, and how,
is exactly what `mediation verify` reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import groupby
from typing import Any

from mediation.cases.attachment_audit import stored_attachments
from mediation.cases.attachments import ATTACH
from mediation.cases.audit import EventRow, check_case, row_disagreement
from mediation.cases.event_lookup import parse_event_ids
from mediation.cases.hashchain import ChainBreak, verify_events
from mediation.cases.rows import EVENT_COLUMNS
from mediation.db import Database

BATCH_ROWS = 10_000
CASES_SQL = "SELECT id, last_event_hash, state, version, event_count, event_ids FROM cases ORDER BY id"
EVENTS_SQL = f"SELECT id, case_id, {EVENT_COLUMNS} FROM events ORDER BY case_id, seq"


def verify_streamed(db: Database, on_case: Callable[[int], None] | None = None) -> Iterator[ChainBreak]:
    """What `verify_all` finds, case by case, from one read of each table; `on_case` is told of each case."""
    with_files = stored_attachments(db)
    connection = db.read_engine.raw_connection()
    try:
        raw = connection.dbapi_connection
        cases = _stream(raw, CASES_SQL, db.is_sqlite, "verify_cases")
        events = groupby(_event_rows(_stream(raw, EVENTS_SQL, db.is_sqlite, "verify_events")),
                         key=lambda pair: pair[1].case_id)
        pending = next(events, None)
        for case_id, head, state, version, event_count, event_ids in cases:
            while pending is not None and pending[0] < case_id:  # events of no case
                yield from check_case(db, pending[0])
                pending = next(events, None)
            chain: list[tuple[int, EventRow]] = []
            if pending is not None and pending[0] == case_id:
                chain = list(pending[1])
                pending = next(events, None)
            if not _plain(case_id, chain, head, state, version, event_count, event_ids, with_files):
                yield from check_case(db, case_id)
            if on_case:
                on_case(case_id)
        while pending is not None:
            yield from check_case(db, pending[0])
            pending = next(events, None)
    finally:
        connection.rollback()
        connection.close()


def _plain(case_id: int, chain: list[tuple[int, EventRow]], head: str, state: str, version: int,
           event_count: int, event_ids: str, with_files: dict[int, set[int]]) -> bool:
    """Whether the case holds with nothing more to look at: its listed events are all its stored events,
    its chain and row agree, and it has no files."""
    rows = [row for _id, row in chain]
    listed = parse_event_ids(event_ids)
    return (listed == [event_id for event_id, _row in chain] and case_id not in with_files
            and not any(row.trigger == ATTACH for row in rows)
            and verify_events(case_id, rows, head) is None
            and row_disagreement(case_id, rows, state, version, event_count) is None)


def _event_rows(rows: Iterator[tuple]) -> Iterator[tuple[int, EventRow]]:
    for row in rows:
        yield row[0], EventRow._make(row[1:])


def _stream(raw: Any, sql: str, is_sqlite: bool, name: str) -> Iterator[tuple]:
    """The rows of one query a batch at a time (a server-side cursor on PostgreSQL)."""
    cursor = raw.cursor() if is_sqlite else raw.cursor(name=name)
    cursor.execute(sql)
    try:
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield from batch
    finally:
        cursor.close()

