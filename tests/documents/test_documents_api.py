"""GET /api/v1/cases/{id}/documents/{kind}.pdf through the real application (DESIGN §6)."""

from __future__ import annotations

import io
from typing import Iterator
from urllib.parse import quote

import pytest
from documents_support import CLEAR_NUMBERS, MASKED_NUMBERS, PHONE, case_input, page_texts, squeezed
from litestar.testing import TestClient
from pypdf import PdfReader

from mediation.app import create_app
from mediation.db import Database
from mediation.demo.case_paths import drive_to, fire
from mediation.demo.sample_county import PASSWORD, SampleCounty

pytest_plugins = ["sample_databases"]  # the county database fixtures

DOCUMENTS = "/api/v1/cases/{}/documents/{}"


@pytest.fixture(scope="module")
def client(module_county_db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(module_county_db.url)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def tokens(client: TestClient) -> dict[str, dict[str, str]]:
    """Bearer headers of the users these tests act as."""
    headers = {}
    for username in ("grid1", "grid2", "mediator1", "supervisor1"):
        answer = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert answer.status_code in (200, 201), answer.text
        headers[username] = {"authorization": f"Bearer {answer.json()['access_token']}"}
    return headers


def get(client: TestClient, headers: dict[str, str], case_id: int, name: str, **extra: str):
    return client.get(DOCUMENTS.format(case_id, name), headers={**headers, **extra})


def test_a_pdf_with_its_file_name_and_etag_masked_for_the_grid_worker(client, tokens, everything_case) -> None:
    answer = get(client, tokens["grid1"], everything_case, "case_file.pdf")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    text = squeezed("".join(page_texts(answer.content)))
    number = PdfReader(io.BytesIO(answer.content)).metadata["/Keywords"]
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("inline; filename=") and f"case-{everything_case}-case_file.pdf" in disposition
    assert f"filename*=UTF-8''{quote(number + '-人民调解卷宗.pdf', safe='')}" in disposition
    assert all(masked in text for masked in MASKED_NUMBERS)
    assert not any(clear in text for clear in CLEAR_NUMBERS)
    assert answer.headers["etag"].startswith('"') and "private" in answer.headers["cache-control"]


def test_etag_follows_the_mask_level_and_answers_304(client, tokens, everything_case) -> None:
    masked = get(client, tokens["grid1"], everything_case, "agreement.pdf")
    full = get(client, tokens["mediator1"], everything_case, "agreement.pdf")
    assert masked.headers["etag"] != full.headers["etag"]
    assert PHONE in squeezed("".join(page_texts(full.content)))
    again = get(client, tokens["mediator1"], everything_case, "agreement.pdf", **{"if-none-match": full.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_new_case_version_makes_a_new_document(client, tokens, module_county_db) -> None:
    case_id = drive_to(module_county_db, state="follow_up.tracking", county=SampleCounty())
    first = get(client, tokens["mediator1"], case_id, "return_visit.pdf")
    assert first.status_code == 200 and "尚无回访记录" in squeezed("".join(page_texts(first.content)))
    fire(module_county_db, case_id, "record_return_visit", actor="mediator1",
         data={"outcome": "stable", "notes": "回访发现双方已握手言和。"})
    stale = get(client, tokens["mediator1"], case_id, "return_visit.pdf", **{"if-none-match": first.headers["etag"]})
    assert stale.status_code == 200 and stale.headers["etag"] != first.headers["etag"]
    assert "回访发现双方已握手言和。" in squeezed("".join(page_texts(stale.content)))


@pytest.mark.parametrize(("user", "name", "status"), [
    ("grid2", "case_file.pdf", 404),  # 桥头镇's grid worker: the case is outside their reach
    ("grid1", "minutes.pdf", 404),  # no such kind
    ("grid1", "case_file", 404),  # not KIND.pdf
])
def test_outside_reach_and_unknown_kinds_are_404(client, tokens, everything_case, user, name, status) -> None:
    answer = get(client, tokens[user], everything_case, name)
    assert answer.status_code == status
    assert answer.json()["status_code"] == status and answer.headers["content-type"].startswith("application/json")


def test_a_document_that_does_not_apply_yet_is_409_with_the_reason(client, tokens, module_county_db) -> None:
    case_id = drive_to(module_county_db, state="mediation.assigned", county=SampleCounty())
    for name, reason in (("judicial_application.pdf", "judicial confirmation"), ("agreement.pdf", "agreement"),
                         ("referral.pdf", "department")):
        answer = get(client, tokens["mediator1"], case_id, name)
        assert answer.status_code == 409 and reason in answer.json()["detail"]


def test_a_hostile_case_gets_413_and_the_server_stays_up(client, tokens, module_county_db) -> None:
    county = SampleCounty()
    case_id = drive_to(module_county_db, state="follow_up.tracking", county=county,
                       case_input=case_input(county, description="长" * 20_000))
    for _ in range(16):
        fire(module_county_db, case_id, "record_return_visit", actor="mediator1",
             data={"outcome": "stable", "notes": "很长的回访记录" * 2_800})
    answer = get(client, tokens["mediator1"], case_id, "case_file.pdf")
    assert answer.status_code == 413 and "characters" in answer.json()["detail"]
    assert client.get("/health").status_code == 200


def test_english_and_archival_copies(client, tokens, everything_case) -> None:
    answer = client.get(DOCUMENTS.format(everything_case, "judicial_application.pdf"),
                        params={"lang": "en", "archival": "1"}, headers=tokens["supervisor1"])
    assert answer.status_code == 200
    reader = PdfReader(io.BytesIO(answer.content))
    assert b"pdfaid" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert "Application for judicial confirmation" in "".join(page_texts(answer.content))
    assert client.get(DOCUMENTS.format(everything_case, "case_file.pdf"), params={"lang": "fr"},
                      headers=tokens["supervisor1"]).status_code == 422


def test_documents_need_a_token(client, everything_case) -> None:
    assert client.get(DOCUMENTS.format(everything_case, "case_file.pdf")).status_code == 401
