"""A key-case order due on date D is overdue from 00:00 China time of D+1 (DESIGN §9.1), due soon from
00:00 China time of D − N: through the worker's timers and through GET /api/v1/orders with the server clock.

China time is UTC+8: 00:00 China time of 2026-04-02 is 16:00 UTC of 2026-04-01.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from litestar.testing import TestClient

from mediation.app import create_app
from mediation.db import Database, parse_timestamp
from mediation.db.models import Deadline, Event
from mediation.deadlines.orders import list_orders
from mediation.deadlines.worker import run_until_idle
from mediation.demo.case_paths import TRIAGED, drive_to
from mediation.demo.sample_county import PASSWORD, SampleCounty
from mediation.directory.accounts import actor_for
from mediation.metrics.figures import case_metrics

pytest_plugins = ["sample_databases"]

COUNTY = SampleCounty()
DEADLINE = date(2026, 4, 1)
DESIGNATED = datetime(2026, 3, 2, 2, 0)  # 10:00 China time
LAST_MINUTE_OF_D = datetime(2026, 4, 1, 15, 59)  # 23:59 China time of D
MIDNIGHT_AFTER_D = datetime(2026, 4, 1, 16, 0)  # 00:00 China time of D+1
DUE_SOON_FROM = datetime(2026, 3, 26, 16, 0)  # 00:00 China time of D − 5 (2026-03-27)
KEY_CASE = (*TRIAGED, ("designate_key_case", {"deadline": DEADLINE.isoformat(), "owner": "mediator1"}))


def _key_case(db: Database) -> int:
    return drive_to(db, state="screening.triaged", county=COUNTY, now=DESIGNATED, route=KEY_CASE,
                    step=timedelta(0))


def _pending(db: Database, case_id: int, kind: str) -> list[datetime]:
    with db.read() as connection:
        rows = connection.execute(sa.select(Deadline.due_at).where(
            Deadline.case_id == case_id, Deadline.kind == kind, Deadline.status == "pending")).all()
    return [parse_timestamp(row[0]) for row in rows]


def _supervised(db: Database, case_id: int) -> list[datetime]:
    with db.read() as connection:
        rows = connection.execute(sa.select(Event.at).where(
            Event.case_id == case_id, Event.trigger == "supervise", Event.actor == "system")).all()
    return [parse_timestamp(row[0]) for row in rows]


def _status(db: Database, case_id: int, now: datetime) -> tuple[str, int]:
    page = list_orders(db, actor_for(db, "county_sup"), now=now, page=1, page_size=200)
    (item,) = [item for item in page.items if item.case.id == case_id]
    return item.status, item.days_left


def test_the_order_timers_fall_at_china_midnight(county_db: Database) -> None:
    case_id = _key_case(county_db)
    assert _pending(county_db, case_id, "order_due_soon") == [DUE_SOON_FROM]
    assert _pending(county_db, case_id, "order_overdue") == [MIDNIGHT_AFTER_D]


def test_the_worker_supervises_an_order_at_00_00_china_time_after_its_deadline(county_db: Database) -> None:
    case_id = _key_case(county_db)
    run_until_idle(county_db, now=DUE_SOON_FROM - timedelta(minutes=1))
    assert _pending(county_db, case_id, "order_due_soon") == [DUE_SOON_FROM]
    run_until_idle(county_db, now=DUE_SOON_FROM)
    assert _pending(county_db, case_id, "order_due_soon") == []

    run_until_idle(county_db, now=LAST_MINUTE_OF_D)
    assert _supervised(county_db, case_id) == [] and _pending(county_db, case_id, "order_overdue")
    run_until_idle(county_db, now=MIDNIGHT_AFTER_D)
    assert _supervised(county_db, case_id) == [MIDNIGHT_AFTER_D]


def test_the_orders_list_counts_china_days(county_db: Database) -> None:
    case_id = _key_case(county_db)
    assert _status(county_db, case_id, DUE_SOON_FROM - timedelta(minutes=1)) == ("open", 6)
    assert _status(county_db, case_id, DUE_SOON_FROM) == ("due_soon", 5)
    assert _status(county_db, case_id, LAST_MINUTE_OF_D) == ("due_soon", 0)
    assert _status(county_db, case_id, MIDNIGHT_AFTER_D) == ("overdue", -1)
    # 07:59 China time of D: still D in China, though UTC says the day before.
    assert _status(county_db, case_id, datetime(2026, 3, 31, 23, 59)) == ("due_soon", 0)


def test_the_dashboard_counts_orders_by_china_days(county_db: Database) -> None:
    _key_case(county_db)
    counts = {moment: _dashboard_orders(county_db, moment) for moment in (LAST_MINUTE_OF_D, MIDNIGHT_AFTER_D)}
    assert counts[LAST_MINUTE_OF_D] == (0, 1)
    assert counts[MIDNIGHT_AFTER_D] == (1, 0)


def _dashboard_orders(db: Database, now: datetime) -> tuple[int, int]:
    overdue = case_metrics(db, actor_for(db, "county_sup"), now=now).overdue
    return overdue.orders_overdue, overdue.orders_due_soon


def test_get_orders_with_the_server_clock(county_db: Database, county_url: str) -> None:
    case_id = _key_case(county_db)
    with TestClient(create_app(county_url)) as client:
        answer = client.post("/api/v1/auth/token", json={"username": "county_sup", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        for now, status, days_left in ((LAST_MINUTE_OF_D, "due_soon", 0), (MIDNIGHT_AFTER_D, "overdue", -1)):
            client.app.state.services.clock = lambda now=now: now
            page = client.get("/api/v1/orders", params={"page_size": 200}, headers=headers).json()
            (item,) = [item for item in page["items"] if item["case"]["id"] == case_id]
            assert (item["status"], item["days_left"]) == (status, days_left), now
            overdue = client.get("/api/v1/orders", params={"overdue": "true", "page_size": 200}, headers=headers)
            assert (case_id in {i["case"]["id"] for i in overdue.json()["items"]}) == (status == "overdue")
