"""Idempotency keys with Stripe's semantics, held inside the transaction that makes the change.

The key is reserved, the change applied and the answer stored in one write transaction, so
a failure (an error, a crash, a lost database) leaves nothing behind and a retry is simply
answered: replayed when the first one committed, applied when it did not. The same key with
another request is refused. On PostgreSQL a second request with the key waits on the first's
reservation and then replays its answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mediation import jsontext
from mediation.db import RawTransaction
from mediation.errors import IdempotencyConflict

UNANSWERED = 0  # a reservation inside a transaction not yet committed (or left by an older release)
MAX_KEY_LENGTH = 255
SELECT = (
    "SELECT request_hash, response_status, response_body FROM idempotency_keys "
    "WHERE user_id = :user_id AND key = :key"
)
RESERVE = (
    "INSERT INTO idempotency_keys (user_id, key, request_hash, case_id, response_status, response_body, created_at) "
    "VALUES (:user_id, :key, :request_hash, NULL, 0, '', :now) ON CONFLICT (user_id, key) DO NOTHING"
)
ANSWER = (
    "UPDATE idempotency_keys SET request_hash = :request_hash, response_status = :status, response_body = :body, "
    "case_id = :case_id WHERE user_id = :user_id AND key = :key"
)


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: str
    replayed: bool = False  # given before, under the same key


def request_digest(*parts: Any) -> str:
    return hashlib.sha256(jsontext.dumps(parts).encode()).hexdigest()


def check_key(key: str) -> None:
    """A usable key is 1–255 characters."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise IdempotencyConflict(f"Idempotency-Key must be 1–{MAX_KEY_LENGTH} characters",
                                  field="Idempotency-Key")


def hold_key(tx: RawTransaction, *, user_id: int, key: str, digest: str, now: datetime) -> StoredAnswer | None:
    """Reserve the key for this transaction; the earlier answer when one was stored.

    IdempotencyConflict when the key was used with another request.
    """
    check_key(key)
    tx.execute(RESERVE, {"user_id": user_id, "key": key, "request_hash": digest, "now": tx.timestamp(now)})
    if tx.rowcount == 1:
        return None
    request_hash, status, body = tx.one(SELECT, {"user_id": user_id, "key": key})
    if status == UNANSWERED:
        return None  # a claim an older release left behind: nothing was applied, the key is free
    if request_hash != digest:
        raise IdempotencyConflict("this Idempotency-Key was used with a different request",
                                  field="Idempotency-Key")
    return StoredAnswer(status, body, replayed=True)


def record_answer(
    tx: RawTransaction, *, user_id: int, key: str, digest: str, case_id: int | None, status: int, body: str,
) -> None:
    """Store the answer beside the change it describes (the key was held by `hold_key`)."""
    tx.execute(ANSWER, {"user_id": user_id, "key": key, "request_hash": digest, "case_id": case_id,
                        "status": status, "body": body})
