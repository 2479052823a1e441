"""Each person's notices: written with the engine's notices and the worker's reminders, read and marked read."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from mediation.cases.engine import apply_transition
from mediation.db import Database
from mediation.deadlines.worker import run_until_idle
from mediation.demo.case_paths import TRIAGED, drive_to, fire
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.directory.accounts import actor_for
from mediation.errors import InvalidData, MediationError, NotFound, StaleCase
from mediation.notifications.calendar_entries import CHINA, calendar_entries, calendar_person
from mediation.notifications.inbox import (
    UNREAD_COUNT,
    mark_all_read,
    mark_read,
    notifications_for,
    unread_count,
    unread_count_now,
)

NOW = datetime(2026, 11, 20, 8, 0)
COUNTY = SampleCounty()


@pytest.fixture
def county_db(db: Database) -> Database:
    build_sample_county(db)
    return db


def user_id(db: Database, username: str) -> int:
    with db.read() as connection:
        return connection.execute(sa.text("SELECT id FROM users WHERE username = :u"), {"u": username}).scalar()


def test_unread_count_counts_only_the_users_unread_notices(county_db: Database) -> None:
    mediator, other = user_id(county_db, "mediator1"), user_id(county_db, "supervisor1")
    with county_db.write() as tx:
        for person, read_at in ((mediator, None), (mediator, None), (mediator, NOW), (other, None)):
            tx.execute("INSERT INTO notifications (user_id, topic, payload, created_at, read_at) "
                       "VALUES (:u, 'case_assigned', '{}', :now, :read_at)",
                       {"u": person, "now": tx.timestamp(NOW), "read_at": tx.timestamp(read_at)})
    with county_db.snapshot() as tx:
        assert unread_count(tx=tx, user_id=mediator) == 2
        assert unread_count(tx=tx, user_id=other) == 1
    with county_db.write() as tx:
        assert mark_all_read(tx=tx, user_id=mediator, now=NOW) == 2
    with county_db.snapshot() as tx:
        assert (unread_count(tx=tx, user_id=mediator), unread_count(tx=tx, user_id=other)) == (0, 1)


# ---------------------------------------------------------------------- written with the engine's notices
def notices(db: Database, username: str, case_id: int | None = None) -> list[tuple[str, int, dict]]:
    """(topic, case id, payload) of the user's notices, oldest first."""
    with db.read() as connection:
        rows = connection.execute(sa.text(
            "SELECT n.topic, n.case_id, n.payload FROM notifications n JOIN users u ON u.id = n.user_id "
            "WHERE u.username = :u ORDER BY n.id"), {"u": username}).all()
    return [(topic, case, json.loads(payload)) for topic, case, payload in rows if case_id in (None, case)]


def all_notices(db: Database, case_id: int) -> list[tuple[str, str]]:
    with db.read() as connection:
        return sorted(connection.execute(sa.text(
            "SELECT u.username, n.topic FROM notifications n JOIN users u ON u.id = n.user_id "
            "WHERE n.case_id = :id"), {"id": case_id}).all())


def assigned_by_supervisor(db: Database, now: datetime = NOW) -> int:
    case_id = drive_to(db, state="screening.triaged", county=COUNTY, now=now)
    fire(db, case_id, "assign_mediator", actor="supervisor1", now=now + timedelta(hours=2), data=ASSIGNMENT)
    return case_id


ASSIGNMENT = {"mediator": "mediator1", "mechanism": "joint", "resolver": "grassroots"}


def case_number(db: Database, case_id: int) -> str:
    with db.read() as connection:
        return connection.execute(sa.text("SELECT number FROM cases WHERE id = :id"), {"id": case_id}).scalar()


