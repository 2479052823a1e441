"""Return visits on schedule (DESIGN §9.2), judged without a database: the rule, China's days, the guard.

Follow-up starting on 2 March 2026 at 17:00 China time (09:00 UTC) makes 2 March day 0; the visit
scheduled at +7 days counts from day 6 (8 March, China time), the one at +30 from day 29 (31 March).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from mediation.workflows.case_state import CaseState
from mediation.workflows.effects import EFFECTS
from mediation.workflows.guards import GUARDS
from mediation.workflows.loader import current_definition
from mediation.workflows.refusals import Refusal, render_refusal
from mediation.workflows.return_visits import (
    EARLY,
    EXTRA,
    ON_SCHEDULE,
    china_day,
    counts_from,
    early_tolerance_days,
    follow_up_start,
    mark_visits,
)

POLICY = current_definition().policy
START = datetime(2026, 3, 2, 9, 0)  # UTC: 17:00 in China
CHINA = timedelta(hours=8)


def in_english(refusal: Refusal) -> str:
    return render_refusal(current_definition(), "visits_complete_and_stable", refusal, "en", {})


def china(text: str) -> datetime:
    """A China wall-clock time as stored (naive UTC)."""
    return datetime.fromisoformat(text) - CHINA


def kinds(policy, since, *moments) -> list[tuple[str, int | None]]:
    return [(mark.schedule, mark.slot) for mark in mark_visits(policy, since, moments)]


def test_the_policy_schedules_two_visits_counting_from_the_day_before() -> None:
    assert [entry["days"] for entry in POLICY["return_visits"]["schedule"]] == [7, 30]
    assert early_tolerance_days(POLICY) == 1
    assert early_tolerance_days({"return_visits": {"schedule": []}}) == 1  # the default
    assert (counts_from(POLICY, START, 1), counts_from(POLICY, START, 2)) == (date(2026, 3, 8), date(2026, 3, 31))


def test_days_are_china_calendar_days() -> None:
    assert china_day(datetime(2026, 3, 7, 15, 59)) == date(2026, 3, 7)
    assert china_day(datetime(2026, 3, 7, 16, 0)) == date(2026, 3, 8)
    assert china_day("2026-03-07T16:00:00+00:00") == date(2026, 3, 8)
    # Follow-up started late in the China evening: day 0 is the next UTC date's China day.
    late = china("2026-03-02T23:30")
    assert kinds(POLICY, late, china("2026-03-07T23:59"), china("2026-03-08T00:00")) == [
        (EARLY, 1), (ON_SCHEDULE, 1)]


def test_visits_in_the_first_minute_are_early_and_fill_nothing() -> None:
    assert kinds(POLICY, START, START + timedelta(seconds=20), START + timedelta(seconds=40)) == [
        (EARLY, 1), (EARLY, 1)]


def test_an_early_visit_is_extra_and_the_scheduled_ones_count_on_their_days() -> None:
    marks = mark_visits(POLICY, START, [china("2026-03-04T10:00"), china("2026-03-07T23:59"),
                                        china("2026-03-08T00:00"), china("2026-03-30T23:59"),
                                        china("2026-03-31T00:00"), china("2026-04-20T09:00")])
    assert [(m.schedule, m.slot, m.day) for m in marks] == [
        (EARLY, 1, 2), (EARLY, 1, 5), (ON_SCHEDULE, 1, 6), (EARLY, 2, 28), (ON_SCHEDULE, 2, 29), (EXTRA, None, 49)]


def test_a_late_first_visit_fills_only_the_first_scheduled_one() -> None:
    assert kinds(POLICY, START, china("2026-04-10T09:00"), china("2026-04-10T10:00")) == [
        (ON_SCHEDULE, 1), (ON_SCHEDULE, 2)]


def test_the_tolerance_is_the_policy_authors() -> None:
    strict = {**POLICY, "return_visits": {**POLICY["return_visits"], "early_tolerance_days": 0}}
    assert kinds(strict, START, china("2026-03-08T12:00"), china("2026-03-09T00:00")) == [
        (EARLY, 1), (ON_SCHEDULE, 1)]


def test_where_follow_up_started_is_kept_or_found() -> None:
    assert follow_up_start({"tracking_since": "2026-03-02T09:00:00", "confirmed_at": "2026-01-01T00:00:00"}) \
        == "2026-03-02T09:00:00"
    # A case that entered follow-up under an earlier definition: the latest moment on the way in.
    assert follow_up_start({"agreement": {"effective_at": "2026-02-01T09:00:00"},
                            "confirmed_at": "2026-02-20T09:00:00"}) == "2026-02-20T09:00:00"
    assert follow_up_start({"feedback": {"outcome": "resolved"}}) is None
    # … and with no such moment, visits fill the schedule in order, as that definition counted them.
    assert kinds(POLICY, None, START, START) == [(ON_SCHEDULE, 1), (ON_SCHEDULE, 2)]


def tracking_case(**progress) -> CaseState:
    return CaseState(id=1, state="follow_up.tracking", unit_id=1, unit_path="/1/", policy=POLICY,
                     progress=dict(progress))


def visit(case: CaseState, at: datetime, outcome: str = "stable") -> dict:
    case.now, case.data = at, {"outcome": outcome, "notes": "回访"}
    EFFECTS["record_visit"](case)
    return case.progress["visits"][-1]


def test_entering_follow_up_starts_the_schedule_and_a_visit_keeps_how_it_counts() -> None:
    case = tracking_case(visits=[{"outcome": "stable", "at": "2026-01-05T09:00:00"}])  # an earlier stay's
    case.now = START
    EFFECTS["start_return_visits"](case)
    assert case.progress["tracking_since"] == START.isoformat() and "visits" not in case.progress

    assert visit(case, START + timedelta(minutes=1)) == {
        "outcome": "stable", "at": (START + timedelta(minutes=1)).isoformat(), "schedule": EARLY, "slot": 1, "day": 0}
    assert visit(case, china("2026-03-08T09:00"))["schedule"] == ON_SCHEDULE


def test_the_closure_guard_wants_every_scheduled_visit_on_schedule_and_the_last_stable() -> None:
    check = GUARDS["visits_complete_and_stable"]
    case = tracking_case(tracking_since=START.isoformat())
    visit(case, START + timedelta(seconds=30))
    visit(case, START + timedelta(seconds=60))
    assert check(case) == Refusal("visits_missing_early", filled=0, scheduled=2, next=1, date=date(2026, 3, 8),
                                  early=2)
    assert in_english(check(case)) == ("0 of 2 scheduled return visits recorded on schedule; visit 1 counts from "
                                       "2026-03-08 (2 recorded earlier kept as extra)")
    visit(case, china("2026-03-08T09:00"))
    assert check(case) == Refusal("visits_missing_early", filled=1, scheduled=2, next=2, date=date(2026, 3, 31),
                                  early=2)
    visit(case, china("2026-03-31T09:00"), outcome="recurred")
    assert check(case) == Refusal("last_visit_recurred")
    visit(case, china("2026-04-03T09:00"))
    assert check(case) is None


@pytest.mark.parametrize("trigger", ["record_oral_agreement", "start_follow_up", "confirm_feedback", "confirm"])
def test_every_way_into_follow_up_starts_the_return_visits(trigger: str) -> None:
    definition = current_definition()
    into = [spec for spec in definition.triggers[trigger].transitions if spec.dest == "follow_up.tracking"]
    assert into and all("start_return_visits" in spec.effects for spec in into)
    every = {spec.trigger for t in definition.triggers.values() for spec in t.transitions
             if spec.dest == "follow_up.tracking" and spec.source != "follow_up.tracking"}
    assert every == {"record_oral_agreement", "start_follow_up", "confirm_feedback", "confirm"}
