"""The supervisor dashboard in a real browser (headless Debian chromium) against `mediation serve`.

The figures on the page and in the CSV must equal `case_metrics` computed here, in the test
process, for the same supervisor, period and unit; charts must be drawn; other roles are refused;
bad filters get a message, never a 500.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from api_support import case_input
from browser_site import DESKTOP, PHONE, Site
from playwright.sync_api import Page, expect

from mediation.cases.views import CaseFilters, list_cases
from mediation.clock import utcnow
from mediation.demo.case_paths import IN_SESSION, STABLE_VISITS, ActorBook, drive_to
from mediation.demo.sample_county import PASSWORD
from mediation.metrics.figures import case_metrics
from mediation.metrics.report import Metrics
from mediation.workflows.loader import current_definition

pytestmark = pytest.mark.slow

SECOND_GRID = "330324001001-G2"  # 江北社区第二网格, in supervisor1's town
OTHER_TOWN = "330324002"  # 桥头镇: outside supervisor1's reach, inside county_sup's
AGREED = ("start_session", "record_session", "draft_agreement", "sign*", ("sign", {"signer": "mediator"}), "seal",
          "conclude_agreement", "start_follow_up", *STABLE_VISITS)
ESCALATED_ONCE = (*IN_SESSION, "escalate", *AGREED)
ESCALATED_TWICE = (*IN_SESSION, "escalate", "start_session", "escalate", *AGREED)


def local_today() -> date:
    return (utcnow() + timedelta(hours=8)).date()


def overdue_total(site: Site, username: str) -> int:
    return list_cases(site.db, ActorBook(site.db)[username], CaseFilters(overdue=True), utcnow()).total


@pytest.fixture(scope="module")
def closed_cases(site: Site) -> dict[str, int]:
    """Closed cases spread over this year so far (whatever today is) and the same stretch of last year.

    All closed, so no deadline of theirs is pending: other pages' lists (overdue, inboxes) keep theirs.
    """
    county, now = site.county, utcnow()
    start = datetime(now.year, 1, 1)
    actors = ActorBook(site.db)
    plan = (  # state, route, share of this year so far (negative: last year), unit, category, channel
        ("closed.resolved", 0, 0.1, county.grid, "neighbour", "grid_screening"),
        ("closed.resolved", ESCALATED_ONCE, 0.3, county.grid, "family", "community_work"),
        ("closed.resolved", 1, 0.5, county.grid, "neighbour", "police_call"),
        ("closed.resolved", ESCALATED_TWICE, 0.6, SECOND_GRID, "labour", "walk_in"),
        ("closed.resolved", 3, 0.7, county.grid, "contract", "online_opinion"),
        ("closed.enforcement", 0, 0.75, SECOND_GRID, "contract", "walk_in"),
        ("closed.mediation_failed", 0, 0.8, county.grid, "traffic", "law_enforcement"),
        ("closed.not_accepted", 0, 0.85, county.grid, "other", "walk_in"),
        ("closed.resolved", 0, -0.4, county.grid, "neighbour", "grid_screening"),
        ("closed.resolved", 0, -0.2, SECOND_GRID, "family", "grid_screening"),
        ("closed.resolved", 0, 0.65, county.village_grid, "neighbour", "grid_screening"),
    )
    ids = {"overdue_before": overdue_total(site, "mediator1")}
    for number, (state, route, share, unit, category, channel) in enumerate(plan):
        filed = replace(case_input(unit, title=f"已结案件 {number}", category=category), channel=channel)
        opened = start + (now - start) * abs(share)
        if share < 0:
            opened = opened.replace(year=opened.year - 1, day=min(opened.day, 28))
        step = min(timedelta(hours=3 + 2 * number), (now - start) / 400)  # closed before now, early in January too
        ids[f"closed_{number}"] = drive_to(site.db, state=state, county=county, route=route, case_input=filed,
                                           actors=actors, now=opened, step=step)
    return ids


@pytest.fixture
def site_data(site_pages: Site, closed_cases: dict[str, int]) -> Site:
    return site_pages


# --------------------------------------------------------------------------- what the figures must be


def expected_figures(m: Metrics) -> dict[tuple[str, str, str], str]:
    """(section, key, measure) -> the number as text, straight from the Metrics struct."""
    def text(value) -> str:
        return "" if value is None else str(value)

    figures: dict[tuple[str, str, str], str] = {}
    summary = {"cases": m.cases, "closed": m.resolution.closed, "resolved": m.resolution.resolved,
               "rate": m.resolution.rate, "median_days": m.time_to_resolution.median_days,
               "median_days_to_agreement": m.time_to_resolution.median_days_to_agreement,
               "overdue_cases": m.overdue.cases, "due_soon_cases": m.overdue.due_soon_cases,
               "orders_overdue": m.overdue.orders_overdue,
               "recurrence_rate": m.recurrence.rate,
               "yoy_change_percent": m.year_on_year.total.change_percent if m.year_on_year else None}
    figures.update({("summary", key, "value"): text(value) for key, value in summary.items()})
    for section, counts, measure in (("channel", m.by_channel, "cases"), ("category", m.by_category, "cases"),
                                     ("stage", m.by_stage, "cases"), ("mechanism", m.by_mechanism, "cases"),
                                     ("ladder", m.agreement_levels, "resolved"),
                                     ("ladder", m.court_confirmed, "court_confirmed"),
                                     ("deadlines", m.overdue.deadlines_by_kind, "overdue"),
                                     ("due_soon", m.overdue.due_soon_by_kind, "due_soon")):
        figures.update({(section, key, measure): str(n) for key, n in counts.items()})
    figures.update({("unit", u.code, "cases"): str(u.count) for u in m.by_unit})
    figures.update({("co_mediation", u.code, "cases"): str(u.count) for u in m.co_mediation.by_partner})
    closed_states = [s for s in current_definition().states if s.startswith("closed.")]
    figures.update({("resolution", s, "cases"): str(m.resolution.closed_by_state.get(s, 0)) for s in closed_states})
    figures.update({("orders", "overdue", "orders"): str(m.overdue.orders_overdue),
                    ("orders", "due_soon", "orders"): str(m.overdue.orders_due_soon),
                    ("orders", "open", "orders"): str(m.overdue.orders_open)})
    for q in m.quotas.mediators:
        figures.update({("quotas", q.mediator.username, month.month): str(month.resolutions) for month in q.months})
        figures[("quotas", q.mediator.username, "total")] = str(q.resolutions)
        figures[("quotas", q.mediator.username, "quota")] = text(q.quota)
        figures[("quotas", q.mediator.username, "months_met")] = text(q.months_met)
    for s in m.quotas.stations:
        figures.update({("stations", s.station.code, month.month): str(month.resolutions) for month in s.months})
        figures.update({("stations", s.station.code, measure): str(getattr(s, key)) for measure, key in (
            ("total", "resolutions"), ("officers", "officers"), ("quota", "quota"), ("months_met", "months_met"))})
    if m.year_on_year:
        changes = {"total": m.year_on_year.total, **m.year_on_year.by_category}
        for key, c in changes.items():
            for measure in ("current", "previous", "change", "change_percent"):
                figures[("yoy", key, measure)] = text(getattr(c, measure))
    return figures


def metrics_for(site: Site, username: str, unit: str | None = None,
                date_from: date | None = None, date_to: date | None = None) -> Metrics:
    today = local_today()
    return case_metrics(site.db, ActorBook(site.db)[username], date_from=date_from or today.replace(month=1, day=1),
                        date_to=date_to or today, unit=unit, now=utcnow())


def page_figures(page: Page) -> dict[tuple[str, str, str], str]:
    found = page.evaluate("""() => {
        const out = [];
        document.querySelectorAll('[id^="table-"]').forEach(table => {
          table.querySelectorAll('[data-key]').forEach(row => {
            row.querySelectorAll('[data-measure]').forEach(cell => {
              out.push([table.id.slice(6), row.dataset.key, cell.dataset.measure, cell.dataset.value]);
            });
          });
        });
        return out;
    }""")
    return {(section, key, measure): value for section, key, measure, value in found}


def drawn_pixels(page: Page) -> dict[str, int]:
    """Canvas id -> how many pixels the chart painted (0 for a blank canvas)."""
    page.wait_for_function("() => [...document.querySelectorAll('canvas')].every(c => c.dataset.drawn)")
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('canvas')].map(c => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
        return [c.id, painted];
    }))""")


