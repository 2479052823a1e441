"""The intake form names every wrong field at once, each next to its field, and keeps what was typed."""

from __future__ import annotations

import pytest
from browser_site import Site
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.slow


def submit(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()


def case_count(site: Site) -> int:
    with site.db.snapshot() as tx:
        return tx.one("SELECT count(*) FROM cases")[0]


def expect_error_next_to(page: Page, input_id: str, error_id: str, text: str) -> None:
    """The error is in the field's own box, and the input points at it."""
    field = page.locator(f".field:has(> #{input_id})")
    expect(field).to_have_class("field wide has-error" if input_id in ("title", "description") else "field has-error")
    expect(field.locator(f"#{error_id}")).to_have_text(text)
    expect(page.locator(f"#{input_id}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{input_id}")).to_have_attribute("aria-describedby", error_id)


def test_every_wrong_field_is_shown_at_once(site_pages: Site) -> None:
    page = site_pages.login("grid1")
    page.goto(f"{site_pages.base_url}/cases/new")
    before = case_count(site_pages)
    # Title, facts and channel left blank; the first party row left empty (skipped), the second
    # with a wrong phone, the third with a wrong ID number, the fourth right (two rows added by the script).
    expect(page.locator("fieldset.party")).to_have_count(2)
    page.get_by_role("button", name="添加当事人").click()
    page.get_by_role("button", name="添加当事人").click()
    expect(page.locator("fieldset.party legend").nth(3)).to_have_text("当事人 4")
    page.locator("#party-1-name").fill("钱某")
    page.locator("#party-1-phone").fill("12345")
    page.locator("#party-2-name").fill("孙某")
    page.locator("#party-2-id_number").fill("33032419900101123")
    page.locator("#party-3-name").fill("李某")
    page.locator("#party-3-phone").fill("13812345678")
    submit(page)

    expect_error_next_to(page, "title", "err-title", "不能为空")
    expect_error_next_to(page, "description", "err-description", "不能为空")
    expect_error_next_to(page, "channel", "err-channel", "必填")
    expect_error_next_to(page, "party-1-phone", "err-parties-1-phone", "须为11位手机号或固定电话")
    expect_error_next_to(page, "party-2-id_number", "err-parties-2-id_number", "须为18位居民身份证号")
    expect(page.locator(".error")).to_have_count(5)  # nothing on the right fields
    for right in ("category", "unit", "party-0-name", "party-1-name", "party-2-phone", "party-3-phone"):
        expect(page.locator(f"#{right}")).not_to_have_attribute("aria-invalid", "true")

    # The alert sums them up in the form's order, each a link to its field.
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("请更正标出的字段")
    expect(alert.locator("li")).to_have_text(["标题：不能为空", "纠纷简要情况：不能为空", "来源渠道：必填",
                                              "当事人 2 电话：须为11位手机号或固定电话",
                                              "当事人 3 身份证号：须为18位居民身份证号"])
    expect(alert.locator("a").nth(3)).to_have_attribute("href", "#party-1-phone")
    site_pages.shot(page, "intake-all-errors")

    # What was typed is kept, row by row.
    expect(page.locator("#party-1-name")).to_have_value("钱某")
    expect(page.locator("#party-1-phone")).to_have_value("12345")
    expect(page.locator("#party-2-id_number")).to_have_value("33032419900101123")
    expect(page.locator("#party-3-phone")).to_have_value("13812345678")
    assert case_count(site_pages) == before

    # Fixing them files the case.
    page.get_by_label("标题").fill("多处填错后更正")
    page.get_by_label("纠纷简要情况").fill("测试一次标出全部错误。")
    page.get_by_label("来源渠道").select_option("walk_in")
    page.locator("#party-1-phone").fill("13812345679")
    page.locator("#party-2-id_number").fill("330324199001031234")
    submit(page)
    expect(page.get_by_role("status")).to_contain_text("案件已登记")
    assert case_count(site_pages) == before + 1


def test_no_party_is_shown_on_the_party_list(site_pages: Site) -> None:
    page = site_pages.login("grid1")
    page.goto(f"{site_pages.base_url}/cases/new")
    page.get_by_label("标题").fill("没有当事人")
    submit(page)
    expect(page.locator("fieldset.parties > #err-parties")).to_have_text("至少填写一名当事人")
    expect(page.locator("#err-description")).to_have_text("不能为空")
    expect(page.locator("#err-channel")).to_have_text("必填")
    expect(page.locator("#err-title")).to_have_count(0)
    expect(page.get_by_label("标题")).to_have_value("没有当事人")


def test_a_unit_out_of_reach_is_still_named_on_the_unit(site_pages: Site) -> None:
    page = site_pages.login("grid1")
    page.goto(f"{site_pages.base_url}/cases/new")
    before = case_count(site_pages)
    page.get_by_label("标题").fill("他镇的案件")
    page.get_by_label("纠纷简要情况").fill("单位不在辖区内。")
    page.get_by_label("来源渠道").select_option("walk_in")
    page.locator("#party-0-name").fill("周某")
    # A unit of 桥头镇 that the form does not offer grid1 (a tampered form).
    page.locator("#unit").evaluate("(select, code) => { select.add(new Option('桥头镇', code)); select.value = code; }",
                                   site_pages.county.other_town)
    submit(page)
    expect_error_next_to(page, "unit", "err-unit", "所选单位不在您的辖区内")
    expect(page.locator(".error")).to_have_count(1)
    expect(page.get_by_role("alert").locator("li")).to_have_count(1)
    assert case_count(site_pages) == before
