"""The timer worker against policy.yaml, on an injected clock: every deadline fires at its moment.

Each test drives real cases through the engine (`drive_to`), then runs the worker
(`run_until_idle`) at explicit moments: a minute before a deadline nothing happens, at the
deadline its action is carried out once, as the `system` actor, through the engine. Expected
due moments are written out by hand from the 2026 State Council holiday notice (checked
against `chinese_calendar`), never computed with `mediation.workflows.calendar`.

Times are naive UTC, as stored. Working days are China's (UTC+8): a working-day deadline
ends at 24:00 China time of its last working day, 16:00 UTC (`end_of_china_day`).

A reminder (`remind`) is a notice in the outbox and leaves no event; a trigger or a
supervision (`supervise`, 督办) is an event by `system` whose hash chains like any other.

2026 facts used below: Spring Festival 15–23 Feb off, Sat 14 Feb and Sat 28 Feb worked;
Labour Day 1–5 May off, Sat 9 May worked; Mid-autumn Fri 25 Sep off; National Day 1–7 Oct
off, Sun 20 Sep and Sat 10 Oct worked. A year the package lacks is estimated (Monday to
Friday without the fixed-date holidays) unless entered in the holidays file.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediation import jsontext
from mediation.cases.audit import verify_case
from mediation.cli import app
from mediation.db import Database, parse_timestamp
from mediation.db.models import Case, Deadline, Event, Order, OutboxMessage
from mediation.deadlines.worker import run_until_idle
from mediation.demo.case_paths import ASSIGNED, TRIAGED, drive_to, fire
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for
from mediation.errors import GuardFailed
from mediation.workflows.calendar import arrangements
from mediation.workflows.loader import current_definition
from tests.calendar_years import package_lacks

pytest_plugins = ["sample_databases"]  # county_db, county_url: a copy of the sample county per test

COUNTY = SampleCounty()
MINUTE = timedelta(minutes=1)
CHINA = timedelta(hours=8)  # China Standard Time, UTC+8 all year
ON_SCENE: tuple = (*TRIAGED, "mediate_on_scene")


# ---------------------------------------------------------------------- reading the database
def _all(db: Database, query) -> list[Any]:
    with db.read() as connection:
        return list(connection.execute(query).all())


def case_of(db: Database, case_id: int) -> Any:
    return _all(db, sa.select(Case).where(Case.id == case_id))[0]


def deadlines(db: Database, case_id: int, kind: str | None = None) -> list[Any]:
    query = sa.select(Deadline).where(Deadline.case_id == case_id)
    if kind:
        query = query.where(Deadline.kind == kind)
    return _all(db, query.order_by(Deadline.id))


def pending_due(db: Database, case_id: int, kind: str) -> datetime:
    """The due moment of the one pending deadline of `kind`."""
    rows = [d for d in deadlines(db, case_id, kind) if d.status == "pending"]
    assert len(rows) == 1, [(d.kind, d.status, d.due_at) for d in deadlines(db, case_id)]
    return parse_timestamp(rows[0].due_at)


def events(db: Database, case_id: int) -> list[Any]:
    return _all(db, sa.select(Event).where(Event.case_id == case_id).order_by(Event.seq))


def system_events(db: Database, case_id: int, trigger: str | None = None) -> list[Any]:
    return [e for e in events(db, case_id) if e.actor == "system" and trigger in (None, e.trigger)]


def outbox(db: Database, case_id: int, topic: str) -> list[Any]:
    return _all(db, sa.select(OutboxMessage).where(OutboxMessage.case_id == case_id, OutboxMessage.topic == topic)
                .order_by(OutboxMessage.id))


def reminders(db: Database, case_id: int, kind: str) -> list[dict]:
    return [jsontext.loads(m.payload) for m in outbox(db, case_id, "reminder")
            if jsontext.loads(m.payload).get("deadline") == kind]


def order_status(db: Database, case_id: int) -> str:
    return _all(db, sa.select(Order.status).where(Order.case_id == case_id))[0][0]


def user_id(db: Database, username: str) -> int:
    return actor_for(db, username).user_id


# ---------------------------------------------------------------------- the worker on the clock
def fires_exactly_at(db: Database, case_id: int, kind: str, due: datetime) -> None:
    """The deadline is pending for `due`; a minute before the worker leaves it, at `due` it is done.

    Its action is checked by the caller; running the worker again at `due` claims nothing.
    """
    assert pending_due(db, case_id, kind) == due
    (row,) = [d for d in deadlines(db, case_id, kind) if d.status == "pending"]
    acted = [e.seq for e in system_events(db, case_id) if _for(e, kind)]
    run_until_idle(db, now=due - MINUTE)
    after = [d for d in deadlines(db, case_id, kind) if d.id == row.id][0]
    assert after.status == "pending", f"{kind} handled a minute early ({after.status})"
    assert [e.seq for e in system_events(db, case_id) if _for(e, kind)] == acted, f"{kind} acted a minute early"
    run_until_idle(db, now=due)
    done = [d for d in deadlines(db, case_id, kind) if d.id == row.id][0]
    assert (done.status, parse_timestamp(done.fired_at)) == ("done", due), (done.status, done.fired_at)
    assert run_until_idle(db, now=due).claimed == 0
    assert verify_case(db, case_id) is None


def _for(event: Any, kind: str) -> bool:
    """The event was fired for a deadline of `kind` (named in its data or its reason)."""
    return jsontext.loads(event.data).get("deadline") == kind or kind in (event.reason or "")


def supervised_for(db: Database, case_id: int, kind: str) -> list[Any]:
    """The `supervise` events the system fired for deadlines of `kind`."""
    return [e for e in system_events(db, case_id, "supervise") if jsontext.loads(e.data).get("deadline") == kind]


def assert_supervised(db: Database, case_id: int, kind: str, state: str, at: datetime, *, also: str = "") -> None:
    """One audited 督办 by the system: state unchanged, the supervisor (and whom the deadline names) notified."""
    (event,) = supervised_for(db, case_id, kind)
    assert (event.from_state, event.to_state, parse_timestamp(event.at)) == (state, state, at)
    assert kind in (event.reason or ""), event.reason
    assert case_of(db, case_id).state == state
    notified = [m.recipient for m in outbox(db, case_id, "supervise") if m.event_seq == event.seq]
    assert sorted(notified) == sorted(["supervisor", *([also] if also else [])]), notified


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}")


def end_of_china_day(day: str) -> datetime:
    """24:00 China time (UTC+8) at the end of `day`, in naive UTC: when a working-day deadline ends."""
    return at(day, "16:00")


# ---------------------------------------------------------------------- every deadline has its test
TESTED_HERE = {
    "department_acknowledgement", "court_acceptance", "court_ruling", "judicial_confirmation_window",
    "police_first_session", "police_second_session", "people_mediation_term", "return_visit_1", "return_visit_2",
}


def test_every_deadline_of_the_policy_is_tested_here() -> None:
    """A deadline added to policy.yaml needs its test in this module (key-case orders have theirs)."""
    definition = current_definition()
    assert set(definition.deadline_rules()) == TESTED_HERE
    assert definition.policy["key_case_orders"] == {"due_soon_before": {"days": 5}, "overdue_action": "supervise"}


# ---------------------------------------------------------------------- department acknowledgement
ACKNOWLEDGEMENT_DAYS = [
    # referred at (UTC), the working day by whose end (China time) it is due, why
    ("2026-03-04T02:00", "2026-03-05", "Wednesday 10:00 in China: by the end of Thursday"),
    ("2026-03-06T07:30", "2026-03-09", "Friday 15:30 in China: the weekend does not count"),
    ("2026-03-05T23:00", "2026-03-09", "23:00 UTC on Thursday is already Friday 07:00 in China"),
    ("2026-02-13T02:00", "2026-02-14", "Saturday 14 February is a make-up working day (调休)"),
    ("2026-02-14T02:00", "2026-02-24", "from the make-up Saturday, over the Spring Festival"),
    ("2026-09-30T07:00", "2026-10-08", "the National Day holiday does not count"),
    ("2026-10-09T03:00", "2026-10-10", "Saturday 10 October is a make-up working day"),
    ("2026-12-30T02:00", "2026-12-31", "the last day the calendar covers"),
]


@pytest.mark.parametrize(("referred", "last_day", "why"), ACKNOWLEDGEMENT_DAYS, ids=[r[0] for r in ACKNOWLEDGEMENT_DAYS])
def test_department_acknowledgement_is_supervised_at_the_end_of_the_next_working_day_in_china(
        county_db: Database, referred: str, last_day: str, why: str) -> None:
    referred_at, due_at = datetime.fromisoformat(referred), end_of_china_day(last_day)
    # The hand-written expectation agrees with the holiday library: the first working day after
    # the day of the referral in China.
    referred_on, due_on = (referred_at + CHINA).date(), datetime.fromisoformat(last_day).date()
    assert chinese_calendar.is_workday(due_on), why
    between = [referred_on + timedelta(days=n) for n in range(1, (due_on - referred_on).days)]
    assert not any(chinese_calendar.is_workday(day) for day in between), why

    case_id = drive_to(county_db, state="joint.referred", county=COUNTY, now=referred_at, step=timedelta(0))
    version = case_of(county_db, case_id).version
    fires_exactly_at(county_db, case_id, "department_acknowledgement", due_at)
    assert_supervised(county_db, case_id, "department_acknowledgement", "joint.referred", due_at, also="county_centre")
    assert case_of(county_db, case_id).version == version + 1


def refer_on_new_years_eve(db: Database) -> int:
    case_id = drive_to(db, state="screening.triaged", county=COUNTY, now=at("2026-12-31", "10:00"))
    fire(db, case_id, "refer_department", actor="mediator1", now=at("2026-12-31", "10:00"),
         data={"department": COUNTY.market_department, "reason": "商品质量问题，属市场监管职责"})
    return case_id


def test_a_year_the_calendar_lacks_is_estimated_sooner_never_later(
    county_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """31 Dec 2026: chinesecalendar 1.11 has no 2027. New Year's Day is a holiday; Sat 2 Jan, next to
    it, may be a make-up working day, so 1 working day ends with it (sooner, never later); the year
    is named in a warning."""
    with package_lacks(2027), caplog.at_level("WARNING", logger="mediation.workflows.calendar"):
        case_id = refer_on_new_years_eve(county_db)
    [deadline] = deadlines(county_db, case_id, "department_acknowledgement")
    assert parse_timestamp(deadline.due_at) == end_of_china_day("2027-01-02")
    assert deadline.estimated
    assert "2027" in caplog.text and "holidays.yaml" in caplog.text


def test_a_year_entered_in_the_holidays_file_is_used(
    county_db: Database, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The administrator entered 2027 (4 Jan off, Sat 9 Jan worked): the deadline moves to Tue 5 Jan."""
    holidays = tmp_path / "holidays.yaml"
    holidays.write_text("years:\n  2027:\n    holidays: [2027-01-01..2027-01-04]\n    workdays: [2027-01-09]\n",
                        encoding="utf-8")
    monkeypatch.setenv("MEDIATION_HOLIDAYS_FILE", str(holidays))
    arrangements.cache_clear()
    try:
        case_id = refer_on_new_years_eve(county_db)
    finally:
        monkeypatch.delenv("MEDIATION_HOLIDAYS_FILE")
        arrangements.cache_clear()
    [deadline] = deadlines(county_db, case_id, "department_acknowledgement")
    assert parse_timestamp(deadline.due_at) == end_of_china_day("2027-01-05")


