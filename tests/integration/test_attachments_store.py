"""The attachments service on the real database: what it checks before reading, how it stores, what a refusal leaves.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from mediation.cases.attachments import (
    CHUNK_BYTES,
    FileTooLarge,
    UnsupportedFileType,
    list_attachments,
    open_attachment,
    store_attachment,
    upload_sink,
)
from mediation.cases.audit import check_case
from mediation.db import Database
from mediation.demo.case_paths import ActorBook, drive_to
from mediation.demo.sample_county import SampleCounty
from mediation.errors import Forbidden, InvalidData, NotFound

pytest_plugins = ["sample_databases"]

NOW = datetime(2026, 3, 2, 9, 0)
LATER = NOW + timedelta(days=1)
PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


class WatchedStream:
    """A file-like object that remembers whether anyone read it."""

    def __init__(self, content: bytes) -> None:
        self.content, self.read_at_all = content, False

    def read(self, size: int = -1) -> bytes:
        self.read_at_all = True
        piece, self.content = self.content[:size], self.content[size:]
        return piece


def stored(db: Database) -> tuple[int, int]:
    with db.read() as connection:
        return (connection.execute(sa.text("SELECT count(*) FROM attachments")).scalar_one(),
                connection.execute(sa.text("SELECT count(*) FROM attachment_chunks")).scalar_one())


@pytest.fixture
def case_id(county_db: Database) -> int:
    return drive_to(county_db, state="mediation.assigned", county=SampleCounty(), now=NOW)


def store(db: Database, case_id: int, stream, *, user: str = "mediator1", kind: str = "evidence"):
    return store_attachment(db, actor=ActorBook(db)[user], case_id=case_id, kind=kind, description=None,
                            file_name="证据.pdf", stream=stream, now=LATER)


def test_pieces_of_any_size_are_stored_in_ordered_chunks(county_db: Database, case_id: int) -> None:
    content = PDF_HEAD + bytes(range(256)) * 3200  # 800 KiB and a little: four chunks
    pieces = [content[i:i + 70_001] for i in range(0, len(content), 70_001)]
    view = store(county_db, case_id, iter(pieces))
    assert (view.size_bytes, view.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    with county_db.read() as connection:
        sizes = connection.execute(sa.text("SELECT seq, length(data) FROM attachment_chunks WHERE attachment_id = :id "
                                           "ORDER BY seq"), {"id": view.id}).all()
    assert [seq for seq, _ in sizes] == [0, 1, 2, 3]
    assert [size for _, size in sizes[:-1]] == [CHUNK_BYTES] * 3
    listed, chunks = open_attachment(county_db, ActorBook(county_db)["grid1"], case_id, view.id)
    assert listed == view and b"".join(chunks) == content


def test_reach_and_role_are_checked_before_a_byte_is_read(county_db: Database, case_id: int) -> None:
    with pytest.raises(NotFound):
        store(county_db, case_id, stream := WatchedStream(PDF_HEAD), user="mediator2")  # 桥头镇: out of reach
    assert not stream.read_at_all
    with pytest.raises(Forbidden):
        store(county_db, case_id, stream := WatchedStream(PDF_HEAD), user="admin")
    assert not stream.read_at_all
    with pytest.raises(NotFound):
        store(county_db, 987_654, stream := WatchedStream(PDF_HEAD))
    assert not stream.read_at_all
    assert stored(county_db) == (0, 0)


def test_a_refused_upload_leaves_nothing(county_db: Database, case_id: int) -> None:
    version = _version(county_db, case_id)
    with pytest.raises(InvalidData) as refused:
        store(county_db, case_id, iter([PDF_HEAD * 100]), kind="painting")  # the engine refuses the kind
    assert refused.value.field == "data.kind"
    with pytest.raises(UnsupportedFileType):
        store(county_db, case_id, iter([b"GIF89a" + b"\x00" * 50]))
    with pytest.raises(InvalidData, match="empty"):
        store(county_db, case_id, iter([]))
    assert stored(county_db) == (0, 0) and _version(county_db, case_id) == version
    assert list_attachments(county_db, ActorBook(county_db)["mediator1"], case_id) == []


def test_a_file_over_the_cap_stops_being_read_past_it(county_db: Database, case_id: int) -> None:
    taken: list[int] = []

    def endless() -> Iterator[bytes]:
        yield PDF_HEAD
        while True:
            taken.append(1)
            yield b"\x00" * (1024 * 1024)

    with pytest.raises(FileTooLarge) as refused:
        store(county_db, case_id, endless())
    assert refused.value.extra["limit_bytes"] == 20 * 1024 * 1024 and len(taken) == 20
    assert stored(county_db) == (0, 0)


def test_uploads_at_the_same_time_each_get_their_own_version(county_db: Database, case_id: int) -> None:
    version = _version(county_db, case_id)
    errors: list[BaseException] = []

    def upload(index: int) -> None:
        try:
            store(county_db, case_id, iter([PDF_HEAD + bytes([index]) * 300_000]))
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)

    threads = [threading.Thread(target=upload, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _version(county_db, case_id) == version + 4
    assert len(list_attachments(county_db, ActorBook(county_db)["mediator1"], case_id)) == 4
    assert check_case(county_db, case_id) == []


def _version(db: Database, case_id: int) -> int:
    with db.read() as connection:
        return connection.execute(sa.text("SELECT version FROM cases WHERE id = :id"), {"id": case_id}).scalar_one()


def test_an_upload_still_coming_in_is_seen_by_nobody(county_db: Database, case_id: int) -> None:
    """Chunks are written as they come, under a row that lists, serves and verifies as nothing until finished."""
    mediator = ActorBook(county_db)["mediator1"]
    sink = upload_sink(county_db, actor=mediator, case_id=case_id, now=LATER)
    sink.write_chunks(0, [PDF_HEAD + b"\x00" * 1000])
    assert stored(county_db) == (1, 1)
    assert list_attachments(county_db, mediator, case_id) == []
    with pytest.raises(NotFound):
        open_attachment(county_db, mediator, case_id, sink.id)
    assert check_case(county_db, case_id) == []
    sink.discard()
    assert stored(county_db) == (0, 0)
