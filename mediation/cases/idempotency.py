"""Idempotency keys with Stripe's semantics.

A key is claimed (in flight) before the work starts, answered in the same transaction
as the change, and replayed byte for byte afterwards. The same key with another request
is refused; a retry while the first is still running is told so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mediation import jsontext
from mediation.db import Database, RawTransaction, parse_timestamp
from mediation.errors import IdempotencyConflict, MediationError

IN_FLIGHT = 0
CLAIM_EXPIRES_AFTER = timedelta(seconds=60)
SELECT = (
    "SELECT request_hash, response_status, response_body, created_at FROM idempotency_keys "
    "WHERE user_id = :user_id AND key = :key"
)
INSERT = (
    "INSERT INTO idempotency_keys (user_id, key, request_hash, case_id, response_status, response_body, created_at) "
    "VALUES (:user_id, :key, :request_hash, :case_id, :status, :body, :now)"
)
ANSWER = (
    "UPDATE idempotency_keys SET response_status = :status, response_body = :body, case_id = :case_id "
    "WHERE user_id = :user_id AND key = :key"
)
RELEASE = "DELETE FROM idempotency_keys WHERE user_id = :user_id AND key = :key AND response_status = 0"
MAX_KEY_LENGTH = 255


class IdempotencyInProgress(MediationError):
    """The first request with this key has not finished yet."""

    status_code = 409


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: str


def request_digest(*parts: Any) -> str:
    return hashlib.sha256(jsontext.dumps(parts).encode()).hexdigest()


def stored_answer(tx: RawTransaction, *, user_id: int, key: str, digest: str) -> StoredAnswer | None:
    """The answer given before under this key, if any; IdempotencyConflict for another request."""
    row = tx.one(SELECT, {"user_id": user_id, "key": key})
    if row is None:
        return None
    if row[0] != digest:
        raise IdempotencyConflict("this Idempotency-Key was used with a different request",
                                  field="Idempotency-Key")
    return None if row[1] == IN_FLIGHT else StoredAnswer(row[1], row[2])


def record_answer(
    tx: RawTransaction, *, user_id: int, key: str, digest: str, case_id: int | None, status: int, body: str,
    now: datetime,
) -> None:
    """Store the answer in the transaction that made the change (fills a claim or adds the row)."""
    params = {"user_id": user_id, "key": key, "case_id": case_id, "status": status, "body": body}
    tx.execute(ANSWER, params)
    if tx.rowcount == 0:
        tx.execute(INSERT, {**params, "request_hash": digest, "now": tx.timestamp(now)})


def claim(db: Database, *, user_id: int, key: str, digest: str, now: datetime) -> StoredAnswer | None:
    """Reserve the key before the work; returns the earlier answer when there is one."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise IdempotencyConflict(f"Idempotency-Key must be 1–{MAX_KEY_LENGTH} characters",
                                  field="Idempotency-Key")
    with db.write() as tx:
        # Insert-or-nothing: two first requests racing on PostgreSQL cannot both claim the key.
        tx.execute(INSERT + " ON CONFLICT (user_id, key) DO NOTHING",
                   {"user_id": user_id, "key": key, "request_hash": digest, "case_id": None,
                    "status": IN_FLIGHT, "body": "", "now": tx.timestamp(now)})
        if tx.rowcount == 1:
            return None
        row = tx.one(SELECT, {"user_id": user_id, "key": key})
        answer = stored_answer(tx, user_id=user_id, key=key, digest=digest)
        if answer is not None:
            return answer
        if now - parse_timestamp(row[3]) < CLAIM_EXPIRES_AFTER:
            raise IdempotencyInProgress("a request with this Idempotency-Key is still in progress",
                                        field="Idempotency-Key")
        tx.execute("UPDATE idempotency_keys SET created_at = :now WHERE user_id = :user_id AND key = :key",
                   {"now": tx.timestamp(now), "user_id": user_id, "key": key})
        return None


def release(db: Database, *, user_id: int, key: str) -> None:
    """Drop an unanswered claim (the request failed and changed nothing)."""
    with db.write() as tx:
        tx.execute(RELEASE, {"user_id": user_id, "key": key})
