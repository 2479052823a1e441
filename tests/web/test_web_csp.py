"""Content-Security-Policy (issue 11 item 4): every page sends one that allows only the vendored
scripts and styles under /static, and the main pages keep working under it in real chromium
with no violation reported (a `securitypolicyviolation` listener and the console both watched).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from browser_site import Site
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.slow

LISTEN = """document.addEventListener('securitypolicyviolation', e => {
  (window.__violations = window.__violations || []).push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
});"""


class Watched:
    """A page with every CSP violation it reports collected (events and console errors)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", lambda message: self.console.append(message.text) if message.type == "error" else None)
        page.add_init_script(LISTEN)

    def open(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.ok, url
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, (url, policy)
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy

    def assert_none(self) -> None:
        """No violation reported so far (the distinct ones listed when there are)."""
        events = self.page.evaluate("window.__violations || []")
        found = events + [text for text in self.console if "Content Security Policy" in text]
        assert not found, f"{len(found)} CSP violations on {self.page.url}:\n" + "\n".join(sorted(set(found)))[:4000]


@pytest.fixture
def watched(site_pages: Site) -> Iterator[callable]:
    def login(username: str) -> Watched:
        page = site_pages.page()
        watcher = Watched(page)
        watcher.open(f"{site_pages.base_url}/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill("mediation-demo")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/login" not in url)  # each role lands where its work is
        watcher.open(f"{site_pages.base_url}/")
        return watcher

    yield login


def test_every_page_answer_carries_the_policy(site_pages: Site) -> None:
    """Pages, error pages included (a refused login, a case that is not there)."""
    with httpx.Client(base_url=site_pages.base_url, timeout=30.0) as browser:
        answers = [browser.get("/login")]
        token = re.search(r'name="csrf_token" value="([^"]+)"', answers[0].text).group(1)
        answers.append(browser.post("/login", data={"csrf_token": token, "username": "mediator1",
                                                    "password": "not-the-password"}))
        token = re.search(r'name="csrf_token" value="([^"]+)"', answers[1].text).group(1)
        signed_in = browser.post("/login", data={"csrf_token": token, "username": "mediator1",
                                                 "password": "mediation-demo"})
        assert signed_in.status_code == 303, signed_in.text
        answers += [browser.get("/"), browser.get("/cases/999999")]
    assert [answer.status_code for answer in answers] == [200, 401, 200, 404]
    for answer in answers:
        policy = answer.headers.get("content-security-policy", "")
        for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                          "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"):
            assert directive in policy, (answer.url, answer.status_code, policy)


def test_board_case_page_and_diagram_work_without_violations(site_pages: Site, watched) -> None:
    page = watched("mediator1")
    base = site_pages.base_url
    expect(page.page.locator("#results")).to_be_visible()
    page.page.get_by_label("搜索").fill("纠纷")  # the board's htmx search swaps the results in place
    page.page.wait_for_url("**q=*")
    expect(page.page.locator("#results tbody tr").first).to_be_visible()
    page.open(f"{base}/cases/{site_pages.cases['in_session']}")
    page.page.locator("#diagram summary").click()
    expect(page.page.locator("#diagram[data-rendered=true] svg")).to_be_visible(timeout=30_000)
    expect(page.page.locator("#diagram svg g.current")).to_contain_text("调解中")
    page.open(f"{base}/cases/new")
    page.open(f"{base}/orders")
    page.assert_none()


def test_inboxes_and_dashboard_work_without_violations(site_pages: Site, watched) -> None:
    base = site_pages.base_url
    court = watched("court1")
    court.open(f"{base}/inbox/court")
    court.assert_none()
    department = watched("dept_sj")
    department.open(f"{base}/inbox/department")
    department.assert_none()
    supervisor = watched("supervisor1")
    supervisor.open(f"{base}/dashboard")
    expect(supervisor.page.locator("canvas").first).to_be_visible()
    supervisor.page.wait_for_function("() => [...document.querySelectorAll('canvas')].every(c => c.width > 0)")
    supervisor.assert_none()
