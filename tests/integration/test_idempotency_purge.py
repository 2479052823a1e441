"""Stored Idempotency-Key answers are kept for the policy's retry window, then the worker deletes them.

A retry inside the window is answered from the store; once the window is over the answer is
purged in small batches by the worker (`WorkerLoop`), so the table stops growing with the load,
and a retry of a purged key is simply a new request (here: stale, 409, since the case moved on).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from mediation.cases.engine import apply_transition
from mediation.cases.idempotency import answer_retention, purge_answers
from mediation.cases.intake import CaseInput, PartyInput
from mediation.db import Database
from mediation.deadlines.loop import WorkerLoop
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for
from mediation.errors import StaleCase
from mediation.workflows.loader import current_definition

pytest_plugins = ["sample_databases"]  # the county database fixtures

T0 = datetime(2026, 3, 2, 9, 0)
DAY = timedelta(hours=24)


def raise_and_lower(db: Database, case_id: int, *, start: datetime, count: int, prefix: str) -> list[int]:
    """`count` risk changes under keys `prefix-0`, `prefix-1`, … a minute apart; the versions they expected."""
    mediator = actor_for(db, "mediator1")
    expected = []
    for i in range(count):
        with db.read() as connection:
            version, risk = connection.execute(sa.text("SELECT version, risk_level FROM cases WHERE id = :id"),
                                               {"id": case_id}).one()
        level, trigger = ("low", "lower_risk") if risk == "high" else ("high", "raise_risk")
        apply_transition(db, case_id=case_id, trigger=trigger, actor=mediator,
                         data={"risk_level": level, "reason": f"第{i + 1}次评估"}, expected_version=version,
                         idempotency_key=f"{prefix}-{i}", now=start + timedelta(minutes=i))
        expected.append(version)
    return expected


def stored_keys(db: Database) -> list[str]:
    with db.read() as connection:
        return sorted(connection.execute(sa.text("SELECT key FROM idempotency_keys")).scalars())


def neighbours(county: SampleCounty) -> CaseInput:
    """A neighbour dispute in 江北社区's first grid (no ID numbers: none are needed here)."""
    return CaseInput(title="王某与赵某邻里纠纷", channel="grid_screening", unit=county.grid,
                     category="neighbour", description="王某反映楼上赵某家夜间噪音扰民，双方多次争吵。",
                     parties=[PartyInput("王某", "applicant", phone="13857712345"),
                              PartyInput("赵某", "respondent", phone="13905771234")])


@pytest.fixture
def case_id(county_db: Database) -> int:
    return drive_to(county_db, state="mediation.in_session", county=SampleCounty(), now=T0 - timedelta(days=3),
                    case_input=neighbours(SampleCounty()))


def test_the_policy_keeps_answers_a_day() -> None:
    assert answer_retention(current_definition().policy) == DAY
    assert answer_retention({}) == DAY  # the default when a policy says nothing
    assert answer_retention({"idempotency": {"retention": {"hours": 2}}}) == timedelta(hours=2)


def test_answers_older_than_the_window_are_purged_and_younger_ones_kept(county_db: Database, case_id: int) -> None:
    raise_and_lower(county_db, case_id, start=T0, count=3, prefix="old")
    raise_and_lower(county_db, case_id, start=T0 + DAY, count=2, prefix="new")

    purged = purge_answers(county_db, older_than=T0 + DAY - timedelta(seconds=1), limit=100)
    assert purged == 3
    assert stored_keys(county_db) == ["new-0", "new-1"]
    assert purge_answers(county_db, older_than=T0 + DAY - timedelta(seconds=1), limit=100) == 0


def test_a_purge_deletes_at_most_its_limit(county_db: Database, case_id: int) -> None:
    raise_and_lower(county_db, case_id, start=T0, count=5, prefix="old")
    assert purge_answers(county_db, older_than=T0 + DAY, limit=2) == 2
    assert stored_keys(county_db) == ["old-2", "old-3", "old-4"]
    assert purge_answers(county_db, older_than=T0 + DAY, limit=2) == 2
    assert purge_answers(county_db, older_than=T0 + DAY, limit=2) == 1
    assert stored_keys(county_db) == []


def test_a_retry_inside_the_window_is_replayed_and_after_the_purge_is_a_new_request(
    county_db: Database, case_id: int
) -> None:
    expected = raise_and_lower(county_db, case_id, start=T0, count=2, prefix="k")
    mediator = actor_for(county_db, "mediator1")

    def retry_first(at: datetime):
        return apply_transition(county_db, case_id=case_id, trigger="raise_risk", actor=mediator,
                                data={"risk_level": "high", "reason": "第1次评估"}, expected_version=expected[0],
                                idempotency_key="k-0", now=at)

    loop = WorkerLoop(county_db)
    loop.once(T0 + DAY - timedelta(minutes=5))  # inside the window: nothing purged
    assert stored_keys(county_db) == ["k-0", "k-1"]
    assert retry_first(T0 + DAY - timedelta(minutes=4)).replayed

    loop.once(T0 + DAY + timedelta(minutes=1))  # k-0 is a day and a minute old, k-1 a day exactly
    assert stored_keys(county_db) == ["k-1"]
    with pytest.raises(StaleCase):  # no stored answer: applied anew, against a version long gone
        retry_first(T0 + DAY + timedelta(minutes=2))


def test_the_running_worker_purges_in_batches_between_its_other_work(county_db: Database, case_id: int) -> None:
    raise_and_lower(county_db, case_id, start=T0, count=5, prefix="old")
    raise_and_lower(county_db, case_id, start=T0 + 2 * DAY, count=1, prefix="new")
    clock = [T0 + 2 * DAY + timedelta(hours=1)]
    loop = WorkerLoop(county_db, clock=lambda: clock[0], purge_batch=2)

    loop._pass()
    assert len(stored_keys(county_db)) == 4  # one batch of two per pass
    loop._pass()
    loop._pass()
    assert stored_keys(county_db) == ["new-0"]
    assert loop.total.outcomes["purged"] == 5