# ---------------------------------------------------------------------- the court
# Periods in days are counted as 民事诉讼法 art. 85 counts them (policy `count: civil_procedure`): the day
# the period starts on in China is not counted, it ends at 24:00 China time of its last day, and a last
# day that is a weekend or statutory holiday gives way to the end of the first working day after it.
COURT_ACCEPTANCE = [
    # applied at (UTC), the day by whose end (China time) the court must have decided, why
    ("2026-03-02T02:00", "2026-03-05", "Monday 10:00 in China: Tuesday, Wednesday, Thursday"),
    ("2026-03-02T15:59", "2026-03-05", "23:59 on Monday in China is still Monday"),
    ("2026-03-02T16:00", "2026-03-06", "00:00 on Tuesday in China: Tuesday is not counted"),
    ("2026-03-04T02:00", "2026-03-09", "the third day is a Saturday: the end of Monday"),
    ("2026-09-30T15:00", "2026-10-08", "the third day falls in the National Day holiday: the end of 8 October"),
]


@pytest.mark.parametrize(("applied", "last_day", "why"), COURT_ACCEPTANCE, ids=[r[0] for r in COURT_ACCEPTANCE])
def test_court_acceptance_is_supervised_at_the_end_of_the_third_day_in_china(
        county_db: Database, applied: str, last_day: str, why: str) -> None:
    assert chinese_calendar.is_workday(date.fromisoformat(last_day)), why
    case_id = drive_to(county_db, state="court.applied", county=COUNTY, now=datetime.fromisoformat(applied),
                       step=timedelta(0))
    due = end_of_china_day(last_day)
    fires_exactly_at(county_db, case_id, "court_acceptance", due)
    assert_supervised(county_db, case_id, "court_acceptance", "court.applied", due, also="court")


