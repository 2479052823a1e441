"""Directory administration and the personal-data view log in a real browser (DESIGN §9.4, §9.9):
an administrator adds a unit and a user, resets a password, disables the user; a supervisor reads
the log; others are refused. Each page is checked with axe, on a desktop and on a phone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from browser_site import DESKTOP, PHONE, Site
from playwright.sync_api import Page, expect

from mediation.clock import utcnow
from mediation.directory.unit_administration import create_unit

pytestmark = pytest.mark.slow

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
CODE_NAME = re.compile(r"\b(grid_worker|supervisor|community|county|town|kind_\w+|role_\w+|adm_\w+|via_\w+)\b")


def users_page(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("admin", viewport)
    page.goto(f"{site.base_url}/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("用户管理")
    return page


def units_page(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("admin", viewport)
    page.goto(f"{site.base_url}/admin/units")
    expect(page.get_by_role("heading", level=1)).to_have_text("单位管理")
    return page


def unit_refused(site: Site, viewport: dict[str, int]) -> Page:
    page = units_page(site, viewport)
    form = page.locator("form.admin-form")
    form.get_by_label("单位代码").fill("X-BAD")
    form.get_by_label("单位名称").fill("错误的县")
    page.evaluate("""() => { const s = document.getElementById('parent');
        for (const o of s.options) { o.disabled = false; } s.value = '330324001001'; }""")
    form.get_by_role("button", name="新增").click()
    expect(page.get_by_role("alert")).to_contain_text("县（区）不能设上级单位")
    return page


def unit_detail(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("admin", viewport)
    page.goto(f"{site.base_url}/admin/units/{site.county.town}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("瓯北街道")
    return page


def user_detail(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("admin", viewport)
    page.goto(f"{site.base_url}/admin/users/grid2")
    expect(page.get_by_role("heading", level=1)).to_contain_text("周网格")
    return page


def refused_for_mediator(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("mediator1", viewport)
    page.goto(f"{site.base_url}/admin/users")
    expect(page.get_by_role("alert")).to_have_text("单位和用户仅由系统管理员管理。")
    return page


def personal_data_log(site: Site, viewport: dict[str, int]) -> Page:
    viewer = site.login("mediator1", viewport)
    viewer.goto(f"{site.base_url}/cases/{site.cases['in_session']}")
    page = site.login("county_sup", viewport)
    page.goto(f"{site.base_url}/audit/personal-data")
    expect(page.get_by_role("heading", level=1)).to_have_text("个人信息查看记录")
    expect(page.locator("table.views tbody tr").first).to_be_visible()
    return page


def change_log(site: Site, viewport: dict[str, int]) -> Page:
    page = site.login("admin", viewport)
    page.goto(f"{site.base_url}/admin/changes")
    expect(page.get_by_role("heading", level=1)).to_have_text("目录变更记录")
    return page


PAGES: dict[str, Callable[[Site, dict[str, int]], Page]] = {
    "admin-users": users_page,
    "admin-units": units_page,
    "admin-unit-refused": unit_refused,
    "admin-unit": unit_detail,
    "admin-user": user_detail,
    "admin-refused": refused_for_mediator,
    "personal-data-log": personal_data_log,
    "change-log": change_log,
}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("kind", PAGES)
def test_admin_page_is_accessible_fits_and_speaks_chinese(site_pages: Site, kind: str, viewport: str) -> None:
    page = PAGES[kind](site_pages, VIEWPORTS[viewport])
    site_pages.shot(page, f"admin-{kind}-{viewport}")
    site_pages.check_accessibility(page, f"{kind} ({viewport})")
    assert not CODE_NAME.search(page.locator("main").inner_text()), page.locator("main").inner_text()
    if viewport == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth"), \
            site_pages.wider_than_viewport(page)


def test_an_administrator_adds_a_unit_and_a_user_who_can_sign_in(site_pages: Site) -> None:
    site = site_pages
    code = f"G-{uuid.uuid4().hex[:6]}"
    page = units_page(site, DESKTOP)
    form = page.locator("form.admin-form")
    form.get_by_label("单位代码").fill(code)
    form.get_by_label("单位名称").fill("江北社区第九网格")
    form.get_by_label("单位类型").select_option(label="网格")
    parent = form.get_by_label("上级单位")
    offered = parent.locator("option:not([disabled])").all_inner_texts()
    assert offered and all(text.endswith("（村（社区））") for text in offered), offered
    parent.select_option(label="江北社区（村（社区））")
    form.get_by_role("button", name="新增").click()
    page.wait_for_url(re.compile(f"/admin/units/{code}"))
    expect(page.get_by_role("status")).to_have_text("已新增单位。")
    with site.db.snapshot() as tx:
        assert tx.one("SELECT path FROM units WHERE code = :c", {"c": code})[0] == \
            f"/{site.county.county}/{site.county.town}/{site.county.community}/{code}/"

    username = f"w{uuid.uuid4().hex[:6]}"
    page.goto(f"{site.base_url}/admin/users")
    form = page.locator("form.admin-form")
    form.get_by_label("用户名").fill(username)
    form.get_by_label("姓名").fill("孙网格")
    form.get_by_label("所在单位").select_option(label="江北社区第九网格")
    form.get_by_label("网格员").check()
    form.get_by_role("button", name="新增").click()
    expect(page.locator(".new-password")).to_be_visible()
    password = page.locator(".new-password .secret").inner_text()
    site.shot(page, "admin-user-created")
    assert username not in page.url and password not in page.url

    other = site.page()
    other.goto(f"{site.base_url}/login")
    other.get_by_label("用户名").fill(username)
    other.get_by_label("密码").fill(password)
    other.get_by_role("button", name="登录").click()
    other.wait_for_url(lambda url: "/login" not in url)
    expect(other.locator("header .who")).to_contain_text("孙网格")

    page.get_by_role("button", name="停用账号").click()
    expect(page.get_by_role("status")).to_contain_text("账号已停用")
    other.goto(f"{site.base_url}/")
    assert "/login" in other.url  # the session ended at once
    page.get_by_role("button", name="重置密码").click()
    expect(page.locator(".new-password .secret")).not_to_have_text(password)


def test_two_administrators_editing_one_unit_the_later_save_is_refused_in_chinese(site_pages: Site) -> None:
    site = site_pages
    code = f"T-{uuid.uuid4().hex[:6]}"
    create_unit(site.db, actor_id=None, now=utcnow(), code=code, name="测试社区", kind="community",
                parent=site.county.town, abbreviation=None)
    first, second = site.login("admin"), site.login("admin")
    for page in (first, second):
        page.goto(f"{site.base_url}/admin/units/{code}")
    first.get_by_label("单位名称").fill("甲社区")
    first.get_by_role("button", name="保存").click()
    expect(first.get_by_role("status")).to_be_visible()
    second.get_by_label("单位名称").fill("乙社区")
    second.get_by_role("button", name="保存").click()
    expect(second.get_by_role("alert")).to_have_text("未保存：在您打开本页之后，已有人修改过，请查看最新内容后重新修改。")
    with site.db.snapshot() as tx:
        assert tx.one("SELECT name FROM units WHERE code = :c", {"c": code})[0] == "甲社区"
    site.shot(second, "admin-unit-changed-meanwhile")


def test_the_change_log_tells_who_changed_what_in_chinese(site_pages: Site) -> None:
    site = site_pages
    code = f"T-{uuid.uuid4().hex[:6]}"
    create_unit(site.db, actor_id=None, now=utcnow(), code=code, name="测试社区", kind="community",
                parent=site.county.town, abbreviation=None)
    page = site.login("admin")
    page.goto(f"{site.base_url}/admin/units/{code}")
    page.get_by_label("单位名称").fill("改名社区")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_be_visible()
    page.get_by_role("link", name="目录变更记录").click()
    page.get_by_label("单位代码或用户名").fill(code)
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("table.changes tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("修改单位")
    expect(rows.nth(0)).to_contain_text("单位名称：测试社区 → 改名社区")
    expect(rows.nth(1)).to_contain_text("系统（命令行）")
    expect(rows.nth(1)).to_contain_text("单位类型：村（社区）")
    assert not CODE_NAME.search(page.locator("main").inner_text().replace(code, ""))
    site.shot(page, "admin-changes")
    site.check_accessibility(page, "directory change log")
