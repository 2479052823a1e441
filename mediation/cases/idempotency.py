"""Idempotency keys with Stripe's semantics, held inside the transaction that makes the change.

The key is reserved, the change applied and the answer stored in one write transaction, so
a failure (an error, a crash, a lost database) leaves nothing behind and a retry is simply
answered: replayed when the first one committed, applied when it did not. The same key with
another request is refused. On PostgreSQL a second request with the key waits on the first's
reservation and then replays its answer.

Answers are kept for the policy's retry window (`idempotency.retention`, default 24 hours) and
then deleted by the worker (`purge_answers`), a small batch at a time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from mediation import jsontext
from mediation.db import Database, RawTransaction
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
RESTART = "UPDATE idempotency_keys SET created_at = :now WHERE user_id = :user_id AND key = :key"
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
    params = {"user_id": user_id, "key": key, "request_hash": digest, "now": tx.timestamp(now)}
    found = None
    while found is None:  # a stored answer purged between the two statements leaves the key free
        tx.execute(RESERVE, params)
        if tx.rowcount == 1:
            return None
        found = tx.one(SELECT, {"user_id": user_id, "key": key})
    request_hash, status, body = found
    if status == UNANSWERED:
        # A claim an older release left behind: nothing was applied, so the key is free again.
        tx.execute(RESTART, params)
        return None
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


DEFAULT_RETENTION = timedelta(hours=24)
# The lowest ids are the oldest keys: a purge looks at no more than `limit` rows from that end of the
# primary key, so it costs the same however large the table is and whether or not anything is due.
OLDEST = "SELECT id, created_at FROM idempotency_keys ORDER BY id LIMIT :limit"
DUE_AMONG_OLDEST = f"SELECT min(created_at) FROM ({OLDEST}) oldest"
PURGE = f"DELETE FROM idempotency_keys WHERE id IN (SELECT id FROM ({OLDEST}) oldest WHERE created_at < :before)"


def answer_retention(policy: Mapping[str, Any]) -> timedelta:
    """How long a stored answer is kept (policy `idempotency.retention`: {days: N} and/or {hours: N})."""
    retention = (policy.get("idempotency") or {}).get("retention")
    if not retention:
        return DEFAULT_RETENTION
    return timedelta(days=float(retention.get("days", 0)), hours=float(retention.get("hours", 0)))


def purge_answers(db: Database, *, older_than: datetime, limit: int) -> int:
    """Delete up to `limit` stored answers created before `older_than`; how many were deleted.

    Only the `limit` lowest ids are looked at: a cheap read first, so a pass with nothing to purge
    takes no write lock (SQLite), then one short write transaction. Ids follow creation (up to clock
    skew between servers), so an expired answer behind a window of younger ones waits until they expire.
    """
    with db.snapshot() as tx:
        oldest = tx.one(DUE_AMONG_OLDEST, {"limit": limit})[0]
    if oldest is None or _stored_moment(oldest) >= older_than:
        return 0
    with db.write() as tx:
        tx.execute(PURGE, {"limit": limit, "before": tx.timestamp(older_than)})
        return tx.rowcount


def _stored_moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
