"""Who is calling: password login with attempt limits, and the actor behind a token."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from mediation.access import Actor
from mediation.db import Database
from mediation.directory import password_matches
from mediation.errors import MediationError

FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20
ACTOR_CACHE_SECONDS = 30.0

USER_BY_NAME = "SELECT id, password_hash FROM users WHERE username = :username AND active = :active"
ACTOR_BY_ID = (
    "SELECT u.id, u.username, u.roles, u.unit_id, n.path, u.display_name FROM users u "
    "JOIN units n ON n.id = u.unit_id WHERE u.id = :id AND u.active = :active"
)
COUNT_BY_USERNAME = "SELECT count(*) FROM login_attempts WHERE username = :value AND at > :since"
COUNT_BY_ADDRESS = "SELECT count(*) FROM login_attempts WHERE address = :value AND at > :since"
RECORD_FAILURE = "INSERT INTO login_attempts (username, address, at) VALUES (:username, :address, :at)"


class TooManyAttempts(MediationError):
    status_code = 429


class BadCredentials(MediationError):
    status_code = 401


def check_password(db: Database, *, username: str, password: str, address: str, now: datetime) -> int:
    """The user id for a right password; failures are counted and limited per name and address."""
    since = now - FAILURE_WINDOW
    with db.snapshot() as tx:
        stamp = tx.timestamp(since)
        if tx.one(COUNT_BY_USERNAME, {"value": username[:64], "since": stamp})[0] >= MAX_FAILURES_PER_USERNAME:
            raise TooManyAttempts("too many failed logins for this user; try again later", field="username")
        if tx.one(COUNT_BY_ADDRESS, {"value": address, "since": stamp})[0] >= MAX_FAILURES_PER_ADDRESS:
            raise TooManyAttempts("too many failed logins from this address; try again later", field="address")
        found = tx.one(USER_BY_NAME, {"username": username, "active": True})
    if found is not None and password_matches(found[1], password):
        return found[0]
    with db.write() as tx:
        tx.execute(RECORD_FAILURE, {"username": username[:64], "address": address[:64], "at": tx.timestamp(now)})
    raise BadCredentials("wrong username or password", field="password")


class ActorCache:
    """Actors by user id, reloaded after a short while so role and unit changes take effect."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._actors: dict[int, tuple[Actor | None, float]] = {}

    def get(self, user_id: int) -> Actor | None:
        cached = self._actors.get(user_id)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        with self._db.snapshot() as tx:
            row = tx.one(ACTOR_BY_ID, {"id": user_id, "active": True})
        actor = None
        if row is not None:
            actor = Actor(user_id=row[0], username=row[1], roles=frozenset(row[2].split()), unit_id=row[3],
                          unit_path=row[4], display_name=row[5])
        self._actors[user_id] = (actor, now + ACTOR_CACHE_SECONDS)
        return actor