def test_an_assignment_tells_the_assigned_mediator_in_the_transitions_transaction(county_db: Database) -> None:
    case_id = assigned_by_supervisor(county_db)
    mediator = user_id(county_db, "mediator1")
    assert notices(county_db, "mediator1") == [("case_assigned", case_id, {"user_id": mediator})]
    assert all_notices(county_db, case_id) == [("mediator1", "case_assigned")]
    with county_db.snapshot() as tx:
        page = notifications_for(tx=tx, user_id=mediator)
    (item,) = page.items
    number = case_number(county_db, case_id)
    assert item.text.zh == f"您被指派为案件 {number} 的调解员"
    assert item.text.en == f"You were assigned as the mediator of case {number}"
    assert (item.case_number, item.read_at, item.created_at) == (number, None, "2026-11-20T10:00:00.000000Z")


def test_nobody_is_told_of_their_own_action(county_db: Database) -> None:
    """drive_to's mediator takes the case themselves: the outbox has the message, nobody's list has it."""
    case_id = drive_to(county_db, state="mediation.assigned", county=COUNTY, now=NOW)
    assert all_notices(county_db, case_id) == []
    with county_db.read() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM outbox WHERE case_id = :id"),
                                  {"id": case_id}).scalar() == 1


def test_a_referral_tells_the_departments_liaisons_only(county_db: Database) -> None:
    case_id = drive_to(county_db, state="joint.referred", county=COUNTY, now=NOW)
    assert all_notices(county_db, case_id) == [("dept_sj", "case_referred")]
    (item,) = page_of(county_db, "dept_sj").items
    assert item.text.zh == f"案件 {case_number(county_db, case_id)} 已移送本部门，请签收"


def test_an_application_for_confirmation_tells_the_court(county_db: Database) -> None:
    case_id = drive_to(county_db, state="court.applied", county=COUNTY, now=NOW)
    assert ("court1", "confirmation_applied") in all_notices(county_db, case_id)
    assert [topic for topic, _, _ in notices(county_db, "court1")] == ["confirmation_applied"]


def test_feedback_tells_the_cases_mediator_and_nearest_supervisors(county_db: Database) -> None:
    case_id = drive_to(county_db, state="joint.feedback_received", county=COUNTY, now=NOW)
    told = [who for who, topic in all_notices(county_db, case_id) if topic == "feedback_submitted"]
    assert told == ["mediator1", "supervisor1"]


def test_feedback_tells_whoever_made_the_last_referral(county_db: Database) -> None:
    """The referrer is read from the case's own events (found by id: the events have no index by case)."""
    case_id = drive_to(county_db, state="joint.in_progress", county=COUNTY, now=NOW)
    with county_db.write() as tx:  # as if a police officer had referred it (a test tampering on purpose)
        tx.execute("UPDATE events SET actor = 'police1' WHERE case_id = :id AND trigger = 'refer_department'",
                   {"id": case_id})
        tx.execute("UPDATE cases SET mediator_id = NULL WHERE id = :id", {"id": case_id})
        department = tx.one("SELECT u.username FROM users u JOIN cases c ON c.department_id = u.unit_id "
                            "WHERE c.id = :id", {"id": case_id})[0]
    fire(county_db, case_id, "submit_feedback", actor=department, now=NOW + timedelta(days=1),
         data={"outcome": "resolved", "summary": "部门已协调解决。"})
    told = [who for who, topic in all_notices(county_db, case_id) if topic == "feedback_submitted"]
    assert told == ["police1", "supervisor1"]  # the referrer, and the supervisors nearest up the case's path


def page_of(db: Database, username: str, **options):
    with db.snapshot() as tx:
        return notifications_for(tx=tx, user_id=user_id(db, username), **options)


# ---------------------------------------------------------------------- 督办 and reminders by the worker
KEY_CASE = (*TRIAGED, ("designate_key_case", {"deadline": "2026-12-20", "owner": "mediator1"}))


