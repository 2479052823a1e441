"""The orders list read from its deadline index pages as the whole list orders it: overdue, due soon,
open, then done, each by deadline; its total, summed from the kept counts, counts every order in reach."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from mediation.db import Database
from mediation.deadlines.orders import STATUSES, list_orders, wanted_statuses
from mediation.demo.dataset import load_demo
from mediation.directory.accounts import actor_for

NOW = datetime(2026, 3, 2, 9, 0)


@pytest.fixture(scope="module")
def demo(module_db: Database) -> Database:
    """The demo's cases, read by every test of the module."""
    load_demo(module_db, cases=120, seed=7, now=NOW)
    return module_db


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


@pytest.mark.parametrize("username", ["county_sup", "supervisor1", "mediator2", "dept_rs"])
@pytest.mark.parametrize("later", [0, 60], ids=["now", "60 days on"])
def test_the_total_is_every_order_in_reach_of_each_status(demo: Database, username: str, later: int) -> None:
    """The total, summed from the kept counts, is what counting the orders in reach of each status gives."""
    actor, now = actor_for(demo, username), NOW + timedelta(days=later)
    everything = list_orders(demo, actor, now=now, page_size=200)
    assert everything.total == len(everything.items) and everything.total_exact
    for overdue, due_soon in [(True, None), (None, True), (False, False)]:
        found = list_orders(demo, actor, overdue=overdue, due_soon=due_soon, now=now, page_size=200)
        wanted = wanted_statuses(overdue, due_soon)
        assert found.total == len(found.items) == sum(item.status in wanted for item in everything.items)
