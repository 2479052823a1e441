"""The court may extend its review once: the ruling deadline moves from 15 to 25 days."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from mediation.cases.engine import apply_transition
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import build_sample_county
from mediation.directory.accounts import actor_for
from mediation.errors import GuardFailed

START = datetime(2026, 3, 2, 9, 0)


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
    assert due == START + timedelta(days=15)
    court = actor_for(db, "court1")
    with db.read() as connection:
        version = connection.execute(sa.text("SELECT version FROM cases WHERE id = :c"), {"c": case_id}).scalar()
    result = apply_transition(db, case_id=case_id, trigger="extend_review", actor=court,
                              data={"reason": "案情复杂"}, expected_version=version, now=START + timedelta(days=5))
    (moved,) = _ruling_due(db, case_id)
    moved = moved if isinstance(moved, datetime) else datetime.fromisoformat(moved)
    assert moved == START + timedelta(days=25)
    with pytest.raises(GuardFailed, match="extended once already"):
        apply_transition(db, case_id=case_id, trigger="extend_review", actor=court, data={"reason": "再次延长"},
                         expected_version=result.version, now=START + timedelta(days=6))
