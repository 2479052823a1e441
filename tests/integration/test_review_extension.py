"""The court may extend its review once: the ruling deadline moves from 15 to 25 days.

Days are counted as the law counts them (民事诉讼法 art. 85, policy `count: civil_procedure`): accepted on
Monday 2 March (17:00 in China), day 15 is Tuesday 17 March, and the ten more days count on from it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from mediation.cases.engine import apply_transition
from mediation.deadlines.worker import run_until_idle
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import build_sample_county
from mediation.directory.accounts import actor_for
from mediation.errors import GuardFailed

START = datetime(2026, 3, 2, 9, 0)
MINUTE = timedelta(minutes=1)


def end_of_china_day(day: str) -> datetime:
    """24:00 China time (UTC+8) of `day`, as stored (naive UTC)."""
    return datetime.fromisoformat(f"{day}T16:00")


def _ruling_due(db, case_id):
    with db.read() as connection:
        return connection.execute(sa.text(
            "SELECT due_at FROM deadlines WHERE case_id = :c AND kind = 'court_ruling' AND status = 'pending'"
        ), {"c": case_id}).scalars().all()


def test_extending_the_review_moves_the_ruling_deadline_by_ten_days_once(db) -> None:
    county = build_sample_county(db)
    case_id = drive_to(db, state="court.under_review", county=county, now=START, step=timedelta(0))
    (due,) = _ruling_due(db, case_id)
    due = due if isinstance(due, datetime) else datetime.fromisoformat(due)
    assert due == end_of_china_day("2026-03-17")
    court = actor_for(db, "court1")
    with db.read() as connection:
        version = connection.execute(sa.text("SELECT version FROM cases WHERE id = :c"), {"c": case_id}).scalar()
    result = apply_transition(db, case_id=case_id, trigger="extend_review", actor=court,
                              data={"reason": "案情复杂"}, expected_version=version, now=START + timedelta(days=5))
    (moved,) = _ruling_due(db, case_id)
    moved = moved if isinstance(moved, datetime) else datetime.fromisoformat(moved)
    assert moved == end_of_china_day("2026-03-27")
    with pytest.raises(GuardFailed, match="extended once already"):
        apply_transition(db, case_id=case_id, trigger="extend_review", actor=court, data={"reason": "再次延长"},
                         expected_version=result.version, now=START + timedelta(days=6))


def extended_ruling_due(db, county, accepted: datetime) -> tuple[datetime, datetime]:
    case_id = drive_to(db, state="court.under_review", county=county, now=accepted, step=timedelta(0))
    (due,) = _ruling_due(db, case_id)
    with db.read() as connection:
        version = connection.execute(sa.text("SELECT version FROM cases WHERE id = :c"), {"c": case_id}).scalar()
    apply_transition(db, case_id=case_id, trigger="extend_review", actor=actor_for(db, "court1"),
                     data={"reason": "案情复杂"}, expected_version=version, now=accepted + timedelta(days=1))
    (moved,) = _ruling_due(db, case_id)
    return tuple(value if isinstance(value, datetime) else datetime.fromisoformat(value) for value in (due, moved))


def test_an_extension_counts_on_from_a_last_day_moved_past_a_holiday(db) -> None:
    """Accepted on 16 September: day 15 is National Day, so the end of Thursday 8 October; ten more days
    end on Sunday 18 October, so the end of Monday 19 October."""
    due, moved = extended_ruling_due(db, build_sample_county(db), datetime(2026, 9, 16, 2, 0))
    assert (due, moved) == (end_of_china_day("2026-10-08"), end_of_china_day("2026-10-19"))


def test_the_extended_ruling_is_supervised_at_0000_after_its_last_day(db) -> None:
    _, moved = extended_ruling_due(db, build_sample_county(db), START)
    assert moved == end_of_china_day("2026-03-27")
    assert run_until_idle(db, now=moved - MINUTE).claimed == 0  # 23:59 of 27 March in China
    assert run_until_idle(db, now=moved).outcomes == {"fired": 1}