def test_key_case_reminders_and_supervision_reach_the_owner_and_the_supervisor_once(county_db: Database) -> None:
    case_id = drive_to(county_db, state="screening.triaged", county=COUNTY, now=NOW, route=KEY_CASE,
                       step=timedelta(0))
    number = case_number(county_db, case_id)
    assert all_notices(county_db, case_id) == [("mediator1", "key_case_designated")]
    run_until_idle(county_db, now=datetime(2026, 12, 15, 0, 0))
    run_until_idle(county_db, now=datetime(2026, 12, 15, 0, 0))  # a second pass finds nothing more
    assert all_notices(county_db, case_id) == [("mediator1", "key_case_designated"), ("mediator1", "reminder")]
    run_until_idle(county_db, now=datetime(2026, 12, 21, 0, 0))
    # 督办 goes to the supervisor and to the owner's supervisor: the same person, told once.
    assert all_notices(county_db, case_id) == [
        ("mediator1", "key_case_designated"), ("mediator1", "reminder"), ("supervisor1", "supervise")]
    texts = [item.text.zh for item in page_of(county_db, "mediator1").items]
    assert texts == [f"提醒：案件 {number} 的重点案件督办期限已到，期限 2026-12-20",
                     f"您被指定为重点案件 {number} 的责任人，期限 2026-12-20"]
    (supervised,) = page_of(county_db, "supervisor1").items
    assert supervised.text.zh == f"督办：案件 {number}的重点案件督办期限已届满，期限 2026-12-20"
    assert "order_overdue" not in supervised.text.en and "2026-12-20" in supervised.text.en


def test_an_unacknowledged_referral_is_supervised_to_the_supervisor_and_the_county_centre(
        county_db: Database) -> None:
    case_id = drive_to(county_db, state="joint.referred", county=COUNTY, now=NOW)
    run_until_idle(county_db, now=NOW + timedelta(days=10))
    told = [who for who, topic in all_notices(county_db, case_id) if topic == "supervise"]
    assert told == ["county_sup", "supervisor1"]


def test_return_visits_remind_the_mediator(county_db: Database) -> None:
    case_id = drive_to(county_db, state="follow_up.tracking", county=COUNTY, now=NOW, step=timedelta(0))
    before = len(notices(county_db, "mediator1", case_id))
    run_until_idle(county_db, now=NOW + timedelta(days=8))
    (reminder,) = notices(county_db, "mediator1", case_id)[before:]
    assert reminder[0] == "reminder" and reminder[2]["deadline"] == "return_visit_1"


# ---------------------------------------------------------------------- nothing lost, nothing doubled
def test_a_refused_or_rolled_back_transition_tells_nobody(county_db: Database) -> None:
    case_id = drive_to(county_db, state="screening.triaged", county=COUNTY, now=NOW)
    with pytest.raises(MediationError):
        fire(county_db, case_id, "assign_mediator", actor="supervisor1", now=NOW,
             data={**ASSIGNMENT, "mediator": "nobody-here"})
    with pytest.raises(RuntimeError), county_db.write() as tx:
        apply_transition(county_db, tx=tx, case_id=case_id, trigger="assign_mediator",
                         actor=actor_for(county_db, "supervisor1"), data=ASSIGNMENT,
                         expected_version=case_version(county_db, case_id), now=NOW)
        assert unread_count(tx=tx, user_id=user_id(county_db, "mediator1")) == 1
        raise RuntimeError("the request failed after the transition")
    assert all_notices(county_db, case_id) == []
    with pytest.raises(StaleCase):
        apply_transition(county_db, case_id=case_id, trigger="assign_mediator",
                         actor=actor_for(county_db, "supervisor1"), data=ASSIGNMENT,
                         expected_version=case_version(county_db, case_id) - 1, now=NOW)
    assert all_notices(county_db, case_id) == []


def case_version(db: Database, case_id: int) -> int:
    with db.read() as connection:
        return connection.execute(sa.text("SELECT version FROM cases WHERE id = :id"), {"id": case_id}).scalar()


def test_disabled_users_get_nothing(county_db: Database) -> None:
    with county_db.begin() as connection:
        connection.execute(sa.text("UPDATE users SET active = :no WHERE username = 'dept_sj'"), {"no": False})
    case_id = drive_to(county_db, state="joint.referred", county=COUNTY, now=NOW)
    assert all_notices(county_db, case_id) == []


