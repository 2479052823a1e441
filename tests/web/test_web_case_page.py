"""The case page shows everything the case went through (issue 13, DESIGN §9.3), and a state
diagram people can read.

A case confirmed by the court and visited twice shows its agreed terms with the performance
deadline, every signature and the seal, the court's acceptance and ruling number, and each
return visit (when, by whom, the result, stable or not, what was found). A case referred to a
department shows the referral and the feedback; a key case adjourned shows its order (owner,
co-units by name, milestones) and the next session date. All in Chinese words, no codes; the
diagram's labels are Chinese, the current state is marked, its text stays 12 px or larger and
it scrolls sideways in its box on a phone. Axe finds nothing serious on a desktop or a phone.
"""

from __future__ import annotations

import re

import pytest
from api_support import case_input
from browser_site import DESKTOP, PHONE, Site
from playwright.sync_api import Page, expect

from mediation import jsontext
from mediation.demo.case_paths import CONFIRMED, JOINT_RESOLVED, TRIAGED, ActorBook, drive_to
from mediation.directory.queries import unit_names
from mediation.workflows.loader import current_definition

pytestmark = pytest.mark.slow

# Codes of the workflow and the data that must never show on a Chinese page (their labels do).
CODES = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+\d+\b|\b(stable|recurred|resolved|unresolved|police|mediator|court|station|"
                   r"terms|outcome|notes|summary|owner|milestones|agreed|in_person)\b")
TRIGGER_CODES = set(current_definition().triggers)


@pytest.fixture(scope="module")
def cases(site: Site) -> dict[str, int]:
    """A court-confirmed case visited twice, a referral resolved by the department, an adjourned key case."""
    county, actors = site.county, ActorBook(site.db)
    visited = (*CONFIRMED, "record_return_visit", ("record_return_visit", {"outcome": "recurred",
                                                                            "notes": "申请人反映对方仍有噪音。"}))
    key_case = (*TRIAGED, ("designate_key_case", {"milestones": ["走访双方当事人", "组织联合调解"]}), "assign_mediator",
                "notify_rights*", "record_consent*", "start_session", "adjourn")
    return {
        "confirmed": drive_to(site.db, state="follow_up.tracking", county=county, route=visited, actors=actors,
                              case_input=case_input(county.grid, title="楼上漏水赔偿纠纷")),
        "referred": drive_to(site.db, state="follow_up.tracking", county=county, route=JOINT_RESOLVED, actors=actors,
                             case_input=case_input(county.grid, title="超市消费纠纷", category="consumer")),
        "key": drive_to(site.db, state="mediation.assigned", county=county, route=key_case, actors=actors,
                        case_input=case_input(county.grid, title="宅基地边界纠纷")),
    }


def main_text(page: Page) -> str:
    return page.locator("main").inner_text()


def no_codes(page: Page) -> None:
    text = main_text(page)
    assert not CODES.findall(text), CODES.findall(text)


