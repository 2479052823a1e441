"""The board's selection and bulk actions, its exports and saved filters, in headless Chromium (desktop and phone)."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from api_support import case_input
from browser_site import DESKTOP, PHONE, Site
from openpyxl import load_workbook
from playwright.sync_api import expect

from mediation.demo.case_paths import drive_to, fire

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def _tagged_cases(site: Site, count: int, state: str = "mediation.assigned") -> tuple[str, list[int]]:
    """`count` new cases of 江北社区 whose titles share a fresh tag (the board's search finds just them)."""
    tag = f"{uuid.uuid4().int % 10**8:08d}"  # digits: a Chinese page that shows it still has no Latin word
    ids = [drive_to(site.db, state=state, county=site.county,
                    case_input=case_input(site.county.grid, title=f"批量测试{tag}号{i}")) for i in range(count)]
    return tag, ids


def _mediator(site: Site, case_id: int) -> str | None:
    with site.db.snapshot() as tx:
        row = tx.one("SELECT u.username FROM cases c LEFT JOIN users u ON u.id = c.mediator_id WHERE c.id = :id",
                     {"id": case_id})
    return row[0]


def _csv_rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig") as file:
        return list(csv.reader(io.StringIO(file.read())))


def _number(site: Site, case_id: int) -> str:
    with site.db.snapshot() as tx:
        return tx.one("SELECT number FROM cases WHERE id = :id", {"id": case_id})[0]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_select_two_cases_and_reassign_them(site_pages: Site, viewport: str) -> None:
    site = site_pages
    tag, ids = _tagged_cases(site, 2)
    page = site.login("supervisor1", VIEWPORTS[viewport])
    page.goto(f"{site.base_url}/?q={tag}")
    for case_id in ids:
        page.get_by_label(f"选择 {_number(site, case_id)}").check()
    form = page.locator("form#bulk")
    assert form.locator("#bulk-f-mediator").count() == 0  # the pickers come when the form is opened
    form.get_by_role("button", name="选择办理事项").click()
    form.locator("#bulk-f-mediator").select_option("police1")
    form.locator("#bulk-f-mechanism").select_option("joint")
    form.locator("#bulk-f-resolver").select_option("grassroots")
    with page.expect_navigation():
        form.get_by_role("button", name="对所选案件：更换调解员（回避）").click()

    expect(page.locator(".bulk-result")).to_have_text("更换调解员（回避）：2 件全部成功。")
    assert [_mediator(site, case_id) for case_id in ids] == ["police1", "police1"]
    assert f"批量测试{tag}" in page.locator("#results").inner_text()  # the board keeps its filters
    site.shot(page, f"board-bulk-done-{viewport}")
    site.check_accessibility(page, f"board bulk done ({viewport})")
    assert site.wider_than_viewport(page) == []


def test_a_case_changed_meanwhile_is_named_with_the_reason(site_pages: Site) -> None:
    site = site_pages
    tag, (_fresh, changed) = _tagged_cases(site, 2)
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/?q={tag}")
    expect(page.locator("[data-select-all]")).to_be_visible()  # board.js shows "select all on this page"
    page.locator("[data-select-all]").check()
    fire(site.db, changed, "add_note", actor="mediator1", data={"text": "同时有人办理"})  # after the board was read
    page.get_by_role("button", name="选择办理事项").click()
    page.locator("form#bulk #bulk-f-text").fill("已电话联系双方，约定下周面谈。")
    with page.expect_navigation():
        page.get_by_role("button", name="对所选案件：添加备注").click()

    banner = page.locator(".bulk-result")
    expect(banner).to_contain_text("添加备注：1 件成功，1 件未成功：")
    expect(banner).to_contain_text(f"{_number(site, changed)} — 案件已被他人更新")
    text = banner.inner_text()
    assert "stale" not in text and str(changed) not in text.replace(_number(site, changed), "")
    site.shot(page, "board-bulk-mixed")
    site.check_accessibility(page, "board bulk mixed")


def test_the_form_offers_only_what_the_roles_may_fire(site_pages: Site) -> None:
    page = site_pages.login("grid1")
    page.get_by_role("button", name="选择办理事项").click()
    expect(page.locator("form#bulk legend")).to_have_count(1)
    legends = page.locator("form#bulk legend").all_inner_texts()
    assert legends == ["添加备注"]
    assert page.locator("form#bulk").get_by_text("更换调解员").count() == 0


def test_export_links_download_the_filtered_list(site_pages: Site) -> None:
    site = site_pages
    tag, ids = _tagged_cases(site, 2)
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/?q={tag}")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 CSV").click()
    assert download.value.suggested_filename.startswith("cases-") and download.value.suggested_filename.endswith(".csv")
    rows = _csv_rows(download.value.path())
    assert rows[0][0] == "案号" and sorted(row[0] for row in rows[1:]) == sorted(_number(site, i) for i in ids)
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    with open(download.value.path(), "rb") as file:
        sheet = load_workbook(file).active
    assert sheet.max_row == 3 and sheet.cell(1, 2).value == "标题"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_save_a_filter_use_it_and_delete_it(site_pages: Site, viewport: str) -> None:
    site = site_pages
    tag, _ids = _tagged_cases(site, 1)
    page = site.login("mediator1", VIEWPORTS[viewport])
    page.goto(f"{site.base_url}/?q={tag}&overdue=")
    name = f"我的筛选{tag}"
    page.get_by_label("筛选名称").fill(name)
    with page.expect_navigation():
        page.get_by_role("button", name="保存当前筛选").click()
    page.goto(f"{site.base_url}/")
    link = page.locator(".saved-filters").get_by_role("link", name=name)
    expect(link).to_be_visible()
    site.shot(page, f"board-saved-filters-{viewport}")
    site.check_accessibility(page, f"board saved filters ({viewport})")
    assert site.wider_than_viewport(page) == []
    link.click()
    page.wait_for_url(f"**/?q={tag}")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    with page.expect_navigation():
        page.get_by_role("button", name=f"删除筛选“{name}”").click()
    expect(page.locator(".notice")).to_have_text("已删除筛选。")
    expect(page.locator(".saved-filters").get_by_role("link", name=name)).to_have_count(0)