# --------------------------------------------------------------------------- tests


def test_supervisor_sees_charts_and_the_figures_of_case_metrics(site_data: Site) -> None:
    page = site_data.login("supervisor1")
    page.get_by_role("link", name="统计分析").click()
    page.wait_for_url(re.compile(r"/dashboard$"))
    today = local_today()
    expect(page.get_by_label("开始日期")).to_have_value(today.replace(month=1, day=1).isoformat())
    expect(page.get_by_label("结束日期")).to_have_value(today.isoformat())
    metrics = metrics_for(site_data, "supervisor1")
    assert metrics.resolution.resolved >= 4 and metrics.year_on_year.total.previous >= 1
    assert page_figures(page) == expected_figures(metrics)
    expect(page.get_by_role("heading", name="受理案件（按来源渠道）")).to_be_visible()
    expect(page.locator("#table-channel tr[data-key=police_call] th")).to_have_text("110接警")
    expect(page.locator("#table-ladder tr[data-key=community] th")).to_have_text("社区（村）")
    # The court's confirmations beside the levels, never a level; due soon in a section of its own.
    expect(page.locator("#table-ladder tr[data-key=court]")).to_have_count(0)
    expect(page.locator("#table-ladder thead")).to_contain_text("其中司法确认")
    expect(page.locator(".figure-ladder .headline")).to_contain_text(
        f"其中经法院司法确认 {sum(metrics.court_confirmed.values())} 件")
    expect(page.get_by_role("heading", name="已超期期限（当前，按类型）")).to_be_visible()
    expect(page.get_by_role("heading", name="即将到期期限（2 天内，按类型）")).to_be_visible()
    # The quota is the community police's (5 a month), rolled up with 瓯北派出所; a mediator has none.
    expect(page.locator(".figure-quotas .note")).to_have_text("社区民警每月 5 件（与所在派出所捆绑考核）")
    mediator = page.locator("#table-quotas tr[data-key=mediator1]")
    expect(mediator.locator("th")).to_have_text("林调解（调解员）")
    expect(mediator.locator("td[data-measure=quota]")).to_have_text("—")
    station = page.locator("#table-stations tr[data-key='330324001-PS']")
    expect(station.locator("th")).to_have_text("瓯北派出所")
    expect(station.locator("td[data-measure=officers]")).to_have_text("2")
    expect(station.locator("td[data-measure=quota]")).to_have_text("10")
    rate = f"{metrics.resolution.rate * 100:.2f}".rstrip("0").rstrip(".") + "%"
    expect(page.locator("#table-summary [data-key=rate] dd")).to_have_text(rate)
    pixels = drawn_pixels(page)
    assert {"chart-channel", "chart-category", "chart-stage", "chart-ladder", "chart-quotas", "chart-yoy",
            "chart-resolution"} <= set(pixels)
    assert all(count > 500 for count in pixels.values()), pixels
    site_data.shot(page, "30-dashboard-desktop")


