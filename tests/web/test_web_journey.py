"""One case from intake to a court-confirmed agreement, in the browser only (issue 6).

The grid worker files it on the intake form; the community's mediator triages it, assigns it,
tells both parties of their rights and duties and records their consents, holds the session, drafts the agreement, has both parties and
himself sign it, seals it, concludes it, downloads the agreement PDF from the case page and
applies for judicial confirmation; the shared court's judge finds it in the court inbox,
accepts and confirms it; the town's supervisor sees it counted on the dashboard; a mediator
of the other town gets 404 for the case and its PDF. Every step is a page in headless
chromium (the database is only read, to check); each page is screenshotted and checked
with axe-core.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from browser_site import Site, fire_done
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from mediation.clock import utcnow

pytestmark = pytest.mark.slow

TITLE = "排水沟堵塞致邻居院落积水纠纷"
APPLICANT, RESPONDENT = "孙某某", "李某某"
TERMS = "一、李某某于十日内疏通排水沟并承担疏通费用八百元；二、双方今后共同维护排水沟，互不妨碍通行。"


class Journey:
    """The steps' shared page handling: screenshots numbered in order, axe once per page kind."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.step = 0
        self.checked: set[str] = set()

    def look(self, page: Page, name: str, kind: str | None = None) -> None:
        self.step += 1
        self.site.shot(page, f"journey-{self.step:02d}-{name}")
        if kind and kind not in self.checked:
            self.site.check_accessibility(page, f"journey {name}")
            self.checked.add(kind)

    def fire(self, page: Page, trigger: str, fill=None, notice: str | None = None) -> None:
        """Open the trigger's form on the case page, fill it, submit; the page must say it was done."""
        fire_done(page, trigger, fill)
        expect(page.get_by_role("status")).to_contain_text(notice or "")


