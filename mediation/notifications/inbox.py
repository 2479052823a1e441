"""Each person's own notices (DESIGN §9.3): how many are unread, a page of them, marking them read.

The engine and the deadline worker write the rows (`notifications`) in the transaction that writes
the outbox message they mirror; this module only reads them and marks them read.
"""

from __future__ import annotations

from datetime import datetime

from mediation.db import RawTransaction

UNREAD_COUNT = "SELECT count(*) FROM notifications WHERE user_id = :user_id AND read_at IS NULL"
MARK_READ = "UPDATE notifications SET read_at = :now WHERE id = :id AND user_id = :user_id AND read_at IS NULL"
MARK_ALL_READ = "UPDATE notifications SET read_at = :now WHERE user_id = :user_id AND read_at IS NULL"


def unread_count(*, tx: RawTransaction, user_id: int) -> int:
    """How many of the user's notices are unread (an index-only count on (user_id, read_at, id))."""
    return tx.one(UNREAD_COUNT, {"user_id": user_id})[0]


def mark_all_read(*, tx: RawTransaction, user_id: int, now: datetime) -> int:
    """Mark every unread notice of the user read at `now`; how many were."""
    tx.execute(MARK_ALL_READ, {"user_id": user_id, "now": tx.timestamp(now)})
    return tx.rowcount
