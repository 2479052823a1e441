"""How far the outbox is behind: messages waiting to be delivered, and those given up on (for /metrics)."""

from __future__ import annotations

from mediation.db import Database

# One pass over the (status, next_attempt_at) index: sent and skipped messages are never read.
BACKLOG = "SELECT status, count(*) FROM outbox WHERE status IN ('pending', 'sending', 'dead') GROUP BY status"


def outbox_backlog(db: Database) -> tuple[int, int]:
    """(messages waiting or being sent, dead letters)."""
    with db.snapshot() as tx:
        counts = dict(tx.all(BACKLOG))
    return counts.get("pending", 0) + counts.get("sending", 0), counts.get("dead", 0)
