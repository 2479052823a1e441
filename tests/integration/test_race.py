"""Two processes racing on one case at the same version: exactly one wins, nothing is lost."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
import sqlalchemy as sa

from mediation.cases.audit import verify_case
from mediation.cases.engine import apply_transition
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for
from mediation.errors import StaleCase

pytest_plugins = ["sample_databases"]  # the county database fixtures

ROUNDS = 20
RACERS = ("supervisor1", "county_sup")
HANG_GUARD_SECONDS = 120  # only against a dead racer; no assertion depends on time


def race(url: str, username: str, case_id: int, start_version: int, barrier: Any, outcomes: Any) -> None:
    """In its own process with its own Database: fire `supervise` once per round, after the barrier."""
    database = Database(url)
    actor = actor_for(database, username)
    try:
        for round_ in range(ROUNDS):
            barrier.wait(HANG_GUARD_SECONDS)
            try:
                result = apply_transition(database, case_id=case_id, trigger="supervise", actor=actor,
                                          data={"reason": f"{username} round {round_}"},
                                          expected_version=start_version + round_)
                outcome: tuple = ("won", result.version)
            except StaleCase as error:
                outcome = ("stale", error.current_version)
            except Exception as error:  # noqa: BLE001 (reported to the test, which fails on it)
                outcome = ("error", repr(error))
            outcomes.put((round_, username, outcome))
            barrier.wait(HANG_GUARD_SECONDS)  # the loser is done before the next round starts
    finally:
        database.dispose()


@pytest.mark.slow
def test_two_processes_racing_on_one_case(county_url: str, county_db: Database) -> None:
    case_id = drive_to(county_db, state="screening.reported", county=SampleCounty())
    start = 1
    context = multiprocessing.get_context("spawn")
    barrier, outcomes = context.Barrier(len(RACERS)), context.Queue()
    racers = [context.Process(target=race, args=(county_url, name, case_id, start, barrier, outcomes))
              for name in RACERS]
    for process in racers:
        process.start()
    results = [outcomes.get(timeout=HANG_GUARD_SECONDS) for _ in range(ROUNDS * len(RACERS))]
    for process in racers:
        process.join(HANG_GUARD_SECONDS)
        assert process.exitcode == 0

    by_round: dict[int, list[tuple]] = {}
    for round_, _name, outcome in results:
        by_round.setdefault(round_, []).append(outcome)
    for round_, round_outcomes in sorted(by_round.items()):
        after = start + round_ + 1
        assert sorted(round_outcomes) == [("stale", after), ("won", after)], f"round {round_}: {round_outcomes}"

    with county_db.read() as connection:
        version, event_count = connection.execute(
            sa.text("SELECT version, event_count FROM cases WHERE id = :id"), {"id": case_id}).one()
        seqs = list(connection.execute(
            sa.text("SELECT seq FROM events WHERE case_id = :id ORDER BY seq"), {"id": case_id}).scalars())
    assert version == start + ROUNDS
    assert event_count == version
    assert seqs == list(range(1, version + 1))
    assert verify_case(county_db, case_id) is None
