"""Parties in the browser (issue 12): any number at intake, a company, the particulars, added and corrected later.

grid1 files a case with three parties, one of them a company with its legal representative and
one a Uyghur-speaking woman who needs an interpreter (a fourth row added and removed again); the
case page shows their particulars, her address masked for grid1. Without script the form still
files two parties. On a case in mediation the mediator adds a party who turned up later, corrects
a phone number (the old one kept, shown masked as the page masks it), and cannot start the session
until an interpreter is recorded for the party who needs one.
"""

from __future__ import annotations

import pytest
from api_support import case_input
from browser_site import Site, submit_trigger
from playwright.sync_api import Locator, Page, expect

from mediation.cases.engine import apply_transition
from mediation.cases.intake import PartyInput
from mediation.clock import utcnow
from mediation.demo.case_paths import ActorBook, drive_to

pytestmark = pytest.mark.slow

COMPANY, REPRESENTATIVE = "永嘉县某某建材有限公司", "张某某"
ADDRESS = "永嘉县瓯北街道锦绣花园3幢201室"


def parties_of(site: Site, case_id: int) -> list[tuple]:
    with site.db.snapshot() as tx:
        return [tuple(row) for row in tx.all(
            "SELECT name, role, gender, ethnicity, birth_date, occupation, address, language, needs_interpreter, "
            "organisation_name, legal_representative FROM parties WHERE case_id = :id ORDER BY id", {"id": case_id})]


def fill_case(page: Page, title: str) -> None:
    page.get_by_label("标题").fill(title)
    page.get_by_label("纠纷简要情况").fill("建材公司运输车辆损坏村民院墙，双方就赔偿数额争执。")
    page.get_by_label("来源渠道").select_option("walk_in")


def test_a_case_with_three_parties_one_a_company(site_pages: Site) -> None:
    site = site_pages
    page = site.login("grid1")
    page.goto(f"{site.base_url}/cases/new")
    expect(page.locator("fieldset.party")).to_have_count(2)
    fill_case(page, "运输车辆损坏院墙纠纷")
    for _ in range(2):
        page.get_by_role("button", name="添加当事人").click()
    expect(page.locator("fieldset.party")).to_have_count(4)
    page.locator("fieldset.party").nth(3).get_by_role("button", name="删除此当事人").click()
    expect(page.locator("fieldset.party")).to_have_count(3)

    page.locator("#party-0-name").fill("阿依古丽")
    page.locator("#party-0-gender").select_option("female")
    page.locator("#party-0-ethnicity").select_option("维吾尔族")
    page.locator("#party-0-birth_date").fill("1986-04-12")
    page.locator("#party-0-occupation").fill("个体经营")
    page.locator("#party-0-address").fill(ADDRESS)
    page.locator("#party-0-language").fill("维吾尔语")
    page.locator("#party-0-needs_interpreter").check()
    page.locator("#party-1-name").fill(COMPANY)
    page.locator("#party-1-organisation_name").fill(COMPANY)
    page.locator("#party-1-legal_representative").fill(REPRESENTATIVE)
    page.locator("#party-2-name").fill("周某某")
    page.locator("#party-2-role").select_option("third_party")
    site.shot(page, "intake-three-parties")
    site.check_accessibility(page, "intake with three parties")
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("status")).to_contain_text("案件已登记")

    rows = page.locator("table.parties tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("女；维吾尔族")
    expect(rows.nth(0)).to_contain_text("使用语言：维吾尔语")
    expect(rows.nth(0).locator(".tag.warn")).to_have_text("需要翻译")
    expect(rows.nth(0)).to_contain_text("永嘉县瓯北街****")  # grid1 does not see addresses in full
    expect(rows.nth(0)).not_to_contain_text("锦绣花园")
    expect(rows.nth(1)).to_contain_text(f"单位当事人：{COMPANY}（法定代表人：{REPRESENTATIVE}）")
    expect(rows.nth(2)).to_contain_text("第三人")
    case_id = int(page.url.split("/cases/")[1].split("?")[0])
    stored = parties_of(site, case_id)
    assert [row[:4] + row[5:] for row in stored] == [
        ("阿依古丽", "applicant", "female", "维吾尔族", "个体经营", ADDRESS, "维吾尔语", True, None, None),
        (COMPANY, "respondent", None, None, None, None, None, False, COMPANY, REPRESENTATIVE),
        ("周某某", "third_party", None, None, None, None, None, False, None, None),
    ]
    assert str(stored[0][4]).startswith("1986-04-12")


def test_two_parties_without_script(site_pages: Site) -> None:
    site = site_pages
    page = site.login("grid1", script=False)
    page.goto(f"{site.base_url}/cases/new")
    expect(page.get_by_role("button", name="添加当事人")).to_have_count(0)
    fill_case(page, "无脚本登记两方当事人")
    page.locator("#party-0-name").fill("钱某")
    page.locator("#party-1-name").fill("孙某")
    page.locator("#party-1-ethnicity").select_option("汉族")
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("status")).to_contain_text("案件已登记")
    expect(page.locator("table.parties tbody tr")).to_have_count(2)



