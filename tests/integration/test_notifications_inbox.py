"""Each person's notices: written with the engine's notices and the worker's reminders, read and marked read."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from mediation.db import Database
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.notifications.inbox import mark_all_read, unread_count

NOW = datetime(2026, 11, 20, 8, 0)
COUNTY = SampleCounty()


@pytest.fixture
def county_db(db: Database) -> Database:
    build_sample_county(db)
    return db


def user_id(db: Database, username: str) -> int:
    with db.read() as connection:
        return connection.execute(sa.text("SELECT id FROM users WHERE username = :u"), {"u": username}).scalar()


def test_unread_count_counts_only_the_users_unread_notices(county_db: Database) -> None:
    mediator, other = user_id(county_db, "mediator1"), user_id(county_db, "supervisor1")
    with county_db.write() as tx:
        for person, read_at in ((mediator, None), (mediator, None), (mediator, NOW), (other, None)):
            tx.execute("INSERT INTO notifications (user_id, topic, payload, created_at, read_at) "
                       "VALUES (:u, 'case_assigned', '{}', :now, :read_at)",
                       {"u": person, "now": tx.timestamp(NOW), "read_at": tx.timestamp(read_at)})
    with county_db.snapshot() as tx:
        assert unread_count(tx=tx, user_id=mediator) == 2
        assert unread_count(tx=tx, user_id=other) == 1
    with county_db.write() as tx:
        assert mark_all_read(tx=tx, user_id=mediator, now=NOW) == 2
    with county_db.snapshot() as tx:
        assert (unread_count(tx=tx, user_id=mediator), unread_count(tx=tx, user_id=other)) == (0, 1)
