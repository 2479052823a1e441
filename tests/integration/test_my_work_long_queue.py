"""My work read a page at a time (a queue longer than SMALL_QUEUE: a county's supervisor at a million
cases) gives the page, totals and counts that reading the whole queue gives, for every user and kind."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from mediation.cases import my_work
from mediation.db import Database
from mediation.demo.dataset import load_demo
from mediation.directory.accounts import actor_for

NOW = datetime(2026, 3, 2, 9, 0)
USERS = ("county_sup", "supervisor1", "mediator1", "police1", "court1", "dept_sj", "grid1", "partner_sup")


def _demo_database(tmp_path_factory, name: str) -> Database:
    """A SQLite database with the demo county's cases."""
    from mediation.db.schema import upgrade_database

    url = f"sqlite:///{tmp_path_factory.mktemp(name) / f'{name}.db'}"
    upgrade_database(url)
    database = Database(url)
    load_demo(database, cases=60, seed=7, now=NOW)
    return database


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Database:
    database = _demo_database(tmp_path_factory, "work")
    yield database
    database.dispose()


def _read(db: Database, username: str, kind: str | None, page: int, now: datetime, small: int, monkeypatch):
    monkeypatch.setattr(my_work, "SMALL_QUEUE", small)
    definition = db.workflows.machine(db.workflows.current_version_id()).definition
    with db.snapshot() as tx:
        return my_work.work_page_and_counts(tx=tx, definition=definition, actor=actor_for(db, username), now=now,
                                            kind=kind, page=page, page_size=4)


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("later", [0, 3, 40], ids=["now", "3 days on", "40 days on"])
def test_a_long_queue_read_a_page_at_a_time_reads_as_the_whole_queue(demo: Database, username: str, later: int,
                                                                      monkeypatch) -> None:
    now = NOW + timedelta(days=later)
    whole_size = None
    for kind in (None, *my_work.KINDS):
        for page in (1, 2, 3, 9):
            whole, whole_counts = _read(demo, username, kind, page, now, 1_000_000, monkeypatch)
            paged, paged_counts = _read(demo, username, kind, page, now, 0, monkeypatch)
            assert paged_counts == whole_counts, (kind, page)
            assert (paged.total, paged.total_exact) == (whole.total, True), (kind, page)
            if kind == "assigned":  # the other reasons of one's own cases are not read for this tab
                assert [item.id for item in paged.items] == [item.id for item in whole.items]
            else:
                assert paged.items == whole.items, (kind, page)
            whole_size = whole_counts.all
    assert whole_size is not None


def test_long_queue_counts_stop_past_the_limit(demo: Database, monkeypatch) -> None:
    whole, counts = _read(demo, "county_sup", None, 1, NOW + timedelta(days=40), 1_000_000, monkeypatch)
    assert counts.all > 3
    monkeypatch.setattr(my_work, "COUNT_LIMIT", 2)
    paged, capped = _read(demo, "county_sup", None, 1, NOW + timedelta(days=40), 0, monkeypatch)
    assert capped.all == 3 and paged.total == 3 and not paged.total_exact
    assert [item.id for item in paged.items] == [item.id for item in whole.items]


@pytest.fixture(scope="module")
def tied(tmp_path_factory) -> Database:
    """The demo's cases with every pending deadline falling due at one of two moments (a day's windows)."""
    database = _demo_database(tmp_path_factory, "tied")
    with database.begin() as connection:
        connection.exec_driver_sql("UPDATE deadlines SET due_at = CASE WHEN id % 2 = 0 THEN '2026-03-01 16:00:00.000000' "
                                   "ELSE '2026-03-10 16:00:00.000000' END WHERE status = 'pending'")
    yield database
    database.dispose()


@pytest.mark.parametrize("username", ["county_sup", "supervisor1"])
def test_cases_due_at_one_moment_page_as_the_whole_queue_orders_them(tied: Database, username: str,
                                                                     monkeypatch) -> None:
    """Many cases due at the same moment: a page of the long queue holds what the whole queue holds there,
    in the order their deadlines were set."""
    for kind in (None, "overdue", "awaiting_me"):
        for page in (1, 2, 3, 5):
            whole, _counts = _read(tied, username, kind, page, NOW, 1_000_000, monkeypatch)
            paged, _paged_counts = _read(tied, username, kind, page, NOW, 0, monkeypatch)
            assert paged.items == whole.items, (kind, page)
    whole, _counts = _read(tied, username, None, 1, NOW, 1_000_000, monkeypatch)
    due = [item.deadline.due_at for item in whole.items if item.deadline is not None]
    assert len(due) >= 2 and len(set(due)) == 1  # the first page is all ties