def test_a_party_added_later_corrected_and_an_interpreter_before_the_session(site_pages: Site) -> None:
    site = site_pages
    filed = case_input(site.county.grid)
    filed.parties[1] = PartyInput("买买提", "respondent", phone="13987654321", ethnicity="维吾尔族",
                                  language="维吾尔语", needs_interpreter=True)
    case_id = drive_to(site.db, state="mediation.assigned", county=site.county, case_input=filed)
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{case_id}")

    def add_party(form: Locator) -> None:
        form.get_by_label("姓名").fill(COMPANY)
        form.locator("select[name='data.role']").select_option("third_party")
        form.get_by_label("单位名称").fill(COMPANY)
        form.get_by_label("法定代表人").fill(REPRESENTATIVE)
        form.get_by_label("理由").fill("运输公司到场，申请参加调解")

    submit_trigger(page, "add_party", add_party)
    expect(page.locator("table.parties tbody tr")).to_have_count(3)
    expect(page.locator("#corrections")).to_contain_text("运输公司到场，申请参加调解")

    def correct_phone(form: Locator) -> None:
        form.get_by_label("当事人").select_option(label="买买提（被申请人）")
        form.get_by_label("电话").fill("13900002222")
        form.get_by_label("理由").fill("当事人更换手机号码")

    submit_trigger(page, "correct_party", correct_phone)
    row = page.locator("table.parties tbody tr").nth(1)
    expect(row.locator(".tag.corrected")).to_have_text("已更正")
    expect(row).to_contain_text("13900002222")  # the assigned mediator sees numbers in full
    correction = page.locator("#corrections article").last
    expect(correction).to_contain_text("当事人更换手机号码")
    expect(correction.locator("td.old")).to_have_text("13987654321")

    # Every party told and consenting: still no session while the Uyghur-speaking party has no interpreter.
    mediator = ActorBook(site.db)["mediator1"]
    with site.db.snapshot() as tx:
        party_ids = [row[0] for row in tx.all("SELECT id FROM parties WHERE case_id = :id", {"id": case_id})]
    for party_id in party_ids:
        for trigger, data in (("notify_rights", {"party_id": party_id, "method": "in_person"}),
                              ("record_consent", {"party_id": party_id})):
            apply_transition(site.db, case_id=case_id, trigger=trigger, actor=mediator, data=data,
                             expected_version=site.version(case_id), now=utcnow())
    page.goto(f"{site.base_url}/cases/{case_id}")
    # The session is offered disabled, with the reason, until then.
    page.locator("#action-start_session summary").click()
    expect(page.locator("form[data-trigger='start_session'] .blocked")).to_contain_text("需要翻译")
    expect(page.locator("form[data-trigger='start_session'] button[type=submit]")).to_be_disabled()
    assert site.state(case_id) == "mediation.assigned"
    submit_trigger(page, "add_participant", lambda form: (form.get_by_label("姓名").fill("热依拉"),
                                                form.get_by_label("身份").select_option("interpreter"),
                                                form.get_by_label("使用语言").fill("维吾尔语")))
    expect(page.locator("ul.participants")).to_contain_text("热依拉")
    submit_trigger(page, "start_session")
    expect(page.locator(".state")).to_contain_text("调解中")

    # A yes set back to no: the correction's yes/no fields are unchanged, yes or no.
    row = page.locator("table.parties tbody tr").nth(1)
    expect(row.locator(".tag.warn")).to_have_text("需要翻译")
    submit_trigger(page, "correct_party", lambda form: (form.get_by_label("当事人").select_option(label="买买提（被申请人）"),
                                              form.get_by_label("需要翻译").select_option("false"),
                                              form.get_by_label("理由").fill("当事人能用普通话交流")))
    expect(row.locator(".tag.warn")).to_have_count(0)
    expect(page.locator("#corrections article").last.locator("td.old")).to_have_text("是")
    site.check_accessibility(page, "case with a party added and corrected")
    site.shot(page, "case-party-added-corrected")


def test_a_wrong_particular_is_named_beside_its_field(site_pages: Site) -> None:
    site = site_pages
    page = site.login("grid1")
    page.goto(f"{site.base_url}/cases/new")
    fill_case(page, "出生日期填错")
    page.locator("#party-0-name").fill("吴某")
    page.locator("#party-0-birth_date").fill("2999-01-01")
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    expect(page.locator(".field.has-error:has(> #party-0-birth_date) .error")).to_have_text("不能晚于当前时间")
    expect(page.get_by_role("alert").locator("li")).to_have_text(["当事人 1 出生日期：不能晚于当前时间"])
    expect(page.locator("#party-0-name")).to_have_value("吴某")
