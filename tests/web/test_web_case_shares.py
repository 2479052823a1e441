"""The case page's 协同调解 section (DESIGN §9.5): sharing a case with the 浙闽 liaison post from its form, the
partner's mediator opening it, the end form offering only the shared unit, a referral naming its sender;
Chinese words only, and a user of a third unit gets the not-found page."""

from __future__ import annotations

import re
import uuid

import pytest
from api_support import case_input
from browser_site import Site, fire_done
from playwright.sync_api import expect

from mediation.cases.intake import open_case
from mediation.clock import utcnow
from mediation.demo.case_paths import drive_to, fire
from mediation.directory.accounts import actor_for
from mediation.metrics.figures import case_metrics

pytestmark = pytest.mark.slow

POST = "浙闽边界“铁盟”联调站"
REASON = "一方当事人住在福建浦城，需跨省协同调解。"
LATIN = re.compile(r"[A-Za-z]{2,}")


def test_a_case_is_shared_from_its_page_and_the_partner_works_on_it(site_pages: Site) -> None:
    site = site_pages
    case_id = drive_to(site.db, state="mediation.in_session", county=site.county,
                       case_input=case_input(site.county.grid, title=f"跨省土地边界纠纷{uuid.uuid4().int % 10**6:06d}"))
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{case_id}")
    section = page.locator("#co-mediation")
    expect(section.locator("h2")).to_have_text("协同调解")
    expect(section).to_contain_text("本案尚未邀请其他单位协同调解。")
    expect(page.locator("form[data-trigger='end_sharing'] .blocked")).to_have_text("本案尚未邀请其他单位协同调解。")
    options = page.locator("form[data-trigger='share_with_unit'] select[name='data.unit'] option")
    expect(options.filter(has_text=POST)).to_have_count(1)
    expect(options.filter(has_text="江北社区第一网格")).to_have_count(0)  # the case's own unit is not offered

    fire_done(page, "share_with_unit", lambda form: (
        form.locator("select[name='data.unit']").select_option(label=POST),
        form.locator("[name='data.reason']").fill(REASON)))
    row = page.locator("#co-mediation table.shares tbody tr")
    expect(row).to_have_count(1)
    for text in (POST, REASON, "林调解"):
        expect(row).to_contain_text(text)
    expect(row.locator("td").nth(3)).to_have_text(re.compile(r"^20\d\d-\d\d-\d\d \d\d:\d\d$"))
    assert not LATIN.search(section.inner_text()), section.inner_text()
    timeline = page.locator("ol.timeline li").first  # newest first: the share, the partner named
    for text in ("邀请协同调解", POST, REASON):
        expect(timeline).to_contain_text(text)
    assert not LATIN.search(timeline.inner_text()), timeline.inner_text()
    shared_again = page.locator("form[data-trigger='share_with_unit'] select[name='data.unit'] option")
    expect(shared_again.filter(has_text=POST)).to_have_count(0)  # shared already

    partner = site.login("partner1")
    partner.goto(f"{site.base_url}/cases/{case_id}")
    expect(partner.locator("#co-mediation table.shares")).to_contain_text(POST)
    end_options = partner.locator("form[data-trigger='end_sharing'] select[name='data.unit'] option[value]")
    expect(end_options.filter(has_text=POST)).to_have_count(1)
    assert [text for text in end_options.all_text_contents() if text.strip() not in ("", "—")] == [POST]
    expect(partner.locator("summary[data-trigger='record_session']")).to_have_count(1)
    expect(partner.locator("form[data-trigger='end_sharing'] .blocked")).to_have_count(0)

    third = site.login("mediator2")
    answer = third.goto(f"{site.base_url}/cases/{case_id}")
    assert answer is not None and answer.status == 404


def test_a_referral_from_the_partner_says_where_it_came_from(site_pages: Site) -> None:
    site = site_pages
    referral = case_input(site.county.grid, title=f"浦城转入山林纠纷{uuid.uuid4().int % 10**6:06d}")
    referral.channel, referral.referred_by = "referral_in", site.county.partner_post
    case_id = open_case(site.db, actor=actor_for(site.db, "partner1"), case=referral)
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{case_id}")
    expect(page.locator("#co-mediation .referred-from")).to_have_text(f"转入自{POST}")
    expect(page.locator("#co-mediation table.shares")).to_contain_text(POST)


def test_the_partner_files_a_referral_into_our_grid_from_the_new_case_form(site_pages: Site) -> None:
    site = site_pages
    title = f"浦城转入林地纠纷{uuid.uuid4().int % 10**6:06d}"
    page = site.login("partner1")
    page.goto(f"{site.base_url}/cases/new")
    page.get_by_label("标题").fill(title)
    page.get_by_label("纠纷简要情况").fill("浦城与永嘉交界林地承包界址不清，双方多次争执，由联调站转入。")
    page.get_by_label("来源渠道").select_option("referral_in")
    page.locator("#unit").select_option(label="江北社区第一网格")
    page.get_by_label("转出单位（转入案件填写）").select_option(label=POST)
    page.locator("#party-0-name").fill("叶某某")
    page.locator("#party-1-name").fill("吴某某")
    page.locator("#party-1-role").select_option("respondent")
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("status")).to_contain_text("案件已登记")
    expect(page.locator("#co-mediation .referred-from")).to_have_text(f"转入自{POST}")

    page.goto(f"{site.base_url}/cases/new")  # without the referring unit: outside the post's jurisdiction
    page.get_by_label("标题").fill(title + "二")
    page.get_by_label("纠纷简要情况").fill("同上。")
    page.get_by_label("来源渠道").select_option("referral_in")
    page.locator("#unit").select_option(label="江北社区第一网格")
    page.locator("#party-0-name").fill("叶某某")
    page.locator("#party-1-name").fill("吴某某")
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    expect(page.locator(".alert")).to_be_visible()
    assert "/cases/new" in page.url


def test_the_dashboard_filters_by_partner_and_counts_co_mediated_cases(site_pages: Site) -> None:
    site = site_pages
    case_id = drive_to(site.db, state="mediation.assigned", county=site.county,
                       case_input=case_input(site.county.grid, title=f"跨省协同统计纠纷{uuid.uuid4().int % 10**6:06d}"))
    fire(site.db, case_id, "share_with_unit", actor="mediator1",
         data={"unit": site.county.partner_post, "reason": REASON})
    expected = case_metrics(site.db, actor_for(site.db, "supervisor1"), date_from=None, date_to=None,
                            partner=site.county.partner_post, now=utcnow())
    page = site.login("supervisor1")
    page.goto(f"{site.base_url}/dashboard")
    page.locator("#from").fill("2000-01-01")
    page.locator("#partner").select_option(label=POST)
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    assert f"partner={site.county.partner_post}" in page.url
    expect(page.locator("p.period")).to_contain_text(f"协同单位：{POST}")
    summary = page.locator("#table-summary [data-key='cases'] [data-measure='value']")
    assert int(float(summary.get_attribute("data-value"))) == expected.cases >= 1
    partner_row = page.locator(f"#table-co_mediation [data-key='{site.county.partner_post}'] [data-measure='cases']")
    assert int(float(partner_row.get_attribute("data-value"))) == expected.cases
    expect(page.locator("main")).to_contain_text(f"与其他单位协同调解的案件 {expected.cases} 件")

    answer = page.goto(f"{site.base_url}/dashboard?partner=NO-SUCH-UNIT")
    assert answer is not None and answer.status == 400
    expect(page.locator("#dash-error")).to_have_text("协同单位：没有这个单位")
