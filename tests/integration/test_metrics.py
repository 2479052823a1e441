"""GET /api/v1/metrics: every figure checked against an independent pass over the demo's cases."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import msgspec
import pytest
import sqlalchemy as sa
from database_copies import database_copy, filled_template, opened
from litestar.testing import TestClient

from mediation.app import create_app
from mediation.cases.access import in_reach
from mediation.cases.views import CaseFilters, list_cases
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.dataset import load_demo
from mediation.demo.sample_county import PASSWORD, SampleCounty, build_sample_county
from mediation.directory.accounts import actor_for
from mediation.directory.actors import Actor
from mediation.errors import InvalidData
from mediation.metrics.figures import case_metrics
from mediation.metrics.report import EXCLUDED_STATES, RESOLVED_STATES, Metrics
from mediation.workflows.loader import current_definition

NOW = datetime(2026, 11, 20, 8, 0)
COUNTY = SampleCounty()
OUBEI_PATH = "/330324/330324001/"
QIAOTOU_PATH = "/330324/330324002/"


@pytest.fixture(scope="module")
def demo_template(template_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo dataset loaded once per module into a database each test copies."""
    with filled_template(template_database, tmp_path_factory.mktemp("demo"),
                         lambda database: load_demo(database, now=NOW)) as template:
        yield template


@pytest.fixture
def demo_url(demo_template: str, tmp_path: Path) -> Iterator[str]:
    with database_copy(demo_template, tmp_path) as url:
        yield url


@pytest.fixture
def demo(demo_url: str) -> Iterator[Database]:
    with opened(demo_url) as database:
        yield database


def _stamp(value):
    return value if value is None or isinstance(value, datetime) else datetime.fromisoformat(value)


def cases_in_reach(db: Database, actor: Actor) -> list[SimpleNamespace]:
    """Every case the actor reaches, by a plain Python pass (access.in_reach and shares)."""
    with db.read() as connection:
        rows = connection.execute(sa.text(
            "SELECT c.*, m.username AS mediator_username FROM cases c LEFT JOIN users m ON m.id = c.mediator_id"
        )).mappings().all()
        shared = {case_id for case_id, in connection.execute(
            sa.text("SELECT case_id FROM case_shares WHERE unit_id = :unit"), {"unit": actor.unit_id})}
    cases = []
    for row in rows:
        case = SimpleNamespace(**{key: _stamp(value) if key.endswith("_at") else value for key, value in row.items()})
        if in_reach(actor, case) or case.id in shared:
            cases.append(case)
    return cases


def china_day(value: datetime) -> date:
    """The day in China (UTC+8) of a stored (naive UTC) moment: the figures' days and months."""
    return (value + timedelta(hours=8)).date()


def in_days(value: datetime | None, start: date | None, end: date | None) -> bool:
    return value is not None and (start is None or china_day(value) >= start) and (
        end is None or china_day(value) <= end)


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {key: value for key, value in counts.items() if value}