# ---------------------------------------------------------------------- reading and marking read
def test_unread_first_then_newest_paged_and_marked_read(county_db: Database) -> None:
    cases = [assigned_by_supervisor(county_db, NOW + timedelta(days=i)) for i in range(3)]
    mediator = user_id(county_db, "mediator1")
    first = page_of(county_db, "mediator1").items
    assert [item.case_id for item in first] == cases[::-1]
    with county_db.write() as tx:
        assert mark_read(tx=tx, user_id=mediator, notification_id=first[0].id, now=NOW + timedelta(days=5)) == cases[2]
        mark_read(tx=tx, user_id=mediator, notification_id=first[0].id, now=NOW + timedelta(days=6))  # again: fine
    page = page_of(county_db, "mediator1")
    assert [item.case_id for item in page.items] == [cases[1], cases[0], cases[2]]
    assert (page.unread, page.total) == (2, 3) and page.items[2].read_at.startswith("2026-11-25T08:00:00")
    assert [item.case_id for item in page_of(county_db, "mediator1", unread_only=True).items] == cases[1::-1]
    second = page_of(county_db, "mediator1", page=2, page_size=2)
    assert ([item.case_id for item in second.items], second.total) == ([cases[2]], 3)
    with pytest.raises(NotFound), county_db.write() as tx:
        mark_read(tx=tx, user_id=user_id(county_db, "supervisor1"), notification_id=first[1].id, now=NOW)
    with pytest.raises(InvalidData):
        page_of(county_db, "mediator1", page_size=0)
    assert page_of(county_db, "mediator1").unread == 2


# ---------------------------------------------------------------------- the header's count stays cheap
def test_the_unread_count_reads_only_the_index_among_many_notices(county_db: Database) -> None:
    """100,000 notices, one in a hundred the mediator's: the count searches (user_id, read_at, id), never scans."""
    mediator, other = user_id(county_db, "mediator1"), user_id(county_db, "supervisor1")
    with county_db.write() as tx:
        series = ("SELECT generate_series(1, 100000) AS n" if not tx.is_sqlite else
                  "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 100000) SELECT n FROM s")
        tx.execute("INSERT INTO notifications (user_id, topic, payload, created_at, read_at) "
                   "SELECT CASE WHEN s.n - (s.n / 100) * 100 = 0 THEN :me ELSE :other END, 'reminder', '{}', :now, "
                   "CASE WHEN s.n - (s.n / 3) * 3 = 0 THEN NULL ELSE :now END "
                   f"FROM ({series}) s", {"me": mediator, "other": other, "now": tx.timestamp(NOW)})
        tx.execute("ANALYZE notifications" if not tx.is_sqlite else "ANALYZE")
    with county_db.snapshot() as tx:
        assert (unread_count(tx=tx, user_id=mediator), unread_count(tx=tx, user_id=other)) == (333, 33000)
        explain = "EXPLAIN QUERY PLAN " if tx.is_sqlite else "EXPLAIN "
        plan = " ".join(str(row) for row in tx.all(explain + UNREAD_COUNT, {"user_id": mediator}))
    assert "ix_notifications_user_unread" in plan, plan
    assert ("COVERING INDEX" in plan) if county_db.is_sqlite else ("Index Only Scan" in plan), plan
    # The header counts no further than it shows ("99+").
    assert (unread_count_now(county_db, other), unread_count_now(county_db, mediator, cap=1000)) == (100, 333)


# ---------------------------------------------------------------------- what the calendar shows
def entries_of(db: Database, username: str, first: date, last: date) -> list:
    with db.snapshot() as tx:
        person = calendar_person(tx=tx, user_id=user_id(db, username))
        return calendar_entries(tx=tx, person=person, first_day=first, last_day=last)


