"""An upload taken in as its bytes come: its type told from the first bytes, its SHA-256 and size
counted on the way, the policy's size cap kept, and the bytes spooled (kept in memory up to 1 MiB,
on disk beyond) until the write transaction stores them in chunks.

Nothing holds the whole file in memory: a client that sends 20 MiB costs the server one piece of
the stream at a time, however many upload at once.
"""

from __future__ import annotations

import hashlib
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Iterable, Iterator

from mediation import control_characters
from mediation.cases.file_types import EXTENSIONS, SNIFF_BYTES, accepted_names, sniffed_type
from mediation.errors import InvalidData, MediationError

SPOOL_IN_MEMORY_BYTES = 1024 * 1024
READ_BYTES = 256 * 1024  # what is read at a time from a file-like stream
ABSORB_BYTES = 256 * 1024  # what is hashed and spooled at a time, off the receiving thread
# Threads that hash and spool uploads beside the event loop (each upload has one batch in flight at most).
_ABSORBERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="upload-absorber")
FILE_NAME_MAX_LENGTH = 200  # the attach event's `file_name` is short text (policy limits.short_text_max_length)


class FileTooLarge(MediationError):
    """The file is larger than the policy allows (attachments.max_bytes)."""

    status_code = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"file: larger than the limit of {mebibytes(limit)} ({limit} bytes)",
                         field="file", limit_bytes=limit)


class UnsupportedFileType(MediationError):
    """The file's bytes are none of the accepted kinds: a data rule of the form (422), for the request
    itself, multipart/form-data, is a media type the server takes."""

    status_code = 422

    def __init__(self) -> None:
        super().__init__(f"file: the file is not one of the accepted types ({accepted_names()}), as told from "
                         "its content", field="file", accepted=accepted_names().split(", "))


def mebibytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


@dataclass
class ReceivedFile:
    """An upload taken in whole and checked: its bytes spooled, ready to be stored."""

    spool: IO[bytes]
    size_bytes: int
    sha256: str
    content_type: str

    def pieces(self, size: int) -> Iterator[bytes]:
        """The bytes again, from the start, `size` at a time."""
        self.spool.seek(0)
        while piece := self.spool.read(size):
            yield piece

    def close(self) -> None:
        self.spool.close()


class FileReceiver:
    """Takes an upload's bytes as they come (`write`), then `finish`es into a ReceivedFile.

    UnsupportedFileType as soon as the first bytes are not an accepted kind; FileTooLarge as soon as
    more than `max_bytes` came; InvalidData (`file`) for an empty file.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.content_type: str | None = None
        self._hash = hashlib.sha256()
        self._head = b""
        self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)  # noqa: SIM115 — handed on
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._absorbing: Future | None = None

    def write(self, piece: bytes) -> None:
        if not piece:
            return
        self.size += len(piece)
        if self.size > self.max_bytes:
            raise FileTooLarge(self.max_bytes)
        if self.content_type is None:
            self._head += piece[: SNIFF_BYTES - len(self._head)]
            if len(self._head) >= SNIFF_BYTES:
                self.content_type = self._sniff()
        self._pending.append(piece)
        self._pending_bytes += len(piece)
        if self._pending_bytes >= ABSORB_BYTES:
            self._hand_on()

    def finish(self) -> ReceivedFile:
        if self.size == 0:
            raise InvalidData("file", "is empty")
        content_type = self.content_type or self._sniff()
        self._hand_on()
        self._wait()
        return ReceivedFile(self._spool, self.size, self._hash.hexdigest(), content_type)

    def discard(self) -> None:
        self._pending.clear()
        try:
            self._wait()
        finally:
            self._spool.close()

    def _hand_on(self) -> None:
        """Hash and spool what came so far on the absorbing thread (hashlib and file writes let go of
        the GIL), while the caller goes on reading; at most one batch is in flight, so order holds."""
        if not self._pending:
            return
        batch = b"".join(self._pending)
        self._pending.clear()
        self._pending_bytes = 0
        self._wait()
        self._absorbing = _ABSORBERS.submit(self._absorb, batch)

    def _absorb(self, batch: bytes) -> None:
        self._hash.update(batch)
        self._spool.write(batch)

    def _wait(self) -> None:
        if self._absorbing is not None:
            absorbing, self._absorbing = self._absorbing, None
            absorbing.result()

    def _sniff(self) -> str:
        found = sniffed_type(self._head)
        if found is None:
            raise UnsupportedFileType()
        return found


def receive_file(stream: IO[bytes] | Iterable[bytes], max_bytes: int) -> ReceivedFile:
    """A whole upload from a binary file-like object or an iterable of byte pieces, checked."""
    receiver = FileReceiver(max_bytes)
    try:
        pieces = iter(lambda: stream.read(READ_BYTES), b"") if hasattr(stream, "read") else stream
        for piece in pieces:
            receiver.write(piece)
        return receiver.finish()
    except BaseException:
        receiver.discard()
        raise


def file_name_of(given: str | None) -> str | None:
    """The name to keep: the client's last path part (a browser may send a whole path), shortened to
    FILE_NAME_MAX_LENGTH keeping its extension; None when none was given. InvalidData (`file`) when
    the name holds control characters."""
    name = (given or "").replace("\\", "/").rpartition("/")[2].strip()
    refused = control_characters.refusal(name, one_line=True)
    if refused:
        raise InvalidData("file", f"the file name {refused}")
    if len(name) <= FILE_NAME_MAX_LENGTH:
        return name or None
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:FILE_NAME_MAX_LENGTH]
    return stem[: FILE_NAME_MAX_LENGTH - len(extension) - 1] + "." + extension


def fallback_file_name(received: ReceivedFile) -> str:
    """A name for a file sent without one: its hash's first characters and the extension of its type."""
    return received.sha256[:16] + EXTENSIONS[received.content_type]
