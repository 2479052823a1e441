"""`mediation verify` re-hashes every stored file against the SHA-256 its `attach` event carries in the chain.

A chunk changed by one byte, a chunk deleted, a file row deleted with its chunks, and a file stored
without an event are each reported, by case and by the `attach` event's number.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from mediation.cases.attachments import CHUNK_BYTES, AttachmentView, store_attachment
from mediation.cases.audit import check_case, verify_all, verify_case
from mediation.db import Database
from mediation.demo.case_paths import ActorBook, drive_to
from mediation.demo.sample_county import SampleCounty

pytest_plugins = ["sample_databases"]

NOW = datetime(2026, 3, 2, 9, 0)
PDF_HEAD = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


def pdf_of(size: int, fill: int = 7) -> bytes:
    return PDF_HEAD + bytes([fill]) * (size - len(PDF_HEAD))


def attach(db: Database, case_id: int, content: bytes, name: str = "证据.pdf",
           when: datetime = NOW + timedelta(days=1)) -> AttachmentView:
    return store_attachment(db, actor=ActorBook(db)["mediator1"], case_id=case_id, kind="evidence",
                            description="证据", file_name=name, stream=io.BytesIO(content), now=when)


@pytest.fixture
def files(county_db: Database) -> tuple[int, AttachmentView, AttachmentView, int]:
    """A case with two files (the second of three chunks) and another case with one."""
    case_id = drive_to(county_db, state="mediation.assigned", county=SampleCounty(), now=NOW)
    small = attach(county_db, case_id, pdf_of(1000), "协议.pdf")
    large = attach(county_db, case_id, pdf_of(2 * CHUNK_BYTES + 5), "录像截图.pdf")
    other = drive_to(county_db, state="mediation.assigned", county=SampleCounty(), now=NOW)
    attach(county_db, other, pdf_of(3000))
    return case_id, small, large, other


def attach_seq(db: Database, case_id: int, attachment_id: int) -> int:
    with db.read() as connection:
        rows = connection.execute(sa.text("SELECT seq, data FROM events WHERE case_id = :id AND \"trigger\" = "
                                          "'attach'"), {"id": case_id}).all()
    return next(seq for seq, data in rows if f'"attachment_id":{attachment_id},' in data.replace(" ", ""))


def execute(db: Database, sql: str, **params) -> None:
    with db.begin() as connection:
        connection.execute(sa.text(sql), params)


def test_stored_files_verify(county_db: Database, files) -> None:
    case_id, _small, _large, other = files
    assert check_case(county_db, case_id) == [] and check_case(county_db, other) == []
    assert list(verify_all(county_db)) == []


def test_a_changed_byte_in_a_chunk_is_found(county_db: Database, files) -> None:
    case_id, _small, large, _other = files
    with county_db.read() as connection:
        data = connection.execute(sa.text("SELECT data FROM attachment_chunks WHERE attachment_id = :id AND seq = 1"),
                                  {"id": large.id}).scalar_one()
    changed = bytes(data[:100]) + bytes([data[100] ^ 1]) + bytes(data[101:])
    execute(county_db, "UPDATE attachment_chunks SET data = :data WHERE attachment_id = :id AND seq = 1",
            data=changed, id=large.id)

    breaks = check_case(county_db, case_id)
    assert [(b.case_id, b.seq) for b in breaks] == [(case_id, attach_seq(county_db, case_id, large.id))]
    assert f"attachment {large.id} (录像截图.pdf)" in breaks[0].problem and "changed" in breaks[0].problem
    assert verify_case(county_db, case_id) is None  # the chain itself still holds: the bytes broke
    assert [(b.case_id, b.seq) for b in verify_all(county_db)] == [(b.case_id, b.seq) for b in breaks]


def test_a_deleted_chunk_is_found(county_db: Database, files) -> None:
    case_id, _small, large, _other = files
    execute(county_db, "DELETE FROM attachment_chunks WHERE attachment_id = :id AND seq = 1", id=large.id)
    breaks = list(verify_all(county_db))
    assert len(breaks) == 1 and breaks[0].case_id == case_id
    assert "chunk 1 missing (2 of 3 stored)" in breaks[0].problem


def test_a_deleted_last_chunk_is_found(county_db: Database, files) -> None:
    case_id, _small, large, _other = files
    execute(county_db, "DELETE FROM attachment_chunks WHERE attachment_id = :id AND seq = 2", id=large.id)
    breaks = check_case(county_db, case_id)
    assert len(breaks) == 1 and "bytes stored, the attach event says" in breaks[0].problem


def test_a_deleted_file_is_found(county_db: Database, files) -> None:
    case_id, small, _large, _other = files
    execute(county_db, "DELETE FROM attachment_chunks WHERE attachment_id = :id", id=small.id)
    execute(county_db, "DELETE FROM attachments WHERE id = :id", id=small.id)
    breaks = list(verify_all(county_db))
    assert [(b.case_id, b.seq) for b in breaks] == [(case_id, attach_seq(county_db, case_id, small.id))]
    assert f"attachment {small.id} (协议.pdf) is missing" in breaks[0].problem


def test_a_file_no_event_lists_is_found(county_db: Database, files) -> None:
    case_id, small, _large, other = files
    execute(county_db, "UPDATE attachments SET case_id = :other WHERE id = :id", other=other, id=small.id)
    found = {(b.case_id, "no attach event" in b.problem, "missing" in b.problem) for b in verify_all(county_db)}
    assert found == {(other, True, False), (case_id, False, True)}


@pytest.mark.slow
def test_the_verify_command_names_the_case_and_the_attach_event(county_url: str, county_db: Database,
                                                                  files) -> None:
    case_id, _small, large, _other = files
    command = Path(sys.executable).parent / "mediation"
    environment = {**os.environ, "MEDIATION_DATABASE_URL": county_url, "COLUMNS": "200"}

    def run_verify(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(command), "verify", *arguments], env=environment, capture_output=True,
                              text=True, check=False)

    good = run_verify()
    assert good.returncode == 0 and "every stored file matches" in good.stdout, good.stdout + good.stderr
    execute(county_db, "DELETE FROM attachment_chunks WHERE attachment_id = :id AND seq = 0", id=large.id)
    for arguments in ((), ("--case", str(case_id))):
        bad = run_verify(*arguments)
        output = bad.stdout + bad.stderr
        assert bad.returncode == 1, output
        seq = attach_seq(county_db, case_id, large.id)
        assert re.search(rf"case {case_id} event {seq}:.*attachment {large.id} .*chunk 0 missing", output), output
