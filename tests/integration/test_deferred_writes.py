"""Writes a transaction defers to its commit (`RawTransaction.defer`): the supervisors' counts.

Deferred items are written once, just before the commit, in the order deferred; none of a savepoint
that was rolled back, none of a transaction that was rolled back.
"""

from typing import Any

import pytest

from mediation.db import Database, RawTransaction


def _write(tx: RawTransaction, items: list[Any]) -> None:
    tx.execute("CREATE TABLE IF NOT EXISTS deferred_probe (n INTEGER, item TEXT)")
    for n, item in enumerate(items):
        tx.execute("INSERT INTO deferred_probe (n, item) VALUES (:n, :item)", {"n": n, "item": item})


def _written(db: Database) -> list[str]:
    with db.write() as tx:
        tx.execute("CREATE TABLE IF NOT EXISTS deferred_probe (n INTEGER, item TEXT)")
        return [row[0] for row in tx.all("SELECT item FROM deferred_probe ORDER BY n")]


def test_deferred_items_are_written_once_at_the_commit_without_a_rolled_back_savepoints(db: Database) -> None:
    calls: list[list[Any]] = []

    def write(tx: RawTransaction, items: list[Any]) -> None:
        calls.append(list(items))
        _write(tx, items)

    with db.write() as tx:
        tx.defer(write, "a")
        with pytest.raises(RuntimeError):
            with tx.savepoint():
                tx.defer(write, "undone")
                raise RuntimeError("the nested change fails")
        with tx.savepoint():
            tx.defer(write, "b")
        tx.defer(write, "c")
        assert calls == []  # nothing written before the commit
    assert calls == [["a", "b", "c"]]
    assert _written(db) == ["a", "b", "c"]


def test_a_rolled_back_transaction_writes_nothing_it_deferred(db: Database) -> None:
    with pytest.raises(RuntimeError):
        with db.write() as tx:
            tx.defer(_write, "never")
            raise RuntimeError("the change fails")
    assert _written(db) == []


def test_a_failing_deferred_write_rolls_the_whole_transaction_back(db: Database) -> None:
    def failing(tx: RawTransaction, items: list[Any]) -> None:
        raise RuntimeError("the count could not be written")

    with pytest.raises(RuntimeError):
        with db.write() as tx:
            _write(tx, ["with the failing count"])
            tx.defer(failing, "x")
    assert _written(db) == []