def test_the_work_lists_download_what_they_list(site_pages: Site) -> None:
    site = site_pages
    court = site.login("court1")
    court.goto(f"{site.base_url}/inbox/court")
    with court.expect_download() as download:
        court.get_by_role("link", name="导出 CSV").click()
    rows = _csv_rows(download.value.path())
    listed = court.locator("table tbody tr").count()
    assert rows[0][:2] == ["案号", "标题"] and len(rows) - 1 == listed > 0
    assert _number(site, site.cases["court_applied"]) in {row[0] for row in rows}
    supervisor = site.login("county_sup")
    supervisor.goto(f"{site.base_url}/orders?overdue=1")
    with supervisor.expect_download() as download:
        supervisor.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.startswith("orders-")
    with open(download.value.path(), "rb") as file:
        sheet = load_workbook(file).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == [_number(site, site.cases["order_overdue"])]
    site.check_accessibility(supervisor, "orders with export links")


def test_a_bulk_post_without_the_form_token_changes_nothing(site_pages: Site) -> None:
    site = site_pages
    _tag, (case_id,) = _tagged_cases(site, 1)
    page = site.login("mediator1")
    version = site.version(case_id)
    answer = page.request.post(f"{site.base_url}/bulk", form={
        "trigger": "add_note", "case": str(case_id), "data.text": "伪造的请求", "csrf_token": "forged"})
    assert answer.status == 403 and "表单已失效" in answer.text()
    assert site.version(case_id) == version


def test_without_script_the_form_opens_on_the_board_again_with_the_same_cases_ticked(site_pages: Site) -> None:
    site = site_pages
    tag, ids = _tagged_cases(site, 2)
    page = site.login("mediator1", PHONE, script=False)
    page.goto(f"{site.base_url}/?q={tag}")
    page.get_by_label(f"选择 {_number(site, ids[0])}").check()
    with page.expect_navigation():
        page.get_by_role("button", name="选择办理事项").click()

    expect(page.get_by_label(f"选择 {_number(site, ids[0])}")).to_be_checked()
    expect(page.get_by_label(f"选择 {_number(site, ids[1])}")).not_to_be_checked()
    assert f"批量测试{tag}" in page.locator("#results").inner_text()  # the board kept its filters
    page.locator("form#bulk #bulk-f-text").fill("已上门了解情况。")
    with page.expect_navigation():
        page.get_by_role("button", name="对所选案件：添加备注").click()
    expect(page.locator(".bulk-result")).to_have_text("添加备注：1 件全部成功。")
    with site.db.snapshot() as tx:
        noted = [tx.one("SELECT count(*) FROM events WHERE case_id = :c AND trigger = 'add_note'", {"c": c})[0]
                 for c in ids]
    assert noted == [1, 0]
    site.shot(page, "board-bulk-without-script")
