"""The deadline worker killed with SIGKILL again and again mid-batch: every deadline fires exactly once.

TOTAL department acknowledgements fall due (tests/due_deadlines.py). A `mediation worker --once`
process works through them in small batches; once it has committed something it is killed
at a random moment (often inside a batch's transaction) and a new one started, KILLS times, and
the last one runs to the end. A batch commits whole or not at all, so after every kill each
deadline is either done with one supervision on its case or pending with none; at the end all
are done, each with exactly one, and `mediation verify` finds every hash chain intact.
On PostgreSQL the worker claims with SKIP LOCKED: a dead worker's rows are free once its
session has gone.
"""

from __future__ import annotations

import random
import signal
import time
from collections import Counter

import pytest
from due_deadlines import (
    SECOND_DUE,
    TOTAL,
    done_count,
    other_sessions,
    run_worker,
    start_worker,
    tally,
    until,
)
from verify_command import assert_verify_clean

from mediation.db import Database

pytest_plugins = ["sample_databases"]  # due_url, due_db
pytestmark = pytest.mark.slow

KILLS = 10
BATCH = 20  # deadlines per transaction: a batch takes about a tenth of a second, so most kills land inside one
LATEST_KILL = 0.15  # seconds after a worker's first commit; its kill comes at a random moment before


def kill_after_progress(url: str, db: Database, rng: random.Random) -> bool:
    """Start a worker, wait for its first commit, SIGKILL it a random moment later; False when it finished first."""
    before = done_count(db)
    worker = start_worker(url, "--once", "--now", SECOND_DUE.isoformat(), "--batch-size", str(BATCH))
    until(lambda: done_count(db) > before or worker.poll() is not None, "the worker commits a batch", pause=0.01)
    time.sleep(rng.uniform(0, LATEST_KILL))
    worker.send_signal(signal.SIGKILL)
    _, err = worker.communicate()
    if worker.returncode == 0:
        return False  # everything was done before the signal came
    assert worker.returncode == -signal.SIGKILL, err[-3000:]
    return True


def test_a_worker_killed_ten_times_mid_batch_fires_every_deadline_exactly_once(due_url: str, due_db: Database) -> None:
    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    kills, after_kills = 0, []
    while kills < KILLS and kill_after_progress(due_url, due_db, rng):
        kills += 1
        after_kills.append(tally(due_db))
    assert kills == KILLS, f"the deadlines ran out after {kills} kills (seed {seed})"
    for after in after_kills:  # whole batches only: nothing half-fired, nothing fired twice
        assert set(after) <= {("done", 1), ("pending", 0)} and after[("done", 1)] % BATCH == 0, (after, seed)
    assert 0 < after_kills[-1][("done", 1)] < TOTAL, after_kills
    if not due_db.is_sqlite:  # the last dead worker's rows stay locked (skipped) until its session is gone
        until(lambda: other_sessions(due_db) == 0, "the killed worker's session is gone")

    run_worker(due_url, "--once", "--now", SECOND_DUE.isoformat(), "--batch-size", "200")  # the rest, unhurried
    assert tally(due_db) == Counter({("done", 1): TOTAL}), seed
    assert_verify_clean(due_url)
    print(f"worker crash loop: {kills} kills, {after_kills[-1][('done', 1)]} of {TOTAL} deadlines fired "
          f"before the last kill, seed {seed}")
