"""Who is calling: password login with attempt limits, and the actor behind a token."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from mediation.db import Database
from mediation.directory.accounts import password_matches
from mediation.directory.actors import Actor
from mediation.errors import MediationError

FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20
ACTOR_CACHE_SECONDS = 30.0

USER_BY_NAME = "SELECT id, password_hash FROM users WHERE username = :username AND active = :active"
ACTOR_BY_ID = (
    "SELECT u.id, u.username, u.roles, u.unit_id, n.path, u.display_name, u.signed_out_at FROM users u "
    "JOIN units n ON n.id = u.unit_id WHERE u.id = :id AND u.active = :active"
)
SIGN_OUT = "UPDATE users SET signed_out_at = :at WHERE id = :id"
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
    """Actors by user id, reloaded after a short while so role and unit changes take effect,
    and so a sign-out in another process ends this process's sessions of the user too."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._actors: dict[int, tuple[Actor | None, float | None, float]] = {}

    def get(self, user_id: int, issued_at: float) -> Actor | None:
        """The user's actor for a session issued at `issued_at`; None if the user signed out since."""
        cached = self._actors.get(user_id)
        now = time.monotonic()
        if cached is None or cached[2] <= now:
            with self._db.snapshot() as tx:
                row = tx.one(ACTOR_BY_ID, {"id": user_id, "active": True})
            actor, signed_out_at = None, None
            if row is not None:
                actor = Actor(user_id=row[0], username=row[1], roles=frozenset(row[2].split()), unit_id=row[3],
                              unit_path=row[4], display_name=row[5])
                signed_out_at = row[6]
            cached = self._actors[user_id] = (actor, signed_out_at, now + ACTOR_CACHE_SECONDS)
        actor, signed_out_at, _ = cached
        if signed_out_at is not None and issued_at <= signed_out_at:
            return None
        return actor

    def sign_out(self, user_id: int, at: float) -> None:
        """End every session of the user issued up to `at` (epoch seconds)."""
        with self._db.write() as tx:
            tx.execute(SIGN_OUT, {"at": at, "id": user_id})
        self._actors.pop(user_id, None)