def test_the_ruling_is_supervised_at_the_end_of_the_fifteenth_day_after_acceptance(county_db: Database) -> None:
    start = at("2026-03-02", "00:00")  # 08:00 in China; accepted a few hours later, still on Monday 2 March
    case_id = drive_to(county_db, state="court.under_review", county=COUNTY, now=start, step=timedelta(minutes=10))
    accepted = datetime.fromisoformat(jsontext.loads(case_of(county_db, case_id).progress)["accepted_at"])
    assert start < accepted < at("2026-03-02", "16:00")
    assert [d.status for d in deadlines(county_db, case_id, "court_acceptance")] == ["cancelled"]
    due = end_of_china_day("2026-03-17")  # 3 … 17 March, a Tuesday
    fires_exactly_at(county_db, case_id, "court_ruling", due)
    assert_supervised(county_db, case_id, "court_ruling", "court.under_review", due, also="court")


def test_the_judicial_confirmation_window_closes_into_follow_up_after_thirty_days(county_db: Database) -> None:
    """Effective on Monday 2 March (17:00 in China): days 3 March … 1 April; open until 24:00 of 1 April."""
    effective = at("2026-03-02")
    case_id = drive_to(county_db, state="mediation.agreement_effective", county=COUNTY, now=effective,
                       step=timedelta(0))
    due = end_of_china_day("2026-04-01")
    fires_exactly_at(county_db, case_id, "judicial_confirmation_window", due)
    (event,) = system_events(county_db, case_id)
    assert (event.trigger, event.from_state, event.to_state, parse_timestamp(event.at)) == (
        "start_follow_up", "mediation.agreement_effective", "follow_up.tracking", due)
    assert case_of(county_db, case_id).state == "follow_up.tracking"
    # Entering follow-up at 00:00 of 2 April in China starts the return visits (whole days, not counting
    # 2 April): the ends of 9 April and 2 May — a Saturday and a Labour Day holiday, which they keep.
    assert pending_due(county_db, case_id, "return_visit_1") == end_of_china_day("2026-04-09")
    assert pending_due(county_db, case_id, "return_visit_2") == end_of_china_day("2026-05-02")


