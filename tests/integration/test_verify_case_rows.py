"""`verify` checks each case row against its event trail, and `verify --case ID` misses nothing a full run finds.

A case's row must agree with its chain: its state is the last event's `to_state`, its version is
the number of events (intake writes version 1 with event 1; every transition, a state-keeping one
too, adds one of each), its `event_count` is the chain's length. An event stored under the case but
left out of its chain is reported for that case by `verify --case ID` as by a full `verify`.
Tampering is done on purpose, straight in the database, as someone bypassing the engine would.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from verify_command import run_verify

from mediation.cases.audit import check_case, verify_all, verify_case
from mediation.cases.intake import CaseInput, PartyInput
from mediation.db import Database
from mediation.demo.case_paths import drive_to, fire
from mediation.demo.sample_county import SampleCounty

pytest_plugins = ["sample_databases"]  # the county database fixtures

NOW = datetime(2026, 3, 2, 9, 0)


def neighbours(county: SampleCounty) -> CaseInput:
    """A neighbour dispute in 江北社区's first grid (no ID numbers: none are needed here)."""
    return CaseInput(title="王某与赵某邻里纠纷", channel="grid_screening", unit=county.grid,
                     category="neighbour", description="王某反映楼上赵某家夜间噪音扰民，双方多次争吵。",
                     parties=[PartyInput("王某", "applicant", phone="13857712345"),
                              PartyInput("赵某", "respondent", phone="13905771234")])


@pytest.fixture
def cases(county_db: Database) -> list[int]:
    """A case in mediation (its last event moved the state) and a closed one (for the other tests to leave alone)."""
    county = SampleCounty()
    return [drive_to(county_db, state="mediation.in_session", county=county, now=NOW, case_input=neighbours(county)),
            drive_to(county_db, state="closed.resolved", county=county, now=NOW + timedelta(days=1),
                     case_input=neighbours(county))]


def case_row(db: Database, case_id: int) -> dict:
    with db.read() as connection:
        return dict(connection.execute(sa.text("SELECT state, version, event_count FROM cases WHERE id = :id"),
                                       {"id": case_id}).mappings().one())


def set_row(db: Database, case_id: int, **values) -> None:
    assignments = ", ".join(f"{column} = :{column}" for column in values)
    with db.begin() as connection:
        connection.execute(sa.text(f"UPDATE cases SET {assignments} WHERE id = :id"), {**values, "id": case_id})


def test_rows_that_agree_with_their_events_verify(county_db: Database, cases: list[int]) -> None:
    for case_id in cases:
        row = case_row(county_db, case_id)
        assert row["version"] == row["event_count"]
        assert verify_case(county_db, case_id) is None and check_case(county_db, case_id) == []
    assert list(verify_all(county_db)) == []


def test_a_state_changed_without_an_event_is_found(county_db: Database, cases: list[int]) -> None:
    case_id = cases[0]
    row = case_row(county_db, case_id)
    set_row(county_db, case_id, state="closed.resolved", stage="closed")

    broken = verify_case(county_db, case_id)
    assert broken is not None and (broken.case_id, broken.seq) == (case_id, row["event_count"])
    assert "closed.resolved" in broken.problem and "mediation.in_session" in broken.problem
    assert [(b.case_id, b.seq) for b in verify_all(county_db)] == [(case_id, row["event_count"])]
    assert verify_case(county_db, cases[1]) is None


def test_a_version_changed_without_an_event_is_found(county_db: Database, cases: list[int]) -> None:
    case_id = cases[0]
    row = case_row(county_db, case_id)
    set_row(county_db, case_id, version=row["version"] + 1)

    broken = verify_case(county_db, case_id)
    assert broken is not None and broken.case_id == case_id
    assert f"version {row['version'] + 1}" in broken.problem and f"{row['event_count']} events" in broken.problem
    assert [b.case_id for b in verify_all(county_db)] == [case_id]


def test_a_version_and_event_count_raised_together_are_found(county_db: Database, cases: list[int]) -> None:
    """The row's own count cannot vouch for the version: both are held against the chain."""
    case_id = cases[0]
    row = case_row(county_db, case_id)
    set_row(county_db, case_id, version=row["version"] + 2, event_count=row["event_count"] + 2)

    broken = verify_case(county_db, case_id)
    assert broken is not None and broken.case_id == case_id
    assert any(b.case_id == case_id for b in verify_all(county_db))


def test_an_internal_transition_adds_an_event_and_still_verifies(county_db: Database, cases: list[int]) -> None:
    """A trigger that keeps the state (here a raised risk) writes a version and an event all the same."""
    case_id = cases[0]
    before = case_row(county_db, case_id)
    fire(county_db, case_id, "raise_risk", actor="mediator1",
         data={"risk_level": "high", "reason": "当事人情绪激动"}, now=NOW + timedelta(days=2))
    after = case_row(county_db, case_id)
    assert (after["state"], after["version"], after["event_count"]) == (
        before["state"], before["version"] + 1, before["event_count"] + 1)
    assert verify_case(county_db, case_id) is None and check_case(county_db, case_id) == []


def test_one_case_check_finds_an_event_left_out_of_its_chain(county_db: Database, cases: list[int]) -> None:
    case_id = cases[0]
    columns = 'case_id, seq, "trigger", actor, at, from_state, to_state, data, reason, prev_hash, hash'
    with county_db.begin() as connection:
        connection.execute(sa.text(
            f"INSERT INTO events ({columns}) SELECT {columns} FROM events WHERE case_id = :id AND seq = 2"),
            {"id": case_id})
    count = case_row(county_db, case_id)["event_count"]

    found = check_case(county_db, case_id)
    assert [(b.case_id, b.seq) for b in found] == [(case_id, count + 1)]
    assert check_case(county_db, cases[1]) == []


@pytest.mark.slow
def test_verify_case_on_the_command_line_reports_row_and_unlisted_events(
    county_url: str, county_db: Database, cases: list[int]
) -> None:
    case_id, other = cases
    clean = run_verify(county_url, "--case", str(case_id))
    assert clean.returncode == 0, clean.stdout + clean.stderr

    columns = 'case_id, seq, "trigger", actor, at, from_state, to_state, data, reason, prev_hash, hash'
    with county_db.begin() as connection:
        connection.execute(sa.text(
            f"INSERT INTO events ({columns}) SELECT {columns} FROM events WHERE case_id = :id AND seq = 2"),
            {"id": case_id})
    unlisted = run_verify(county_url, "--case", str(case_id))
    assert unlisted.returncode == 1 and f"case {case_id} event" in unlisted.stderr, unlisted.stdout + unlisted.stderr
    assert "events stored for the case" in unlisted.stderr

    set_row(county_db, other, state="follow_up.tracking", stage="follow_up")
    row_changed = run_verify(county_url, "--case", str(other))
    assert row_changed.returncode == 1 and f"case {other} event" in row_changed.stderr
    assert "follow_up.tracking" in row_changed.stderr
    whole = run_verify(county_url)
    assert whole.returncode == 1
    assert f"case {case_id} event" in whole.stderr and f"case {other} event" in whole.stderr
