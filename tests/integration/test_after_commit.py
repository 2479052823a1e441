"""What /metrics counts is what was kept: a transaction's after-commit calls run only once it commits."""

from __future__ import annotations

import pytest

from mediation.db import Database


def test_calls_run_after_the_commit_in_order(db: Database) -> None:
    calls: list[str] = []
    with db.write() as tx:
        tx.after_commit(calls.append, "first")
        tx.after_commit(calls.append, "second")
        assert calls == []  # nothing before the commit
    assert calls == ["first", "second"]


def test_a_rolled_back_transaction_calls_nothing(db: Database) -> None:
    calls: list[str] = []
    with pytest.raises(RuntimeError), db.write() as tx:
        tx.after_commit(calls.append, "lost")
        raise RuntimeError("undone")
    assert calls == []


def test_a_rolled_back_savepoint_drops_only_its_own_calls(db: Database) -> None:
    calls: list[str] = []
    with db.write() as tx:
        tx.after_commit(calls.append, "batch")
        with pytest.raises(RuntimeError), tx.savepoint():
            tx.after_commit(calls.append, "undone action")
            raise RuntimeError("refused")
        with tx.savepoint():
            tx.after_commit(calls.append, "kept action")
    assert calls == ["batch", "kept action"]


def test_a_failing_call_does_not_undo_the_commit(db: Database) -> None:
    calls: list[str] = []
    with db.write() as tx:
        tx.execute("CREATE TABLE IF NOT EXISTS after_commit_probe (x INTEGER)")
        tx.execute("INSERT INTO after_commit_probe (x) VALUES (1)")
        tx.after_commit(lambda: 1 / 0)
        tx.after_commit(calls.append, "still called")
    assert calls == ["still called"]
    with db.snapshot() as tx:
        assert tx.one("SELECT count(*) FROM after_commit_probe")[0] == 1
