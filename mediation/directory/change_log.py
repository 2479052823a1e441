"""The directory's change log: every administrator's change to a unit or a user, never a password."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from mediation import jsontext
from mediation.db import RawTransaction

INSERT = ("INSERT INTO directory_changes (actor_id, action, target, details, at) "
          "VALUES (:actor_id, :action, :target, :details, :at)")
# Never written to the log, whatever a caller passes in the details.
SECRET_KEYS = frozenset({"password", "password_hash", "token_key", "calendar_key"})


def _row(tx: RawTransaction, actor_id: int | None, action: str, target: str, details: dict[str, Any],
         at: datetime) -> dict[str, Any]:
    kept = {key: value for key, value in details.items() if key not in SECRET_KEYS}
    return {"actor_id": actor_id or None, "action": action, "target": target, "details": jsontext.dumps(kept),
            "at": tx.timestamp(at)}


def log_change(tx: RawTransaction, *, actor_id: int | None, action: str, target: str, details: dict[str, Any],
               at: datetime) -> None:
    """Record one change (in the caller's transaction); actor None: the command line."""
    tx.execute(INSERT, _row(tx, actor_id, action, target, details, at))


def log_changes(tx: RawTransaction, *, actor_id: int | None, changes: Iterable[tuple[str, str, dict[str, Any]]],
                at: datetime) -> None:
    """Record many changes (action, target, details) in one statement batch (an import)."""
    rows = [_row(tx, actor_id, action, target, details, at) for action, target, details in changes]
    tx.execute_many(INSERT, rows)
