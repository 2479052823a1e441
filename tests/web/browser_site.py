"""The browser tests' site: a real `mediation serve` process, its database, headless chromium.

Kept out of conftest.py so test modules import it by a name no other test folder uses.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from accessibility import check_accessibility
from api_support import ServerProcess, case_input
from playwright.sync_api import Browser, Page, expect

from mediation.clock import utcnow
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import PASSWORD, SampleCounty, build_sample_county

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
SHOTS: list[Path] = []


@dataclass
class Site:
    server: ServerProcess
    db: Database
    county: SampleCounty
    cases: dict[str, int]
    shots: Path
    browser: Browser
    pages: list[Page] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def page(self, viewport: dict[str, int] = DESKTOP, *, script: bool = True) -> Page:
        context = self.browser.new_context(viewport=viewport, locale="zh-CN", java_script_enabled=script)
        page = context.new_page()
        page.set_default_timeout(15_000)
        self.pages.append(page)
        return page

    def login(self, username: str, viewport: dict[str, int] = DESKTOP, *, script: bool = True) -> Page:
        """A page signed in as `username`, on the board; `script=False`, a browser that runs no script."""
        page = self.page(viewport, script=script)
        page.goto(f"{self.base_url}/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/login" not in url)  # the user's landing (web.my_work.landing)
        if page.url != f"{self.base_url}/":
            page.goto(f"{self.base_url}/")  # the tests start on the board
        return page

    def shot(self, page: Page, name: str) -> Path:
        path = self.shots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        SHOTS.append(path)
        return path

    def check_accessibility(self, page: Page, name: str) -> list[dict]:
        """axe-core (WCAG 2 A/AA) on the page: fails on serious or critical violations."""
        return check_accessibility(page, name)

    def wider_than_viewport(self, page: Page) -> list[str]:
        """Elements sticking out to the right of the viewport (empty when nothing overflows)."""
        return page.evaluate("""() => {
            if (document.documentElement.scrollWidth <= window.innerWidth) return [];
            return [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
              .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                   (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ').join('.') : ''))
              .slice(0, 8).concat([`scrollWidth=${document.documentElement.scrollWidth}`]);
        }""")

    def version(self, case_id: int) -> int:
        with self.db.snapshot() as tx:
            return tx.one("SELECT version FROM cases WHERE id = :id", {"id": case_id})[0]

    def state(self, case_id: int) -> str:
        with self.db.snapshot() as tx:
            return tx.one("SELECT state FROM cases WHERE id = :id", {"id": case_id})[0]


def submit_trigger(page: Page, trigger: str, fill=None) -> None:
    """Open the trigger's form on the case page by its button, fill it, submit; waits for the answer page."""
    page.locator(f"summary[data-trigger='{trigger}']").click()
    form = page.locator(f"form[data-trigger='{trigger}']")
    expect(form).to_be_visible()
    if fill:
        fill(form)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def fire_done(page: Page, trigger: str, fill=None) -> None:
    """submit_trigger, and the answer page must say it was done, with no alert."""
    submit_trigger(page, trigger, fill)
    expect(page.locator(".alert")).to_have_count(0)
    assert f"done={trigger}" in page.url, page.url


def build_cases(db: Database) -> dict[str, int]:
    county = build_sample_county(db)
    cases = {}
    for name, state, unit in (
        ("triaged", "screening.triaged", county.grid),
        ("in_session", "mediation.in_session", county.grid),
        ("assigned", "mediation.assigned", county.grid),
        ("qiaotou", "mediation.assigned", county.village_grid),
    ):
        cases[name] = drive_to(db, state=state, county=county, case_input=case_input(unit))
    # Filed three months ago: its mediation term (30 days) is long overdue (no worker runs here).
    cases["overdue"] = drive_to(db, state="mediation.assigned", county=county, now=utcnow() - timedelta(days=90),
                                case_input=case_input(county.grid, title="旧案：宅基地边界纠纷", category="land_boundary"))
    # Work of the court, the market-supervision department and key-case orders (test_web_inboxes.py).
    # Only the first is in 瓯北's reach: the others are in 桥头镇, so mediator1's overdue list keeps one case.
    before = utcnow()
    for name, state, days_ago, title in (
        ("court_applied", "court.applied", 0, "装修款结算纠纷"),
        ("court_late", "court.applied", 10, "相邻通行纠纷"),
        ("court_review", "court.under_review", 0, "借款归还纠纷"),
        ("referred_late", "joint.referred", 10, "商铺预付卡退费纠纷"),
        ("department_handling", "joint.in_progress", 0, "网购商品质量纠纷"),
    ):
        unit = county.grid if name == "court_applied" else county.village_grid
        cases[name] = drive_to(db, state=state, county=county, now=before - timedelta(days=days_ago),
                               case_input=case_input(unit, title=title))
    for name, days_ago, title in (("order_overdue", 90, "山林承包款纠纷"), ("order_due_soon", 27, "厂房租金拖欠纠纷"),
                                  ("order_open", 0, "拆迁安置补偿纠纷")):  # designated with a 30-day order
        cases[name] = drive_to(db, state="mediation.assigned", county=county, now=before - timedelta(days=days_ago),
                               route=("triage", "designate_key_case", "assign_mediator"),
                               case_input=case_input(county.village_grid, title=title))
    # Referred to the labour department and shared with market supervision: in both reaches, one inbox.
    cases["labour_referred"] = drive_to(db, state="joint.referred", county=county, case_input=case_input(
        county.village_grid, title="工厂拖欠工资纠纷", category="labour"))
    with db.write() as tx:
        tx.execute("INSERT INTO case_shares (case_id, unit_id, created_at) SELECT :case_id, id, :at FROM units "
                   "WHERE code = :code", {"case_id": cases["labour_referred"], "at": tx.timestamp(before),
                                          "code": county.market_department})
    return cases
