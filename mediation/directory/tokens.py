"""Bearer tokens: HS256 JWTs with expiry, a secret shared by every process, verified once.

A token names its user by id (`sub`) and by the user's token key (`key`): the key is replaced
when the user signs out or is disabled, so the database says at each request whether a token
still counts (directory/identity.py), and a row that ever took an old id has another key.
"""

from __future__ import annotations

import os
import secrets
import time
from collections import OrderedDict
from typing import NamedTuple

import jwt

from mediation.db import Database

SECRET_SETTING = "jwt_secret"
TOKEN_LIFETIME_SECONDS = 8 * 3600
LARGEST_USER_ID = 2**31 - 1  # users.id is a 32-bit integer on PostgreSQL
_CACHE_SIZE = 10_000


def shared_secret(db: Database) -> str:
    """MEDIATION_JWT_SECRET, else a random secret stored once in the database for all workers."""
    configured = os.environ.get("MEDIATION_JWT_SECRET")
    if configured:
        return configured
    with db.write() as tx:
        found = tx.one("SELECT value FROM settings WHERE key = :key", {"key": SECRET_SETTING})
        if found:
            return found[0]
        # Servers started together on a new database race here: the first stored secret is everyone's.
        tx.execute("INSERT INTO settings (key, value) VALUES (:key, :value) ON CONFLICT (key) DO NOTHING",
                   {"key": SECRET_SETTING, "value": secrets.token_urlsafe(48)})
        return tx.one("SELECT value FROM settings WHERE key = :key", {"key": SECRET_SETTING})[0]


def new_token_key() -> str:
    """A fresh token key for a user: every token carrying the old one ends."""
    return secrets.token_hex(8)


class TokenClaims(NamedTuple):
    """Whom a valid token names: the user's id and the token key it was issued under."""

    user_id: int
    key: str


def _user_id(sub: object) -> int | None:
    """The id a `sub` claim names: ASCII digits of a number a user id can be, else None."""
    if not isinstance(sub, str) or not sub.isascii() or not sub.isdigit() or len(sub) > 10:
        return None
    user_id = int(sub)
    return user_id if 0 < user_id <= LARGEST_USER_ID else None


class TokenService:
    """Issues and verifies tokens; verified tokens are remembered until they expire."""

    def __init__(self, secret: str, lifetime: int = TOKEN_LIFETIME_SECONDS) -> None:
        self._secret = secret
        self.lifetime = lifetime
        self._verified: OrderedDict[str, tuple[TokenClaims, float]] = OrderedDict()

    def issue(self, user_id: int, username: str, key: str) -> str:
        now = int(time.time())
        claims = {"sub": str(user_id), "key": key, "name": username, "iat": now, "exp": now + self.lifetime}
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def verify(self, token: str) -> TokenClaims | None:
        """The claims of a valid, unexpired token; None for anything else."""
        cached = self._verified.get(token)
        if cached is not None:
            claims, expires = cached
            if expires > time.time():
                return claims
            del self._verified[token]
            return None
        try:
            decoded = jwt.decode(token, self._secret, algorithms=["HS256"], options={"require": ["exp", "sub", "key"]})
        except jwt.PyJWTError:
            return None
        user_id, key = _user_id(decoded["sub"]), decoded["key"]
        if user_id is None or not isinstance(key, str):
            return None
        claims = TokenClaims(user_id, key)
        self._verified[token] = (claims, float(decoded["exp"]))
        if len(self._verified) > _CACHE_SIZE:
            self._verified.popitem(last=False)
        return claims
