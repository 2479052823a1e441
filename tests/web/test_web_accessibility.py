"""Every page of the web workspace, at 1280×720 and on a phone (390×844), checked with axe-core.

Each page kind is opened as the user who would see it, in the state worth checking (a trigger
form open, a validation error shown, …); axe (WCAG 2 A/AA) must find no serious or critical
violation, a full-page screenshot is saved, and on the phone nothing sticks out sideways.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_site import DESKTOP, PHONE, Site
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.slow

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def login_page(site: Site, viewport: dict[str, int]) -> Page:
    page = site.page(viewport)
    page.goto(f"{site.base_url}/login")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    return page


def login_failed(site: Site, viewport: dict[str, int]) -> Page:
    page = login_page(site, viewport)
    page.get_by_label("用户名").fill("grid1")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_be_visible()
    return page


def board(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("mediator1", viewport)
    expect(page.locator("table.cases")).to_be_visible()
    return page


def board_filtered_english(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("mediator1", viewport)
    page.goto(f"{site.base_url}/?stage=mediation&overdue=1&lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("table.cases tbody tr")).to_have_count(1)
    return page


def board_empty(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("grid2", viewport)
    page.goto(f"{site.base_url}/?q=不存在的案件")
    expect(page.locator("#results .empty")).to_be_visible()
    return page


def case_with_open_form(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("mediator1", viewport)
    page.goto(f"{site.base_url}/cases/{site.cases['in_session']}")
    page.locator("summary[data-trigger='draft_agreement']").click()
    expect(page.locator("form[data-trigger='draft_agreement']")).to_be_visible()
    return page


def case_with_validation_error(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("mediator1", viewport)
    page.goto(f"{site.base_url}/cases/{site.cases['in_session']}")
    page.locator("summary[data-trigger='draft_agreement']").click()
    form = page.locator("form[data-trigger='draft_agreement']")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()  # terms and deadline missing: nothing changes
    expect(page.locator("form[data-trigger='draft_agreement'] .error").first).to_be_visible()
    return page


def case_overdue_grid_worker(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("grid1", viewport)
    page.goto(f"{site.base_url}/cases/{site.cases['overdue']}")
    expect(page.locator(".deadlines li.overdue").first).to_be_visible()
    return page


def intake(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("grid1", viewport)
    page.goto(f"{site.base_url}/cases/new")
    expect(page.get_by_label("标题")).to_be_visible()
    return page


def intake_with_errors(site: Site, viewport: dict[str, int]) -> Page:
    page = intake(site, viewport)
    page.locator("#party-0-phone").fill("12345")
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    expect(page.locator(".has-error").first).to_be_visible()
    return page


def not_found(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("mediator2", viewport)
    response = page.goto(f"{site.base_url}/cases/{site.cases['in_session']}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="404")).to_be_visible()
    return page


def court_inbox(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("court1", viewport)
    page.goto(f"{site.base_url}/inbox/court")
    expect(page.locator("section.inbox table.cases").first).to_be_visible()
    return page


def department_inbox(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("dept_sj", viewport)
    page.goto(f"{site.base_url}/inbox/department")
    expect(page.locator("section.inbox table.cases").first).to_be_visible()
    return page


def orders(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("county_sup", viewport)
    page.goto(f"{site.base_url}/orders")
    expect(page.locator("table").first).to_be_visible()
    return page


def dashboard(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("supervisor1", viewport)
    page.goto(f"{site.base_url}/dashboard")
    expect(page.locator("#table-summary")).to_be_visible()
    expect(page.locator(".chart canvas").first).to_be_visible()  # drawn by chart.js
    return page


def dashboard_refused(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("mediator1", viewport)
    response = page.goto(f"{site.base_url}/dashboard")
    assert response is not None and response.status == 403
    return page


def document_not_yet(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("mediator1", viewport)
    response = page.goto(f"{site.base_url}/cases/{site.cases['in_session']}/documents/agreement.pdf")
    assert response is not None and response.status == 409
    return page


PAGES: dict[str, Callable[[Site, dict[str, int]], Page]] = {
    "login": login_page,
    "login-failed": login_failed,
    "board": board,
    "board-filtered-en": board_filtered_english,
    "board-empty": board_empty,
    "case-open-form": case_with_open_form,
    "case-validation-error": case_with_validation_error,
    "case-overdue-grid1": case_overdue_grid_worker,
    "intake": intake,
    "intake-errors": intake_with_errors,
    "not-found": not_found,
    "court-inbox": court_inbox,
    "department-inbox": department_inbox,
    "orders": orders,
    "dashboard": dashboard,
    "dashboard-refused": dashboard_refused,
    "document-not-yet": document_not_yet,
}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("kind", PAGES)
def test_page_is_accessible_and_fits(site_pages: Site, kind: str, viewport: str) -> None:
    page = PAGES[kind](site_pages, VIEWPORTS[viewport])
    site_pages.shot(page, f"a11y-{kind}-{viewport}")
    site_pages.check_accessibility(page, f"{kind} ({viewport})")
    if viewport == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth"), \
            site_pages.wider_than_viewport(page)
