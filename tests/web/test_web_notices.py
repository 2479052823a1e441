"""Notifications and the calendar in a real browser: the unread count in every page's header, the
通知 page (read one, read all), the 日历 page by month and week on desktop and phone (axe clean,
Chinese only, nothing wider than the screen), and the feed's address shown once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from browser_site import DESKTOP, PHONE, Site
from playwright.sync_api import Page, expect

from mediation.clock import utcnow
from mediation.demo.case_paths import drive_to, fire
from mediation.notifications.inbox import unread_count
from mediation.workflows.calendar import china_today

pytestmark = pytest.mark.slow

ASSIGNMENT = {"mechanism": "joint", "resolver": "grassroots"}
ENGLISH = re.compile(r"\b(case_assigned|reminder|supervise|mediator|notification|calendar|None)\b")


def unread_of(site: Site, username: str) -> int:
    with site.db.snapshot() as tx:
        user_id = tx.one("SELECT id FROM users WHERE username = :u", {"u": username})[0]
        return unread_count(tx=tx, user_id=user_id)


def number_of(site: Site, case_id: int) -> str:
    with site.db.snapshot() as tx:
        return tx.one("SELECT number FROM cases WHERE id = :id", {"id": case_id})[0]


def assign_to_mediator2(site: Site) -> int:
    """A 桥头镇 case the county centre assigns to mediator2: one new notice for mediator2."""
    case_id = drive_to(site.db, state="screening.triaged", county=site.county,
                       case_input=_input(site), now=utcnow() - timedelta(hours=3))
    fire(site.db, case_id, "assign_mediator", actor="county_sup", data={"mediator": "mediator2", **ASSIGNMENT})
    return case_id


def _input(site: Site):
    from api_support import case_input
    return case_input(site.county.village_grid, title="菇溪村灌溉用水纠纷")


def header_count(page: Page):
    return page.locator("header .nav-notices .unread-count")


def check_page(site: Site, page: Page, name: str) -> None:
    site.shot(page, name)
    site.check_accessibility(page, name)
    assert site.wider_than_viewport(page) == [], name
    assert not ENGLISH.search(page.locator("main").inner_text()), name


def test_the_header_counts_unread_notices_and_reading_them_clears_it(site_pages: Site) -> None:
    site = site_pages
    case_id = assign_to_mediator2(site)
    unread = unread_of(site, "mediator2")
    assert unread >= 1
    page = site.login("mediator2")
    expect(header_count(page)).to_have_text(str(unread))
    expect(page.locator("header .nav-notices")).to_contain_text(f"{unread} 条未读通知")

    page.get_by_role("link", name=re.compile("^通知")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("通知")
    number = number_of(site, case_id)
    item = page.locator(".notice-item", has_text=number)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"您被指派为案件 {number} 的调解员")
    expect(item.locator(".tag")).to_have_text("未读")
    expect(item.get_by_role("link")).to_have_attribute("href", re.compile(r"^/notifications/\d+/case$"))
    check_page(site, page, "notifications-desktop")

    item.get_by_role("button", name="标为已读").click()
    page.wait_for_load_state()
    expect(page.locator(".notice-item", has_text=number).locator(".tag")).to_have_text("已读")
    if unread > 1:
        expect(header_count(page)).to_have_text(str(unread - 1))
        page.get_by_role("button", name="全部标为已读").click()
        expect(page.locator("p.notice")).to_contain_text("标为已读")
    expect(header_count(page)).to_have_count(0)
    expect(page.get_by_role("button", name="全部标为已读")).to_have_count(0)
    assert unread_of(site, "mediator2") == 0
    page.get_by_role("link", name="只看未读").click()
    expect(page.locator(".empty")).to_have_text("没有未读通知。")


def test_the_notifications_page_on_a_phone_and_following_a_notice_to_its_case(site_pages: Site) -> None:
    site = site_pages
    case_id = assign_to_mediator2(site)
    unread = unread_of(site, "mediator2")
    page = site.login("mediator2", PHONE)
    page.goto(f"{site.base_url}/notifications")
    expect(page.locator(".notice-item.unread").first).to_be_visible()
    check_page(site, page, "notifications-phone")
    page.locator(".notice-item", has_text=number_of(site, case_id)).get_by_role("link").click()
    page.wait_for_url(f"{site.base_url}/cases/{case_id}")
    assert unread_of(site, "mediator2") == unread - 1
    expect(header_count(page)).to_have_count(0 if unread == 1 else 1)
    page.goto(f"{site.base_url}/notifications?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator(".notice-item", has_text=number_of(site, case_id))).to_contain_text(
        "You were assigned as the mediator of case")
    page.goto(f"{site.base_url}/notifications/999999999/case?lang=zh")
    expect(page.locator(".alert")).to_have_text("没有这条通知。")


@pytest.fixture(scope="module")
def adjourned(site: Site) -> tuple[int, str]:
    """A case of mediator1 adjourned to 09:30 China time the day after tomorrow; (id, that day ISO)."""
    case_id = drive_to(site.db, state="mediation.in_session", county=site.county)
    day = china_today(utcnow()) + timedelta(days=2)
    fire(site.db, case_id, "adjourn", actor="mediator1",
         data={"next_session_at": f"{day.isoformat()}T09:30:00", "reason": "双方需再行协商"})
    return case_id, day.isoformat()


@pytest.mark.parametrize("viewport, name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_month_shows_the_adjourned_session_at_china_time(site_pages: Site, adjourned, viewport,
                                                             name: str) -> None:
    site = site_pages
    case_id, day = adjourned
    page = site.login("mediator1", viewport)
    page.get_by_role("link", name="日历").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("日历")
    cell = page.locator(f".cal-day[data-day='{day}']")
    entry = cell.locator(".cal-entry", has_text=number_of(site, case_id))
    expect(entry).to_contain_text("09:30")
    expect(entry).to_contain_text("下次调解")
    expect(entry.get_by_role("link")).to_have_attribute("href", f"/cases/{case_id}")
    expect(entry).to_be_visible()
    check_page(site, page, f"calendar-month-{name}")

    page.get_by_role("link", name="周", exact=True).click()
    expect(page.locator(f".cal-day[data-day='{day}'] .cal-entry", has_text="09:30").first).to_be_visible()
    expect(page.locator(".cal-day")).to_have_count(7)
    check_page(site, page, f"calendar-week-{name}")


def test_month_and_week_navigation(site_pages: Site) -> None:
    site = site_pages
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/calendar?view=week&date=2026-12-09")
    expect(page.locator("#cal-title")).to_contain_text("2026-12-07 至 2026-12-13")
    page.get_by_role("link", name="下一周").click()
    expect(page.locator("#cal-title")).to_contain_text("2026-12-14 至 2026-12-20")
    page.goto(f"{site.base_url}/calendar?date=2026-12-31")
    expect(page.locator("#cal-title")).to_contain_text("2026年12月")
    expect(page.locator(".cal-day:not(.out)")).to_have_count(31)
    page.get_by_role("link", name="下个月").click()
    expect(page.locator("#cal-title")).to_contain_text("2027年1月")
    page.get_by_role("link", name="上个月").click()
    page.get_by_role("link", name="上个月").click()
    expect(page.locator("#cal-title")).to_contain_text("2026年11月")
    page.goto(f"{site.base_url}/calendar?date=not-a-date&view=year")
    expect(page.get_by_role("link", name="月", exact=True)).to_have_attribute("aria-current", "page")


def test_the_feed_address_is_shown_once_and_replaced(site_pages: Site) -> None:
    site = site_pages
    page = site.login("supervisor1")
    page.goto(f"{site.base_url}/calendar")
    page.get_by_role("button", name="生成订阅地址").click()
    address = page.get_by_label("订阅地址").input_value()
    assert re.fullmatch(rf"{re.escape(site.base_url)}/api/v1/me/calendar\.ics\?token=[\w-]{{40,}}", address)
    check_page(site, page, "calendar-feed")
    import httpx
    assert httpx.get(address).status_code == 200
    page.goto(f"{site.base_url}/calendar")
    expect(page.get_by_label("订阅地址")).to_have_count(0)
    expect(page.locator(".feed .hint")).to_contain_text("只在生成时显示一次")
    page.get_by_role("button", name=re.compile("重新生成订阅地址")).click()
    assert page.get_by_label("订阅地址").input_value() != address
    assert httpx.get(address).status_code == 401
