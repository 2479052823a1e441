"""The web workspace in a real browser (headless Debian chromium) against `mediation serve`.

One case walks through the pages in order: grid1 files it, mediator1 triages it, assigns it
and records both consents through the trigger forms; mediator2 of the other town gets 404.
Other tests: stale versions, validation errors next to their field, CSRF, language, phone.
"""

from __future__ import annotations

import re

import pytest
from browser_site import PHONE, Site, submit_trigger
from playwright.sync_api import Page, expect

from mediation.cases.engine import apply_transition
from mediation.cases.views import CaseFilters, list_cases
from mediation.clock import utcnow
from mediation.demo.case_paths import ActorBook
from mediation.web.board import PAGE_SIZE as BOARD_PAGE_SIZE

pytestmark = pytest.mark.slow

ID_NUMBER, ID_MASKED = "330324198805281234", "330324********1234"
MOBILE, MOBILE_MASKED = "13812345678", "138****5678"


def case_id_of(page: Page) -> int:
    found = re.search(r"/cases/(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))



def test_anonymous_visitor_is_sent_to_login(site_pages: Site) -> None:
    page = site_pages.page()
    page.goto(f"{site_pages.base_url}/")
    assert "/login" in page.url
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    site_pages.shot(page, "01-login")


def test_wrong_password_is_refused(site_pages: Site) -> None:
    page = site_pages.page()
    page.goto(f"{site_pages.base_url}/login")
    page.get_by_label("用户名").fill("grid1")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")


@pytest.fixture(scope="session")
def filed_case(site: Site) -> int:
    """grid1 files a case through the intake form (once per run); its id."""
    page = site.login("grid1")
    try:
        cookie = next(c for c in page.context.cookies() if c["name"] == "mediation_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        site.shot(page, "02-board-grid1")
        page.get_by_role("link", name="登记新案件").click()
        page.get_by_label("标题").fill("村道占用堆放建材纠纷")
        page.get_by_label("纠纷简要情况").fill("网格员巡查发现，村民张某在村道堆放建材，邻居赵某通行受阻，双方争吵。")
        page.get_by_label("来源渠道").select_option("grid_screening")
        page.get_by_label("纠纷类别").select_option("neighbour")
        page.locator("#party-0-name").fill("张某某")
        page.locator("#party-0-id_number").fill(ID_NUMBER)
        page.locator("#party-0-phone").fill(MOBILE)
        page.locator("#party-1-name").fill("赵某某")
        page.locator("#party-1-role").select_option("respondent")
        site.shot(page, "03-intake-form")
        with page.expect_navigation():
            page.get_by_role("button", name="登记").click()
        expect(page.get_by_role("status")).to_contain_text("案件已登记")
        return case_id_of(page)
    finally:
        page.context.close()
        site.pages.remove(page)


def test_grid_worker_files_a_case(site_pages: Site, filed_case: int) -> None:
    page = site_pages.login("grid1")
    page.goto(f"{site_pages.base_url}/cases/{filed_case}")
    expect(page.locator(".state")).to_contain_text("已登记" if site_pages.state(filed_case) == "screening.reported"
                                                   else "")
    # A grid worker sees the parties' numbers masked (DESIGN §5).
    parties = page.locator("table.parties")
    expect(parties).to_contain_text(ID_MASKED)
    expect(parties).to_contain_text(MOBILE_MASKED)
    expect(parties).not_to_contain_text(ID_NUMBER)
    expect(parties).not_to_contain_text(MOBILE)
    expect(page.locator(".timeline li").last).to_contain_text("陈网格")  # the filer by name, not by username
    site_pages.shot(page, "04-case-filed-grid1")
    with site_pages.db.snapshot() as tx:
        title, channel = tx.one("SELECT title, channel FROM cases WHERE id = :id", {"id": filed_case})
    assert (title, channel) == ("村道占用堆放建材纠纷", "grid_screening")


def test_intake_errors_are_shown_next_to_the_field(site_pages: Site) -> None:
    page = site_pages.login("grid1")
    page.goto(f"{site_pages.base_url}/cases/new")
    page.get_by_label("标题").fill("手机号填错")
    page.get_by_label("纠纷简要情况").fill("测试校验。")
    page.get_by_label("来源渠道").select_option("walk_in")
    page.locator("#party-0-name").fill("钱某")
    page.locator("#party-0-phone").fill("12345")
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    expect(page.locator("#err-parties-0-phone")).to_contain_text("手机号")
    expect(page.locator("#party-0-phone")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("标题")).to_have_value("手机号填错")  # what was typed is kept


def test_mediator_triages_assigns_and_records_consents(site_pages: Site, filed_case: int) -> None:
    case_id = filed_case
    page = site_pages.login("mediator1")
    expect(page.locator(f"a[href='/cases/{case_id}']")).to_be_visible()
    page.goto(f"{site_pages.base_url}/cases/{case_id}")
    site_pages.shot(page, "05-case-mediator1-reported")

    def triage(form):
        form.get_by_label("纠纷类别").select_option("neighbour")
        form.get_by_label("风险等级").select_option("low")

    submit_trigger(page, "triage", triage)
    expect(page.get_by_role("status")).to_contain_text("研判分流")
    expect(page.locator(".state")).to_contain_text("已研判分流")

    def assign(form):
        form.get_by_label("调解员").select_option("mediator1")
        form.get_by_label("调解机制").select_option("joint")
        form.get_by_label("化解力量").select_option("grassroots")

    submit_trigger(page, "assign_mediator", assign)
    expect(page.locator(".state")).to_contain_text("已指派调解员")
    # The assigned mediator sees the numbers in full.
    expect(page.locator("table.parties")).to_contain_text(ID_NUMBER)
    for party in ("张某某", "赵某某"):
        submit_trigger(page, "record_consent", lambda form, party=party: form.get_by_label("当事人").select_option(
            label=f"{party}（{'申请人' if party == '张某某' else '被申请人'}）"))
        expect(page.get_by_role("status")).to_contain_text("记录同意调解")
    assert site_pages.state(case_id) == "mediation.assigned"
    timeline = page.locator(".timeline")
    expect(timeline.locator("li")).to_have_count(5)  # intake, triage, assign, two consents
    expect(page.locator(".workflow .current")).to_contain_text("已指派调解员")
    expect(page.locator("summary[data-trigger='start_session']")).to_be_visible()
    site_pages.shot(page, "06-case-mediator1-assigned")


def test_mediator_of_another_town_gets_404(site_pages: Site, filed_case: int) -> None:
    case_id = filed_case
    page = site_pages.login("mediator2")
    response = page.goto(f"{site_pages.base_url}/cases/{case_id}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="404")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("村道占用")
    board = page.goto(f"{site_pages.base_url}/?q=村道占用")
    assert board is not None and board.status == 200
    expect(page.locator("table.cases")).to_have_count(0)
    site_pages.shot(page, "07-not-found-mediator2")


def test_stale_form_explains_reload(site_pages: Site) -> None:
    case_id = site_pages.cases["assigned"]
    page = site_pages.login("mediator1")
    page.goto(f"{site_pages.base_url}/cases/{case_id}")
    version = site_pages.version(case_id)
    apply_transition(site_pages.db, case_id=case_id, trigger="raise_risk", actor=ActorBook(site_pages.db)["mediator1"],
                     data={"risk_level": "elevated", "reason": "双方情绪激动"}, expected_version=version)

    def why(form):
        form.get_by_label("理由").fill("另一位同事同时提交")

    submit_trigger(page, "raise_risk", lambda form: (form.get_by_label("风险等级").select_option("high"), why(form)))
    alert = page.locator(".stale")
    expect(alert).to_contain_text("其他人刚刚修改了此案件")
    expect(alert.get_by_role("link", name="重新加载")).to_be_visible()
    site_pages.shot(page, "08-stale")
    assert site_pages.version(case_id) == version + 1  # the browser's change was not applied


def test_validation_error_is_shown_next_to_its_field(site_pages: Site) -> None:
    case_id = site_pages.cases["in_session"]
    page = site_pages.login("mediator1")
    page.goto(f"{site_pages.base_url}/cases/{case_id}")
    version = site_pages.version(case_id)
    submit_trigger(page, "draft_agreement", lambda form: form.get_by_label("履行期限").fill("2030-01-31"))
    field = page.locator("form[data-trigger='draft_agreement'] [data-field='terms']")
    expect(field.locator(".error")).to_contain_text("必填")
    expect(field.locator("textarea")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("form[data-trigger='draft_agreement'] [data-field='performance_deadline'] input")).to_have_value(
        "2030-01-31")
    expect(page.locator("details#action-draft_agreement")).to_have_attribute("open", "")
    site_pages.shot(page, "09-validation-error")
    assert site_pages.version(case_id) == version


def test_state_diagram_highlights_the_current_state(site_pages: Site) -> None:
    page = site_pages.login("mediator1")
    page.goto(f"{site_pages.base_url}/cases/{site_pages.cases['in_session']}")
    page.get_by_text("查看状态图").click()
    diagram = page.locator("#diagram[data-rendered=true] svg")
    expect(diagram).to_be_visible(timeout=30_000)
    expect(page.locator("#diagram svg g.current")).to_have_count(1)
    expect(page.locator("#diagram svg g.current")).to_contain_text("调解中")
    page.locator("#diagram").scroll_into_view_if_needed()
    site_pages.shot(page, "13-state-diagram")


def test_posts_without_the_csrf_token_are_refused(site_pages: Site) -> None:
    case_id = site_pages.cases["triaged"]
    page = site_pages.login("mediator1")
    version = site_pages.version(case_id)
    answer = page.request.post(f"{site_pages.base_url}/cases/{case_id}/fire", form={
        "trigger": "decline", "expected_version": str(version), "data.reason": "伪造请求"})
    assert answer.status == 403
    forged = page.request.post(f"{site_pages.base_url}/cases/{case_id}/fire", form={
        "csrf_token": "0" * 40, "trigger": "decline", "expected_version": str(version), "data.reason": "伪造请求"})
    assert forged.status == 403
    assert site_pages.version(case_id) == version


def test_board_filters_and_english(site_pages: Site) -> None:
    page = site_pages.login("mediator1")
    mediator1 = ActorBook(site_pages.db)["mediator1"]
    every = list_cases(site_pages.db, mediator1, CaseFilters(), utcnow()).total
    in_mediation = list_cases(site_pages.db, mediator1, CaseFilters(stage="mediation"), utcnow()).total
    assert 0 < in_mediation < every
    expect(page.locator("#results .total")).to_have_text(f"共 {every} 件")
    page.get_by_label("阶段").select_option("mediation")  # htmx swaps the results in place
    page.wait_for_url(re.compile(r"stage=mediation"))
    expect(page.locator("#results .total")).to_have_text(f"共 {in_mediation} 件")
    rows = page.locator("table.cases tbody tr")
    expect(rows).to_have_count(min(in_mediation, BOARD_PAGE_SIZE))  # other tests' cases may fill more pages
    for text in rows.all_inner_texts():
        assert "已登记" not in text and "已研判分流" not in text
    page.get_by_label("搜索（案号、当事人、内容）").fill("不存在的案件")
    expect(page.locator("#results")).to_contain_text("没有符合条件的案件")
    page.goto(f"{site_pages.base_url}/?stage=mediation")  # without htmx: the whole page, filtered
    expect(page.locator("table.cases tbody tr")).to_have_count(min(in_mediation, BOARD_PAGE_SIZE))
    page.goto(f"{site_pages.base_url}/?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name=re.compile("Case board"))).to_be_visible()
    page.goto(f"{site_pages.base_url}/cases/{site_pages.cases['in_session']}")  # the cookie keeps English
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    site_pages.shot(page, "10-case-english")


def test_overdue_cases_are_highlighted_and_filtered(site_pages: Site) -> None:
    page = site_pages.login("mediator1")
    page.goto(f"{site_pages.base_url}/?q=旧案")  # other tests' newer cases may push it off the first page
    row = page.locator("table.cases tbody tr", has_text="旧案：宅基地边界纠纷")
    expect(row).to_have_class(re.compile(r"\boverdue\b"))
    expect(row.locator(".badge")).to_have_text("已超期")
    page.get_by_label("仅看超期").check()
    page.wait_for_url(re.compile(r"overdue=1"))
    expect(page.locator("table.cases tbody tr")).to_have_count(1)
    page.goto(f"{site_pages.base_url}/cases/{site_pages.cases['overdue']}")
    expect(page.locator(".deadlines li.overdue")).to_contain_text("人民调解期限")
    site_pages.shot(page, "14-case-overdue")


def test_phone_layout(site_pages: Site) -> None:
    page = site_pages.login("mediator1", viewport=PHONE)
    site_pages.shot(page, "11-board-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(f"{site_pages.base_url}/cases/{site_pages.cases['in_session']}")
    site_pages.shot(page, "12-case-phone")
    wide = page.evaluate("""[...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], wide
    page.locator("summary[data-trigger='draft_agreement']").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_logout_ends_the_session(site_pages: Site) -> None:
    page = site_pages.login("grid1")
    [session] = [c for c in page.context.cookies() if c["name"] == "mediation_session"]
    copy = site_pages.page()  # the same cookie, copied into another browser
    copy.context.add_cookies([session])
    copy.goto(f"{site_pages.base_url}/")
    assert copy.url == f"{site_pages.base_url}/"  # works before the logout
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    assert "/login" in page.url
    page.goto(f"{site_pages.base_url}/")
    assert "/login" in page.url
    copy.goto(f"{site_pages.base_url}/")
    assert "/login" in copy.url  # the server ended the session, not just the browser's cookie
    api = copy.request.get(f"{site_pages.base_url}/api/v1/cases",
                           headers={"Authorization": f"Bearer {session['value']}"})
    assert api.status == 401
    again = site_pages.login("grid1")  # a new login after the logout is a new session
    again.goto(f"{site_pages.base_url}/")
    assert again.url == f"{site_pages.base_url}/"
