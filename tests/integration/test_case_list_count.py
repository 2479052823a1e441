"""The board's capped count: `list_cases(…, count_limit=N)` is exact up to N and N + 1 above it."""

from __future__ import annotations

from datetime import datetime

import pytest

from mediation.cases.views import CaseFilters, list_cases
from mediation.db import Database
from mediation.demo.dataset import load_demo
from mediation.directory.accounts import actor_for

NOW = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def demo(db: Database) -> Database:
    load_demo(db, cases=24, seed=7, now=NOW)
    return db


@pytest.mark.parametrize("filters", [CaseFilters(page_size=5), CaseFilters(stage="mediation", page_size=5),
                                     CaseFilters(q="zzz-no-such-case"), CaseFilters(page=3, page_size=4)],
                         ids=["all", "stage", "none", "page 3"])
@pytest.mark.parametrize("username", ["county_sup", "mediator1"])
def test_capped_count_is_exact_below_the_cap_and_cap_plus_one_above(demo: Database, username: str,
                                                                    filters: CaseFilters) -> None:
    actor = actor_for(demo, username)
    exact = list_cases(demo, actor, filters, NOW)
    assert exact.total > 0 or filters.q
    for limit in sorted({0, 1, 3, exact.total - 1, exact.total, exact.total + 1, 10_000} - {-1}):
        capped = list_cases(demo, actor, filters, NOW, count_limit=limit)
        assert capped.total == min(exact.total, limit + 1), limit
        assert capped.items == exact.items and (capped.page, capped.page_size) == (exact.page, exact.page_size)


def test_the_api_counts_every_match(demo: Database) -> None:
    actor = actor_for(demo, "county_sup")
    with demo.snapshot() as tx:
        cases = tx.one("SELECT count(*) FROM cases")[0]
    assert list_cases(demo, actor, CaseFilters(page_size=1), NOW).total == cases  # the county sees every case


def test_a_list_found_over_the_cap_is_not_counted_again_for_a_while(demo: Database, monkeypatch) -> None:
    """Once a list matched more than the cap, loads within HOLD_SECONDS say so without counting; a lower
    count is counted every time, and after the hold the list is counted again."""
    from mediation.cases import capped_counts as remembered

    clock = [1000.0]
    monkeypatch.setattr(remembered.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(remembered, "capped_counts", remembered.CappedCounts())
    monkeypatch.setattr("mediation.cases.views.capped_counts", remembered.capped_counts)
    actor = actor_for(demo, "county_sup")
    exact = list_cases(demo, actor, CaseFilters(), NOW).total
    assert list_cases(demo, actor, CaseFilters(), NOW, count_limit=exact - 1).total == exact  # over: cap + 1
    with demo.write() as tx:  # every case but one leaves the county's board (a test tampering on purpose)
        tx.execute("UPDATE cases SET unit_path = '/elsewhere/' WHERE id > (SELECT min(id) FROM cases)")
    assert list_cases(demo, actor, CaseFilters(), NOW, count_limit=exact - 1).total == exact  # remembered
    assert list_cases(demo, actor, CaseFilters(), NOW, count_limit=exact).total == 1  # another cap: counted
    clock[0] += remembered.HOLD_SECONDS + 1
    assert list_cases(demo, actor, CaseFilters(), NOW, count_limit=exact - 1).total == 1  # counted again
