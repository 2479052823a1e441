"""A case's stored files held against its chain: every `attach` event's file is re-hashed.

The `attach` event carries the file's SHA-256 and size into the hash chain, so once the chain
verifies, the event says what the bytes must be. A file whose chunks hash otherwise was changed;
a chunk missing from its order, a file row gone, or a file stored that no event lists are reported
too, each named by the case and the `attach` event (as `mediation verify` names chain breaks).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from typing import Any

from mediation import jsontext
from mediation.cases.attachments import ATTACH
from mediation.cases.hashchain import ChainBreak
from mediation.db import Database, RawTransaction

# An unfinished row (sha256 '': an upload still coming in, or cut off) is not part of the case file yet.
STORED_OF_CASE = "SELECT id, sha256 FROM attachments WHERE case_id = :case_id AND sha256 <> ''"
STORED_OF_ALL = "SELECT case_id, id FROM attachments WHERE sha256 <> ''"
CHUNK_SIZES = "SELECT seq, length(data) FROM attachment_chunks WHERE attachment_id = :id ORDER BY seq"
CHUNK_DATA = "SELECT data FROM attachment_chunks WHERE attachment_id = :id AND seq = :seq"


def stored_attachments(db: Database) -> dict[int, set[int]]:
    """The ids of the attachments stored for each case (one pass, for a whole `verify`)."""
    stored: dict[int, set[int]] = {}
    with db.snapshot() as tx:
        for case_id, attachment_id in tx.all(STORED_OF_ALL):
            stored.setdefault(case_id, set()).add(attachment_id)
    return stored


def attachment_breaks(tx: RawTransaction, case_id: int, events: Iterable[Any],
                      stored_ids: Collection[int] | None = None) -> list[ChainBreak]:
    """What is wrong with the case's files, given its events (rows with seq, trigger and data)."""
    listed: dict[int, tuple[int, dict[str, Any]]] = {}
    last_seq = 0
    for event in events:
        last_seq = event.seq
        if event.trigger == ATTACH:
            try:
                data = jsontext.loads(event.data)
            except ValueError:  # an edited event: the chain's own check names it
                continue
            listed[data.get("attachment_id")] = (event.seq, data)
    rows = dict(tx.all(STORED_OF_CASE, {"case_id": case_id})) if listed or stored_ids is None else {}
    stored = set(rows) | set(stored_ids or ())
    breaks = []
    for attachment_id, (seq, data) in listed.items():
        name = f"attachment {attachment_id} ({data.get('file_name')})"
        if attachment_id not in rows:
            breaks.append(ChainBreak(case_id, seq, f"{name} is missing: its attach event lists it"))
            continue
        problem = _bytes_problem(tx, attachment_id, data) or _row_problem(rows[attachment_id], data)
        if problem:
            breaks.append(ChainBreak(case_id, seq, f"{name}: {problem}"))
    for attachment_id in sorted(stored - set(listed)):
        breaks.append(ChainBreak(case_id, last_seq, f"attachment {attachment_id} is stored for the case, "
                                                    "but no attach event of its chain lists it"))
    return breaks


def _bytes_problem(tx: RawTransaction, attachment_id: int, data: dict[str, Any]) -> str | None:
    """Why the stored chunks are not the file the event names; None when they are."""
    sizes = tx.all(CHUNK_SIZES, {"id": attachment_id})
    seqs = [seq for seq, _size in sizes]
    gaps = sorted(set(range(max(seqs, default=-1) + 1)) - set(seqs))
    if gaps:
        return f"chunk {', '.join(map(str, gaps))} missing ({len(seqs)} of {len(seqs) + len(gaps)} stored)"
    size = sum(length for _seq, length in sizes)
    if size != data.get("size_bytes"):
        return f"{size} bytes stored, the attach event says {data.get('size_bytes')} (a chunk is missing or changed)"
    digest = hashlib.sha256()
    for seq in seqs:
        digest.update(bytes(tx.one(CHUNK_DATA, {"id": attachment_id, "seq": seq})[0]))
    if digest.hexdigest() != data.get("sha256"):
        return f"the stored bytes hash to {digest.hexdigest()}, the attach event says {data.get('sha256')} (changed)"
    return None


def _row_problem(sha256: str, data: dict[str, Any]) -> str | None:
    if sha256 != data.get("sha256"):
        return f"its row says SHA-256 {sha256}, the attach event {data.get('sha256')}"
    return None
