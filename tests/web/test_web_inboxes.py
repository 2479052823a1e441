"""Work lists and documents in a real browser: the court and department inboxes, key-case
orders, and the case page's PDF links, against `mediation serve` (cases of conftest.build_cases)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from api_support import ID_MASKED, ID_NUMBER, case_input
from browser_site import PHONE, Site
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from mediation.db import parse_timestamp
from mediation.demo.case_paths import drive_to

pytestmark = pytest.mark.slow


def number_of(site: Site, case_id: int) -> str:
    with site.db.snapshot() as tx:
        return tx.one("SELECT number FROM cases WHERE id = :id", {"id": case_id})[0]


def next_due(site: Site, case_id: int) -> str:
    """The case's earliest pending deadline as the pages show it (Beijing time): the court's periods end at
    24:00 China time of their last day, written so (2026-04-01 24:00), not as 00:00 of the next day."""
    with site.db.snapshot() as tx:
        due = tx.one("SELECT min(due_at) FROM deadlines WHERE case_id = :id AND status = 'pending'", {"id": case_id})[0]
    local = parse_timestamp(due) + timedelta(hours=8)
    if local.strftime("%H:%M") == "00:00":
        return f"{local - timedelta(days=1):%Y-%m-%d} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def waiting(site: Site, column: str, unit: str, state: str) -> int:
    """How many cases referred to `unit` (court_id or department_id) are in `state`."""
    with site.db.snapshot() as tx:
        return tx.one(f"SELECT count(*) FROM cases c JOIN units u ON u.id = c.{column} "
                      "WHERE u.code = :unit AND c.state = :state", {"unit": unit, "state": state})[0]


def row_of(page: Page, site: Site, name: str):
    return page.locator("table.cases tbody tr", has_text=number_of(site, site.cases[name]))


def fits_phone(site: Site, page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], site.wider_than_viewport(page)


def test_court_inbox_lists_cases_waiting_on_the_court(site_pages: Site) -> None:
    site = site_pages
    page = site.login("court1")
    page.get_by_role("link", name="法院待办").click()
    page.wait_for_url(f"{site.base_url}/inbox/court")
    expect(page.get_by_role("heading", level=1)).to_have_text("法院待办")
    applied = page.locator("section[data-state='court.applied']")
    review = page.locator("section[data-state='court.under_review']")
    expect(applied.get_by_role("heading")).to_contain_text("已申请司法确认")
    expect(applied.locator("tbody tr")).to_have_count(waiting(site, "court_id", site.county.court, "court.applied"))
    expect(review.locator("tbody tr")).to_have_count(waiting(site, "court_id", site.county.court, "court.under_review"))
    expect(review).to_contain_text(number_of(site, site.cases["court_review"]))
    late = row_of(page, site, "court_late")
    expect(late).to_have_class(re.compile(r"\boverdue\b"))
    expect(late.locator(".due")).to_have_text(re.compile(rf"法院受理期限 {re.escape(next_due(site, site.cases['court_late']))}"
                                                         r"\s*已超期"))
    expect(applied.locator("tbody tr").first).to_contain_text(number_of(site, site.cases["court_late"]))  # due first
    fresh = row_of(page, site, "court_applied")
    expect(fresh.locator(".due")).to_contain_text(next_due(site, site.cases["court_applied"]))
    expect(fresh).not_to_have_class(re.compile(r"\boverdue\b"))
    expect(page.locator("body")).not_to_contain_text(number_of(site, site.cases["referred_late"]))
    site.shot(page, "20-inbox-court")
    fresh.get_by_role("link").click()
    page.wait_for_url(f"{site.base_url}/cases/{site.cases['court_applied']}")
    expect(page.locator("summary[data-trigger='court_accept']")).to_be_visible()

    phone = site.login("court1", viewport=PHONE)
    phone.goto(f"{site.base_url}/inbox/court")
    expect(phone.locator("section[data-state='court.applied'] tbody tr").first).to_be_visible()
    fits_phone(site, phone)
    site.shot(phone, "21-inbox-court-phone")


def test_inboxes_are_for_their_roles(site_pages: Site) -> None:
    site = site_pages
    anonymous = site.page()
    anonymous.goto(f"{site.base_url}/inbox/court")
    assert anonymous.url.endswith("/login?next=%2Finbox%2Fcourt"), anonymous.url
    page = site.login("mediator1")
    expect(page.get_by_role("link", name="法院待办")).to_have_count(0)
    response = page.goto(f"{site.base_url}/inbox/court")
    assert response is not None and response.status == 403
    expect(page.get_by_role("alert")).to_have_text("此页面仅供共享法庭工作人员使用。")
    response = page.goto(f"{site.base_url}/inbox/department")
    assert response is not None and response.status == 403
    court = site.login("court1")
    response = court.goto(f"{site.base_url}/inbox/department")
    assert response is not None and response.status == 403


def test_department_inbox_lists_referrals_to_the_department(site_pages: Site) -> None:
    site = site_pages
    page = site.login("dept_sj")
    page.get_by_role("link", name="部门待办").click()
    page.wait_for_url(f"{site.base_url}/inbox/department")
    referred = page.locator("section[data-state='joint.referred']")
    handling = page.locator("section[data-state='joint.in_progress']")
    department = site.county.market_department
    expect(referred.locator("tbody tr")).to_have_count(waiting(site, "department_id", department, "joint.referred"))
    expect(handling.locator("tbody tr")).to_have_count(waiting(site, "department_id", department, "joint.in_progress"))
    expect(referred).to_contain_text("可办理：部门签收")
    late = row_of(page, site, "referred_late")
    expect(late).to_have_class(re.compile(r"\boverdue\b"))
    expect(late.locator(".due")).to_contain_text(f"部门签收期限 {next_due(site, site.cases['referred_late'])}")
    expect(row_of(page, site, "department_handling").locator(".due")).to_have_text("—")  # no term while handling
    site.shot(page, "22-inbox-department")
    page.goto(f"{site.base_url}/inbox/department?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Department inbox")
    expect(late.locator(".badge")).to_have_text("Overdue")
    site.shot(page, "22-inbox-department-english")

    labour = number_of(site, site.cases["labour_referred"])
    expect(page.locator("body")).not_to_contain_text(labour)  # shared with market supervision, not referred to it
    response = page.goto(f"{site.base_url}/cases/{site.cases['labour_referred']}")
    assert response is not None and response.status == 200  # in reach all the same

    other = site.login("dept_rs")  # labour: one referral, nothing in progress
    other.goto(f"{site.base_url}/inbox/department")
    expect(other.locator("section[data-state='joint.referred'] tbody tr")).to_have_count(1)
    expect(other.locator("section[data-state='joint.referred'] tbody tr")).to_contain_text(labour)
    expect(other.locator("section[data-state='joint.in_progress'] .empty")).to_have_text("暂无待办案件。")

    phone = site.login("dept_sj", viewport=PHONE)
    phone.goto(f"{site.base_url}/inbox/department")
    fits_phone(site, phone)
    site.shot(phone, "23-inbox-department-phone")


def test_a_department_returning_a_referral_lands_on_its_inbox(site_pages: Site) -> None:
    """Its own change takes the case out of its reach: the inbox says so, not the case page's 404."""
    site = site_pages
    case_id = drive_to(site.db, state="joint.referred", county=site.county,
                       case_input=case_input(site.county.village_grid, title="店招遮挡采光纠纷"))
    number = number_of(site, case_id)
    page = site.login("dept_sj")
    page.goto(f"{site.base_url}/cases/{case_id}")
    page.locator("summary[data-trigger='return_referral']").click()
    form = page.locator("form[data-trigger='return_referral']")
    form.get_by_label("理由").fill("不属于本部门职责范围，予以退回。")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url == f"{site.base_url}/inbox/department?done=return_referral", page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("部门待办")
    expect(page.locator(".notice")).to_have_text("已办理：部门退回。该案件已不在您的办理范围内。")
    expect(page.locator("body")).not_to_contain_text(number)
    assert site.state(case_id) == "screening.triaged"
    site.shot(page, "22-inbox-department-returned")
    page.goto(f"{site.base_url}/inbox/department?done=return_referral&lang=en")
    expect(page.locator(".notice")).to_have_text("Done: Return referral. The case is no longer in your reach.")