def check_against(metrics: Metrics, cases: list[SimpleNamespace], start: date | None, end: date | None) -> None:
    """Compare every period figure with counts made here from the case rows."""
    created = [c for c in cases if in_days(c.created_at, start, end)]
    closed = [c for c in cases if in_days(c.closed_at, start, end)]
    resolved = [c for c in closed if c.state in RESOLVED_STATES]

    assert metrics.cases == len(created)
    assert nonzero(metrics.by_channel) == Counter(c.channel for c in created)
    assert nonzero(metrics.by_category) == Counter(c.category or "unset" for c in created)
    assert nonzero(metrics.by_mechanism) == Counter(c.mechanism or "unset" for c in created)
    assert nonzero(metrics.by_state) == Counter(c.state for c in created)
    assert nonzero(metrics.by_stage) == Counter(c.state.split(".")[0] for c in created)
    assert sum(u.count for u in metrics.by_unit) == len(created)

    resolution = metrics.resolution
    assert resolution.closed == len(closed)
    assert resolution.closed_by_state == Counter(c.state for c in closed)
    assert resolution.resolved == len(resolved)
    assert resolution.denominator == len([c for c in closed if c.state not in EXCLUDED_STATES])
    expected_rate = len(resolved) / resolution.denominator if resolution.denominator else None
    assert resolution.rate == (pytest.approx(expected_rate, abs=1e-4) if expected_rate is not None else None)

    days = sorted((c.closed_at - c.created_at).total_seconds() / 86400 for c in resolved)
    if days:
        middle = len(days) // 2
        expected = days[middle] if len(days) % 2 else (days[middle - 1] + days[middle]) / 2
        assert metrics.time_to_resolution.median_days == pytest.approx(expected, abs=0.01)
        assert metrics.time_to_resolution.median_days_to_agreement == pytest.approx(
            statistics.median((c.follow_up_at - c.created_at).total_seconds() / 86400 for c in resolved), abs=0.01)
    else:
        assert metrics.time_to_resolution.median_days is None
    assert metrics.time_to_resolution.cases == len(resolved)

    levels = Counter(c.resolved_level for c in resolved)
    assert nonzero(metrics.resolved_levels) == levels
    assert list(metrics.resolved_levels)[:5] == ["grid", "community", "station", "county", "court"]
    # Where the agreements were reached: a court-confirmed one at its ladder level; confirmations apart.
    ladder = [step["level"] for step in current_definition().policy["escalation_ladder"]]
    reached = Counter(ladder[c.ladder_level] if c.resolved_level == "court" else c.resolved_level or "unrecorded"
                      for c in resolved)
    assert list(metrics.agreement_levels)[:4] == ladder and "court" not in metrics.agreement_levels
    assert nonzero(metrics.agreement_levels) == reached
    assert nonzero(metrics.court_confirmed) == Counter(ladder[c.ladder_level] for c in resolved
                                                       if c.resolved_level == "court")
    assert sum(metrics.court_confirmed.values()) == levels["court"]

    recurred = [c for c in created if c.recurrence_count > 0]
    assert metrics.recurrence.cases == len(recurred)
    assert metrics.recurrence.recurrences == sum(c.recurrence_count for c in recurred)
    assert metrics.recurrence.followed_up == len([c for c in created if c.follow_up_at or c.recurrence_count])

    monthly: dict[str, Counter] = defaultdict(Counter)
    for case in resolved:
        if case.mediator_username:
            monthly[case.mediator_username][china_day(case.closed_at).strftime("%Y-%m")] += 1
    quotas = metrics.quotas
    assert quotas.monthly_quota == current_definition().policy["quotas"]["police"]["per_month"]
    assert quotas.unattributed == len([c for c in resolved if not c.mediator_username])
    assert {m.mediator.username: nonzero({row.month: row.resolutions for row in m.months})
            for m in quotas.mediators} == monthly
    for mediator in quotas.mediators:
        assert [row.month for row in mediator.months] == quotas.months
        # The quota is the police's (社区民警): any other role is counted with no attainment.
        quota = quotas.monthly_quota if "police" in mediator.roles else None
        assert mediator.quota == quota
        assert all(row.met == (row.resolutions >= quota if quota else None) for row in mediator.months)
        assert mediator.months_met == (sum(bool(row.met) for row in mediator.months) if quota else None)
        assert mediator.resolutions == sum(monthly[mediator.mediator.username].values())


def test_county_supervisor_figures_match_an_independent_count(demo: Database) -> None:
    actor = actor_for(demo, "county_sup")
    metrics = case_metrics(demo, actor, date_from=None, date_to=None, unit=None, now=NOW)
    cases = cases_in_reach(demo, actor)

    with demo.read() as connection:
        assert len(cases) == connection.execute(sa.text("SELECT count(*) FROM cases")).scalar() == metrics.cases
    check_against(metrics, cases, None, None)
    assert metrics.cases == list_cases(demo, actor, CaseFilters(page_size=1), NOW).total
    # Rolled up to the two towns below the county.
    assert {u.code: u.count for u in metrics.by_unit} == {
        COUNTY.town: len([c for c in cases if c.unit_path.startswith(OUBEI_PATH)]),
        COUNTY.other_town: len([c for c in cases if c.unit_path.startswith(QIAOTOU_PATH)]),
    }
    assert {u.code: u.name for u in metrics.by_unit} == {COUNTY.town: "瓯北街道", COUNTY.other_town: "桥头镇"}
    # Every channel, category and state of the workflow is listed.
    definition = current_definition()
    assert set(definition.policy["channels"]) <= set(metrics.by_channel)
    assert set(definition.states) == set(metrics.by_state)
    assert metrics.resolution.resolved > 0 and metrics.resolution.rate is not None
    assert metrics.quotas.mediators and metrics.recurrence.cases >= 1
    assert metrics.year_on_year is None  # no start of the period


