"""A deadline that rests on estimated holidays says so: on the case page (按估算的节假日计算) and in the
API's case deadlines (`estimated: true`); one counted on a published year says nothing of the kind.

The cases are made in this process with chinesecalendar lacking 2027 (whatever version is
installed); the server only reads the mark the engine wrote.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from browser_site import Site
from playwright.sync_api import expect

from mediation.demo.case_paths import TRIAGED, ActorBook, drive_to
from mediation.demo.sample_county import PASSWORD
from tests.calendar_years import package_lacks

pytestmark = pytest.mark.slow
ADJOURNED = (*TRIAGED, "mediate_on_scene", "adjourn")


@pytest.fixture(scope="module")
def cases(site: Site) -> dict[str, int]:
    county, actors = site.county, ActorBook(site.db)
    with package_lacks(2027):
        before_spring_festival = drive_to(site.db, state="mediation.assigned", county=county, route=ADJOURNED,
                                          actors=actors, now=datetime(2027, 2, 4, 2), step=timedelta(0))
    published = drive_to(site.db, state="mediation.assigned", county=county, route=ADJOURNED, actors=actors,
                         now=datetime(2026, 4, 27, 2), step=timedelta(0))
    return {"estimated": before_spring_festival, "published": published}


def test_the_case_page_says_which_deadline_rests_on_an_estimate(site: Site, cases: dict[str, int]) -> None:
    page = site.login("police1")
    page.goto(f"{site.base_url}/cases/{cases['estimated']}")
    second = page.locator("ul.deadlines li", has_text="随警调解再次调解期限")
    expect(second).to_contain_text("（按估算的节假日计算）")
    expect(page.locator("ul.deadlines li", has_text="按估算")).to_have_count(1)  # the month's term counts calendar days
    page.goto(f"{site.base_url}/cases/{cases['published']}")
    expect(page.locator("ul.deadlines li", has_text="随警调解再次调解期限")).to_have_count(1)
    expect(page.locator("ul.deadlines li", has_text="按估算")).to_have_count(0)


def test_the_api_marks_the_deadline_as_estimated(site: Site, cases: dict[str, int]) -> None:
    token = httpx.post(f"{site.base_url}/api/v1/auth/token", json={"username": "police1", "password": PASSWORD},
                       timeout=30.0).json()["access_token"]
    marks = {}
    for name, case_id in cases.items():
        answer = httpx.get(f"{site.base_url}/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"},
                           timeout=30.0)
        assert answer.status_code == 200, answer.text
        marks[name] = {d["kind"]: d["estimated"] for d in answer.json()["deadlines"]}
    assert marks == {
        "estimated": {"police_second_session": True, "people_mediation_term": False},
        "published": {"police_second_session": False, "people_mediation_term": False},
    }
