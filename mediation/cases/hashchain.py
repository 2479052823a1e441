"""The per-case event hash chain: sha256(prev_hash + canonical_json(event))."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from mediation import jsontext

GENESIS = "0" * 64


def event_document(
    *,
    case_id: int,
    seq: int,
    trigger: str,
    actor: str,
    at: datetime,
    from_state: str | None,
    to_state: str,
    data: str,
    reason: str | None,
) -> dict[str, Any]:
    """The fields an event's hash covers; `data` is the stored canonical JSON text."""
    return {
        "case_id": case_id,
        "seq": seq,
        "trigger": trigger,
        "actor": actor,
        "at": at.isoformat(timespec="microseconds"),
        "from": from_state,
        "to": to_state,
        "data": data,
        "reason": reason,
    }


def chain_hash(prev_hash: str, document: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + jsontext.dumps(document)).encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """Where a case's chain stops verifying."""

    case_id: int
    seq: int  # the event's number within its case
    problem: str


def verify_events(case_id: int, rows: Iterable[Any], head_hash: str | None = None) -> ChainBreak | None:
    """Recompute a case's chain from its event rows (ordered by seq); None when it holds."""
    previous = GENESIS
    expected_seq = 1
    for row in rows:
        if row.case_id != case_id:
            return ChainBreak(case_id, row.seq, f"the chain lists an event of case {row.case_id}")
        if row.seq != expected_seq:
            return ChainBreak(case_id, row.seq, f"sequence gap: expected {expected_seq}")
        if row.prev_hash != previous:
            return ChainBreak(case_id, row.seq, "prev_hash does not match the previous event")
        document = event_document(
            case_id=row.case_id,
            seq=row.seq,
            trigger=row.trigger,
            actor=row.actor,
            at=row.at if isinstance(row.at, datetime) else datetime.fromisoformat(row.at),
            from_state=row.from_state,
            to_state=row.to_state,
            data=row.data,
            reason=row.reason,
        )
        if chain_hash(previous, document) != row.hash:
            return ChainBreak(case_id, row.seq, "hash does not match the event's content")
        previous = row.hash
        expected_seq += 1
    if head_hash is not None and head_hash != previous:
        return ChainBreak(case_id, expected_seq - 1, "case head hash differs from the last event")
    return None
