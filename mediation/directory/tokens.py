"""Bearer tokens: HS256 JWTs with expiry, a secret shared by every process, verified once."""

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
        secret = secrets.token_urlsafe(48)
        tx.execute("INSERT INTO settings (key, value) VALUES (:key, :value)", {"key": SECRET_SETTING, "value": secret})
        return secret


class TokenClaims(NamedTuple):
    """Whom a valid token names, and when it was issued (epoch seconds)."""

    user_id: int
    issued_at: float


class TokenService:
    """Issues and verifies tokens; verified tokens are remembered until they expire."""

    def __init__(self, secret: str, lifetime: int = TOKEN_LIFETIME_SECONDS) -> None:
        self._secret = secret
        self.lifetime = lifetime
        self._verified: OrderedDict[str, tuple[TokenClaims, float]] = OrderedDict()

    def issue(self, user_id: int, username: str) -> str:
        now = time.time()  # to the microsecond: a sign-out ends the sessions issued before it
        claims = {"sub": str(user_id), "name": username, "iat": now, "exp": int(now) + self.lifetime}
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
            decoded = jwt.decode(token, self._secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
            claims = TokenClaims(int(decoded["sub"]), float(decoded.get("iat") or 0))
        except (jwt.PyJWTError, ValueError, TypeError):
            return None
        self._verified[token] = (claims, float(decoded["exp"]))
        if len(self._verified) > _CACHE_SIZE:
            self._verified.popitem(last=False)
        return claims
