"""An upload taken in as it comes: type from the bytes, size cap, hash, ordered chunks, names kept usable.

No database: the chunks go to a sink that keeps them in a list (ChunkSink is a two-method protocol).
"""

from __future__ import annotations

import hashlib

import pytest

from mediation.cases.file_types import sniffed_type
from mediation.cases.received_files import (
    CHUNK_BYTES,
    FILE_NAME_MAX_LENGTH,
    FileReceiver,
    FileTooLarge,
    UnsupportedFileType,
    file_name_of,
    receive_file,
)
from mediation.errors import InvalidData

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 413
M4A = b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00\x00\x00\x08free"


class ListSink:
    def __init__(self) -> None:
        self.chunks: list[tuple[int, bytes]] = []
        self.discarded = False

    def write_chunks(self, first_seq: int, chunks: list[bytes]) -> None:
        self.chunks.extend(enumerate(chunks, start=first_seq))

    def discard(self) -> None:
        self.discarded = True


@pytest.mark.parametrize(("head", "media_type"), [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (MP3, "audio/mpeg"), (M4A, "audio/mp4"),
])
def test_each_accepted_type_is_told_from_its_bytes(head: bytes, media_type: str) -> None:
    assert sniffed_type(head) == media_type


@pytest.mark.parametrize("head", [
    b"GIF89a\x01\x00\x01\x00", b"PK\x03\x04" + b"\x00" * 26, "纯文字".encode(), b"<html><body>", b"\x00" * 64,
    b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41",  # an MP4 video, not M4A audio
])
def test_other_bytes_are_not_accepted(head: bytes) -> None:
    assert sniffed_type(head) is None


def test_a_file_is_handed_on_in_ordered_chunks_with_its_hash() -> None:
    content = PDF + bytes(range(256)) * 2100  # two whole chunks and a part
    sink = ListSink()
    received = receive_file([content[i:i + 70_000] for i in range(0, len(content), 70_000)], len(content), sink)
    assert [seq for seq, _ in sink.chunks] == [0, 1, 2] and received.chunk_count == 3
    assert [len(data) for _, data in sink.chunks[:2]] == [CHUNK_BYTES, CHUNK_BYTES]
    assert b"".join(data for _, data in sink.chunks) == content
    assert (received.size_bytes, received.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert received.content_type == "application/pdf" and not sink.discarded


def test_a_refused_type_is_refused_before_anything_is_written() -> None:
    sink = ListSink()
    receiver = FileReceiver(10 * CHUNK_BYTES, sink)
    with pytest.raises(UnsupportedFileType) as refused:
        receiver.write(b"GIF89a" + b"\x00" * 9000)
    assert refused.value.status_code == 422 and refused.value.extra["field"] == "file"
    assert sink.chunks == []


def test_a_small_file_of_another_type_is_refused_at_its_end() -> None:
    sink = ListSink()
    with pytest.raises(UnsupportedFileType):
        receive_file([b"hello"], 1000, sink)
    assert sink.chunks == [] and sink.discarded


def test_the_cap_is_kept_while_the_bytes_come() -> None:
    sink = ListSink()
    with pytest.raises(FileTooLarge) as refused:
        receive_file([PDF + b"\x00" * (CHUNK_BYTES - len(PDF)), b"\x00" * CHUNK_BYTES, b"\x00"], 2 * CHUNK_BYTES, sink)
    assert refused.value.status_code == 413 and refused.value.extra == {"field": "file", "limit_bytes": 2 * CHUNK_BYTES}
    assert "0.5 MiB" in refused.value.detail and sink.discarded


def test_a_file_exactly_at_the_cap_is_taken() -> None:
    content = PDF + b"\x00" * (CHUNK_BYTES - len(PDF))
    assert receive_file([content], CHUNK_BYTES, ListSink()).size_bytes == CHUNK_BYTES


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(InvalidData) as refused:
        receive_file(iter([]), 1000, ListSink())
    assert (refused.value.field, refused.value.reason) == ("file", "is empty")


def test_a_file_like_object_is_read_in_pieces() -> None:
    import io

    sink = ListSink()
    assert receive_file(io.BytesIO(PNG), 1000, sink).content_type == "image/png"
    assert sink.chunks == [(0, PNG)]


@pytest.mark.parametrize(("given", "kept"), [
    ("协议.pdf", "协议.pdf"),
    ("C:\\Users\\林\\Desktop\\证据 1.jpg", "证据 1.jpg"),
    ("/tmp/photo.png", "photo.png"),
    ("  ", None),
    (None, None),
    ("长" * 300 + ".pdf", "长" * (FILE_NAME_MAX_LENGTH - 4) + ".pdf"),
])
def test_a_file_name_is_kept_usable(given: str | None, kept: str | None) -> None:
    assert file_name_of(given) == kept


def test_a_file_name_with_control_characters_is_refused() -> None:
    with pytest.raises(InvalidData) as refused:
        file_name_of("a\x07b.pdf")
    assert refused.value.field == "file"