def test_the_quota_is_the_polices_and_rolls_up_to_their_station(demo: Database) -> None:
    metrics = case_metrics(demo, actor_for(demo, "county_sup"), date_from=None, date_to=None, unit=None, now=NOW)
    report = metrics.quotas
    assert {role: (rule.per_month, rule.roll_up) for role, rule in report.by_role.items()} == {"police": (5, "station")}
    by_name = {m.mediator.username: m for m in report.mediators}
    assert {"police1", "mediator1"} <= set(by_name)
    mediator = by_name["mediator1"]  # a role without a quota: counted, no attainment
    assert mediator.quota is None and mediator.months_met is None and mediator.station is None
    assert all(row.attainment is None and row.met is None for row in mediator.months)
    police = by_name["police1"]  # 江北社区's officer counts with 瓯北派出所, beside it under 瓯北街道
    assert police.quota == 5 and police.station is not None and police.station.code == COUNTY.station
    # 瓯北派出所: its own officer (station1) and the community officer (police1), 5 a month each.
    station = next(s for s in report.stations if s.station.code == COUNTY.station)
    assert station.station.name == "瓯北派出所" and station.officers == 2 and station.quota == 10
    officers = [m for m in report.mediators if m.station is not None and m.station.code == COUNTY.station]
    assert {m.mediator.username for m in officers} <= {"police1", "station1"}
    for index, month in enumerate(station.months):
        assert month.resolutions == sum(m.months[index].resolutions for m in officers)
        assert month.met == (month.resolutions >= 10)
    assert station.resolutions == sum(m.resolutions for m in officers)
    # 菇溪村's officer has no station in 桥头镇: counted alone, against their own quota.
    if "police2" in by_name:
        assert by_name["police2"].station is None and by_name["police2"].quota == 5


def test_overdue_is_a_snapshot_at_now(demo: Database) -> None:
    actor = actor_for(demo, "county_sup")
    metrics = case_metrics(demo, actor, date_from=date(2026, 11, 1), date_to=None, unit=None, now=NOW)
    overdue = metrics.overdue
    with demo.read() as connection:
        pending = connection.execute(sa.text(
            "SELECT case_id, kind, due_at FROM deadlines WHERE status = 'pending'")).all()
        orders = connection.execute(sa.text(
            "SELECT o.deadline, o.status, c.stage FROM orders o JOIN cases c ON c.id = o.case_id")).all()
    # A key-case order's due-soon reminder is not a deadline missed: the order says whether it is due.
    late = [(case_id, kind) for case_id, kind, due in pending if _stamp(due) < NOW and kind != "order_due_soon"]
    soon = [(case_id, kind) for case_id, kind, due in pending
            if NOW <= _stamp(due) < NOW + timedelta(days=overdue.due_soon_days) and kind != "order_due_soon"]
    assert overdue.cases == len({case_id for case_id, _ in late}) > 0
    assert overdue.deadlines_by_kind == Counter(kind for _, kind in late)
    assert overdue.due_soon_by_kind == Counter(kind for _, kind in soon) and overdue.due_soon_cases == len(
        {case_id for case_id, _ in soon})
    assert "order_due_soon" not in overdue.deadlines_by_kind
    # The board's overdue list also counts the cases whose only late deadline is that reminder.
    assert overdue.cases <= list_cases(demo, actor, CaseFilters(overdue=True, page_size=1), NOW).total
    open_deadlines = [date.fromisoformat(str(d)[:10]) for d, status, stage in orders
                      if status != "done" and stage != "closed"]
    today = NOW.date()
    assert overdue.orders_open == len(open_deadlines)
    assert overdue.orders_overdue == len([d for d in open_deadlines if d < today])
    assert overdue.orders_due_soon == len([d for d in open_deadlines if today <= d <= today + timedelta(days=5)])
    # Later, more is overdue; earlier than everything, nothing is.
    later = case_metrics(demo, actor, date_from=None, date_to=None, unit=None, now=NOW + timedelta(days=60))
    assert later.overdue.cases > overdue.cases
    assert later.overdue.orders_overdue == overdue.orders_open
    earliest = case_metrics(demo, actor, date_from=None, date_to=None, unit=None, now=datetime(2020, 1, 1))
    assert earliest.overdue.cases == 0 and earliest.overdue.orders_overdue == 0


