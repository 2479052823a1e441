"""The web workspace in a real browser after the checks grew strict (issue 11 items 8 and 12).

An unknown filter value (the API's 400) shows on the board as a message in Chinese naming the filter,
above the cases it shows instead; an ID number that cannot be, and one person on both sides, are named
in Chinese next to their field on the intake form; the read models' timestamps now carry an offset
(`…Z`), and the board and the case page still show them in China time.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from browser_site import Site
from playwright.sync_api import expect

from mediation.db import parse_timestamp

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("query", "label", "value"), [
    ("state=nope", "状态", "nope"), ("risk_level=HIGH", "风险等级", "HIGH"), ("unit=NOPE", "单位", "NOPE")])
def test_an_unknown_filter_value_is_named_on_the_board(site_pages: Site, query: str, label: str, value: str) -> None:
    page = site_pages.login("mediator1")
    response = page.goto(f"{site_pages.base_url}/?{query}")
    assert response is not None and response.status == 200
    alert = page.locator("#results [role=alert]")
    expect(alert).to_contain_text(label)
    expect(alert).to_contain_text(value)
    expect(page.locator("table.cases tbody tr").first).to_be_visible()  # the cases in reach, unfiltered


def test_times_on_the_board_and_the_case_page_are_china_time(site_pages: Site) -> None:
    case_id = site_pages.cases["in_session"]
    with site_pages.db.snapshot() as tx:
        updated = parse_timestamp(tx.one("SELECT updated_at FROM cases WHERE id = :id", {"id": case_id})[0])
        first_at = parse_timestamp(tx.one("SELECT at FROM events WHERE case_id = :id AND seq = 1", {"id": case_id})[0])
    china = timedelta(hours=8)
    page = site_pages.login("mediator1")
    with site_pages.db.snapshot() as tx:
        number = tx.one("SELECT number FROM cases WHERE id = :id", {"id": case_id})[0]
    page.goto(f"{site_pages.base_url}/?q={number}")  # other tests' newer cases may push it off the first page
    row = page.locator("table.cases tbody tr", has=page.locator(f"a[href='/cases/{case_id}']"))
    expect(row.locator("td").last).to_have_text((updated + china).strftime("%Y-%m-%d %H:%M"))
    page.goto(f"{site_pages.base_url}/cases/{case_id}")
    expect(page.locator("ol.timeline time").last).to_have_text((first_at + china).strftime("%Y-%m-%d %H:%M"))  # newest first


def test_intake_names_a_wrong_id_number_and_one_person_on_both_sides_in_chinese(site_pages: Site) -> None:
    page = site_pages.login("grid1")
    page.goto(f"{site_pages.base_url}/cases/new")
    with site_pages.db.snapshot() as tx:
        before = tx.one("SELECT count(*) FROM cases")[0]
    page.get_by_label("标题").fill("邻里纠纷")
    page.get_by_label("纠纷简要情况").fill("楼上漏水。")
    page.get_by_label("来源渠道").select_option("walk_in")
    page.locator("#party-0-name").fill("周某")
    page.locator("#party-0-id_number").fill("330324199001011234")  # the right check character is 3
    page.locator("#party-1-name").fill("吴某")
    page.locator("#party-1-role").select_option("respondent")
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    expect(page.locator("#err-parties-0-id_number")).to_have_text("身份证号校验码不正确")

    page.locator("#party-0-id_number").fill("")
    page.locator("#party-1-name").fill("周某")
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    expect(page.locator("#err-parties-1-name")).to_have_text("申请人与被申请人同名：请填写双方身份证号以便区分")
    with site_pages.db.snapshot() as tx:
        assert tx.one("SELECT count(*) FROM cases")[0] == before