def test_the_calendar_shows_each_persons_sessions_visits_and_deadlines(county_db: Database) -> None:
    in_session = drive_to(county_db, state="mediation.in_session", county=COUNTY, now=NOW, step=timedelta(0))
    fire(county_db, in_session, "adjourn", actor="mediator1", now=NOW,
         data={"next_session_at": "2026-11-25T09:30:00+08:00", "reason": "改期"})
    tracking = drive_to(county_db, state="follow_up.tracking", county=COUNTY, now=NOW, step=timedelta(0))
    keyed = drive_to(county_db, state="screening.triaged", county=COUNTY, now=NOW, route=KEY_CASE, step=timedelta(0))
    referred = drive_to(county_db, state="joint.referred", county=COUNTY, now=NOW, step=timedelta(0))
    mine = entries_of(county_db, "mediator1", date(2026, 11, 1), date(2026, 12, 31))
    by_case = {(e.case_id, e.kind, e.detail): e for e in mine}
    session = by_case[(in_session, "session", "adjourn")]
    assert session.starts == datetime(2026, 11, 25, 9, 30, tzinfo=CHINA) and not session.all_day
    visit = by_case[(tracking, "return_visit", "return_visit_1")]
    assert visit.all_day and visit.starts == date(2026, 11, 27)  # 7 days after entering follow-up
    order = by_case[(keyed, "order", "key_case_order")]
    assert order.all_day and order.starts == date(2026, 12, 20)
    assert (tracking, "held_session", "record_session") in by_case  # the session that led to the agreement
    assert not any(e.case_id == referred for e in mine)  # no mediator: not the mediator's calendar
    assert len({e.uid for e in mine}) == len(mine)
    department = entries_of(county_db, "dept_sj", date(2026, 11, 1), date(2026, 12, 31))
    assert [(e.case_id, e.kind, e.detail) for e in department] == [
        (referred, "deadline", "department_acknowledgement")]
    assert entries_of(county_db, "mediator1", date(2026, 11, 26), date(2026, 11, 26)) == []


def test_a_referred_case_brings_its_sessions_to_the_court_while_it_is_open(county_db: Database) -> None:
    """The court sees the sessions that led to what it reviews; once the case is closed, only its mediator
    does (the sessions of every case ever referred would be read from each case's events)."""
    applied = drive_to(county_db, state="court.applied", county=COUNTY, now=NOW, step=timedelta(0))
    closed = drive_to(county_db, state="closed.litigation_advised", county=COUNTY, now=NOW, step=timedelta(0))
    days = (date(2026, 11, 1), date(2026, 12, 31))
    sessions = {(e.case_id, e.kind) for e in entries_of(county_db, "court1", *days) if "session" in e.kind}
    assert (applied, "held_session") in sessions and not any(case == closed for case, _kind in sessions)
    assert (closed, "held_session") in {(e.case_id, e.kind) for e in entries_of(county_db, "mediator1", *days)}


def test_a_session_planned_after_the_case_closed_is_dropped(county_db: Database) -> None:
    case_id = drive_to(county_db, state="mediation.in_session", county=COUNTY, now=NOW, step=timedelta(0))
    fire(county_db, case_id, "adjourn", actor="mediator1", now=NOW,
         data={"next_session_at": "2026-11-25T09:30:00+08:00"})
    with county_db.snapshot() as tx:
        party = tx.one("SELECT id FROM parties WHERE case_id = :id ORDER BY id", {"id": case_id})[0]
    fire(county_db, case_id, "party_refuses", actor="mediator1", now=NOW + timedelta(hours=1),
         data={"party_id": party, "reason": "被申请人明确表示拒绝调解"})
    kinds = [e.kind for e in entries_of(county_db, "mediator1", date(2026, 11, 1), date(2026, 11, 30))
             if e.case_id == case_id]
    assert "session" not in kinds


def test_supervision_by_a_supervisor_urges_the_cases_mediator(county_db: Database) -> None:
    case_id = drive_to(county_db, state="mediation.assigned", county=COUNTY, now=NOW)
    fire(county_db, case_id, "supervise", actor="supervisor1", now=NOW + timedelta(hours=1),
         data={"reason": "请于本周内约谈双方"})
    assert all_notices(county_db, case_id) == [("mediator1", "supervise")]
    (item,) = page_of(county_db, "mediator1").items
    assert item.text.zh == f"督办：案件 {case_number(county_db, case_id)}：请于本周内约谈双方"
