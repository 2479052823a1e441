"""The workflow versions pages in a real browser (DESIGN §9.6): administrators and supervisors list the
stored versions and compare two, told in Chinese labels; others are refused. axe, desktop and phone.

The county's variant is stored under a workflow name of its own, so the shared site's new cases keep
starting on the package's version."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_site import DESKTOP, PHONE, Site
from playwright.sync_api import Page, expect

from mediation.workflows.definition import parse_definition
from mediation.workflows.loader import WORKFLOW_DIR, load_definition

pytestmark = pytest.mark.slow

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "county_variant"
VARIANT = "mediation_variant_web_test"
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def variant(site: Site) -> str:
    for folder in (WORKFLOW_DIR, EXAMPLE):
        definition = load_definition("mediation", folder)
        workflow = {**copy.deepcopy(definition.source["workflow"]), "name": VARIANT}
        site.db.workflows.ensure_stored(parse_definition(workflow, copy.deepcopy(definition.source["policy"])))
    return VARIANT


def versions_page(site: Site, viewport: dict[str, int], user: str = "admin") -> Page:
    page = site.login(user, viewport)
    page.goto(f"{site.base_url}/admin/workflows?name={VARIANT}")
    expect(page.get_by_role("heading", level=1)).to_have_text("流程版本")
    return page


def diff_page(site: Site, viewport: dict[str, int], user: str = "admin") -> Page:
    page = versions_page(site, viewport, user)
    page.get_by_label("原版本").select_option(label="第1版")
    page.get_by_label("新版本").select_option(label="第2版")
    page.get_by_role("button", name="查看变化").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("第1版 → 第2版的变化")
    return page


PAGES: dict[str, Callable[[Site, dict[str, int]], Page]] = {"versions": versions_page, "diff": diff_page}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("kind", PAGES)
def test_workflow_page_is_accessible_fits_and_speaks_chinese(site_pages: Site, variant: str, kind: str,
                                                             viewport: str) -> None:
    page = PAGES[kind](site_pages, VIEWPORTS[viewport])
    site_pages.shot(page, f"workflow-{kind}-{viewport}")
    site_pages.check_accessibility(page, f"workflow {kind} ({viewport})")
    text = page.locator("main").inner_text()
    assert not LATIN.search(text), text
    if viewport == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth"), \
            site_pages.wider_than_viewport(page)


def test_the_versions_and_the_changes_read_by_labels(site_pages: Site, variant: str) -> None:
    page = versions_page(site_pages, DESKTOP, "county_sup")
    rows = page.locator("table.versions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("新案件使用")
    expect(rows.nth(0)).not_to_contain_text("新案件使用")
    page = diff_page(site_pages, DESKTOP, "county_sup")
    deadlines = page.locator("section.workflow-changes", has=page.get_by_role("heading", name="期限", exact=True))
    expect(deadlines).to_contain_text("期限「第一次回访」：7日 → 3日")
    expect(page.locator("main")).to_contain_text("新增化解层级「村级调解」（第2级，调解2次）")
    site_pages.shot(page, "workflow-diff-supervisor")
    page.goto(f"{site_pages.base_url}/admin/workflows/diff?name={VARIANT}&from=2&to=2")
    expect(page.locator("main")).to_contain_text("两个版本没有差别。")
    english = site_pages.login("admin", DESKTOP)
    english.goto(f"{site_pages.base_url}/admin/workflows/diff?name={VARIANT}&from=1&to=2&lang=en")
    expect(english.locator("main")).to_contain_text("deadline 'First return visit': 7 days → 3 days")


def test_others_are_refused_and_bad_choices_are_named(site_pages: Site, variant: str) -> None:
    page = site_pages.login("mediator1", DESKTOP)
    response = page.goto(f"{site_pages.base_url}/admin/workflows")
    assert response is not None and response.status == 403
    expect(page.get_by_role("alert")).to_have_text("流程版本仅向系统管理员和督导人员开放。")
    admin = site_pages.login("admin", DESKTOP)
    response = admin.goto(f"{site_pages.base_url}/admin/workflows/diff?name={VARIANT}&from=x&to=2")
    assert response is not None and response.status == 400
    expect(admin.get_by_role("alert")).to_have_text("请选择原版本。")
    response = admin.goto(f"{site_pages.base_url}/admin/workflows/diff?name={VARIANT}&from=1&to=9")
    assert response is not None and response.status == 404
    expect(admin.get_by_role("alert")).to_have_text("该流程没有所选的版本。")
    response = admin.goto(f"{site_pages.base_url}/admin/workflows?name=nosuch")
    assert response is not None and response.status == 404
    admin.goto(f"{site_pages.base_url}/admin/units")
    admin.get_by_role("navigation", name=re.compile("单位管理")).get_by_role("link", name="流程版本").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("流程版本")
