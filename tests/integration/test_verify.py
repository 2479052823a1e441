"""The event hash chain: a good dataset verifies; one edited byte is found, by case and event.

An event is named by its case and its number within the case (`seq`), as `verify` reports it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from verify_command import run_verify

from mediation.cases.audit import unlisted_events, verify_all, verify_case
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty

pytest_plugins = ["sample_databases"]  # the county database fixtures

NOW = datetime(2026, 3, 2, 9, 0)
STATES = ("closed.litigation_advised", "closed.resolved", "joint.feedback_received", "closed.not_accepted")


@pytest.fixture
def dataset(county_db: Database) -> list[int]:
    """A few cases along different routes, and the case whose events get edited (the first)."""
    return [drive_to(county_db, state=state, county=SampleCounty(), now=NOW + timedelta(days=i))
            for i, state in enumerate(STATES)]


def target_event(db: Database, case_id: int) -> dict[str, Any]:
    """An event in the middle of the case's chain that has a reason."""
    with db.read() as connection:
        rows = [dict(row) for row in connection.execute(
            sa.text("SELECT * FROM events WHERE case_id = :id ORDER BY seq"), {"id": case_id}).mappings()]
    middle = [row for row in rows[1:-1] if row["reason"]]
    assert middle, "the route has no event with a reason in the middle of its chain"
    return middle[-1]


def flip_last_character(text: str) -> str:
    replacement = "0" if text[-1] != "0" else "1"
    return text[:-1] + replacement


def edited(column: str, value: Any) -> Any:
    """The value with one character (one byte for ASCII text and hex) changed."""
    if column == "at":
        return value + timedelta(seconds=1) if isinstance(value, datetime) else \
            (datetime.fromisoformat(value) + timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    if column == "data":
        position = value.index('"') + 1  # the first letter of the first key
        return value[:position] + ("X" if value[position] != "X" else "Y") + value[position + 1:]
    return flip_last_character(value)


def tamper(db: Database, event: dict[str, Any], column: str) -> None:
    with db.begin() as connection:
        connection.execute(sa.text(f"UPDATE events SET {column} = :value WHERE case_id = :case AND seq = :seq"),
                           {"value": edited(column, event[column]), "case": event["case_id"], "seq": event["seq"]})


def test_a_good_dataset_verifies(county_db: Database, dataset: list[int]) -> None:
    assert list(verify_all(county_db)) == []
    for case_id in dataset:
        assert verify_case(county_db, case_id) is None


def test_verify_all_tells_of_each_case_checked(county_db: Database, dataset: list[int]) -> None:
    checked: list[int] = []
    assert list(verify_all(county_db, on_case=checked.append)) == []
    assert sorted(checked) == sorted(set(checked)) and set(dataset) <= set(checked)


@pytest.mark.parametrize("column", ["data", "reason", "hash", "prev_hash", "trigger", "actor", "at", "to_state",
                                    "from_state"])
def test_one_edited_field_is_found_by_case_and_event(county_db: Database, dataset: list[int], column: str) -> None:
    case_id = dataset[0]
    event = target_event(county_db, case_id)
    tamper(county_db, event, column)

    broken = verify_case(county_db, case_id)
    assert broken is not None
    assert (broken.case_id, broken.seq) == (case_id, event["seq"])
    breaks = list(verify_all(county_db))
    assert [(b.case_id, b.seq) for b in breaks] == [(case_id, event["seq"])]
    for other in dataset[1:]:
        assert verify_case(county_db, other) is None


def test_a_deleted_event_is_found(county_db: Database, dataset: list[int]) -> None:
    case_id = dataset[1]
    with county_db.begin() as connection:
        connection.execute(sa.text("DELETE FROM events WHERE case_id = :id AND seq = 3"), {"id": case_id})
    broken = verify_case(county_db, case_id)
    assert broken is not None
    assert (broken.case_id, broken.seq) == (case_id, 4)  # the event after the gap
    assert verify_case(county_db, dataset[0]) is None


def test_an_event_left_out_of_its_chain_is_found(county_db: Database, dataset: list[int]) -> None:
    """A row added to events for a case (not through the engine) is not part of the case's chain."""
    case_id = dataset[1]
    columns = 'case_id, seq, "trigger", actor, at, from_state, to_state, data, reason, prev_hash, hash'
    with county_db.begin() as connection:
        count = connection.execute(sa.text("SELECT event_count FROM cases WHERE id = :id"), {"id": case_id}).scalar()
        connection.execute(sa.text(
            f"INSERT INTO events ({columns}) SELECT {columns} FROM events WHERE case_id = :id AND seq = 2"),
            {"id": case_id})
    assert verify_case(county_db, case_id) is None  # its listed chain is intact …
    found = unlisted_events(county_db)  # … but the extra row is reported
    assert [(broken.case_id, broken.seq) for broken in found] == [(case_id, count + 1)]
    assert found[0] in list(verify_all(county_db))


def test_a_chain_listing_another_case_event_is_found(county_db: Database, dataset: list[int]) -> None:
    case_id, other = dataset[0], dataset[3]
    with county_db.begin() as connection:
        ids = connection.execute(sa.text("SELECT event_ids FROM cases WHERE id = :id"), {"id": case_id}).scalar()
        foreign = connection.execute(sa.text("SELECT id FROM events WHERE case_id = :id AND seq = 2"),
                                     {"id": other}).scalar()
        listed = ids.split(",")
        listed[1] = str(foreign)
        connection.execute(sa.text("UPDATE cases SET event_ids = :ids WHERE id = :id"),
                           {"ids": ",".join(listed), "id": case_id})
    broken = verify_case(county_db, case_id)
    assert broken is not None and broken.case_id == case_id
    assert f"case {other}" in broken.problem


def test_an_edited_case_head_is_found(county_db: Database, dataset: list[int]) -> None:
    case_id = dataset[2]
    with county_db.begin() as connection:
        head = connection.execute(sa.text("SELECT last_event_hash FROM cases WHERE id = :id"), {"id": case_id}).scalar()
        connection.execute(sa.text("UPDATE cases SET last_event_hash = :h WHERE id = :id"),
                           {"h": flip_last_character(head), "id": case_id})
        last = connection.execute(sa.text("SELECT max(seq) FROM events WHERE case_id = :id"), {"id": case_id}).scalar()
    broken = verify_case(county_db, case_id)
    assert broken is not None
    assert (broken.case_id, broken.seq) == (case_id, last)


@pytest.mark.slow
def test_the_verify_command_exits_non_zero_naming_case_and_event(
    county_url: str, county_db: Database, dataset: list[int]
) -> None:
    before = run_verify(county_url)
    assert before.returncode == 0, before.stdout + before.stderr

    case_id = dataset[0]
    event = target_event(county_db, case_id)
    tamper(county_db, event, "reason")
    after = run_verify(county_url)
    output = after.stdout + after.stderr
    assert after.returncode != 0
    assert re.search(rf"\bcase {case_id} event {event['seq']}\b", output), output