def applied_for_confirmation(db: Database, case_id: int, now: datetime) -> str:
    """The parties apply jointly for judicial confirmation at `now` (China's 23:59 or 00:00 in the tests)."""
    party_ids = jsontext.loads(case_of(db, case_id).party_ids)
    try:
        fire(db, case_id, "apply_judicial_confirmation", actor="mediator1", now=now,
             data={"court": COUNTY.court, "applicants": party_ids})
    except GuardFailed as refused:
        return refused.extra["code"]
    return case_of(db, case_id).state


def test_the_parties_may_apply_jointly_until_2359_of_day_thirty_in_china(county_db: Database) -> None:
    """The art. 33 window at its last minute (23:59 of 1 April in China) and the minute after."""
    effective = at("2026-03-02", "01:26")  # 09:26 in China
    open_case, late_case, idle_case = (
        drive_to(county_db, state="mediation.agreement_effective", county=COUNTY, now=effective, step=timedelta(0))
        for _ in range(3))
    last_minute = end_of_china_day("2026-04-01") - MINUTE
    run_until_idle(county_db, now=last_minute)
    assert applied_for_confirmation(county_db, open_case, last_minute) == "court.applied"
    assert [d.status for d in deadlines(county_db, open_case, "judicial_confirmation_window")] == ["cancelled"]
    # At 00:00 of 2 April the guard refuses, even before the worker has run …
    assert applied_for_confirmation(county_db, late_case, last_minute + MINUTE) == "confirmation_window_passed"
    # … and the worker moves the case on to follow-up.
    run_until_idle(county_db, now=last_minute + MINUTE)
    assert case_of(county_db, idle_case).state == "follow_up.tracking"
    assert [e.trigger for e in system_events(county_db, idle_case)] == ["start_follow_up"]


