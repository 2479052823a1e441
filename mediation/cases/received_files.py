"""An upload taken in as its bytes come: its type told from the first bytes, its SHA-256 and size
counted on the way, the policy's size cap kept, and its bytes handed in 256 KiB chunks to a sink
(the attachments service writes each to the database as it comes, see attachment_chunks.py).

Nothing holds the whole file, in memory or on disk: a client that sends 20 MiB costs the server a
few chunks of it at a time, however many upload at once. The caller hashes each chunk as it is cut;
the writes run on a small thread pool beside it (the database drivers let go of the GIL), one batch
of chunks in flight per upload, while the next bytes are read.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Iterable, Protocol

from mediation import control_characters
from mediation.cases.file_types import EXTENSIONS, SNIFF_BYTES, accepted_names, sniffed_type
from mediation.errors import InvalidData, MediationError

CHUNK_BYTES = 256 * 1024  # one stored chunk
CHUNKS_PER_WRITE = 4  # chunks handed on (hashed, then written in one transaction) at a time
READ_BYTES = 256 * 1024  # what is read at a time from a file-like stream
_ABSORBERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="upload-absorber")
FILE_NAME_MAX_LENGTH = 200  # the attach event's `file_name` is short text (policy limits.short_text_max_length)


class ChunkSink(Protocol):
    """Where a received file's chunks go, in order (called on an absorbing thread)."""

    def write_chunks(self, first_seq: int, chunks: list[bytes]) -> None: ...

    def discard(self) -> None: ...


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
    """An upload taken in whole and checked: its chunks in the sink, ready to be completed."""

    sink: ChunkSink
    size_bytes: int
    sha256: str
    content_type: str
    chunk_count: int

    def discard(self) -> None:
        """Remove what the sink holds (nothing once the service completed the file)."""
        self.sink.discard()


class FileReceiver:
    """Takes an upload's bytes as they come (`write`), then `finish`es into a ReceivedFile.

    UnsupportedFileType as soon as the first bytes are not an accepted kind; FileTooLarge as soon as
    more than `max_bytes` came; InvalidData (`file`) for an empty file.
    """

    def __init__(self, max_bytes: int, sink: ChunkSink) -> None:
        self.max_bytes = max_bytes
        self.sink = sink
        self.size = 0
        self.content_type: str | None = None
        self._hash = hashlib.sha256()
        self._head = b""
        self._pending: list[bytes] = []  # pieces not yet cut into a chunk
        self._pending_bytes = 0
        self._ready: list[bytes] = []  # chunks not yet handed on
        self._chunks = 0  # chunks handed on
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
        while self._pending_bytes >= CHUNK_BYTES:
            self._cut(CHUNK_BYTES)
        if len(self._ready) >= CHUNKS_PER_WRITE:
            self._hand_on()

    def finish(self) -> ReceivedFile:
        if self.size == 0:
            raise InvalidData("file", "is empty")
        content_type = self.content_type or self._sniff()  # before a small file's only chunk is written
        if self._pending_bytes:
            self._cut(self._pending_bytes)
        self._hand_on()
        self._wait()
        return ReceivedFile(self.sink, self.size, self._hash.hexdigest(), content_type, self._chunks)

    def discard(self) -> None:
        """Stop: wait for the chunk in flight, then remove what the sink holds."""
        self._pending.clear()
        self._ready.clear()
        try:
            self._wait()
        except Exception:  # noqa: BLE001 — what failed is being thrown away
            pass
        self.sink.discard()

    def _cut(self, size: int) -> None:
        """The next `size` bytes of the pieces become a chunk."""
        joined = b"".join(self._pending)
        chunk, rest = joined[:size], joined[size:]
        self._pending = [rest] if rest else []
        self._pending_bytes = len(rest)
        self._hash.update(chunk)  # here, in order; the absorbing thread meanwhile writes the previous batch
        self._ready.append(chunk)

    def _hand_on(self) -> None:
        """The chunks cut so far, written on the absorbing thread while the caller reads on."""
        if not self._ready:
            return
        batch, self._ready = self._ready, []
        self._wait()
        self._absorbing = _ABSORBERS.submit(self._absorb, self._chunks, batch)
        self._chunks += len(batch)

    def _absorb(self, first_seq: int, batch: list[bytes]) -> None:
        self.sink.write_chunks(first_seq, batch)

    def _wait(self) -> None:
        if self._absorbing is not None:
            absorbing, self._absorbing = self._absorbing, None
            absorbing.result()

    def _sniff(self) -> str:
        found = sniffed_type(self._head)
        if found is None:
            raise UnsupportedFileType()
        return found


def receive_file(stream: IO[bytes] | Iterable[bytes], max_bytes: int, sink: ChunkSink) -> ReceivedFile:
    """A whole upload from a binary file-like object or an iterable of byte pieces, checked, into `sink`."""
    receiver = FileReceiver(max_bytes, sink)
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