@pytest.mark.parametrize("start,end", [
    (date(2026, 1, 1), date(2026, 6, 30)),
    (date(2026, 11, 1), None),
    (None, date(2025, 12, 31)),
])
def test_period_filters_match_an_independent_count(demo: Database, start: date | None, end: date | None) -> None:
    actor = actor_for(demo, "county_sup")
    metrics = case_metrics(demo, actor, date_from=start, date_to=end, unit=None, now=NOW)
    cases = cases_in_reach(demo, actor)
    check_against(metrics, cases, start, end)
    assert 0 < metrics.cases < len(cases)
    assert (metrics.period.date_from, metrics.period.date_to) == (start, end)


def test_a_single_day_and_an_empty_period(demo: Database) -> None:
    actor = actor_for(demo, "county_sup")
    cases = cases_in_reach(demo, actor)
    day = china_day(max(c.created_at for c in cases))
    one_day = case_metrics(demo, actor, date_from=day, date_to=day, unit=None, now=NOW)
    check_against(one_day, cases, day, day)
    assert one_day.cases >= 1

    empty = case_metrics(demo, actor, date_from=date(2020, 1, 1), date_to=date(2020, 12, 31), unit=None, now=NOW)
    assert empty.cases == 0 and not nonzero(empty.by_channel) and empty.by_unit == []
    assert empty.resolution.rate is None and empty.time_to_resolution.median_days is None
    assert empty.recurrence.rate is None and empty.quotas.mediators == [] and empty.quotas.months == []
    assert empty.year_on_year is not None and empty.year_on_year.total.change_percent is None


def test_year_on_year_compares_the_same_dates_a_year_earlier(demo: Database) -> None:
    actor = actor_for(demo, "county_sup")
    start, end = date(2026, 6, 1), date(2026, 10, 31)
    metrics = case_metrics(demo, actor, date_from=start, date_to=end, unit=None, now=NOW)
    cases = cases_in_reach(demo, actor)
    yoy = metrics.year_on_year
    assert yoy is not None
    assert (yoy.previous_period.date_from, yoy.previous_period.date_to) == (date(2025, 6, 1), date(2025, 10, 31))
    current = Counter(c.category for c in cases if in_days(c.created_at, start, end))
    previous = Counter(c.category for c in cases if in_days(c.created_at, date(2025, 6, 1), date(2025, 10, 31)))
    assert previous.total() > 0
    assert (yoy.total.current, yoy.total.previous) == (metrics.cases, previous.total())
    assert yoy.total.change == current.total() - previous.total()
    assert yoy.total.change_percent == pytest.approx((current.total() - previous.total()) * 100 / previous.total(),
                                                     abs=0.01)
    assert {key: (c.current, c.previous) for key, c in yoy.by_category.items()} == {
        key: (current[key], previous[key]) for key in current | previous}

    # An open end is `now`'s date; 29 February becomes 28 February.
    leap = case_metrics(demo, actor, date_from=date(2024, 2, 29), date_to=None, unit=None, now=NOW)
    assert leap.year_on_year is not None
    assert (leap.year_on_year.previous_period.date_from, leap.year_on_year.previous_period.date_to) == (
        date(2023, 2, 28), china_day(NOW).replace(year=2025))


