"""The case list's reach, read two ways: a reach whose own subtree holds few cases (a community's mediator)
is listed through the indexes of each way a case comes in reach; a large one walks the cases newest first.
Both give every user the same cases, in the same order, with the same total, as the access rule says."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from mediation.cases import views
from mediation.cases.access import in_reach
from mediation.cases.capped_counts import CappedCounts
from mediation.cases.views import CaseFilters, list_cases, list_reach_clause
from mediation.db import Database
from mediation.demo.dataset import load_demo
from mediation.demo.sample_county import USERS
from mediation.directory.accounts import actor_for

NOW = datetime(2026, 3, 2, 9, 0)
FILTERS = {"all": CaseFilters(page_size=200), "page 2": CaseFilters(page=2, page_size=3),
           "stage": CaseFilters(stage="mediation", page_size=200), "search": CaseFilters(q="纠纷", page_size=200),
           "overdue": CaseFilters(overdue=True, page_size=200), "unit": CaseFilters(unit="330324001001", page_size=200)}


@pytest.fixture(scope="module")
def demo(module_db: Database) -> Database:
    """The demo's cases, read by every test of the module."""
    database = module_db
    load_demo(database, cases=60, seed=7, now=NOW)
    with database.write() as tx:  # one case of another community shared with the market regulator's unit
        tx.execute("INSERT INTO case_shares (case_id, unit_id, reason, shared_by, created_at) SELECT "
                   "(SELECT max(id) FROM cases WHERE unit_path NOT LIKE :community), "
                   "(SELECT id FROM units WHERE code = '330324-SJ'), 'reach test', 'admin', :now", {"now": NOW, "community": "%/330324001001/%"})
    return database


def _listed(db: Database, username: str, filters: CaseFilters, sparse_reach: int, monkeypatch) -> tuple:
    monkeypatch.setattr(views, "SPARSE_REACH", sparse_reach)
    monkeypatch.setattr(views, "capped_counts", CappedCounts())
    page = list_cases(db, actor_for(db, username), filters, NOW)
    return [item.id for item in page.items], page.total


@pytest.mark.parametrize("username", [user[0] for user in USERS])
def test_both_readings_of_a_reach_list_the_same_cases(demo: Database, username: str, monkeypatch) -> None:
    for name, filters in FILTERS.items():
        walked = _listed(demo, username, filters, -1, monkeypatch)  # every reach read by walking the cases
        indexed = _listed(demo, username, filters, 10**9, monkeypatch)  # every reach read through the indexes
        assert indexed == walked, name


@pytest.mark.parametrize("username", [user[0] for user in USERS])
def test_the_list_holds_exactly_the_cases_in_reach(demo: Database, username: str, monkeypatch) -> None:
    actor = actor_for(demo, username)
    with demo.snapshot() as tx:
        cases = tx.all("SELECT id, unit_path, mediator_id, department_id, court_id FROM cases ORDER BY id DESC")
        shared = {row[0] for row in tx.all("SELECT case_id FROM case_shares WHERE unit_id = :u",
                                           {"u": actor.unit_id or -1})}
    rows = [SimpleNamespace(id=row[0], unit_path=row[1], mediator_id=row[2], department_id=row[3], court_id=row[4])
            for row in cases]
    expected = [row.id for row in rows if in_reach(actor, row) or row.id in shared]
    assert _listed(demo, username, FILTERS["all"], 10**9, monkeypatch) == (expected, len(expected))


def test_a_community_is_read_through_the_indexes_and_the_county_by_walking(demo: Database, monkeypatch) -> None:
    monkeypatch.setattr(views, "capped_counts", CappedCounts())
    with demo.snapshot() as tx:
        cases = tx.one("SELECT count(*) FROM cases")[0]
        monkeypatch.setattr(views, "SPARSE_REACH", cases - 1)  # the county reaches every case
        community = list_reach_clause(tx, actor_for(demo, "mediator2"), {})
        county = list_reach_clause(tx, actor_for(demo, "county_sup"), {})
    assert community.startswith("c.id IN (SELECT" if demo.is_sqlite else "c.id = ANY(ARRAY(SELECT")
    assert county == views.reach_clause(actor_for(demo, "county_sup"), {})