def test_a_window_whose_thirtieth_day_is_a_holiday_stays_open_until_the_next_working_day(
        county_db: Database) -> None:
    """Effective on 1 September 2026: day 30 is National Day (1–7 October off), so the end of Thursday 8 October."""
    case_id = drive_to(county_db, state="mediation.agreement_effective", county=COUNTY, now=at("2026-09-01"),
                       step=timedelta(0))
    assert not chinese_calendar.is_workday(date(2026, 10, 1)) and chinese_calendar.is_workday(date(2026, 10, 8))
    due = end_of_china_day("2026-10-08")
    assert applied_for_confirmation(county_db, case_id, due - MINUTE - timedelta(days=1)) == "court.applied"
    later = drive_to(county_db, state="mediation.agreement_effective", county=COUNTY, now=at("2026-09-01"),
                     step=timedelta(0))
    fires_exactly_at(county_db, later, "judicial_confirmation_window", due)
    assert case_of(county_db, later).state == "follow_up.tracking"


def test_the_window_counts_from_the_effective_date_after_the_court_declines(county_db: Database) -> None:
    """Back from court.applied, the window is not restarted: it counts from `agreement_effective_at`."""
    case_id = drive_to(county_db, state="mediation.agreement_effective", county=COUNTY, now=at("2026-03-02"),
                       step=timedelta(days=1), route=1)  # … conclude, apply, court_decline
    effective = datetime.fromisoformat(jsontext.loads(case_of(county_db, case_id).progress)["agreement_effective_at"])
    declined = parse_timestamp(events(county_db, case_id)[-1].at)
    assert declined - effective == timedelta(days=2)
    statuses = [d.status for d in deadlines(county_db, case_id, "judicial_confirmation_window")]
    assert statuses == ["cancelled", "pending"]
    assert (effective + CHINA).date() == date(2026, 3, 16)  # days 17 March … 15 April (a Wednesday)
    fires_exactly_at(county_db, case_id, "judicial_confirmation_window", end_of_china_day("2026-04-15"))
    assert [e.trigger for e in system_events(county_db, case_id)] == ["start_follow_up"]


# ---------------------------------------------------------------------- police mediation (随警调解)
def test_an_on_scene_session_reminds_the_officer_after_three_working_days(county_db: Database) -> None:
    """Thu 12 Feb 21:14 in China → Fri 13, Sat 14 (make-up), then the Spring Festival → end of Tue 24 Feb."""
    case_id = drive_to(county_db, state="mediation.in_session", county=COUNTY, now=at("2026-02-12", "13:14"),
                       route=ON_SCENE, step=timedelta(0))
    due = end_of_china_day("2026-02-24")
    version = case_of(county_db, case_id).version
    fires_exactly_at(county_db, case_id, "police_first_session", due)
    assert reminders(county_db, case_id, "police_first_session") == [
        {"deadline": "police_first_session", "user_id": user_id(county_db, "police1")}]
    (message,) = outbox(county_db, case_id, "reminder")
    assert (message.recipient, message.status) == ("mediator", "pending")
    # A reminder changes nothing on the case.
    assert (case_of(county_db, case_id).state, case_of(county_db, case_id).version) == (
        "mediation.in_session", version)
    assert system_events(county_db, case_id) == []


def test_a_joint_session_has_no_police_deadlines(county_db: Database) -> None:
    case_id = drive_to(county_db, state="mediation.in_session", county=COUNTY, now=at("2026-03-02"))
    assert deadlines(county_db, case_id, "police_first_session") == []
    assert deadlines(county_db, case_id, "police_second_session") == []


def test_no_second_session_within_seven_working_days_declares_the_attempt_failed(county_db: Database) -> None:
    """Adjourned Mon 27 Apr (18:00 in China) → 28, 29, 30 Apr, (Labour Day) 6, 7, 8 May, Sat 9 May (make-up)."""
    adjourned = at("2026-04-27", "10:00")
    case_id = drive_to(county_db, state="mediation.assigned", county=COUNTY, now=adjourned,
                       route=(*ON_SCENE, "adjourn"), step=timedelta(0))
    assert [d.status for d in deadlines(county_db, case_id, "police_first_session")] == ["cancelled"]
    due = end_of_china_day("2026-05-09")
    fires_exactly_at(county_db, case_id, "police_second_session", due)
    (event,) = system_events(county_db, case_id, "declare_failed")
    assert (event.from_state, event.to_state, parse_timestamp(event.at)) == (
        "mediation.assigned", "mediation.assigned", due)
    assert "police_second_session" in event.reason
    case = case_of(county_db, case_id)
    assert (case.ladder_level, case.ladder_attempts, case.mechanism) == (1, 0, "on_scene")  # up to the community
    # Re-entering the state (on Sunday 10 May in China) restarts the deadline: 11–15, 18, 19 May.
    assert pending_due(county_db, case_id, "police_second_session") == end_of_china_day("2026-05-19")


