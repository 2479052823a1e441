"""What the five documents print, how they look, and what a masked viewer gets."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from documents_support import (
    CJK,
    CLEAR_NUMBERS,
    ID_MASKED,
    ID_NUMBER,
    LONG_URL,
    MASKED_NUMBERS,
    PHONE,
    SMUGGLED,
    ink_share,
    page_texts,
    pdffonts,
    render,
    squeezed,
    viewer,
    word_boxes,
    write,
)
from pypdf import PdfReader
from typer.testing import CliRunner

from mediation.cases.audit import case_head_hash
from mediation.cli import app
from mediation.db import Database
from mediation.directory.actors import SYSTEM
from mediation.documents import DocumentRequest, prepare_document, render_html

pytest_plugins = ["sample_databases"]  # the county database fixtures

TITLES = {"case_file": "人民调解卷宗", "agreement": "人民调解协议书", "referral": "矛盾纠纷流转单",
          "judicial_application": "司法确认申请书", "return_visit": "回访记录"}
KINDS = tuple(TITLES)  # the kinds of the first release (the case-file papers: test_case_file_papers.py)
PRINTS_TERMS = ("case_file", "agreement", "judicial_application", "return_visit")
A4_WIDTH_PT, RIGHT_MARGIN_PT = 595.28, 18 / 25.4 * 72


@pytest.fixture(scope="module")
def documents(module_county_db: Database, everything_case: int) -> dict[str, bytes]:
    """Each kind as the case's mediator gets it (full numbers)."""
    return {kind: render(module_county_db, everything_case, kind) for kind in KINDS}


