"""Several `mediation serve` processes started together on a new database share one token secret.

Each process reads the secret when it starts, or stores a new one when there is none. Here another
process has stored its secret but not committed yet when this one looks: this one must take that
secret (PostgreSQL: its insert waits on the other's key, then finds it), not fail on the duplicate
key (which stopped the second of two servers started at once on a fresh PostgreSQL database).
"""

from __future__ import annotations

import threading

import sqlalchemy as sa

from mediation.db import Database
from mediation.directory.tokens import SECRET_SETTING, shared_secret

HANG_GUARD_SECONDS = 60


def test_a_secret_stored_meanwhile_by_another_process_is_the_one_taken(db: Database) -> None:
    other = Database(db.url)  # the other process's connection
    found: list[object] = []
    try:
        with other.begin() as connection:
            connection.execute(sa.text("INSERT INTO settings (key, value) VALUES (:key, 'the-other-secret')"),
                               {"key": SECRET_SETTING})
            looking = threading.Thread(target=lambda: found.append(_secret_or_error(db)), daemon=True)
            looking.start()
            looking.join(0.5)  # PostgreSQL: it now waits on the other's key; SQLite: for the write lock
        looking.join(HANG_GUARD_SECONDS)
    finally:
        other.dispose()
    assert found == ["the-other-secret"]
    assert shared_secret(db) == "the-other-secret"


def _secret_or_error(db: Database) -> object:
    try:
        return shared_secret(db)
    except Exception as error:  # noqa: BLE001 (the test shows it)
        return error
