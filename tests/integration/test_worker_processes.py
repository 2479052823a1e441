"""Worker processes: racing over due deadlines, killed mid-batch, stopped with SIGTERM; and a
person acting on a case at the moment the worker fires its deadline.

The deadlines and workers are those of tests/due_deadlines.py ("fired exactly once" is counted
in the database, per deadline).

On PostgreSQL two worker processes race (`FOR UPDATE SKIP LOCKED`); on SQLite, where one
worker runs by design, the same workload goes through a single worker process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from due_deadlines import (
    COUNTY,
    FIRST,
    FIRST_DUE,
    HANG_GUARD_SECONDS,
    KIND,
    RACED,
    SECOND_DUE,
    TOTAL,
    done_count,
    other_sessions,
    run_worker,
    start_worker,
    tally,
    until,
)

from mediation.cases.audit import verify_case
from mediation.cases.engine import apply_transition
from mediation.db import Database
from mediation.deadlines import worker as deadline_worker
from mediation.deadlines.worker import run_until_idle
from mediation.demo.case_paths import drive_to, fire
from mediation.directory.accounts import actor_for
from mediation.errors import StaleCase

pytest_plugins = ["sample_databases"]  # county_template, county_db, due_template, due_url, due_db


def assert_chains_verify(db: Database, every: int = 97) -> None:
    with db.read() as connection:
        case_ids = connection.execute(sa.text("SELECT id FROM cases ORDER BY id")).scalars().all()
    for case_id in case_ids[::every] + case_ids[-1:]:
        assert verify_case(db, case_id) is None, case_id


# ---------------------------------------------------------------------- workers
def worker_process(url: str, now: datetime, batch_size: int, barrier: Any, results: Any) -> None:
    """In its own process: wait for the others, then process everything due at `now`."""
    database = Database(url)
    try:
        barrier.wait(HANG_GUARD_SECONDS)
        report = run_until_idle(database, now=now, batch_size=batch_size)
        results.put((os.getpid(), "ok", dict(report.outcomes)))
    except BaseException as error:  # noqa: BLE001 (reported to the test, which fails on it)
        results.put((os.getpid(), "error", repr(error)))
    finally:
        database.dispose()


def race(url: str, *, workers: int, now: datetime, batch_size: int) -> list[tuple]:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(workers), context.Queue()
    processes = [context.Process(target=worker_process, args=(url, now, batch_size, barrier, results))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    reports = [results.get(timeout=HANG_GUARD_SECONDS) for _ in processes]
    for process in processes:
        process.join(HANG_GUARD_SECONDS)
        assert process.exitcode == 0
    return reports


# ---------------------------------------------------------------------- racing
@pytest.mark.slow
def test_two_workers_racing_over_a_thousand_due_deadlines_fire_each_exactly_once(
        due_url: str, due_db: Database) -> None:
    """PostgreSQL: two processes claim with SKIP LOCKED. SQLite: one worker does the same work."""
    workers = 1 if due_db.is_sqlite else 2
    assert tally(due_db) == Counter({("pending", 0): TOTAL})
    reports = race(due_url, workers=workers, now=FIRST_DUE, batch_size=20)

    assert [status for _, status, _ in reports] == ["ok"] * workers, reports
    fired = [outcomes.get("fired", 0) for _, _, outcomes in reports]
    assert sum(fired) == RACED, reports
    assert all(count > 0 for count in fired), f"a worker got nothing to do, so nothing raced: {reports}"
    assert all(set(outcomes) == {"fired"} for _, _, outcomes in reports), reports
    assert tally(due_db) == Counter({("done", 1): RACED, ("pending", 0): TOTAL - RACED})
    assert_chains_verify(due_db)
    # Nothing is left for a third pass at the same moment.
    assert run_until_idle(due_db, now=FIRST_DUE).claimed == 0


# ---------------------------------------------------------------------- crashing
@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing_after_a_restart(
        due_url: str, due_db: Database) -> None:
    batch = 500
    due = SECOND_DUE.isoformat()
    worker = start_worker(due_url, "--once", "--now", due, "--batch-size", str(batch))
    until(lambda: done_count(due_db) >= batch or worker.poll() is not None, "the first batch commits")
    worker.kill()
    _, err = worker.communicate(timeout=HANG_GUARD_SECONDS)
    assert worker.returncode == -signal.SIGKILL, err[-3000:]

    after_kill = tally(due_db)
    committed = after_kill[("done", 1)]
    assert 0 < committed < TOTAL and committed % batch == 0, after_kill  # whole batches only
    assert set(after_kill) == {("done", 1), ("pending", 0)}, after_kill
    if not due_db.is_sqlite:  # the dead worker's backend has rolled back and let go of its rows
        until(lambda: other_sessions(due_db) == 0, "the killed worker's session is gone")

    restarted = run_worker(due_url, "--once", "--now", due, "--batch-size", str(batch))
    assert f"processed {TOTAL - committed} due deadlines" in restarted.stdout, restarted.stdout
    assert tally(due_db) == Counter({("done", 1): TOTAL})
    assert_chains_verify(due_db)


# ---------------------------------------------------------------------- stopping
@pytest.mark.slow
def test_sigterm_stops_the_worker_after_its_current_batch_with_status_zero(
        due_url: str, due_db: Database) -> None:
    """`mediation worker` on the real clock (every deadline here is long due)."""
    batch = 200
    worker = start_worker(due_url, "--batch-size", str(batch), "--idle-seconds", "0.05")
    until(lambda: done_count(due_db) >= batch or worker.poll() is not None, "the first batch commits")
    assert worker.poll() is None, worker.communicate()[1][-3000:]
    worker.send_signal(signal.SIGTERM)
    at_signal = done_count(due_db)  # the batch under way when the signal came may commit after this
    out, err = worker.communicate(timeout=HANG_GUARD_SECONDS)
    assert worker.returncode == 0, err[-3000:]
    assert "worker stopped" in out, out

    stopped = tally(due_db)
    finished = stopped[("done", 1)]
    assert finished % batch == 0 and finished - at_signal in (0, batch), (at_signal, stopped)
    assert finished < TOTAL, "the worker ran on after SIGTERM"
    assert set(stopped) == {("done", 1), ("pending", 0)}, stopped

    rest = run_worker(due_url, "--once", "--batch-size", str(batch))
    assert f"processed {TOTAL - finished} due deadlines" in rest.stdout, rest.stdout
    assert tally(due_db) == Counter({("done", 1): TOTAL})


@pytest.mark.slow
def test_sigterm_stops_an_idle_worker_with_status_zero(county_url: str) -> None:
    worker = start_worker(county_url, "--idle-seconds", "0.5")
    first_line = worker.stdout.readline()
    assert "worker running" in first_line, (first_line, worker.stderr.read()[-3000:] if worker.poll() else "")
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=HANG_GUARD_SECONDS)
    assert worker.returncode == 0, err[-3000:]
    assert "worker stopped" in out, out


# ---------------------------------------------------------------------- a person acting as the worker fires
# One referred case, its acknowledgement due at FIRST_DUE; a person and the worker (threads of this
# process, each with its own connection) act on it at that moment.
def referred_case(db: Database) -> int:
    return drive_to(db, state="joint.referred", county=COUNTY, now=FIRST, step=timedelta(0))


def case_now(db: Database, case_id: int) -> tuple[str, int, str]:
    """State, version and risk level."""
    with db.read() as connection:
        return tuple(connection.execute(sa.text("SELECT state, version, risk_level FROM cases WHERE id = :id"),
                                        {"id": case_id}).one())


def acknowledgement(db: Database, case_id: int) -> tuple[list[str], int]:
    """The statuses of the case's acknowledgement deadlines, and the system's supervisions for them."""
    with db.read() as connection:
        statuses = connection.execute(sa.text(
            "SELECT status FROM deadlines WHERE case_id = :id AND kind = :kind ORDER BY id"),
            {"id": case_id, "kind": KIND}).scalars().all()
        supervisions = connection.execute(sa.text(
            "SELECT count(*) FROM events WHERE case_id = :id AND actor = 'system' AND trigger = 'supervise'"),
            {"id": case_id}).scalar()
    return list(statuses), supervisions


def waiting_on_a_lock(db: Database) -> bool:
    """PostgreSQL: some session of this database waits for a row or table lock."""
    with db.read() as connection:
        return bool(connection.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )).scalar())


class Outcome(dict):
    """What each thread returned or raised, by name."""

    def run(self, name: str, action, *args, **kwargs) -> threading.Thread:
        def target() -> None:
            try:
                self[name] = action(*args, **kwargs)
            except BaseException as error:  # noqa: BLE001 (the test asserts on it)
                self[name] = error
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        return thread


def test_a_transition_committed_while_the_worker_fires_does_not_swallow_the_deadline(county_db: Database) -> None:
    """PostgreSQL: a supervisor's change commits between the worker's read of the case and its write.

    The worker must still supervise the overdue acknowledgement (at once or on its next pass),
    not mark it done after a StaleCase. On SQLite writers are serialised: the change commits first.
    """
    db = county_db
    case_id = referred_case(db)
    supervisor = actor_for(db, "supervisor1")
    change = {"risk_level": "elevated", "reason": "当事人多次来电，情绪激动"}
    outcome = Outcome()
    if db.is_sqlite:
        fire(db, case_id, "raise_risk", actor=supervisor, data=change, now=FIRST_DUE)
        outcome["worker"] = run_until_idle(db, now=FIRST_DUE)
    else:
        written, release = threading.Event(), threading.Event()

        def supervisor_change() -> None:
            with db.write() as tx:
                apply_transition(db, tx=tx, case_id=case_id, trigger="raise_risk", actor=supervisor, data=change,
                                 expected_version=case_now(db, case_id)[1], now=FIRST_DUE)
                written.set()
                release.wait(HANG_GUARD_SECONDS)

        person = outcome.run("person", supervisor_change)
        assert written.wait(HANG_GUARD_SECONDS), outcome
        worker = outcome.run("worker", run_until_idle, db, now=FIRST_DUE)
        until(lambda: waiting_on_a_lock(db) or not worker.is_alive(), "the worker waits for the case or is done")
        release.set()
        person.join(HANG_GUARD_SECONDS)
        worker.join(HANG_GUARD_SECONDS)
        assert outcome.get("person") is None, outcome
    assert not isinstance(outcome["worker"], BaseException), outcome
    run_until_idle(db, now=FIRST_DUE)  # a pass that left the deadline for later fires it now
    assert case_now(db, case_id)[2] == "elevated"
    assert acknowledgement(db, case_id) == (["done"], 1), outcome
    assert verify_case(db, case_id) is None


def test_a_department_acknowledging_as_its_deadline_fires_gets_a_clean_answer(
        county_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker has claimed the overdue acknowledgement; the department acknowledges at that moment.

    Either may win: the acknowledgement cancels the deadline, or the supervision comes first and
    the department's stale version gets a 409 (StaleCase) and is retried. Neither side may fail
    with a database error (on PostgreSQL: no deadlock between the claimed deadline and the case).
    """
    db = county_db
    case_id = referred_case(db)
    claimed, go = threading.Event(), threading.Event()
    fire_one = deadline_worker._fire

    def slow_fire(*args, **kwargs):  # the worker pauses between its claim and the engine
        claimed.set()
        go.wait(HANG_GUARD_SECONDS)
        return fire_one(*args, **kwargs)

    monkeypatch.setattr(deadline_worker, "_fire", slow_fire)
    department = actor_for(db, "dept_sj")
    outcome = Outcome()
    worker = outcome.run("worker", run_until_idle, db, now=FIRST_DUE)
    assert claimed.wait(HANG_GUARD_SECONDS), outcome
    person = outcome.run("person", apply_transition, db, case_id=case_id, trigger="acknowledge", actor=department,
                         data=None, expected_version=case_now(db, case_id)[1], now=FIRST_DUE)
    if not db.is_sqlite:
        until(lambda: waiting_on_a_lock(db) or not person.is_alive(), "the acknowledgement waits or is done")
    go.set()
    worker.join(HANG_GUARD_SECONDS)
    person.join(HANG_GUARD_SECONDS)
    monkeypatch.undo()

    assert not isinstance(outcome["worker"], BaseException), f"worker: {outcome['worker']!r}"
    answer = outcome["person"]
    assert not isinstance(answer, BaseException) or isinstance(answer, StaleCase), f"department: {answer!r}"
    if isinstance(answer, StaleCase):  # the supervision came first: the department retries
        fire(db, case_id, "acknowledge", actor=department, now=FIRST_DUE)
    assert case_now(db, case_id)[0] == "joint.in_progress"
    assert acknowledgement(db, case_id) in ((["done"], 1), (["cancelled"], 0)), acknowledgement(db, case_id)
    assert verify_case(db, case_id) is None
