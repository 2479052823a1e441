"""An upload's chunks written to the database as they come, under a row nobody sees yet.

The first chunk creates the file's row unfinished (its `sha256` empty): readers of attachments list
and serve only finished rows. Every few chunks (1 MiB) are a short write transaction of their own,
so no transaction stays open while the client is still sending, and the writes overlap the reading
of the next bytes. The attachments service then finishes the row and fires `attach` in one
transaction (`COMPLETE`), or discards the row and its chunks when anything refuses the upload. A process that dies mid-upload
leaves an unfinished row that nothing lists or verifies (`sha256 = ''`: safe to delete with its chunks).
"""

from __future__ import annotations

from datetime import datetime

from mediation.db import Database, RawTransaction

INSERT_UNFINISHED = (
    "INSERT INTO attachments (case_id, kind, description, file_name, content_type, size_bytes, sha256, "
    "uploaded_by, created_at) VALUES (:case_id, '', NULL, '', '', 0, '', :uploaded_by, :created_at)"
)
INSERT_CHUNK = "INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES (:attachment_id, :seq, :data)"
COMPLETE = (
    "UPDATE attachments SET kind = :kind, description = :description, file_name = :file_name, "
    "content_type = :content_type, size_bytes = :size_bytes, sha256 = :sha256, created_at = :created_at "
    "WHERE id = :id AND case_id = :case_id AND sha256 = ''"
)
DELETE_CHUNKS = "DELETE FROM attachment_chunks WHERE attachment_id = :id"
DELETE_UNFINISHED = "DELETE FROM attachments WHERE id = :id AND sha256 = ''"
# A chunk writer's SQLite connection keeps few pages: what it writes is not read again by it, and the
# default cache (32 MiB a connection) would only grow the server's memory by the size of the uploads.
WRITER_CACHE_KIB = 2048


class PendingAttachment:
    """The sink of one upload: its unfinished row and its chunks, a few chunks a transaction."""

    def __init__(self, db: Database, *, case_id: int, uploaded_by: int | None, now: datetime) -> None:
        self.db = db
        self.case_id = case_id
        self.uploaded_by = uploaded_by
        self.now = now
        self.id: int | None = None
        self.completed = False

    def write_chunks(self, first_seq: int, chunks: list[bytes]) -> None:
        """The chunks numbered from `first_seq`, in one transaction (the first also makes the row)."""
        with self.db.write() as tx:
            if tx.is_sqlite:
                tx.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")  # this thread's connection writes chunks only
            if self.id is None:
                self.id = tx.insert(INSERT_UNFINISHED, {"case_id": self.case_id, "uploaded_by": self.uploaded_by,
                                                        "created_at": tx.timestamp(self.now)})
            for seq, data in enumerate(chunks, start=first_seq):
                tx.execute(INSERT_CHUNK, {"attachment_id": self.id, "seq": seq, "data": data})

    def complete(self, tx: RawTransaction, **values: object) -> bool:
        """Finish the row inside the caller's transaction (with its attach event); whether it was there."""
        tx.execute(COMPLETE, {**values, "id": self.id, "case_id": self.case_id, "created_at": tx.timestamp(self.now)})
        return tx.rowcount == 1

    def discard(self) -> None:
        """Delete the unfinished row and its chunks (never a finished file): call outside any transaction."""
        if self.id is None or self.completed:
            return
        with self.db.write() as tx:
            if tx.one("SELECT 1 FROM attachments WHERE id = :id AND sha256 = ''", {"id": self.id}) is None:
                return
            tx.execute(DELETE_CHUNKS, {"id": self.id})
            tx.execute(DELETE_UNFINISHED, {"id": self.id})