# ---------------------------------------------------------------------- the escalation ladder
def test_used_attempts_escalate_and_the_worker_climbs_the_ladder_to_failure(county_db: Database) -> None:
    """Grid 3 → community 3 → station 1 → county 1 (policy.yaml); declare_failed at the top closes."""
    start = at("2026-04-27", "10:00")
    again = ("notify_rights*", "record_consent*", "start_session")
    case_id = drive_to(county_db, state="mediation.assigned", county=COUNTY, now=start, step=timedelta(0),
                       route=(*ON_SCENE, "adjourn", *again, "adjourn", "start_session", "adjourn"))
    case = case_of(county_db, case_id)
    assert [e.trigger for e in events(county_db, case_id)].count("adjourn") == 3
    assert (case.ladder_level, case.ladder_attempts) == (1, 0), "three adjourned attempts use up the grid"
    assert [m.topic for m in outbox(county_db, case_id, "case_escalated")] == ["case_escalated"]

    # 7 working days each, each restarted at the end of the last: Sat 9 May (make-up), Tue 19, Fri 29 May.
    climbs = [(end_of_china_day("2026-05-09"), 2, "mediation.assigned"),
              (end_of_china_day("2026-05-19"), 3, "mediation.assigned"),
              (end_of_china_day("2026-05-29"), 3, "closed.mediation_failed")]
    for due, level, state in climbs:
        fires_exactly_at(county_db, case_id, "police_second_session", due)
        case = case_of(county_db, case_id)
        assert (case.state, case.ladder_level) == (state, level)
    failed = system_events(county_db, case_id, "declare_failed")
    assert [(e.from_state, e.to_state) for e in failed] == [
        ("mediation.assigned", "mediation.assigned"), ("mediation.assigned", "mediation.assigned"),
        ("mediation.assigned", "closed.mediation_failed")]
    assert [parse_timestamp(e.at) for e in failed] == [due for due, _, _ in climbs]
    assert sorted(jsontext.loads(case.progress)["routes_informed"]) == ["administrative", "arbitration", "litigation"]
    assert parse_timestamp(case.closed_at) == end_of_china_day("2026-05-29") and case.resolved_level is None
    assert [d.status for d in deadlines(county_db, case_id) if d.status == "pending"] == []
    assert run_until_idle(county_db, now=at("2026-12-31")).claimed == 0
    assert verify_case(county_db, case_id) is None


def test_the_level_where_a_case_is_resolved_is_recorded(county_db: Database) -> None:
    """Escalated by the worker from the grid to the community, then settled there."""
    case_id = drive_to(county_db, state="mediation.assigned", county=COUNTY, now=at("2026-03-02", "12:00"),
                       route=(*ON_SCENE, "adjourn"), step=timedelta(0))
    due = end_of_china_day("2026-03-11")  # 3, 4, 5, 6, 9, 10, 11 March
    fires_exactly_at(county_db, case_id, "police_second_session", due)
    assert case_of(county_db, case_id).ladder_level == 1
    later = due + timedelta(hours=14)
    for party_id in jsontext.loads(case_of(county_db, case_id).party_ids):
        fire(county_db, case_id, "notify_rights", actor="police1", data={"party_id": party_id, "method": "written"},
             now=later)
        fire(county_db, case_id, "record_consent", actor="police1", data={"party_id": party_id}, now=later)
    fire(county_db, case_id, "start_session", actor="police1", now=later)
    fire(county_db, case_id, "record_oral_agreement", actor="police1", now=later,
         data={"terms": "双方互相道歉，今后互不滋扰。"})
    case = case_of(county_db, case_id)
    assert (case.state, case.resolved_level) == ("follow_up.tracking", "community")
    assert [d.status for d in deadlines(county_db, case_id, "police_second_session")] == ["done", "cancelled"]


