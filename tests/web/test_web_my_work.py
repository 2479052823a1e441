"""我的工作 in a real browser: where each role lands after signing in, the /work page on desktop and
phone (axe clean, Chinese only), its kind tabs, and the offers a role may not take (登记新案件)."""

from __future__ import annotations

import re

import pytest
from browser_site import DESKTOP, PHONE, Site
from playwright.sync_api import Page, expect

from mediation.cases.my_work import work_counts
from mediation.clock import utcnow
from mediation.demo.sample_county import PASSWORD
from mediation.directory.accounts import actor_for

pytestmark = pytest.mark.slow

LANDINGS = {
    "grid1": "/work", "mediator1": "/work", "police1": "/work", "supervisor1": "/work",
    "court1": "/inbox/court", "dept_sj": "/inbox/department", "admin": "/admin/users",
}


def sign_in(site: Site, username: str, viewport: dict[str, int] = DESKTOP, query: str = "") -> Page:
    """Log in through the form and stay where the server sends the user."""
    page = site.page(viewport)
    page.goto(f"{site.base_url}/login{query}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def counts_of(site: Site, username: str):
    workflows = site.db.workflows
    definition = workflows.machine(workflows.current_version_id()).definition
    with site.db.snapshot() as tx:
        return work_counts(tx=tx, definition=definition, actor=actor_for(site.db, username), now=utcnow())


@pytest.mark.parametrize("username", list(LANDINGS))
def test_each_role_lands_where_its_work_is(site_pages: Site, username: str) -> None:
    page = sign_in(site_pages, username)
    assert page.url == f"{site_pages.base_url}{LANDINGS[username]}"


def test_a_page_asked_for_still_wins(site_pages: Site) -> None:
    page = sign_in(site_pages, "mediator1", query="?next=/orders")
    assert page.url == f"{site_pages.base_url}/orders"


def test_my_work_lists_the_mediators_queue_urgent_first(site_pages: Site) -> None:
    site = site_pages
    page = sign_in(site, "mediator1")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的工作")
    expect(page.get_by_role("link", name="我的工作")).to_have_attribute("aria-current", "page")
    counts = counts_of(site, "mediator1")
    tabs = page.locator("nav.work-tabs a")
    expect(tabs).to_have_text([f"全部 {counts.all}", f"我承办的 {counts.assigned}", f"待我处理 {counts.awaiting_me}",
                               f"即将到期 {counts.due_soon}", f"已超期 {counts.overdue}"])
    first = page.locator("table.work tbody tr").first
    expect(first).to_have_attribute("data-case", str(site.cases["overdue"]))
    expect(first).to_contain_text("旧案：宅基地边界纠纷")
    expect(first.locator(".urgency")).to_have_text("已超期")  # in words, not colour alone
    expect(first).to_contain_text("人民调解期限")
    expect(first).to_contain_text("我承办")
    # The page's own words are Chinese; titles are what people typed (other tests file cases with Latin titles).
    text = page.locator("main").inner_text()
    for title in page.locator("table.work tbody td:nth-child(2)").all_inner_texts():
        text = text.replace(title, "")
    assert not re.search(r"[A-Za-z]{2,}", text), re.findall(r"[A-Za-z_.]{2,}", text)
    site.check_accessibility(page, "my-work-desktop")
    site.shot(page, "my-work-mediator1")
    first.get_by_role("link").click()
    page.wait_for_url(f"{site.base_url}/cases/{site.cases['overdue']}")
    # Other tests' unassigned cases of the same grid wait on mediator1 too: the triaged one may be further on.
    page.goto(f"{site.base_url}/work?kind=awaiting_me")
    triaged = page.locator(f"table.work tbody tr[data-case='{site.cases['triaged']}']")
    while not triaged.count() and page.locator("a[rel=next]").count():
        with page.expect_navigation():
            page.locator("a[rel=next]").click()
    expect(triaged).to_contain_text("待我处理")


def test_the_overdue_tab_keeps_overdue_cases(site_pages: Site) -> None:
    page = sign_in(site_pages, "mediator1")
    page.get_by_role("link", name=re.compile("^已超期")).click()
    page.wait_for_url("**/work?kind=overdue")
    rows = page.locator("table.work tbody tr")
    expect(rows).to_have_count(counts_of(site_pages, "mediator1").overdue)
    for badge in rows.locator(".urgency").all_inner_texts():
        assert badge == "已超期"


def test_my_work_fits_a_phone(site_pages: Site) -> None:
    page = sign_in(site_pages, "supervisor1", PHONE)
    expect(page.get_by_role("heading", level=1)).to_have_text("我的工作")
    expect(page.locator("table.work tbody tr").first).to_be_visible()
    assert not site_pages.wider_than_viewport(page), site_pages.wider_than_viewport(page)
    site_pages.check_accessibility(page, "my-work-phone")
    site_pages.shot(page, "my-work-supervisor1-phone")


def test_an_order_owner_sees_the_order_and_english_reads_english(site_pages: Site) -> None:
    page = sign_in(site_pages, "mediator2")  # the orders' owner (trigger_samples)
    row = page.locator(f"table.work tbody tr[data-case='{site_pages.cases['order_overdue']}']")
    expect(row).to_contain_text("督办责任人")
    page.goto(f"{site_pages.base_url}/work?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.locator(f"table.work tbody tr[data-case='{site_pages.cases['order_overdue']}']")).to_contain_text(
        "Order owner")


def test_an_empty_queue_says_so(site_pages: Site) -> None:
    page = sign_in(site_pages, "admin")
    expect(page.get_by_role("link", name="我的工作")).to_have_count(0)
    page.goto(f"{site_pages.base_url}/work")
    expect(page.locator("p.empty")).to_have_text("目前没有等待您处理的案件。")


@pytest.mark.parametrize("username", ["court1", "dept_sj"])
def test_court_and_department_are_not_offered_intake(site_pages: Site, username: str) -> None:
    page = sign_in(site_pages, username)
    expect(page.get_by_role("link", name="我的工作")).to_be_visible()
    expect(page.get_by_role("link", name="登记新案件")).to_have_count(0)
    answer = page.goto(f"{site_pages.base_url}/cases/new")
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("您的角色不能登记新案件")
    expect(page.get_by_label("标题")).to_have_count(0)  # no form to fill in vain
    site_pages.check_accessibility(page, f"intake-refused-{username}")
    if username == "court1":
        site_pages.shot(page, "intake-refused-court1")


def test_filing_roles_are_offered_intake(site_pages: Site) -> None:
    page = sign_in(site_pages, "grid1")
    expect(page.get_by_role("link", name="登记新案件")).to_be_visible()
    expect(page.get_by_role("link", name="我的工作")).to_be_visible()
