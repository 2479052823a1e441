"""The bound 卷宗 (DESIGN §9.2): cover, a table of contents whose page numbers are the pages the papers
start on, the papers in the Ministry's order, evidence with SHA-256 and pictures inline, interpreter
and co-mediator named, masking as the reader must see it."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from casefile_support import (
    APPLICANT_ADDRESS,
    CO_MEDIATOR,
    COMPANY,
    FINDINGS,
    ID_NUMBER,
    INTERPRETER,
    INVESTIGATION,
    LEGAL_REPRESENTATIVE,
    STATEMENTS,
    case_with_a_case_file,
)
from documents_support import CJK, ink_share, page_texts, render, squeezed, write

from mediation.db import Database
from mediation.directory.actors import SYSTEM
from mediation.documents import DocumentRequest, prepare_document

pytest_plugins = ["sample_databases"]  # the county database fixtures

ORDER = ("人民调解申请书及受理登记表", "权利义务告知书", "当事人身份情况", "调查记录", "证据材料目录", "调解记录",
         "调解协议书", "回访记录", "结案情况与卷内备考")
NUMERALS = "一二三四五六七八九十"
# Code names a page must never show: the workflow's codes and the storage's words.
CODE_NAMES = re.compile(r"(?<![A-Za-z])(?:[a-z]+_[a-z_]+|evidence|photo|interpreter|in_person|agreed|adjourned|"
                        r"male|female|compensation|neighbour|None|True|False)(?![A-Za-z])"
                        r"|[a-z]+\.[a-z\u4e00-\u9fff]")  # a label key printed for want of its label


@pytest.fixture(scope="module")
def case_id(module_county_db: Database) -> int:
    return case_with_a_case_file(module_county_db)


@pytest.fixture(scope="module")
def volume(module_county_db: Database, case_id: int) -> bytes:
    return render(module_county_db, case_id, "case_file")


@pytest.fixture(scope="module")
def pages(volume: bytes) -> list[str]:
    return [squeezed(text) for text in page_texts(volume)]


def contents(volume: bytes) -> dict[str, int]:
    """Title -> page number, as the table of contents (page 2) prints them, one row a line."""
    toc = page_texts(volume)[1]
    assert "卷内目录" in toc
    rows = (re.fullmatch(r"\d+\s+(\S+)\s+(\d+)", line.strip()) for line in toc.splitlines())
    return {row.group(1): int(row.group(2)) for row in rows if row}


def pictures(tmp_path: Path, pdf: bytes) -> set[str]:
    """The image objects of the PDF (`pdfimages -list`), each once however many pages share it."""
    output = subprocess.run(["pdfimages", "-list", str(write(tmp_path, pdf, "pictures.pdf"))], check=True,
                            capture_output=True, text=True).stdout
    return {line.split()[10] for line in output.splitlines()[2:] if line.strip()}


def test_the_cover_names_the_volume_number_mediators_period_and_retention(pages, module_county_db, case_id) -> None:
    cover = pages[0]
    for label in ("卷名", "卷号", "调解员", "起止日期", "立卷人", "保管期限"):
        assert label in cover
    assert re.search(r"永嘉调〔\d{4}〕\d{5}号", cover) and "王某某与李某某楼上装修噪音纠纷" in cover
    assert CO_MEDIATOR in cover and "长期" in cover and "至今" not in cover  # closed: a closing date


def test_the_contents_list_every_paper_in_order_with_the_page_it_starts_on(volume, pages) -> None:
    listed = contents(volume)
    assert list(listed) == list(ORDER)
    numbers = list(listed.values())
    assert numbers == sorted(numbers) and numbers[0] == 3
    for index, (title, page) in enumerate(listed.items()):
        heading = f"{NUMERALS[index]}、{title}"
        starts = [number for number, text in enumerate(pages, 1) if number > 2 and heading in text]
        assert starts and starts[0] == page, (title, page, starts)
    assert f"卷内页数：{len(pages)}" in pages[1]


def test_the_papers_carry_the_records(pages) -> None:
    text = "".join(pages)
    assert squeezed(INVESTIGATION) in text and "被调查人" in text
    for statement in STATEMENTS + FINDINGS:
        assert squeezed(statement) in text
    assert "第1次调解" in text and "第2次调解" in text and "达成协议" in text and "休会改期" in text
    assert f"{INTERPRETER}（翻译人员" in text and f"{CO_MEDIATOR}（协助调解员" in text
    assert COMPANY in text and LEGAL_REPRESENTATIVE in text and "维吾尔族" in text and "汉族" in text
    assert "当面告知" in text and "权利义务" in text


def test_the_evidence_list_carries_each_file_with_its_sha256_and_the_pictures_inline(
        tmp_path: Path, module_county_db, case_id, volume, pages) -> None:
    with module_county_db.snapshot() as tx:
        files = tx.all("SELECT file_name, sha256, kind FROM attachments WHERE case_id = :id ORDER BY id",
                       {"id": case_id})
    text = "".join(pages)
    for name, digest, _kind in files:
        assert squeezed(name) in text and digest in text
    assert len(pictures(tmp_path, volume)) == len(files)  # two photos and the ID card, for the case's mediator


def test_a_masked_reader_gets_no_identity_document_and_masked_particulars(tmp_path: Path, module_county_db,
                                                                         case_id) -> None:
    pdf = render(module_county_db, case_id, "case_file", username="grid1")
    text = squeezed("".join(page_texts(pdf)))
    assert "身份证.jpeg" not in text and ID_NUMBER not in text and APPLICANT_ADDRESS not in text
    assert "13812345678" not in text and "138****5678" in text
    assert "浙江省温州市****" in text  # the place, not the house
    assert len(pictures(tmp_path, pdf)) == 2


def test_no_page_shows_a_code_name(pages) -> None:
    for number, text in enumerate(pages, 1):
        assert not CODE_NAMES.search(text), (number, CODE_NAMES.findall(text))


def test_the_pages_render_with_chinese_glyphs(tmp_path: Path, volume: bytes, pages) -> None:
    path = write(tmp_path, volume, "volume.pdf")
    for number in (1, 2, len(pages)):
        assert ink_share(path, number) > 0.005
    assert all(len(CJK.findall(text)) > 20 for text in pages)


def test_the_sha256_printed_is_the_stored_files(module_county_db, case_id) -> None:
    with module_county_db.snapshot() as tx:
        attachment_id, digest = tx.one("SELECT id, sha256 FROM attachments WHERE case_id = :id ORDER BY id LIMIT 1",
                                       {"id": case_id})
        chunks = tx.all("SELECT data FROM attachment_chunks WHERE attachment_id = :id ORDER BY seq",
                        {"id": attachment_id})
    assert hashlib.sha256(b"".join(bytes(c) for (c,) in chunks)).hexdigest() == digest


def test_the_pictures_are_read_only_to_render(module_county_db, case_id) -> None:
    prepared = prepare_document(module_county_db, SYSTEM, case_id, DocumentRequest("case_file"))
    assert prepared.context["images"] == {}  # a 304 or a cached copy never reads the files
    pictures = prepared.ready_context()["images"]
    assert len(pictures) == 3 and all(content[:2] in (b"\xff\xd8", b"\x89P") for content in pictures.values())