def test_unit_filter_narrows_the_figures(site_data: Site) -> None:
    page = site_data.login("supervisor1")
    page.goto(f"{site_data.base_url}/dashboard")
    whole = page_figures(page)
    page.get_by_label("单位", exact=True).select_option(SECOND_GRID)
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    assert f"unit={SECOND_GRID}" in page.url
    narrowed = page_figures(page)
    assert narrowed == expected_figures(metrics_for(site_data, "supervisor1", unit=SECOND_GRID))
    assert int(narrowed[("summary", "cases", "value")]) < int(whole[("summary", "cases", "value")])
    expect(page.locator(".period")).to_contain_text("江北社区第二网格")
    # The county's supervisor reaches the other town, and its figures are its own.
    county = site_data.login("county_sup")
    county.goto(f"{site_data.base_url}/dashboard?unit={OTHER_TOWN}")
    assert page_figures(county) == expected_figures(metrics_for(site_data, "county_sup", unit=OTHER_TOWN))
    assert page_figures(county)[("summary", "resolved", "value")] != "0"


def test_csv_export_has_the_same_figures(site_data: Site) -> None:
    page = site_data.login("supervisor1")
    start = local_today().replace(month=1, day=1) - timedelta(days=400)
    page.goto(f"{site_data.base_url}/dashboard?from={start.isoformat()}&unit={SECOND_GRID}")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="导出 CSV").click()
    download = waiting.value
    assert download.suggested_filename == f"dashboard-{start}-{local_today()}-{SECOND_GRID}.csv"
    body = download.path().read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["section", "section_label", "key", "label", "measure", "value"]
    filters = {row[2]: row[5] for row in rows[1:] if row[0] == "filters"}
    assert filters["from"] == start.isoformat() and filters["unit"] == SECOND_GRID
    assert filters["unit_name"] == "江北社区第二网格"
    figures = {(row[0], row[2], row[4]): row[5] for row in rows[1:] if row[0] != "filters"}
    metrics = metrics_for(site_data, "supervisor1", unit=SECOND_GRID, date_from=start)
    assert figures == expected_figures(metrics)
    labels = {(row[0], row[2]): row[3] for row in rows[1:]}
    assert labels[("channel", "walk_in")] == "来访"
    answer = page.request.get(f"{site_data.base_url}/dashboard.csv")
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith("attachment;")


