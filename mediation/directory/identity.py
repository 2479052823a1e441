"""Who is calling: password login slowed down after wrong passwords, and the actor behind a token.

Wrong passwords slow down the one username from the one address they came from: the first
few are free, then each next try waits longer (15 s, 30 s, 1 min, … up to an hour) after the
last failure, so a guesser gets a handful of tries an hour while the owner, from any other
address, logs in as usual. A right password forgives that address's failures of the username;
an administrator can lift the wait (`unlock_logins`). Many failures from one address,
whatever the usernames, make that address wait too.

A token counts only while its user is active and holds the token key it carries: every
request reads the user's row by primary key, so a sign-out or a disabling ends the user's
tokens at once in every process.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from mediation.db import Database, parse_timestamp
from mediation.directory.accounts import password_matches
from mediation.directory.actors import Actor
from mediation.directory.passwords import hash_password, needs_rehash
from mediation.directory.tokens import TokenClaims, new_token_key
from mediation.errors import MediationError

PAIR_WINDOW = timedelta(hours=24)
FREE_FAILURES = 5
FIRST_DELAY_SECONDS = 15
LONGEST_DELAY_SECONDS = 3600
ADDRESS_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ADDRESS = 20

USER_BY_NAME = ("SELECT id, password_hash, token_key, logins_unlocked_at FROM users "
                "WHERE username = :username AND active = :active")
PAIR_FAILURES = ("SELECT count(*), max(at) FROM login_attempts "
                 "WHERE username = :username AND address = :address AND at > :since")
ADDRESS_FAILURES = "SELECT count(*), min(at) FROM login_attempts WHERE address = :address AND at > :since"
FORGIVE = "DELETE FROM login_attempts WHERE username = :username AND address = :address"
RECORD_FAILURE = "INSERT INTO login_attempts (username, address, at) VALUES (:username, :address, :at)"
ACTOR_BY_ID = (
    "SELECT u.username, u.roles, u.unit_id, n.path, u.display_name, u.token_key FROM users u "
    "JOIN units n ON n.id = u.unit_id WHERE u.id = :id AND u.active = :active"
)
# Only if the hash is still the one that matched: a password set meanwhile is not overwritten.
REHASH = "UPDATE users SET password_hash = :new WHERE id = :id AND password_hash = :old"
SIGN_OUT = "UPDATE users SET token_key = :new WHERE id = :id AND token_key = :old"


class TooManyAttempts(MediationError):
    status_code = 429

    def __init__(self, detail: str, *, field: str, retry_after: int) -> None:
        super().__init__(detail, field=field, retry_after=retry_after)
        self.retry_after = retry_after


class BadCredentials(MediationError):
    status_code = 401


def pair_delay(failures: int) -> int:
    """Seconds a username must wait after its last failure from an address, given its failures there."""
    if failures < FREE_FAILURES:
        return 0
    return min(FIRST_DELAY_SECONDS * 2 ** min(failures - FREE_FAILURES, 16), LONGEST_DELAY_SECONDS)


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def check_password(db: Database, *, username: str, password: str, address: str, now: datetime) -> TokenClaims:
    """Whom a token for a right password names; TooManyAttempts while the username (from this
    address) or the address must wait, BadCredentials for a wrong password (recorded)."""
    name, address = username[:64], address[:64]
    with db.snapshot() as tx:
        user = tx.one(USER_BY_NAME, {"username": username, "active": True})
        unlocked_at = parse_timestamp(user[3]) if user else None
        since = max(now - PAIR_WINDOW, unlocked_at) if unlocked_at else now - PAIR_WINDOW
        failures, last = tx.one(PAIR_FAILURES, {"username": name, "address": address, "since": tx.timestamp(since)})
        from_address, oldest = tx.one(ADDRESS_FAILURES, {"address": address,
                                                         "since": tx.timestamp(now - ADDRESS_WINDOW)})
    free_at = parse_timestamp(last) + timedelta(seconds=pair_delay(failures)) if failures else now
    if free_at > now:
        wait = _seconds_until(free_at, now)
        raise TooManyAttempts(f"too many failed logins for this username from this address; try again in {wait} s",
                              field="username", retry_after=wait)
    if from_address >= MAX_FAILURES_PER_ADDRESS:
        wait = _seconds_until(parse_timestamp(oldest) + ADDRESS_WINDOW, now)
        raise TooManyAttempts(f"too many failed logins from this address; try again in {wait} s",
                              field="address", retry_after=wait)
    if user is not None and password_matches(user[1], password):
        if failures:  # the owner's own typos from this address: forgiven once the password is right
            with db.write() as tx:
                tx.execute(FORGIVE, {"username": name, "address": address})
        if needs_rehash(user[1]):  # a generated password's light hash gives way to the full cost
            with db.write() as tx:
                tx.execute(REHASH, {"id": user[0], "old": user[1], "new": hash_password(password)})
        return TokenClaims(user[0], user[2])
    with db.write() as tx:
        tx.execute(RECORD_FAILURE, {"username": name, "address": address, "at": tx.timestamp(now)})
    raise BadCredentials("wrong username or password", field="password")


def sign_out(db: Database, claims: TokenClaims) -> None:
    """End every token of the user (when `claims` still counts): the user gets a new token key."""
    with db.write() as tx:
        tx.execute(SIGN_OUT, {"new": new_token_key(), "id": claims.user_id, "old": claims.key})


class ActorCache:
    """The actor behind a token, its user's row read on every request (one primary-key look-up):
    a sign-out, a disabling, a new role or unit counts at once in every process. Only building
    the actor is saved while the row stays the same."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._actors: dict[int, tuple[tuple, Actor]] = {}

    def get(self, claims: TokenClaims) -> Actor | None:
        """The actor of an active user whose token key the token carries; None otherwise."""
        row = self._db.read_one(ACTOR_BY_ID, {"id": claims.user_id, "active": True})
        if row is None or row[5] != claims.key:
            return None
        cached = self._actors.get(claims.user_id)
        if cached is not None and cached[0] == row:
            return cached[1]
        actor = Actor(user_id=claims.user_id, username=row[0], roles=frozenset(row[1].split()), unit_id=row[2],
                      unit_path=row[3], display_name=row[4])
        self._actors[claims.user_id] = (tuple(row), actor)
        return actor
