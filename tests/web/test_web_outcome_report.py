"""The outcome told to the complainant on the case page (闭环, issue 14): a walk-in case whose return visits
are done cannot be verified closed (the form says why, in Chinese) until the mediator reports the outcome;
the report is shown in full (to whom, how, when, by whom, what) and the outcome notice is offered."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from api_support import case_input
from browser_site import Site, fire_done, submit_trigger
from playwright.sync_api import expect

from mediation.clock import utcnow
from mediation.demo.case_paths import TRACKING, drive_to

pytestmark = pytest.mark.slow

SUMMARY = "已上门告知申请人：楼上住户已停止夜间装修并赔偿损失。"


def test_a_walk_in_case_closes_once_the_outcome_is_reported(site_pages: Site) -> None:
    site = site_pages
    walk_in = replace(case_input(site.county.grid, title="来访反映楼上装修噪音纠纷"), channel="walk_in")
    case_id = drive_to(site.db, state="follow_up.tracking", county=site.county, case_input=walk_in,
                       now=utcnow() - timedelta(days=40),
                       route=(*TRACKING, "record_return_visit", "record_return_visit"))
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{case_id}")
    blocked = page.locator("form[data-trigger='verify_closure'] .blocked")
    expect(blocked).to_have_text("须先将处理结果告知申请人（“来访”来源的案件），方可办结")

    fire_done(page, "report_outcome", lambda form: (
        form.get_by_label("当事人").select_option(label="王某某（申请人）"),
        form.locator("select[name='data.method']").select_option("visit"),
        form.locator("[name='data.summary']").fill(SUMMARY)))
    report = page.locator("#records article[data-trigger='report_outcome']")
    for text in ("告知处理结果", "告知对象", "王某某", "告知方式", "上门", "处理结果", SUMMARY):
        expect(report).to_contain_text(text)
    expect(page.locator("#documents li[data-kind='outcome_notice'] a")).to_have_attribute(
        "href", f"/cases/{case_id}/documents/outcome_notice.pdf")

    expect(page.locator("form[data-trigger='verify_closure'] .blocked")).to_have_count(0)
    submit_trigger(page, "verify_closure")
    assert site.state(case_id) == "closed.resolved"
