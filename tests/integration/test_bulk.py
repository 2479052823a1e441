"""fire_bulk on a real database: one transaction and one event per case; a refused case leaves the others done."""

from __future__ import annotations

from unittest import mock

import pytest

from mediation.cases import bulk
from mediation.cases.bulk import fire_bulk
from mediation.clock import utcnow
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import build_sample_county
from mediation.directory.accounts import actor_for
from mediation.errors import InvalidData


@pytest.fixture
def county_cases(db: Database) -> tuple[Database, list[int]]:
    county = build_sample_county(db)
    cases = [drive_to(db, state="screening.reported", county=county) for _ in range(50)]
    return db, cases


def _events(db: Database, case_ids: list[int]) -> dict[int, int]:
    with db.snapshot() as tx:
        rows = tx.all("SELECT case_id, count(*) FROM events GROUP BY case_id")
    counts = dict(rows)
    return {case_id: counts.get(case_id, 0) for case_id in case_ids}


def _versions(db: Database) -> dict[int, int]:
    with db.snapshot() as tx:
        return dict(tx.all("SELECT id, version FROM cases"))


def test_fifty_cases_fifty_transactions_one_event_each(county_cases) -> None:
    db, cases = county_cases
    before, versions = _events(db, cases), _versions(db)
    commits = []
    real_write = db.write

    def counted_write():
        commits.append(1)
        return real_write()

    with mock.patch.object(db, "write", side_effect=counted_write):
        outcomes = fire_bulk(db, actor=actor_for(db, "mediator1"), trigger="add_note", references=cases,
                             data={"text": "批量备注"}, now=utcnow())

    assert [outcome.status for outcome in outcomes] == [200] * 50
    assert len(commits) == 50  # each case its own write transaction
    after = _events(db, cases)
    assert all(after[case] == before[case] + 1 for case in cases)
    assert all(outcome.version == versions[outcome.case_id] + 1 for outcome in outcomes)


def test_a_failure_in_one_case_leaves_the_others_committed(county_cases) -> None:
    db, cases = county_cases
    chosen = cases[:5]
    before = _events(db, chosen)
    real = bulk.apply_transition

    def failing_on_third(db_, **kwargs):
        if kwargs["case_id"] == chosen[2]:
            raise InvalidData("data.text", "refused for the test")
        return real(db_, **kwargs)

    with mock.patch.object(bulk, "apply_transition", side_effect=failing_on_third):
        outcomes = fire_bulk(db, actor=actor_for(db, "mediator1"), trigger="add_note", references=chosen,
                             data={"text": "批量备注"}, now=utcnow())

    assert [outcome.status for outcome in outcomes] == [200, 200, 422, 200, 200]
    after = _events(db, chosen)
    assert [after[c] - before[c] for c in chosen] == [1, 1, 0, 1, 1]


def test_a_refused_request_changes_nothing(county_cases) -> None:
    db, cases = county_cases
    before = _events(db, cases)
    with pytest.raises(InvalidData) as refused:
        fire_bulk(db, actor=actor_for(db, "mediator1"), trigger="add_note", references=[*cases, cases[0]],
                  data={"text": "x"}, now=utcnow())
    assert refused.value.field == f"case_ids[{len(cases)}]"
    assert _events(db, cases) == before