# ---------------------------------------------------------------------- follow-up and the mediation term
def test_return_visits_remind_the_mediator_at_the_end_of_days_seven_and_thirty(county_db: Database) -> None:
    """Follow-up from Monday 2 March (17:00 in China): the ends of 9 March and 1 April."""
    case_id = drive_to(county_db, state="follow_up.tracking", county=COUNTY, now=at("2026-03-02"), step=timedelta(0))
    mediator = user_id(county_db, "mediator1")
    fires_exactly_at(county_db, case_id, "return_visit_1", end_of_china_day("2026-03-09"))
    assert reminders(county_db, case_id, "return_visit_1") == [{"deadline": "return_visit_1", "user_id": mediator}]
    assert reminders(county_db, case_id, "return_visit_2") == []
    fires_exactly_at(county_db, case_id, "return_visit_2", end_of_china_day("2026-04-01"))
    assert reminders(county_db, case_id, "return_visit_2") == [{"deadline": "return_visit_2", "user_id": mediator}]
    assert case_of(county_db, case_id).state == "follow_up.tracking" and system_events(county_db, case_id) == []


def test_a_return_visit_due_on_a_holiday_keeps_its_day(county_db: Database) -> None:
    """The visits are the policy's own (`count: whole_days`): day 7 from 24 September is National Day, and stays."""
    case_id = drive_to(county_db, state="follow_up.tracking", county=COUNTY, now=at("2026-09-24"), step=timedelta(0))
    fires_exactly_at(county_db, case_id, "return_visit_1", end_of_china_day("2026-10-01"))


def test_the_peoples_mediation_term_is_supervised_after_a_month_and_adjourning_does_not_restart_it(
        county_db: Database) -> None:
    """people_mediation_term guards a list of states (assigned, in session, drafted). Assigned on Thursday
    5 March in China, its day 30 is Saturday 4 April, in the Qingming holiday (4–6 April): the end of 7 April."""
    start = at("2026-03-03")
    case_id = drive_to(county_db, state="mediation.assigned", county=COUNTY, now=start, step=timedelta(days=1),
                       route=(*ASSIGNED, "notify_rights*", "record_consent*", "start_session", "adjourn"))
    assert [e.trigger for e in events(county_db, case_id)][-2:] == ["start_session", "adjourn"]
    assigned = parse_timestamp(events(county_db, case_id)[2].at)
    assert (assigned + CHINA).date() == date(2026, 3, 5)
    assert [d.status for d in deadlines(county_db, case_id, "people_mediation_term")] == ["pending"]
    due = end_of_china_day("2026-04-07")
    fires_exactly_at(county_db, case_id, "people_mediation_term", due)
    assert_supervised(county_db, case_id, "people_mediation_term", "mediation.assigned", due)


# ---------------------------------------------------------------------- key-case orders (重点疑难)
KEY_CASE: tuple = (*TRIAGED, ("designate_key_case", {"deadline": "2026-04-01", "owner": "mediator1"}))


def test_a_key_case_order_is_due_soon_five_days_before_and_supervised_the_day_after_its_deadline(
        county_db: Database) -> None:
    case_id = drive_to(county_db, state="screening.triaged", county=COUNTY, now=at("2026-03-02", "10:00"),
                       route=KEY_CASE, step=timedelta(0))
    assert order_status(county_db, case_id) == "open"
    version = case_of(county_db, case_id).version

    # 00:00 China time (16:00 UTC the day before): of 2026-03-27 due soon, of 2026-04-02 overdue (DESIGN §9.1).
    fires_exactly_at(county_db, case_id, "order_due_soon", at("2026-03-26", "16:00"))
    assert order_status(county_db, case_id) == "due_soon"
    assert [r["deadline"] for r in reminders(county_db, case_id, "order_due_soon")] == ["order_due_soon"]
    assert case_of(county_db, case_id).version == version and system_events(county_db, case_id) == []

    fires_exactly_at(county_db, case_id, "order_overdue", at("2026-04-01", "16:00"))
    assert order_status(county_db, case_id) == "overdue"
    assert_supervised(county_db, case_id, "order_overdue", "screening.triaged", at("2026-04-01", "16:00"),
                      also="owner_supervisor")


def test_the_due_soon_reminder_goes_to_the_order_owner(county_db: Database) -> None:
    """The order's owner answers for it; the case has no mediator yet."""
    case_id = drive_to(county_db, state="screening.triaged", county=COUNTY, now=at("2026-03-02", "10:00"),
                       route=KEY_CASE, step=timedelta(0))
    run_until_idle(county_db, now=at("2026-03-27", "00:00"))
    assert reminders(county_db, case_id, "order_due_soon") == [
        {"deadline": "order_due_soon", "user_id": user_id(county_db, "mediator1")}]
    assert [m.recipient for m in outbox(county_db, case_id, "reminder")] == ["owner"]


