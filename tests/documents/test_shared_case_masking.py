"""A case shared with a partner in another province (DESIGN §9.5, issue 14 point 3): PDFs keep masking.

The partner's users see what their role may see: a partner mediator who does not mediate the case
gets the case file with ID and phone numbers masked and nothing in the personal-data view log; once
made the case's mediator they may see them whole, and that view lands in the log.
"""

from __future__ import annotations

from typing import Iterator

import pytest
import sqlalchemy as sa
from documents_support import CLEAR_NUMBERS, MASKED_NUMBERS, case_input, page_texts, squeezed
from litestar.testing import TestClient

from mediation.app import create_app
from mediation.db import Database
from mediation.demo.case_paths import drive_to, fire
from mediation.demo.sample_county import PASSWORD, SampleCounty

pytest_plugins = ["sample_databases"]  # the county database fixtures

COUNTY = SampleCounty()
PARTNER = "partner1"
CASE_FILE = "/api/v1/cases/{}/documents/case_file.pdf"


@pytest.fixture(scope="module")
def client(module_county_db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(module_county_db.url)) as test_client:
        yield test_client


def _headers(client: TestClient, username: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert answer.status_code in (200, 201), answer.text
    return {"authorization": f"Bearer {answer.json()['access_token']}"}


def _views(db: Database, case_id: int, username: str) -> list[str]:
    with db.read() as connection:
        return [via for via, in connection.execute(sa.text(
            "SELECT v.via FROM personal_data_views v JOIN users u ON u.id = v.user_id "
            "WHERE v.case_id = :case AND u.username = :user"), {"case": case_id, "user": username})]


def _case_file_text(client: TestClient, username: str, case_id: int) -> str:
    answer = client.get(CASE_FILE.format(case_id), headers=_headers(client, username))
    assert answer.status_code == 200, answer.text
    return squeezed("".join(page_texts(answer.content)))


@pytest.fixture(scope="module")
def shared_case(module_county_db: Database) -> int:
    """A case of 江北社区 in session (mediator1), shared with the 浙闽 liaison post."""
    case_id = drive_to(module_county_db, state="mediation.in_session", county=COUNTY, case_input=case_input(COUNTY))
    fire(module_county_db, case_id, "share_with_unit", actor="mediator1",
         data={"unit": COUNTY.partner_post, "reason": "一方当事人住在福建浦城，需跨省协同调解。"})
    return case_id


def test_a_partner_mediators_case_file_is_masked_and_not_logged(client, module_county_db, shared_case) -> None:
    text = _case_file_text(client, PARTNER, shared_case)
    assert all(masked in text for masked in MASKED_NUMBERS)
    assert not any(clear in text for clear in CLEAR_NUMBERS)
    assert _views(module_county_db, shared_case, PARTNER) == []


def test_a_partner_supervisor_is_no_supervisor_over_the_case(client, shared_case) -> None:
    text = _case_file_text(client, "partner_sup", shared_case)
    assert not any(clear in text for clear in CLEAR_NUMBERS)


def test_a_partner_mediating_the_case_sees_the_numbers_and_the_view_is_logged(
        client, module_county_db, shared_case) -> None:
    fire(module_county_db, shared_case, "replace_mediator", actor="supervisor1",
         data={"mediator": PARTNER, "mechanism": "joint", "resolver": "grassroots"})
    text = _case_file_text(client, PARTNER, shared_case)
    assert all(clear in text for clear in CLEAR_NUMBERS)
    assert _views(module_county_db, shared_case, PARTNER) == ["document:case_file"]


def test_a_third_unit_gets_no_document(client, shared_case) -> None:
    for username in ("mediator2", "grid2"):
        assert client.get(CASE_FILE.format(shared_case), headers=_headers(client, username)).status_code == 404
