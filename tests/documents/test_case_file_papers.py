"""The six papers of DESIGN §9.2, the agreement with particulars and performance in words, and blank
forms, read back from the PDFs; through the API too."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest
from casefile_support import (
    APPLICANT_ADDRESS,
    COMPANY,
    FINDINGS,
    ID_NUMBER,
    INTERPRETER,
    INVESTIGATION,
    LEGAL_REPRESENTATIVE,
    PERFORMANCE_MANNER,
    PERFORMANCE_PLACE,
    STATEMENTS,
    case_with_a_case_file,
)
from documents_support import CJK, ink_share, page_texts, render, squeezed, write
from litestar.testing import TestClient
from test_case_file_volume import CODE_NAMES

from mediation.app import create_app
from mediation.db import Database
from mediation.demo.case_paths import drive_to, fire
from mediation.demo.sample_county import PASSWORD, SampleCounty
from mediation.directory.actors import SYSTEM
from mediation.documents import (
    BLANK_FORMS,
    DocumentNotApplicable,
    DocumentRequest,
    document_bytes,
    prepare_blank_form,
    prepare_document,
)

pytest_plugins = ["sample_databases"]  # the county database fixtures

PAPERS = {"application": "人民调解申请书", "intake_register": "人民调解受理登记表", "rights_notice": "权利义务告知书",
          "session_record": "人民调解记录", "investigation_record": "人民调解调查记录", "outcome_notice": "结果告知书"}
FORM_WORDS = {"application": ("申请人", "被申请人", "申请事项", "事实和理由"),
              "intake_register": ("受理日期", "纠纷来源", "纠纷简要情况", "登记人"),
              "rights_notice": ("当事人享有下列权利", "当事人应当履行下列义务", "告知方式"),
              "session_record": ("时间", "地点", "当事人陈述", "调解结果", "记录人（签名）"),
              "investigation_record": ("被调查人", "调查内容", "调查人（签名）"),
              "agreement": ("协议内容", "履行方式", "履行地点", "履行期限", "人民调解员签名"),
              "outcome_notice": ("处理结果", "告知方式", "当事人签收")}


@pytest.fixture(scope="module")
def case_id(module_county_db: Database) -> int:
    return case_with_a_case_file(module_county_db)


@pytest.fixture(scope="module")
def papers(module_county_db: Database, case_id: int) -> dict[str, list[str]]:
    """Each paper's pages (squeezed text) as the case's mediator gets them."""
    return {kind: [squeezed(text) for text in page_texts(render(module_county_db, case_id, kind))]
            for kind in (*PAPERS, "agreement")}


@pytest.mark.parametrize("kind", [*PAPERS, "agreement"])
def test_each_paper_prints_its_title_the_case_and_no_code_name(papers, kind) -> None:
    text = "".join(papers[kind])
    assert PAPERS.get(kind, "人民调解协议书") in text
    assert re.search(r"永嘉调〔\d{4}〕\d{5}号", text) and "王某某" in text
    assert len(CJK.findall(text)) > 100
    for number, page in enumerate(papers[kind], 1):
        assert not CODE_NAMES.search(page), (kind, number, CODE_NAMES.findall(page))


def test_the_papers_carry_what_was_recorded(papers) -> None:
    assert "请求江北社区人民调解委员会就“王某某与李某某楼上装修噪音纠纷”依法进行调解" in "".join(papers["application"])
    register = "".join(papers["intake_register"])
    assert "网格排查" in register or "网格" in register
    assert "同意受理，指派调解员" in register
    rights = "".join(papers["rights_notice"])
    assert rights.count("当面告知") == 3 and "尚未告知" not in rights
    investigation = "".join(papers["investigation_record"])
    assert squeezed(INVESTIGATION) in investigation and "赵某" in investigation


def test_each_session_record_starts_its_own_page(papers) -> None:
    pages = papers["session_record"]
    first = next(i for i, page in enumerate(pages) if "第1次调解" in page)
    second = next(i for i, page in enumerate(pages) if "第2次调解" in page)
    assert second > first
    text = "".join(pages)
    for words in (*STATEMENTS, *FINDINGS, "休会改期", "达成协议", INTERPRETER):
        assert squeezed(words) in text


def test_the_agreement_carries_particulars_terms_and_performance_in_words(papers) -> None:
    text = "".join(papers["agreement"])
    for words in ("性别", "民族", "年龄", "住址", "职业", COMPANY, LEGAL_REPRESENTATIVE, "法定代表人"):
        assert words in text
    for term in ("一、李某某于协议签订后十日内向王某某支付补偿款人民币三千元；",
                 "二、李某某今后装修施工时间限于每日八时至十八时；"):
        assert term in text
    assert f"履行方式{PERFORMANCE_MANNER}" in text and f"履行地点{PERFORMANCE_PLACE}" in text and re.search(r"履行期限\d{4}年\d+月\d+日前履行完毕", text)
    assert "协议事项：赔偿" in text and "compensation" not in text


def test_a_masked_reader_gets_masked_numbers_on_the_papers(module_county_db, case_id) -> None:
    for kind in ("application", "intake_register", "agreement"):
        text = squeezed("".join(page_texts(render(module_county_db, case_id, kind, username="grid1"))))
        assert ID_NUMBER not in text and APPLICANT_ADDRESS not in text and "13812345678" not in text
        assert "脱敏" in text


def test_the_outcome_notice_leaves_lines_to_fill_while_nothing_was_reported(tmp_path: Path, module_county_db,
                                                                          case_id) -> None:
    context = prepare_document(module_county_db, SYSTEM, case_id, DocumentRequest("outcome_notice")).context
    assert context["outcome"] is None
    path = write(tmp_path, render(module_county_db, case_id, "outcome_notice"))
    assert ink_share(path, 1) > 0.01


def test_records_that_do_not_exist_yet_are_refused_with_the_reason(module_county_db) -> None:
    case_id = drive_to(module_county_db, state="mediation.assigned", county=SampleCounty())
    for kind, reason in (("session_record", "no mediation session"), ("investigation_record", "no investigation")):
        with pytest.raises(DocumentNotApplicable) as refused:
            prepare_document(module_county_db, SYSTEM, case_id, DocumentRequest(kind))
        assert reason in refused.value.detail
    for kind in ("application", "intake_register", "rights_notice", "outcome_notice"):
        assert render(module_county_db, case_id, kind).startswith(b"%PDF")


@pytest.mark.parametrize("kind", BLANK_FORMS)
def test_blank_forms_have_the_words_and_lines_to_write_on(tmp_path: Path, kind) -> None:
    pdf = document_bytes(prepare_blank_form(kind))
    pages = page_texts(pdf)
    text = squeezed("".join(pages))
    for words in FORM_WORDS[kind]:
        assert words in text
    assert "人民调解委员会" in text and not re.search(r"永嘉调〔\d{4}〕", text)
    for number, page in enumerate(pages, 1):
        assert not CODE_NAMES.search(squeezed(page)), (kind, number)
    assert ink_share(write(tmp_path, pdf), 1) > 0.01


@pytest.fixture(scope="module")
def client(module_county_db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(module_county_db.url)) as test_client:
        answer = test_client.post("/api/v1/auth/token", json={"username": "grid1", "password": PASSWORD})
        assert answer.status_code in (200, 201), answer.text
        test_client.headers["authorization"] = f"Bearer {answer.json()['access_token']}"
        yield test_client


@pytest.mark.parametrize("kind", PAPERS)
def test_the_papers_are_served_by_the_api_masked_for_the_grid_worker(client, case_id, kind) -> None:
    answer = client.get(f"/api/v1/cases/{case_id}/documents/{kind}.pdf")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert f"case-{case_id}-{kind}.pdf" in answer.headers["content-disposition"]
    assert ID_NUMBER not in squeezed("".join(page_texts(answer.content)))


def test_blank_forms_are_served_by_the_api(client) -> None:
    for kind in BLANK_FORMS:
        answer = client.get(f"/api/v1/forms/{kind}.pdf")
        assert answer.status_code == 200, answer.text
        assert f'filename="form-{kind}.pdf"' in answer.headers["content-disposition"]
        again = client.get(f"/api/v1/forms/{kind}.pdf", headers={"if-none-match": answer.headers["etag"]})
        assert again.status_code == 304
    english = client.get("/api/v1/forms/agreement.pdf", params={"lang": "en"})
    assert "People's mediation agreement" in "".join(page_texts(english.content))


@pytest.mark.parametrize(("path", "status"), [
    ("/api/v1/forms/case_file.pdf", 404), ("/api/v1/forms/minutes.pdf", 404), ("/api/v1/forms/agreement", 404),
    ("/api/v1/forms/agreement.pdf?lang=fr", 422),
])
def test_forms_that_do_not_exist_are_refused(client, path, status) -> None:
    answer = client.get(path)
    assert answer.status_code == status and answer.json()["status_code"] == status


def test_forms_need_a_token(module_county_db) -> None:
    with TestClient(create_app(module_county_db.url)) as anonymous:
        assert anonymous.get("/api/v1/forms/agreement.pdf").status_code == 401


def test_the_outcome_notice_prints_the_outcome_told_to_the_complainant(module_county_db) -> None:
    case_id = drive_to(module_county_db, state="mediation.assigned", county=SampleCounty())
    with module_county_db.snapshot() as tx:
        applicant = tx.one("SELECT id FROM parties WHERE case_id = :id AND role = 'applicant'", {"id": case_id})[0]
    fire(module_county_db, case_id, "report_outcome", actor="mediator1",
         data={"party_id": applicant, "method": "visit", "summary": "上门告知调解进展，当事人表示理解。"})
    text = squeezed("".join(page_texts(render(module_county_db, case_id, "outcome_notice"))))
    assert "上门告知调解进展，当事人表示理解。" in text and "张建国" in text and "林调解" in text
    assert not CODE_NAMES.search(text)
