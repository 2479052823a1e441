"""GET /api/v1/orders: key-case orders (重点疑难) in reach, with their status against `now`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import msgspec
import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from mediation import jsontext
from mediation.app import create_app
from mediation.cases.access import in_reach
from mediation.db import Database
from mediation.deadlines.orders import OrderView, list_orders
from mediation.demo.case_paths import TRIAGED, drive_to, sample_case_input
from mediation.demo.dataset import load_demo
from mediation.demo.sample_county import PASSWORD, SampleCounty, build_sample_county
from mediation.directory.accounts import actor_for
from mediation.errors import InvalidData
from mediation.workflows.calendar import china_day_start

NOW = datetime(2026, 11, 20, 8, 0)
TODAY = NOW.date()
COUNTY = SampleCounty()
MILESTONES = ["走访双方当事人", "召开联合调解会", "回访履行情况"]


def _designated(deadline: date, *then: str, milestones: list[str] | None = None):
    data = {"deadline": deadline.isoformat(), **({"milestones": milestones} if milestones else {})}
    return (*TRIAGED, ("designate_key_case", data), "assign_mediator", *then)


@pytest.fixture
def orders(db: Database) -> dict[str, int]:
    """Key cases with deadlines around NOW; names to case ids."""
    build_sample_county(db)
    start = NOW - timedelta(days=10)
    plan = {
        "overdue": ("mediation.assigned", TODAY - timedelta(days=2), ()),
        "due_today": ("mediation.assigned", TODAY, ()),
        "due_in_3": ("mediation.assigned", TODAY + timedelta(days=3), ()),
        "due_in_5": ("mediation.assigned", TODAY + timedelta(days=5), ()),
        "open": ("mediation.assigned", TODAY + timedelta(days=6), ()),
        "closed": ("closed.withdrawn", TODAY - timedelta(days=1),
                   ("notify_rights*", "record_consent*", "start_session", "party_withdraws")),
    }
    ids = {}
    for offset, (name, (state, deadline, then)) in enumerate(plan.items()):
        ids[name] = drive_to(db, state=state, county=COUNTY, now=start + timedelta(hours=offset),
                             route=_designated(deadline, *then, milestones=MILESTONES if name == "open" else None))
    qiaotou = replace(sample_case_input(COUNTY), unit=COUNTY.village, title="桥头镇菇溪村宅基地边界纠纷")
    ids["qiaotou_overdue"] = drive_to(db, state="mediation.assigned", county=COUNTY, case_input=qiaotou,
                                      now=start + timedelta(hours=12), route=_designated(TODAY - timedelta(days=1)))
    return ids


def listed(page) -> list[tuple[int, str]]:
    return [(item.case.id, item.status) for item in page.items]


def test_orders_in_reach_with_status_at_now(db: Database, orders: dict[str, int]) -> None:
    page = list_orders(db, actor_for(db, "county_sup"), overdue=None, due_soon=None, now=NOW, page=1, page_size=50)
    assert listed(page) == [
        (orders["overdue"], "overdue"), (orders["qiaotou_overdue"], "overdue"),
        (orders["due_today"], "due_soon"), (orders["due_in_3"], "due_soon"), (orders["due_in_5"], "due_soon"),
        (orders["open"], "open"), (orders["closed"], "done"),
    ]
    assert page.total == 7 and (page.page, page.page_size) == (1, 50)
    by_case = {item.case.id: item for item in page.items}
    first = by_case[orders["overdue"]]
    assert first.deadline == TODAY - timedelta(days=2) and first.days_left == -2
    assert first.owner.username == "mediator1" and first.owner.name == "林调解"
    assert [u.code for u in first.co_units] == [COUNTY.grid, COUNTY.market_department]
    assert first.co_units[1].name == "永嘉县市场监督管理局"
    assert first.case.state == "mediation.assigned" and first.case.stage == "mediation"
    assert first.case.number.startswith("永嘉调〔2026〕") and first.case.unit.code == COUNTY.grid
    assert by_case[orders["open"]].milestones == MILESTONES and first.milestones == []
    assert by_case[orders["closed"]].case.state == "closed.withdrawn"
    assert by_case[orders["qiaotou_overdue"]].owner.username == "mediator2"
    assert isinstance(first.created_at, datetime)

    # Scoping: the town supervisor of 瓯北 sees none of 桥头镇's; 桥头镇's mediator only those.
    town = list_orders(db, actor_for(db, "supervisor1"), overdue=None, due_soon=None, now=NOW, page=1, page_size=50)
    assert orders["qiaotou_overdue"] not in {item.case.id for item in town.items} and town.total == 6
    village = list_orders(db, actor_for(db, "mediator2"), overdue=None, due_soon=None, now=NOW, page=1, page_size=50)
    assert listed(village) == [(orders["qiaotou_overdue"], "overdue")]
    assert list_orders(db, actor_for(db, "dept_rs"), overdue=None, due_soon=None, now=NOW, page=1,
                       page_size=50).total == 0


@pytest.mark.parametrize("overdue,due_soon,expected", [
    (True, None, ["overdue", "qiaotou_overdue"]),
    (None, True, ["due_today", "due_in_3", "due_in_5"]),
    (True, True, ["overdue", "qiaotou_overdue", "due_today", "due_in_3", "due_in_5"]),
    (False, None, ["due_today", "due_in_3", "due_in_5", "open", "closed"]),
    (None, False, ["overdue", "qiaotou_overdue", "open", "closed"]),
    (False, False, ["open", "closed"]),
    (True, False, ["overdue", "qiaotou_overdue"]),
])
def test_overdue_and_due_soon_filters(db: Database, orders: dict[str, int], overdue, due_soon, expected) -> None:
    page = list_orders(db, actor_for(db, "county_sup"), overdue=overdue, due_soon=due_soon, now=NOW, page=1,
                       page_size=50)
    assert [item.case.id for item in page.items] == [orders[name] for name in expected]
    assert page.total == len(expected)


def test_status_moves_with_now(db: Database, orders: dict[str, int]) -> None:
    county = actor_for(db, "county_sup")
    later = list_orders(db, county, overdue=None, due_soon=None, now=NOW + timedelta(days=4), page=1, page_size=50)
    assert dict(listed(later)) == {
        orders["overdue"]: "overdue", orders["qiaotou_overdue"]: "overdue", orders["due_today"]: "overdue",
        orders["due_in_3"]: "overdue", orders["due_in_5"]: "due_soon", orders["open"]: "due_soon",
        orders["closed"]: "done",
    }
    # The deadline day itself is not overdue: late in the evening (23:59 China time), still due soon.
    late = china_day_start(TODAY, end=True) - timedelta(minutes=1)
    evening = list_orders(db, county, overdue=True, due_soon=None, now=late, page=1, page_size=50)
    assert orders["due_today"] not in {item.case.id for item in evening.items}
    earlier = list_orders(db, county, overdue=None, due_soon=True, now=NOW - timedelta(days=30), page=1,
                          page_size=50)
    assert earlier.total == 0


def test_paging(db: Database, orders: dict[str, int]) -> None:
    county = actor_for(db, "county_sup")
    everything = list_orders(db, county, overdue=None, due_soon=None, now=NOW, page=1, page_size=200)
    pages = [list_orders(db, county, overdue=None, due_soon=None, now=NOW, page=n, page_size=3) for n in (1, 2, 3, 4)]
    assert [len(p.items) for p in pages] == [3, 3, 1, 0] and {p.total for p in pages} == {7}
    assert [item for p in pages for item in p.items] == everything.items
    with pytest.raises(InvalidData) as too_big:
        list_orders(db, county, overdue=None, due_soon=None, now=NOW, page=1, page_size=201)
    assert too_big.value.field == "page_size"
    with pytest.raises(InvalidData) as bad_page:
        list_orders(db, county, overdue=None, due_soon=None, now=NOW, page=0, page_size=10)
    assert bad_page.value.field == "page"


def _status(deadline: date, order_status: str, stage: str, today: date) -> str:
    if order_status == "done" or stage == "closed":
        return "done"
    if today > deadline:
        return "overdue"
    return "due_soon" if (deadline - today).days <= 5 else "open"


def test_demo_orders_match_an_independent_pass(db: Database) -> None:
    load_demo(db, now=NOW)
    with db.read() as connection:
        rows = connection.execute(sa.text(
            "SELECT o.id, o.deadline, o.status, o.co_units, c.stage, c.unit_path, c.mediator_id, c.department_id, "
            "c.court_id FROM orders o JOIN cases c ON c.id = o.case_id")).all()
    assert len(rows) >= 5
    for username in ("county_sup", "supervisor1", "mediator2", "mediator1"):
        actor = actor_for(db, username)
        mine = [r for r in rows if in_reach(actor, r)]
        statuses = {r.id: _status(date.fromisoformat(str(r.deadline)[:10]), r.status, r.stage, TODAY) for r in mine}
        page = list_orders(db, actor, overdue=None, due_soon=None, now=NOW, page=1, page_size=200)
        assert {item.id: item.status for item in page.items} == statuses, username
        assert all(len(item.co_units) == len(jsontext.loads(next(r.co_units for r in mine if r.id == item.id)))
                   for item in page.items)
        for overdue, due_soon, wanted in ((True, None, {"overdue"}), (None, True, {"due_soon"}),
                                          (False, False, {"open", "done"})):
            filtered = list_orders(db, actor, overdue=overdue, due_soon=due_soon, now=NOW, page=1, page_size=200)
            assert {item.id for item in filtered.items} == {i for i, s in statuses.items() if s in wanted}
    county = list_orders(db, actor_for(db, "county_sup"), overdue=None, due_soon=None, now=NOW, page=1,
                         page_size=200)
    assert county.total == len(rows)


def test_orders_endpoint(db: Database, database_url: str, orders: dict[str, int]) -> None:
    with TestClient(create_app(database_url)) as client:
        client.app.state.services.clock = lambda: NOW
        assert client.get("/api/v1/orders").status_code == 401
        answer = client.post("/api/v1/auth/token", json={"username": "county_sup", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}

        overdue = client.get("/api/v1/orders", params={"overdue": "true", "page_size": 1}, headers=headers)
        assert overdue.status_code == 200, overdue.text
        expected = list_orders(db, actor_for(db, "county_sup"), overdue=True, due_soon=None, now=NOW, page=1,
                               page_size=1)
        assert overdue.json() == msgspec.to_builtins(expected)
        assert overdue.json()["total"] == 2 and overdue.json()["items"][0]["case"]["id"] == orders["overdue"]
        item = msgspec.convert(overdue.json()["items"][0], OrderView)
        assert item.status == "overdue" and item.deadline == TODAY - timedelta(days=2)

        both = client.get("/api/v1/orders", params={"overdue": "true", "due_soon": "true"}, headers=headers)
        assert {i["status"] for i in both.json()["items"]} == {"overdue", "due_soon"} and both.json()["total"] == 5

        too_big = client.get("/api/v1/orders", params={"page_size": 201}, headers=headers)
        assert too_big.status_code == 400 and "page_size" in too_big.text
        not_bool = client.get("/api/v1/orders", params={"overdue": "maybe"}, headers=headers)
        assert not_bool.status_code == 400 and "overdue" in not_bool.text