def case_id_of(page: Page) -> int:
    found = re.search(r"/cases/(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))


def party(name: str, role: str) -> str:
    return f"{name}（{role}）"


def test_a_case_from_intake_to_court_confirmation(site_pages: Site) -> None:
    site = site_pages
    journey = Journey(site)
    look, fire = journey.look, journey.fire

    # The supervisor's figures before the case exists.
    supervisor = site.login("supervisor1")
    supervisor.goto(f"{site.base_url}/dashboard")
    before = dashboard_figures(supervisor)
    look(supervisor, "dashboard-before", "dashboard")

    # 1. The grid worker files the case.
    grid = site.login("grid1")
    look(grid, "board-grid1", "board")
    grid.get_by_role("link", name="登记新案件").click()
    grid.get_by_label("标题").fill(TITLE)
    grid.get_by_label("纠纷简要情况").fill("连日降雨，李某某家门前排水沟被建筑垃圾堵塞，雨水倒灌孙某某院落，双方多次争执。")
    grid.get_by_label("来源渠道").select_option("grid_screening")
    grid.get_by_label("纠纷类别").select_option("neighbour")
    grid.locator("#party-0-name").fill(APPLICANT)
    grid.locator("#party-0-phone").fill("13900001111")
    grid.locator("#party-1-name").fill(RESPONDENT)
    grid.locator("#party-1-role").select_option("respondent")
    look(grid, "intake-filled", "intake")
    with grid.expect_navigation():
        grid.get_by_role("button", name="登记").click()
    expect(grid.get_by_role("status")).to_contain_text("案件已登记")
    case_id = case_id_of(grid)
    with site.db.snapshot() as tx:
        number, state = tx.one("SELECT number, state FROM cases WHERE id = :id", {"id": case_id})
    assert state == "screening.reported"
    look(grid, "case-filed-grid1", "case")
    grid.context.close()

    # 2. The community's mediator takes it from triage to a concluded agreement.
    mediator = site.login("mediator1")
    expect(mediator.locator(f"a[href='/cases/{case_id}']")).to_contain_text(number)
    mediator.locator(f"a[href='/cases/{case_id}']").click()
    expect(mediator.locator(".state")).to_contain_text("已登记")
    look(mediator, "case-reported-mediator1")

    fire(mediator, "triage", lambda form: (form.get_by_label("纠纷类别").select_option("neighbour"),
                                           form.get_by_label("风险等级").select_option("low")), "研判分流")
    expect(mediator.locator(".state")).to_contain_text("已研判分流")
    look(mediator, "case-triaged")

    def assign(form: Locator) -> None:
        form.get_by_label("调解员").select_option("mediator1")
        form.get_by_label("调解机制").select_option("joint")
        form.get_by_label("化解力量").select_option("grassroots")

    fire(mediator, "assign_mediator", assign, "指派调解员")
    expect(mediator.locator(".state")).to_contain_text("已指派调解员")
    for name, role in ((APPLICANT, "申请人"), (RESPONDENT, "被申请人")):
        fire(mediator, "notify_rights",
             lambda form, name=name, role=role: (form.get_by_label("当事人").select_option(label=party(name, role)),
                                                 form.get_by_label("告知方式").select_option("in_person")),
             "权利义务告知")
        fire(mediator, "record_consent",
             lambda form, name=name, role=role: form.get_by_label("当事人").select_option(label=party(name, role)),
             "记录同意调解")
    look(mediator, "case-assigned-consents")

    fire(mediator, "start_session", notice="开始调解")
    expect(mediator.locator(".state")).to_contain_text("调解中")
    look(mediator, "case-in-session")

    deadline = (utcnow() + timedelta(hours=8) + timedelta(days=30)).date().isoformat()

    def draft(form: Locator) -> None:
        form.get_by_label("协议条款").fill(TERMS)
        form.get_by_label("履行期限").fill(deadline)

    fire(mediator, "draft_agreement", draft, "起草调解协议")
    expect(mediator.locator(".state")).to_contain_text("协议已起草")
    look(mediator, "case-agreement-drafted", "case-drafted")

    for name, role in ((APPLICANT, "申请人"), (RESPONDENT, "被申请人")):
        fire(mediator, "sign",
             lambda form, name=name, role=role: form.get_by_label("当事人").select_option(label=party(name, role)),
             "签名")
    fire(mediator, "sign", lambda form: form.get_by_label("签名人").select_option("mediator"), "签名")
    expect(mediator.locator(".timeline li").first).to_contain_text("调解员")
    fire(mediator, "seal", notice="印章")
    look(mediator, "case-signed-sealed")
    fire(mediator, "conclude_agreement", notice="协议生效")
    expect(mediator.locator(".state")).to_contain_text("协议已生效")
    look(mediator, "case-agreement-effective", "case-effective")

    # 3. The agreement PDF, from the link on the case page.
    link = mediator.locator("#documents a[href$='/agreement.pdf']")
    expect(link).to_be_visible()
    pdf_url = link.get_attribute("href")
    assert pdf_url == f"/cases/{case_id}/documents/agreement.pdf"
    with mediator.expect_response(lambda r: r.url.endswith(pdf_url), timeout=90_000) as answer:
        link.click()  # served inline: chromium shows it in its PDF viewer
    assert answer.value.status == 200 and answer.value.header_value("content-type") == "application/pdf"
    mediator.wait_for_timeout(1500)  # the viewer draws the first page
    look(mediator, "agreement-pdf")
    # The same file as the browser's session gets it (the viewer keeps the bytes to itself).
    download = mediator.context.request.get(f"{site.base_url}{pdf_url}", timeout=90_000)
    assert download.status == 200 and download.headers["content-type"] == "application/pdf"
    pdf = download.body()
    assert pdf.startswith(b"%PDF")
    mediator.go_back()
    text = "".join("".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert number in text, text[:400]
    assert APPLICANT in text and RESPONDENT in text
    assert "疏通排水沟" in text

    # 4. Both parties apply for judicial confirmation at the shared court.
    def apply(form: Locator) -> None:
        form.get_by_label("共享法庭").select_option("330324-FT")
        for box in form.locator("input[name='data.applicants']").all():
            box.check()

    fire(mediator, "apply_judicial_confirmation", apply, "申请司法确认")
    expect(mediator.locator(".state")).to_contain_text("已申请司法确认")
    look(mediator, "case-court-applied")
    mediator.context.close()

    # 5. The judge finds it in the court inbox, accepts and confirms it.
    judge = site.login("court1")
    judge.get_by_role("navigation").get_by_role("link", name="法院待办").click()
    row = judge.locator("section[data-state='court.applied'] tr", has_text=number)
    expect(row).to_be_visible()
    look(judge, "court-inbox-before", "inbox")
    row.get_by_role("link", name=number).click()
    judge.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    look(judge, "case-court1-applied", "case-court")
    fire(judge, "court_accept", notice="法院受理")
    expect(judge.locator(".state")).to_contain_text("审查中")
    ruling = f"({utcnow().year})浙0324民特{case_id}号"
    fire(judge, "confirm", lambda form: form.get_by_label("裁定书编号").fill(ruling), "裁定确认有效")
    expect(judge.locator(".state")).to_contain_text("跟踪")
    look(judge, "case-court1-confirmed")
    judge.goto(f"{site.base_url}/inbox/court")
    expect(judge.locator("tr", has_text=number)).to_have_count(0)
    look(judge, "court-inbox-after")
    judge.context.close()
    with site.db.snapshot() as tx:
        state, = tx.one("SELECT state FROM cases WHERE id = :id", {"id": case_id})
        triggers = [r[0] for r in tx.all("SELECT trigger FROM events WHERE case_id = :id ORDER BY seq",
                                         {"id": case_id})]
    assert state == "follow_up.tracking"
    assert triggers[1:] == ["triage", "assign_mediator", "notify_rights", "record_consent", "notify_rights",
                        "record_consent", "start_session",
                        "draft_agreement", "sign", "sign", "sign", "seal", "conclude_agreement",
                        "apply_judicial_confirmation", "court_accept", "confirm"]

    # 6. The supervisor sees it counted.
    supervisor.reload()
    after = dashboard_figures(supervisor)
    look(supervisor, "dashboard-after")
    assert_counted(before, after)
    supervisor.context.close()

    # 7. A mediator of the other town: 404 for the case and for its PDF, nothing leaks.
    stranger = site.login("mediator2")
    for url in (f"/cases/{case_id}", pdf_url):
        response = stranger.goto(f"{site.base_url}{url}")
        assert response is not None and response.status == 404, url
        expect(stranger.get_by_role("heading", name="404")).to_be_visible()
        expect(stranger.locator("body")).not_to_contain_text(TITLE)
        expect(stranger.locator("body")).not_to_contain_text(APPLICANT)
    look(stranger, "not-found-mediator2", "not-found")


def dashboard_figures(page: Page) -> dict[str, dict[str, dict[str, str]]]:
    """Every figure of the dashboard: table key → row key → measure → raw value."""
    expect(page.locator("#table-summary")).to_be_visible()
    return page.evaluate("""() => {
        const figures = {};
        for (const table of document.querySelectorAll("[id^='table-']")) {
            const rows = {};
            for (const row of table.querySelectorAll('[data-key]')) {
                const cells = {};
                for (const cell of row.querySelectorAll('[data-measure]')) cells[cell.dataset.measure] = cell.dataset.value;
                rows[row.dataset.key] = cells;
            }
            figures[table.id.slice('table-'.length)] = rows;
        }
        return figures;
    }""")


def figure(figures: dict, table: str, row: str, measure: str) -> int:
    value = figures.get(table, {}).get(row, {}).get(measure)
    return int(float(value)) if value else 0


def assert_counted(before: dict, after: dict) -> None:
    """The new case is counted: filed (+1), by its channel and category, and now in follow-up."""
    for table, row, measure in (("summary", "cases", "value"), ("channel", "grid_screening", "cases"),
                                ("category", "neighbour", "cases"), ("stage", "follow_up", "cases"),
                                ("mechanism", "joint", "cases")):
        assert figure(after, table, row, measure) == figure(before, table, row, measure) + 1, \
            (table, row, before.get(table), after.get(table))
