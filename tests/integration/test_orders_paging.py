"""The orders list read from its deadline index pages as the whole list orders it: overdue, due soon,
open, then done, each by deadline; a capped count says so."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from mediation.db import Database
from mediation.deadlines.orders import STATUSES, list_orders
from mediation.demo.dataset import load_demo
from mediation.directory.accounts import actor_for

NOW = datetime(2026, 3, 2, 9, 0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Database:
    from mediation.db.schema import upgrade_database

    url = f"sqlite:///{tmp_path_factory.mktemp('orders') / 'orders.db'}"
    upgrade_database(url)
    database = Database(url)
    load_demo(database, cases=120, seed=7, now=NOW)
    yield database
    database.dispose()


@pytest.mark.parametrize("later", [0, 20, 60], ids=["now", "20 days on", "60 days on"])
@pytest.mark.parametrize("overdue,due_soon", [(None, None), (True, None), (None, True), (False, None),
                                              (None, False), (True, True)])
def test_pages_follow_the_listing_order(demo: Database, later: int, overdue, due_soon) -> None:
    actor, now = actor_for(demo, "county_sup"), NOW + timedelta(days=later)
    whole = list_orders(demo, actor, overdue=overdue, due_soon=due_soon, now=now, page_size=200)
    keys = [(STATUSES.index(item.status), item.deadline, item.id) for item in whole.items]
    assert keys == sorted(keys) and whole.total == len(whole.items)
    paged = [item for page in range(1, whole.total // 3 + 2)
             for item in list_orders(demo, actor, overdue=overdue, due_soon=due_soon, now=now, page=page,
                                     page_size=3).items]
    assert paged == whole.items


def test_a_capped_count_is_marked(demo: Database) -> None:
    actor = actor_for(demo, "county_sup")
    whole = list_orders(demo, actor, now=NOW, page_size=200)
    assert whole.total > 2 and whole.total_exact
    capped = list_orders(demo, actor, now=NOW, page_size=2, count_limit=1)
    assert (capped.total, capped.total_exact) == (2, False) and capped.items == whole.items[:2]