def test_a_mediator_of_qiaotou_sees_none_of_oubeis_cases(demo: Database) -> None:
    actor = actor_for(demo, "mediator2")  # 菇溪村, 桥头镇
    metrics = case_metrics(demo, actor, date_from=None, date_to=None, unit=None, now=NOW)
    cases = cases_in_reach(demo, actor)
    assert cases and all(c.unit_path.startswith(QIAOTOU_PATH) for c in cases)
    check_against(metrics, cases, None, None)
    assert metrics.cases == len(cases) == list_cases(demo, actor, CaseFilters(page_size=1), NOW).total
    assert all(u.code.startswith(COUNTY.other_town) for u in metrics.by_unit)
    with demo.read() as connection:
        all_cases = connection.execute(sa.text("SELECT count(*) FROM cases")).scalar()
    assert metrics.cases < all_cases

    # Asking for 瓯北 gives zeros, not 瓯北's numbers.
    oubei = case_metrics(demo, actor, date_from=None, date_to=None, unit=COUNTY.town, now=NOW)
    assert oubei.cases == 0 and oubei.by_unit == [] and oubei.resolution.closed == 0
    assert oubei.overdue.cases == 0 and oubei.overdue.orders_open == 0 and oubei.quotas.mediators == []
    assert oubei.unit is not None and oubei.unit.code == COUNTY.town


def test_town_supervisor_and_unit_filter(demo: Database) -> None:
    county = actor_for(demo, "county_sup")
    town = actor_for(demo, "supervisor1")  # 瓯北街道
    oubei_cases = [c for c in cases_in_reach(demo, county) if c.unit_path.startswith(OUBEI_PATH)]

    own = case_metrics(demo, town, date_from=None, date_to=None, unit=None, now=NOW)
    narrowed = case_metrics(demo, county, date_from=None, date_to=None, unit=COUNTY.town, now=NOW)
    check_against(own, cases_in_reach(demo, town), None, None)
    check_against(narrowed, oubei_cases, None, None)
    assert own.cases == narrowed.cases == len(oubei_cases)
    # Rolled up one level below 瓯北街道: its community and police station.
    assert {u.code for u in own.by_unit} <= {COUNTY.community, COUNTY.station, COUNTY.town}
    assert {u.code: u.count for u in own.by_unit} == {u.code: u.count for u in narrowed.by_unit}

    community = case_metrics(demo, county, date_from=None, date_to=None, unit=COUNTY.community, now=NOW)
    check_against(community, [c for c in oubei_cases if c.unit_path.startswith(OUBEI_PATH + COUNTY.community + "/")],
                  None, None)
    assert {u.code for u in community.by_unit} <= {COUNTY.community, COUNTY.grid, "330324001001-G2"}

    other_town = case_metrics(demo, town, date_from=None, date_to=None, unit=COUNTY.other_town, now=NOW)
    assert other_town.cases == 0 and other_town.resolution.closed == 0


def test_court_and_shared_cases_follow_the_reach_rule(demo: Database) -> None:
    court = actor_for(demo, "court1")
    metrics = case_metrics(demo, court, date_from=None, date_to=None, unit=None, now=NOW)
    cases = cases_in_reach(demo, court)
    assert cases and all(c.court_id == court.unit_id for c in cases)
    check_against(metrics, cases, None, None)
    # Outside the court's own subtree, a case counts under its own unit.
    assert {u.code for u in metrics.by_unit} <= {c.unit_path.rstrip("/").rsplit("/", 1)[-1] for c in cases}

    mediator = actor_for(demo, "mediator2")
    before = case_metrics(demo, mediator, date_from=None, date_to=None, unit=None, now=NOW).cases
    with demo.begin() as connection:
        oubei_case = connection.execute(sa.text(
            "SELECT id FROM cases WHERE unit_path LIKE :path ORDER BY id LIMIT 1"), {"path": OUBEI_PATH + "%"}).scalar()
        connection.execute(sa.text("INSERT INTO case_shares (case_id, unit_id, created_at) VALUES (:c, :u, :at)"),
                           {"c": oubei_case, "u": mediator.unit_id, "at": NOW})
    shared = case_metrics(demo, mediator, date_from=None, date_to=None, unit=None, now=NOW)
    assert shared.cases == before + 1
    check_against(shared, cases_in_reach(demo, mediator), None, None)