def test_orders_page_lists_key_cases_and_filters_them(site_pages: Site) -> None:
    site = site_pages
    page = site.login("county_sup")
    page.get_by_role("link", name="督办件").click()
    page.wait_for_url(f"{site.base_url}/orders")
    rows = page.locator("table.orders tbody tr")
    ours = {key: number_of(site, site.cases[key]) for key in ("order_overdue", "order_due_soon", "order_open")}
    expect(rows.filter(has_text=ours["order_open"])).to_have_count(1)
    listed = rows.all_inner_texts()  # other tests may designate key cases of their own: ours keep their order
    at = {key: next(i for i, text in enumerate(listed) if number in text) for key, number in ours.items()}
    assert at["order_overdue"] < at["order_due_soon"] < at["order_open"], listed
    overdue, due_soon, still_open = (rows.nth(at[key]) for key in ("order_overdue", "order_due_soon", "order_open"))
    expect(overdue).to_have_class(re.compile(r"\boverdue\b"))
    expect(overdue).to_contain_text("已超期")
    expect(due_soon).to_contain_text("即将到期")
    expect(still_open).to_contain_text("办理中")
    with site.db.snapshot() as tx:
        deadline = tx.one("SELECT deadline FROM orders WHERE case_id = :id", {"id": site.cases["order_open"]})[0]
    expect(still_open).to_contain_text(str(deadline)[:10])
    expect(still_open).to_contain_text("吴调解")  # the owner
    expect(still_open).to_contain_text("永嘉县市场监督管理局")  # a co-unit
    site.shot(page, "24-orders")
    page.get_by_label("仅看超期").check()
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    assert "overdue=1" in page.url
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(number_of(site, site.cases["order_overdue"]))
    page.goto(f"{site.base_url}/orders?due_soon=1")
    expect(page.get_by_label("仅看即将到期")).to_be_checked()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(number_of(site, site.cases["order_due_soon"]))
    rows.first.get_by_role("link").click()
    page.wait_for_url(f"{site.base_url}/cases/{site.cases['order_due_soon']}")

    outside = site.login("mediator1")  # the key cases are in 桥头镇
    outside.goto(f"{site.base_url}/orders")
    for number in ours.values():  # other tests may designate cases of 江北社区, which mediator1 does see
        expect(outside.locator("main")).not_to_contain_text(number)

    phone = site.login("county_sup", viewport=PHONE)
    phone.goto(f"{site.base_url}/orders")
    expect(phone.locator("table.orders tbody tr").filter(has_text=ours["order_open"])).to_have_count(1)
    fits_phone(site, phone)
    site.shot(phone, "25-orders-phone")


