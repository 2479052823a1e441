"""Fixtures and counts for worker tests: a county with TOTAL deadlines due, and `mediation worker` processes.

Every deadline here is the 1-working-day department acknowledgement of a real case referred
through the engine; its action is `supervise`, one audited event by `system`. "Fired exactly
once" is counted in the database: per deadline, its status and the system's `supervise`
events on its case. The referred county is built once per session into a template that each
test copies (the fixtures `due_template`, `due_url` and `due_db` of sample_databases.py).

Worker commands run the project's `mediation` entry point of this virtual environment
(what `uv run mediation` starts, without re-syncing the environment mid-test).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from mediation.db import Database
from mediation.demo.sample_county import SampleCounty

COUNTY = SampleCounty()
KIND = "department_acknowledgement"
# Times are naive UTC; a 1-working-day acknowledgement ends at 24:00 China time (16:00 UTC).
FIRST = datetime(2026, 3, 4, 9, 0)  # RACED referrals (Wed 17:00 in China) …
FIRST_DUE = datetime(2026, 3, 5, 16, 0)  # … due at the end of Thu 5 March in China
SECOND = datetime(2026, 3, 5, 9, 0)  # the rest …
SECOND_DUE = datetime(2026, 3, 6, 16, 0)  # … due at the end of Fri 6 March
RACED, TOTAL = 1_000, 2_000
HANG_GUARD_SECONDS = 120  # only against a hung process; no assertion depends on time
WORKER_COMMAND = [str(Path(sys.executable).with_name("mediation")), "worker"]


# ---------------------------------------------------------------------- counting
def tally(db: Database) -> Counter:
    """(deadline status, supervise events by the system on its case) -> number of deadlines."""
    with db.read() as connection:
        # Events are grouped once: the append-only events table has no index by case to look each one up.
        rows = connection.execute(sa.text(
            "SELECT d.status, coalesce(s.fired, 0) FROM deadlines d LEFT JOIN (SELECT case_id, count(*) AS fired "
            "FROM events WHERE actor = 'system' AND trigger = 'supervise' GROUP BY case_id) s "
            "ON s.case_id = d.case_id WHERE d.kind = :kind"), {"kind": KIND}).all()
    return Counter((status, int(fired)) for status, fired in rows)


def done_count(db: Database) -> int:
    with db.read() as connection:
        return connection.execute(sa.text(
            "SELECT count(*) FROM deadlines WHERE kind = :kind AND status = 'done'"), {"kind": KIND}).scalar()


def other_sessions(db: Database) -> int:
    """PostgreSQL backends on this database besides the test's own (a killed worker's, until reaped)."""
    with db.read() as connection:
        return connection.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )).scalar()


def until(condition: Callable[[], object], what: str, pause: float = 0.002) -> None:
    """Poll `condition` until it holds; fail after HANG_GUARD_SECONDS (a hung process), never on speed."""
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting until {what}"
        time.sleep(pause)


# ---------------------------------------------------------------------- worker processes
def start_worker(url: str, *args: str) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MEDIATION_WEBHOOK")}
    env.update(MEDIATION_DATABASE_URL=url, PYTHONUNBUFFERED="1")
    return subprocess.Popen([*WORKER_COMMAND, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def run_worker(url: str, *args: str) -> subprocess.CompletedProcess:
    process = start_worker(url, *args)
    out, err = process.communicate(timeout=HANG_GUARD_SECONDS)
    assert process.returncode == 0, err[-3000:]
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)