def test_bad_filters_are_rejected(demo: Database) -> None:
    actor = actor_for(demo, "county_sup")
    with pytest.raises(InvalidData) as unknown:
        case_metrics(demo, actor, date_from=None, date_to=None, unit="no-such-unit", now=NOW)
    assert unknown.value.field == "unit"
    with pytest.raises(InvalidData) as reversed_dates:
        case_metrics(demo, actor, date_from=date(2026, 5, 2), date_to=date(2026, 5, 1), unit=None, now=NOW)
    assert reversed_dates.value.field == "from"
    for odd in ("%", "330324%", "\x00", "3303\n24"):  # LIKE wildcards and control characters are no unit codes
        with pytest.raises(InvalidData) as not_a_unit:
            case_metrics(demo, actor, date_from=None, date_to=None, unit=odd, now=NOW)
        assert not_a_unit.value.field == "unit"
    extreme = case_metrics(demo, actor, date_from=date(1, 1, 1), date_to=date.max, unit=None, now=NOW)
    assert extreme.cases == case_metrics(demo, actor, date_from=None, date_to=None, unit=None, now=NOW).cases
    assert extreme.year_on_year is None


def _login(client: TestClient, username: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_metrics_endpoint(demo: Database, demo_url: str) -> None:
    with TestClient(create_app(demo_url)) as client:
        client.app.state.services.clock = lambda: NOW
        assert client.get("/api/v1/metrics").status_code == 401
        headers = _login(client, "county_sup")

        answer = client.get("/api/v1/metrics", params={"from": "2026-01-01", "to": "2026-06-30",
                                                       "unit": COUNTY.town}, headers=headers)
        assert answer.status_code == 200, answer.text
        expected = case_metrics(demo, actor_for(demo, "county_sup"), date_from=date(2026, 1, 1),
                                date_to=date(2026, 6, 30), unit=COUNTY.town, now=NOW)
        assert answer.json() == msgspec.to_builtins(expected)
        assert answer.json()["period"] == {"from": "2026-01-01", "to": "2026-06-30"}
        assert answer.json()["unit"] == {"code": COUNTY.town, "name": "瓯北街道"}
        # The fields added for the corrected figures, beside the older ones (kept for older clients).
        body = answer.json()
        assert body["quotas"]["by_role"] == {"police": {"per_month": 5, "roll_up": "station"}}
        assert {"agreement_levels", "court_confirmed", "resolved_levels"} <= set(body)
        assert "court" not in body["agreement_levels"] and "court" in body["resolved_levels"]
        assert {"due_soon_cases", "due_soon_by_kind", "due_soon_days", "deadlines_by_kind"} <= set(body["overdue"])

        reversed_dates = client.get("/api/v1/metrics", params={"from": "2026-07-01", "to": "2026-06-30"},
                                    headers=headers)
        assert reversed_dates.status_code == 422 and reversed_dates.json()["extra"]["field"] == "from"
        unknown = client.get("/api/v1/metrics", params={"unit": "nowhere"}, headers=headers)
        assert unknown.status_code == 422 and unknown.json()["extra"]["field"] == "unit"
        malformed = client.get("/api/v1/metrics", params={"from": "2026-13-45"}, headers=headers)
        assert malformed.status_code == 400 and "from" in malformed.text

        schema = client.get("/schema/openapi.json").json()
        parameters = {p["name"] for p in schema["paths"]["/api/v1/metrics"]["get"]["parameters"]}
        assert {"from", "to", "unit"} <= parameters


def test_days_are_china_days(db: Database) -> None:
    """Filed at 20:00 UTC on 1 March, i.e. 04:00 on 2 March in China: a case of 2 March."""
    county = build_sample_county(db)
    drive_to(db, state="screening.reported", county=county, now=datetime(2026, 3, 1, 20, 0))
    actor = actor_for(db, "county_sup")
    on = {day: case_metrics(db, actor, date_from=day, date_to=day, unit=None, now=NOW).cases
          for day in (date(2026, 3, 1), date(2026, 3, 2))}
    assert on == {date(2026, 3, 1): 0, date(2026, 3, 2): 1}