# ---------------------------------------------------------------------- left states, cancelled deadlines
def test_an_acknowledged_referral_is_never_supervised(county_db: Database) -> None:
    referred = at("2026-03-04")
    case_id = drive_to(county_db, state="joint.referred", county=COUNTY, now=referred, step=timedelta(0))
    fire(county_db, case_id, "acknowledge", actor="dept_sj", now=referred + timedelta(hours=5))
    (row,) = deadlines(county_db, case_id, "department_acknowledgement")
    assert (row.status, parse_timestamp(row.fired_at)) == ("cancelled", referred + timedelta(hours=5))
    for moment in (at("2026-03-05"), at("2026-04-30")):
        assert run_until_idle(county_db, now=moment).claimed == 0
    assert system_events(county_db, case_id) == [] and outbox(county_db, case_id, "supervise") == []


def test_a_returned_and_re_referred_case_is_supervised_once_from_the_new_referral(county_db: Database) -> None:
    case_id = drive_to(county_db, state="joint.referred", county=COUNTY, now=at("2026-03-04"), step=timedelta(0))
    fire(county_db, case_id, "return_referral", actor="dept_sj", now=at("2026-03-04", "11:00"),
         data={"reason": "不属于本部门职责"})
    fire(county_db, case_id, "refer_department", actor="mediator1", now=at("2026-03-06", "10:00"),
         data={"department": COUNTY.labour_department, "reason": "涉及用工问题"})
    assert [d.status for d in deadlines(county_db, case_id, "department_acknowledgement")] == ["cancelled", "pending"]
    assert run_until_idle(county_db, now=at("2026-03-05")).claimed == 0
    fires_exactly_at(county_db, case_id, "department_acknowledgement", end_of_china_day("2026-03-09"))
    assert_supervised(county_db, case_id, "department_acknowledgement", "joint.referred",
                      end_of_china_day("2026-03-09"), also="county_centre")


def test_deadlines_of_states_left_behind_are_cancelled_and_never_fire(county_db: Database) -> None:
    """Concluding the agreement ends the mediation term; follow-up ends the confirmation window."""
    case_id = drive_to(county_db, state="follow_up.tracking", county=COUNTY, now=at("2026-03-02"), step=timedelta(0))
    by_kind = {d.kind: d.status for d in deadlines(county_db, case_id)}
    assert by_kind == {"people_mediation_term": "cancelled", "judicial_confirmation_window": "cancelled",
                       "return_visit_1": "pending", "return_visit_2": "pending"}
    run_until_idle(county_db, now=at("2026-04-02"))
    assert system_events(county_db, case_id) == []
    assert {d.kind: d.status for d in deadlines(county_db, case_id)} == {**by_kind, "return_visit_1": "done",
                                                                         "return_visit_2": "done"}


def test_a_closed_key_case_cancels_its_order_timers(county_db: Database) -> None:
    case_id = drive_to(county_db, state="screening.triaged", county=COUNTY, now=at("2026-03-02", "10:00"),
                       route=KEY_CASE, step=timedelta(0))
    fire(county_db, case_id, "decline", actor="mediator1", now=at("2026-03-03"), data={"reason": "当事人已自行和解"})
    assert [d.status for d in deadlines(county_db, case_id)] == ["cancelled", "cancelled"]
    assert run_until_idle(county_db, now=at("2026-05-01")).claimed == 0
    assert order_status(county_db, case_id) == "done" and system_events(county_db, case_id) == []


# ---------------------------------------------------------------------- the command line
def test_the_worker_command_reads_now_with_its_utc_offset(county_db: Database, county_url: str) -> None:
    """`--now 2026-03-05T23:59:00+08:00` is 15:59 UTC, a minute before the acknowledgement is due."""
    case_id = drive_to(county_db, state="joint.referred", county=COUNTY, now=at("2026-03-04"), step=timedelta(0))
    runner = CliRunner()
    env = {"MEDIATION_DATABASE_URL": county_url}
    early = runner.invoke(app, ["worker", "--once", "--now", "2026-03-05T23:59:00+08:00"], env=env)
    assert early.exit_code == 0, early.output
    assert supervised_for(county_db, case_id, "department_acknowledgement") == [], early.output
    due = runner.invoke(app, ["worker", "--once", "--now", "2026-03-06T00:00:00+08:00"], env=env)
    assert due.exit_code == 0, due.output
    assert_supervised(county_db, case_id, "department_acknowledgement", "joint.referred",
                      end_of_china_day("2026-03-05"), also="county_centre")
