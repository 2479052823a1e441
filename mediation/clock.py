"""The clock: every timestamp the product stores is naive UTC, taken here."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Now, in UTC without a zone (how the database stores time)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