def test_other_roles_are_refused_and_strangers_sent_to_login(site_data: Site) -> None:
    page = site_data.login("mediator1")
    expect(page.get_by_role("link", name="统计分析")).to_have_count(0)
    answer = page.goto(f"{site_data.base_url}/dashboard")
    assert answer.status == 403
    expect(page.get_by_role("alert")).to_have_text("统计分析仅向督导人员开放。")
    expect(page.locator("table")).to_have_count(0)
    assert page.request.get(f"{site_data.base_url}/dashboard.csv").status == 403
    stranger = site_data.page()
    stranger.goto(f"{site_data.base_url}/dashboard.csv?unit={SECOND_GRID}")
    assert "/login" in stranger.url and "next=%2Fdashboard.csv" in stranger.url


@pytest.mark.parametrize(("query", "status", "message"), [
    ("from=2026-06-01&to=2026-05-01", 422, "开始日期：不能晚于结束日期"),
    ("from=2026-02-30", 400, "开始日期：日期格式应为"),
    ("to=yesterday", 400, "结束日期：日期格式应为"),
    (f"unit={OTHER_TOWN}", 422, "单位：不在您的辖区内"),
    ("unit=no-such-unit", 422, "单位：不在您的辖区内"),
])
def test_bad_filters_get_a_message(site_data: Site, query: str, status: int, message: str) -> None:
    page = site_data.login("supervisor1")
    answer = page.goto(f"{site_data.base_url}/dashboard?{query}")
    assert answer.status == status
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page.locator("table.figures")).to_have_count(0)
    assert page.request.get(f"{site_data.base_url}/dashboard.csv?{query}").status == status


def test_bad_range_through_the_form(site_data: Site) -> None:
    page = site_data.login("supervisor1")
    page.goto(f"{site_data.base_url}/dashboard")
    page.get_by_label("开始日期").fill("2026-09-01")
    page.get_by_label("结束日期").fill("2026-03-01")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("alert")).to_have_text("开始日期：不能晚于结束日期")
    expect(page.get_by_label("开始日期")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("开始日期")).to_have_value("2026-09-01")  # what was typed stays
    site_data.shot(page, "31-dashboard-bad-range")


def test_english_labels(site_data: Site) -> None:
    page = site_data.login("supervisor1")
    page.goto(f"{site_data.base_url}/dashboard?lang=en")
    expect(page.get_by_role("heading", name="Cases filed by channel")).to_be_visible()
    expect(page.locator("#table-channel tr[data-key=grid_screening] th")).to_have_text("Grid screening")
    expect(page.locator("#table-stage tr[data-key=closed] th")).to_have_text(re.compile(r"^[A-Z][a-z]"))
    assert page_figures(page) == expected_figures(metrics_for(site_data, "supervisor1"))
    answer = page.request.get(f"{site_data.base_url}/dashboard.csv")
    assert "Cases filed by channel" in answer.text()


def test_phone_layout(site_data: Site) -> None:
    page = site_data.login("supervisor1", viewport=PHONE)
    page.goto(f"{site_data.base_url}/dashboard")
    pixels = drawn_pixels(page)
    assert pixels and all(count > 500 for count in pixels.values()), pixels
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    box = page.locator("#chart-channel").bounding_box()
    assert box and box["width"] > 300
    site_data.shot(page, "32-dashboard-phone")


def test_without_javascript_the_tables_carry_the_figures(site_data: Site) -> None:
    context = site_data.browser.new_context(viewport=DESKTOP, java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    site_data.pages.append(page)  # closed after the test
    page.goto(f"{site_data.base_url}/login?next=/dashboard")
    page.get_by_label("用户名").fill("supervisor1")
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    expect(page.locator("#table-channel")).to_be_visible()
    expect(page.locator(".chart").first).to_be_hidden()  # no empty chart boxes
    metrics = metrics_for(site_data, "supervisor1")
    cell = page.locator("#table-channel tr[data-key=grid_screening] td")
    expect(cell).to_have_text(str(metrics.by_channel["grid_screening"]))
    expect(page.locator("#table-summary [data-key=cases] dd")).to_have_text(str(metrics.cases))


def test_other_lists_keep_their_cases(site_data: Site, closed_cases: dict[str, int]) -> None:
    """The closed cases added here leave the overdue list that other tests count as it was."""
    assert overdue_total(site_data, "mediator1") == closed_cases["overdue_before"]
