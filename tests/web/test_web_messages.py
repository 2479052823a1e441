"""The case page in the reader's language (DESIGN §9.1): a trigger that cannot succeed now is shown
disabled with its reason naming the parties; a refused form says why in Chinese; forms offer only
what can succeed and start with what is known."""

from __future__ import annotations

import re
from dataclasses import replace

from api_support import case_input
from browser_site import PHONE, Site, submit_trigger
from playwright.sync_api import expect

from mediation.cases.engine import apply_transition
from mediation.clock import utcnow
from mediation.demo.case_paths import ActorBook, drive_to

LATIN = re.compile(r"[A-Za-z]")


def names_of(site: Site, case_id: int) -> list[tuple[int, str]]:
    with site.db.snapshot() as tx:
        return [tuple(row) for row in tx.all("SELECT id, name FROM parties WHERE case_id = :id ORDER BY id",
                                             {"id": case_id})]


def test_the_zh_case_page_says_why_in_chinese_and_offers_only_what_can_succeed(site_pages: Site) -> None:
    site = site_pages
    case_id = drive_to(site.db, state="mediation.assigned", county=site.county, case_input=case_input(site.county.grid))
    (first, first_name), (_, second_name) = names_of(site, case_id)
    apply_transition(site.db, case_id=case_id, trigger="record_consent", actor=ActorBook(site.db)["mediator1"],
                     data={"party_id": first}, expected_version=site.version(case_id), now=utcnow())
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{case_id}")

    page.locator("summary[data-trigger='start_session']").click()
    blocked = page.locator("form[data-trigger='start_session'] .blocked")
    expect(blocked).to_have_text(f"当事人{second_name}尚未同意调解")
    expect(page.locator("form[data-trigger='start_session'] button[type=submit]")).to_be_disabled()

    page.locator("summary[data-trigger='record_consent']").click()
    options = page.locator("form[data-trigger='record_consent'] select[name='data.party_id'] option")
    expect(options).to_have_text(["—", f"{second_name}（被申请人）"])  # the one who consented is not offered

    submit_trigger(page, "raise_risk", lambda form: (form.get_by_label("风险等级").select_option("low"),
                                                     form.get_by_label("理由").fill("再次评估")))
    alert = page.locator("form[data-trigger='raise_risk'] .alert")
    expect(alert).to_contain_text("新的风险等级“低”不高于当前的“低”")
    assert not LATIN.search(alert.inner_text() + blocked.inner_text())
    assert site.check_accessibility(page, "case-refusal-zh") == []
    site.shot(page, "case-refusal-zh")

    page.goto(f"{site.base_url}/cases/{case_id}?lang=en")
    page.locator("summary[data-trigger='start_session']").click()
    expect(page.locator("form[data-trigger='start_session'] .blocked")).to_have_text(
        f"{second_name} have not consented to mediation")
    page.goto(f"{site.base_url}/cases/{case_id}?lang=zh")
    assert first_name not in page.locator("form[data-trigger='record_consent']").inner_text()

    phone = site.login("mediator1", viewport=PHONE)
    phone.goto(f"{site.base_url}/cases/{case_id}")
    phone.locator("summary[data-trigger='start_session']").click()
    expect(phone.locator("form[data-trigger='start_session'] .blocked")).to_be_visible()
    assert site.wider_than_viewport(phone) == []
    site.shot(phone, "case-blocked-phone")


def test_forms_start_with_what_is_known(site_pages: Site) -> None:
    site = site_pages
    filed = replace(case_input(site.county.grid, category="family"), risk_level="elevated")
    reported = drive_to(site.db, state="screening.reported", county=site.county, case_input=filed)
    effective = drive_to(site.db, state="mediation.agreement_effective", county=site.county,
                         case_input=case_input(site.county.grid))
    page = site.login("mediator1")

    page.goto(f"{site.base_url}/cases/{reported}")
    page.locator("summary[data-trigger='triage']").click()
    triage = page.locator("form[data-trigger='triage']")
    expect(triage.locator("select[name='data.category']")).to_have_value("family")
    expect(triage.locator("select[name='data.risk_level']")).to_have_value("elevated")

    page.goto(f"{site.base_url}/cases/{effective}")
    page.locator("summary[data-trigger='apply_judicial_confirmation']").click()
    boxes = page.locator("form[data-trigger='apply_judicial_confirmation'] input[name='data.applicants']")
    expect(boxes).to_have_count(len(names_of(site, effective)))
    for box in boxes.all():
        expect(box).to_be_checked()