@pytest.fixture(scope="module")
def terms(module_county_db: Database, everything_case: int) -> str:
    context = prepare_document(module_county_db, SYSTEM, everything_case, DocumentRequest("agreement")).context
    return context["agreement"]["terms"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_prints_the_case_number_parties_and_terms_in_chinese(documents, terms, kind) -> None:
    text = squeezed("".join(page_texts(documents[kind])))
    assert "永嘉调〔" in text and re.search(r"永嘉调〔\d{4}〕\d{5}号", text)
    assert TITLES[kind] in text
    assert "王某某" in text and "李某某" in text
    assert len(CJK.findall(text)) > 100
    if kind in PRINTS_TERMS:
        assert squeezed(terms) in text
    if kind == "referral":
        assert "永嘉县市场监督管理局" in text and "部门签收" in text


def test_case_file_has_every_section_and_every_event(module_county_db, everything_case, documents) -> None:
    text = squeezed("".join(page_texts(documents["case_file"])))
    for heading in ("当事人", "纠纷事实与争议事项", "调解情况", "调解协议", "部门流转与反馈", "司法确认", "回访情况",
                    "办理过程（全部事件）", "审计链"):
        assert heading in text
    assert re.search(r"\(\d{4}\)浙0324民特\d+号", text)  # the court's ruling number
    head = case_head_hash(module_county_db, everything_case)
    assert head in text
    context = prepare_document(module_county_db, SYSTEM, everything_case, DocumentRequest("case_file")).context
    assert [row["seq"] for row in context["timeline"]] == list(range(1, context["case"]["event_count"] + 1))


def test_every_page_has_the_running_header_and_the_page_count(documents) -> None:
    pages = page_texts(documents["case_file"])
    number = re.search(r"永嘉调〔\d{4}〕\d{5}号", squeezed(pages[0])).group(0)
    for index, text in enumerate(pages, 1):
        assert f"第{index}页共{len(pages)}页" in squeezed(text)
        if index > 1:  # the cover has no running header
            assert number in squeezed(text) and "江北社区人民调解委员会" in squeezed(text)


def test_long_tables_repeat_their_header_on_the_next_page(documents) -> None:
    pages_with_timeline_header = [text for text in page_texts(documents["case_file"]) if "状态变化" in text]
    assert len(pages_with_timeline_header) >= 2


def test_no_word_runs_past_the_right_margin(tmp_path: Path, documents) -> None:
    path = write(tmp_path, documents["case_file"])
    boxes = word_boxes(path)
    assert any("example.com" in word for _x, _width, word in boxes)  # the long URL is there, wrapped
    overflowing = [(x, word) for x, width, word in boxes if x > width - RIGHT_MARGIN_PT + 1]
    assert not overflowing


@pytest.mark.parametrize("kind", KINDS)
def test_fonts_are_noto_cjk_embedded_and_subset(tmp_path: Path, documents, kind) -> None:
    fonts = pdffonts(write(tmp_path, documents[kind]))
    cjk = [row for row in fonts if "CJK" in row[0]]
    assert cjk, fonts
    for name, *_type, embedded, subset, _unicode, _object, _generation in cjk:
        assert embedded == "yes" and subset == "yes" and re.match(r"^[A-Z]{6}\+", name)
    assert len(documents[kind]) < 1024 * 1024


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_renders_to_a_page_that_is_not_blank(tmp_path: Path, documents, kind) -> None:
    path = write(tmp_path, documents[kind])
    assert ink_share(path, 1) > 0.01
    assert ink_share(path, len(PdfReader(path).pages)) > 0.002


def test_a_masked_viewer_gets_masked_numbers_and_never_the_clear_ones(module_county_db, everything_case) -> None:
    for kind in ("case_file", "agreement", "judicial_application"):
        pdf = render(module_county_db, everything_case, kind, username="grid1")
        text = squeezed("".join(page_texts(pdf)))
        html = render_html(prepare_document(module_county_db, viewer(module_county_db, "grid1"), everything_case,
                                            DocumentRequest(kind)).context)
        for masked in MASKED_NUMBERS:
            assert masked in text
        for clear in CLEAR_NUMBERS:
            assert clear not in text and clear not in html and clear.encode() not in pdf
        assert "脱敏" in text


def test_the_case_mediator_and_the_court_see_full_numbers(module_county_db, everything_case, documents) -> None:
    assert ID_NUMBER in squeezed("".join(page_texts(documents["agreement"])))
    court_copy = render(module_county_db, everything_case, "judicial_application", username="court1")
    assert PHONE in squeezed("".join(page_texts(court_copy)))


def test_the_units_archival_copy_is_complete_pdf_a_with_metadata(module_county_db, everything_case) -> None:
    pdf = render(module_county_db, everything_case, "case_file", username="supervisor1", archival=True)
    reader = PdfReader(io.BytesIO(pdf))
    text = squeezed("".join(page.extract_text() for page in reader.pages))
    assert ID_NUMBER in text and ID_MASKED not in text
    number = re.search(r"永嘉调〔\d{4}〕\d{5}号", text).group(0)
    metadata = reader.metadata
    assert metadata.title == f"人民调解卷宗 {number}"
    assert metadata.author == "江北社区人民调解委员会"
    assert number in metadata["/Keywords"]
    assert metadata.creation_date is not None
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp and re.search(rb"pdfaid:part[^0-9]{1,3}3", xmp)
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_english_labels_on_request(module_county_db, everything_case) -> None:
    pdf = render(module_county_db, everything_case, "case_file", lang="en")
    pages = page_texts(pdf)
    assert f"Page 1 of {len(pages)}" in pages[0]
    text = "".join(pages)
    assert "People's mediation case file" in text and "Parties" in text and "Timeline" in text
    assert "王某某" in squeezed(text)  # names stay as they are


def test_user_text_is_printed_as_text_never_as_markup(module_county_db, everything_case, documents) -> None:
    html = render_html(prepare_document(module_county_db, SYSTEM, everything_case, DocumentRequest("case_file")).context)
    assert "<img" not in html and 'href="file:///etc/passwd"' not in html
    assert "&lt;img src=&#34;http://127.0.0.1:9/leak.png&#34;&gt;" in html
    text = squeezed("".join(page_texts(documents["case_file"])))
    assert squeezed(SMUGGLED) in text and squeezed(LONG_URL)[:60] in text


def test_the_cover_qr_code_carries_what_verify_checks(module_county_db, everything_case) -> None:
    context = prepare_document(module_county_db, SYSTEM, everything_case, DocumentRequest("case_file")).context
    head = case_head_hash(module_county_db, everything_case)
    assert context["qr_payload"].splitlines() == [
        context["case"]["number"], f"mediation verify --case {everything_case} --hash {head}"]
    assert "<svg" in render_html(context).split('class="qr"', 1)[1][:200]
    result = CliRunner().invoke(app, ["verify", "--case", str(everything_case), "--hash", head],
                                env={"MEDIATION_DATABASE_URL": module_county_db.url})
    assert result.exit_code == 0, result.output
    wrong = CliRunner().invoke(app, ["verify", "--case", str(everything_case), "--hash", "0" * 64],
                               env={"MEDIATION_DATABASE_URL": module_county_db.url})
    assert wrong.exit_code == 1