def test_a_confirmed_case_shows_its_terms_ruling_and_visits(site: Site, cases: dict[str, int]) -> None:
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{cases['confirmed']}")
    agreement = page.locator("#agreement")
    expect(agreement.locator(".terms")).not_to_be_empty()
    expect(agreement).to_contain_text("履行期限")
    expect(agreement).to_contain_text("协议生效时间")
    signing = agreement.locator("ul.signing li")
    expect(signing).to_have_count(4)  # both parties, the mediator, the seal
    expect(signing.filter(has_text="调解员签名")).to_contain_text("已签名")
    expect(signing.filter(has_text="人民调解委员会印章")).to_contain_text("已盖章")
    expect(agreement.locator(".tag.warn")).to_have_count(0)

    court = page.locator("#court")
    with site.db.snapshot() as tx:
        progress = tx.one("SELECT progress FROM cases WHERE id = :id", {"id": cases["confirmed"]})[0]
    number = jsontext.loads(progress)["ruling_number"]
    expect(court.locator(".ruling")).to_have_text(f"裁定书编号：{number}")
    expect(court).to_contain_text("瓯北共享法庭")
    for step in ("申请司法确认", "法院受理", "裁定确认有效"):
        expect(court.locator("article h3", has_text=step)).to_have_count(1)
    expect(court).to_contain_text("申请人")
    expect(page.locator(".facts dd.mono")).to_have_text(number)

    rows = page.locator("#visits table.visits tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("第 1 次回访")
    expect(rows.nth(0).locator("td").nth(2)).to_have_text("稳定")
    expect(rows.nth(0).locator("td").nth(3)).to_have_text("是")
    expect(rows.nth(0)).to_contain_text("回访双方，协议已履行，关系融洽。")
    expect(rows.nth(1).locator("td").nth(2)).to_have_text("反复")
    expect(rows.nth(1).locator("td").nth(3)).to_have_text("否")
    expect(rows.nth(1)).to_contain_text("申请人反映对方仍有噪音。")
    expect(rows.nth(0).locator("td").nth(1)).to_have_text(re.compile(r"^[^a-z]+$"))  # a display name
    # The timeline names people, and links each step to where it is shown in full.
    expect(page.locator(".timeline a[href^='#visit-']")).to_have_count(2)
    expect(page.locator(".timeline a[href^='#step-']")).to_have_count(3)
    no_codes(page)
    site.check_accessibility(page, "case page of a confirmed case")
    site.shot(page, "case-page-confirmed-desktop")

    phone = site.login("mediator1", PHONE)
    phone.goto(f"{site.base_url}/cases/{cases['confirmed']}")
    expect(phone.locator("#visits table.visits tbody tr")).to_have_count(2)
    assert site.wider_than_viewport(phone) == []
    site.check_accessibility(phone, "case page of a confirmed case on a phone")
    site.shot(phone, "case-page-confirmed-phone")


def test_a_referral_shows_the_department_and_its_feedback(site: Site, cases: dict[str, int]) -> None:
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{cases['referred']}")
    referral = page.locator("#referral")
    for step in ("流转职能部门", "部门签收", "部门反馈", "确认反馈（闭环）"):
        expect(referral.locator("article h3", has_text=step)).to_have_count(1)
    expect(referral).to_contain_text("市场监督管理局")
    feedback = referral.locator("article", has_text="部门反馈")
    expect(feedback).to_contain_text("已化解")
    expect(feedback).to_contain_text("部门已责令经营者依法处理，双方达成和解。")
    no_codes(page)


def test_a_key_case_shows_its_order_and_next_session(site: Site, cases: dict[str, int]) -> None:
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{cases['key']}")
    expect(page.locator(".next-session")).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))
    order = page.locator("#order")
    with site.db.snapshot() as tx:
        names = unit_names(tx, [site.county.grid])
    expect(order).to_contain_text("林调解")  # the owner by name
    expect(order).to_contain_text(names[site.county.grid][0])  # a co-unit by name
    expect(order).to_contain_text("走访双方当事人、组织联合调解")
    expect(page.locator(".timeline")).to_contain_text("下次调解时间")
    no_codes(page)
    site.check_accessibility(page, "case page of a key case")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_state_diagram_reads_in_chinese(site: Site, cases: dict[str, int], viewport: dict[str, int]) -> None:
    page = site.login("mediator1", viewport)
    page.goto(f"{site.base_url}/cases/{cases['key']}")
    steps = page.locator("ul.next-steps li")  # the text alternative: the moves from here, in words
    expect(steps.filter(has_text="开始调解 → 调解中")).to_have_count(1)
    page.locator("#diagram summary").click()
    expect(page.locator("#diagram")).to_have_attribute("data-rendered", "true", timeout=30_000)  # 3.5 MB of Mermaid
    svg = page.locator("#diagram svg")
    box = svg.bounding_box()
    assert box["height"] >= 300, box
    text = svg.evaluate("s => [...s.querySelectorAll('text, foreignObject, span, p')].map(e => e.textContent)"
                        ".join(' ')")
    assert "已指派调解员" in text and "开始调解" in text and "休会改期" in text
    assert not re.search(r"[A-Za-z]{3,}", text), text  # no trigger or state code, no English
    assert not TRIGGER_CODES & set(re.findall(r"[a-z_]+", text))
    sizes = svg.evaluate("""s => [...s.querySelectorAll('.nodeLabel, .edgeLabel, text')]
        .filter(e => e.textContent.trim()).map(e => parseFloat(getComputedStyle(e).fontSize)
                                                    * s.getBoundingClientRect().width / s.viewBox.baseVal.width)""")
    assert sizes and min(sizes) >= 12, sizes
    current = page.locator("#diagram svg g.current, #diagram svg .current")
    expect(current.first).to_contain_text("已指派调解员")
    # The case's state is in sight in the diagram's box, scrolled to it on a phone.
    node, frame = current.first.bounding_box(), page.locator("#diagram .mermaid").bounding_box()
    assert frame["x"] <= node["x"] and node["x"] + node["width"] <= frame["x"] + frame["width"], (node, frame)
    assert site.wider_than_viewport(page) == []
    site.check_accessibility(page, f"state diagram ({viewport['width']} px)")
    site.shot(page, f"case-page-diagram-{viewport['width']}")
