"""`Database.snapshot()` is one consistent read on both databases: every statement in it sees the database
as it was when its first statement ran, whatever commits meanwhile (a page's header, its lists and
its counts agree). SQLite's WAL gives that to any read transaction; PostgreSQL only at REPEATABLE READ."""

from __future__ import annotations

import threading

from mediation.db import Database
from mediation.demo.dataset import load_demo

UNIT_NAME = "SELECT name FROM units WHERE code = :code"


def _rename_meanwhile(db: Database, code: str, name: str) -> None:
    """Commit a change from another thread (another connection), and wait for it."""

    def rename() -> None:
        with db.write() as tx:
            tx.execute("UPDATE units SET name = :name WHERE code = :code", {"name": name, "code": code})

    worker = threading.Thread(target=rename)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive()


def test_a_snapshot_does_not_see_what_commits_while_it_reads(db: Database) -> None:
    load_demo(db, cases=0)
    with db.snapshot() as tx:
        code, before = tx.one("SELECT code, name FROM units ORDER BY path LIMIT 1")
        _rename_meanwhile(db, code, before + "（改名）")
        assert tx.one(UNIT_NAME, {"code": code})[0] == before
        assert tx.one("SELECT count(*) FROM units WHERE name = :name", {"name": before})[0] == 1
    with db.snapshot() as tx:  # the next snapshot sees it
        assert tx.one(UNIT_NAME, {"code": code})[0] == before + "（改名）"


def test_writes_still_see_the_latest_commit(db: Database) -> None:
    """A write transaction is not held to an earlier state: it reads what was committed before it."""
    load_demo(db, cases=0)
    with db.snapshot() as tx:
        code, before = tx.one("SELECT code, name FROM units ORDER BY path LIMIT 1")
    _rename_meanwhile(db, code, before + "（二）")
    with db.write() as tx:
        assert tx.one(UNIT_NAME, {"code": code})[0] == before + "（二）"
        tx.execute("UPDATE units SET name = :name WHERE code = :code", {"name": before, "code": code})
    with db.snapshot() as tx:
        assert tx.one(UNIT_NAME, {"code": code})[0] == before


def test_a_write_after_snapshots_runs_at_the_default_isolation(db: Database) -> None:
    """The engine's writes rely on READ COMMITTED on PostgreSQL (a row locked FOR UPDATE is read as the
    other writer left it); a pooled connection a snapshot used goes back to it."""
    for _ in range(3):
        with db.snapshot() as tx:
            tx.one("SELECT count(*) FROM units")
    with db.write() as tx:
        if tx.is_sqlite:
            assert tx.one("PRAGMA read_uncommitted")[0] == 0
        else:
            assert tx.one("SHOW transaction_isolation")[0] == "read committed"
