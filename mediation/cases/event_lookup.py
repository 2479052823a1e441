"""A case's events, found by id. The events table has no index by case (appending an event touches one
B-tree page); the case row lists its events' ids instead (`cases.event_ids`, written with each event).
A query over `events` by `case_id` reads every event of every case: at a million cases, seconds."""

from __future__ import annotations

from mediation.db import RawTransaction

EVENT_IDS_OF_CASE = "SELECT event_ids FROM cases WHERE id = :id"
IDS_PER_STATEMENT = 500  # ids named in one statement at most (SQLite takes some 32,000 parameters)


def parse_event_ids(listed: str | None) -> list[int]:
    """The ids a case row's `event_ids` lists, in the order written."""
    return [int(text) for text in listed.split(",") if text] if listed else []


def event_ids_of(tx: RawTransaction, case_id: int) -> list[int]:
    """The ids of the case's events in the order written; empty for no such case."""
    found = tx.one(EVENT_IDS_OF_CASE, {"id": case_id})
    return parse_event_ids(found[0]) if found else []


def id_list(ids: list[int], prefix: str = "e") -> tuple[str, dict[str, int]]:
    """`:e0, :e1, …` for an IN list of the ids, and its parameters."""
    params = {f"{prefix}{i}": event_id for i, event_id in enumerate(ids)}
    return ", ".join(f":{name}" for name in params), params


def events_with_ids(tx: RawTransaction, ids: list[int], columns: str, where: str = "1 = 1") -> list[tuple]:
    """`columns` of the events with these ids that also meet `where`, read IDS_PER_STATEMENT ids at a time
    (in no particular order)."""
    rows: list[tuple] = []
    for start in range(0, len(ids), IDS_PER_STATEMENT):
        marks, named = id_list(ids[start:start + IDS_PER_STATEMENT])
        rows += tx.all(f"SELECT {columns} FROM events WHERE id IN ({marks}) AND {where}", named)
    return rows