def test_case_page_links_the_documents_that_apply(site_pages: Site) -> None:
    site = site_pages
    case_id = site.cases["court_applied"]
    number = number_of(site, case_id)
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{case_id}")
    documents = page.locator("#documents")
    expect(documents.get_by_role("heading")).to_have_text("文书下载")
    for kind in ("case_file", "agreement", "judicial_application"):
        expect(documents.locator(f"li[data-kind='{kind}'] a")).to_have_attribute(
            "href", f"/cases/{case_id}/documents/{kind}.pdf")
    expect(documents.locator("li[data-kind='referral']")).to_have_text(re.compile("矛盾纠纷流转单\\s*— 未流转职能部门"))
    expect(documents.locator("li[data-kind='return_visit'] a")).to_have_count(0)
    documents.scroll_into_view_if_needed()
    site.shot(page, "26-case-documents")

    link = documents.get_by_role("link", name=re.compile("司法确认申请书"))
    response = page.request.get(site.base_url + link.get_attribute("href"))
    assert response.status == 200, response.text()
    body = response.body()
    assert body[:5] == b"%PDF-"
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'inline; filename="case-{case_id}-judicial_application.pdf"; '
        f"filename*=UTF-8''{quote(f'{number}-司法确认申请书.pdf', safe='')}")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert number in text
    assert ID_NUMBER in text  # the assigned mediator sees the numbers in full
    again = page.request.get(site.base_url + link.get_attribute("href"),
                             headers={"If-None-Match": response.headers["etag"]})
    assert again.status == 304

    phone = site.login("mediator1", viewport=PHONE)
    phone.goto(f"{site.base_url}/cases/{case_id}")
    phone.locator("#documents").scroll_into_view_if_needed()
    fits_phone(site, phone)
    site.shot(phone, "27-case-documents-phone")


def test_documents_are_masked_for_the_viewer(site_pages: Site) -> None:
    site = site_pages
    page = site.login("grid1")  # in reach (own grid), but not the mediator: numbers masked
    response = page.request.get(f"{site.base_url}/cases/{site.cases['court_applied']}/documents/case_file.pdf")
    assert response.status == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert ID_MASKED in text and ID_NUMBER not in text


def test_documents_outside_reach_or_not_applicable_are_refused(site_pages: Site) -> None:
    site = site_pages
    case_id = site.cases["court_applied"]
    url = f"{site.base_url}/cases/{case_id}/documents"
    anonymous = site.page()
    response = anonymous.request.get(f"{url}/case_file.pdf", max_redirects=0)
    assert response.status == 303 and "/login" in response.headers["location"]
    stranger = site.login("mediator2")  # 桥头镇: the case is in 瓯北
    response = stranger.goto(f"{url}/case_file.pdf")
    assert response is not None and response.status == 404
    expect(stranger.get_by_role("heading", name="404")).to_be_visible()
    department = site.login("dept_rs")
    response = department.request.get(f"{site.base_url}/cases/{site.cases['referred_late']}/documents/referral.pdf")
    assert response.status == 404 and not response.body().startswith(b"%PDF")
    page = site.login("mediator1")
    response = page.goto(f"{url}/referral.pdf")
    assert response is not None and response.status == 409
    expect(page.get_by_role("alert")).to_have_text("未流转职能部门")
    expect(page.get_by_role("link", name="返回本案")).to_have_attribute("href", f"/cases/{case_id}")
    for name in ("nothing.pdf", "case_file", "case_file.txt"):
        assert page.request.get(f"{url}/{name}").status == 404, name
