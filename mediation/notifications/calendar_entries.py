"""What a person's calendar shows (DESIGN §9.3): sessions, return visits, court and order deadlines.

Whose cases: the person's own work — cases they mediate, key-case orders they own, for court
and department staff the cases referred to their unit, and for mediators, police and supervisors
the cases shared with their unit (co-mediation, DESIGN §9.5). What of them:

- planned sessions (`adjourn.next_session_at`; one planned after the case closed is dropped) and
  held sessions (`record_session.held_at`), one hour each;
- pending deadlines: return visits due (the whole day they are due), the court's acceptance and
  ruling deadlines and the other timers of the policy (at the moment they expire);
- open key-case orders (重点疑难督办): the whole day of their deadline.

Times are China time (UTC+8). Each entry has a UID that stays the same as long as what it shows
exists, so a calendar program updates it instead of adding a copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from mediation import jsontext
from mediation.db import RawTransaction, parse_timestamp
from mediation.workflows.calendar import NO_TIME, closing_day

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
SESSION_LENGTH = timedelta(hours=1)
ORDER_TIMERS = ("order_due_soon", "order_overdue")  # the order itself is the entry

MY_CASES = (
    "SELECT c.id FROM cases c WHERE c.mediator_id = :me "
    "OR c.id IN (SELECT o.case_id FROM orders o WHERE o.owner_id = :me) "
    "OR (:is_court = 1 AND c.court_id = :unit) OR (:is_department = 1 AND c.department_id = :unit) "
    "OR (:co_mediates = 1 AND c.id IN (SELECT s.case_id FROM case_shares s WHERE s.unit_id = :unit))"
)
CO_MEDIATING_ROLES = frozenset({"mediator", "police", "supervisor"})
SESSIONS = (
    "SELECT e.case_id, e.seq, e.trigger, e.data, c.number, c.title, c.closed_at "
    f"FROM events e JOIN cases c ON c.id = e.case_id WHERE e.case_id IN ({MY_CASES}) "
    "AND e.trigger IN ('adjourn', 'record_session')"
)
DEADLINES = (
    "SELECT d.id, d.case_id, d.kind, d.due_at, c.number, c.title "
    f"FROM deadlines d JOIN cases c ON c.id = d.case_id WHERE d.case_id IN ({MY_CASES}) "
    "AND d.status = 'pending' AND d.due_at > :start AND d.due_at <= :end"  # 24:00 ends the day before
)
ORDERS = (
    "SELECT o.id, o.case_id, o.deadline, c.number, c.title "
    f"FROM orders o JOIN cases c ON c.id = o.case_id WHERE o.case_id IN ({MY_CASES}) "
    "AND o.status <> 'done' AND o.deadline >= :start_day AND o.deadline < :end_day"
)
USER = "SELECT id, unit_id, roles FROM users WHERE id = :id AND active"


@dataclass(frozen=True)
class CalendarPerson:
    """Whose calendar: the user and what makes cases theirs."""

    user_id: int
    unit_id: int
    roles: frozenset[str]


@dataclass(frozen=True)
class CalendarEntry:
    """One thing on the calendar: `kind` is session, held_session, return_visit, deadline or order."""

    uid: str
    kind: str
    detail: str  # the deadline kind (policy.yaml) or the trigger; the words come from the reader's tables
    case_id: int
    case_number: str
    case_title: str
    starts: datetime | date  # aware China time, or a whole day
    ends: datetime | date

    @property
    def all_day(self) -> bool:
        return not isinstance(self.starts, datetime)

    @property
    def day(self) -> date:
        """The China day it is on; a deadline at 00:00 is the 24:00 that ends the day before."""
        if not isinstance(self.starts, datetime):
            return self.starts
        return (self.starts - NO_TIME).date() if self.kind == "deadline" else self.starts.date()


def calendar_person(*, tx: RawTransaction, user_id: int) -> CalendarPerson | None:
    """The active user as a calendar's owner, or None."""
    row = tx.one(USER, {"id": user_id})
    return CalendarPerson(row[0], row[1], frozenset(row[2].split())) if row else None


def calendar_entries(*, tx: RawTransaction, person: CalendarPerson, first_day: date,
                     last_day: date) -> list[CalendarEntry]:
    """The person's entries on the China days first_day … last_day, in time order (whole days first)."""
    start = datetime.combine(first_day, time(), CHINA)
    end = datetime.combine(last_day + timedelta(days=1), time(), CHINA)
    params = {"me": person.user_id, "unit": person.unit_id, "is_court": int("court" in person.roles),
              "is_department": int("department" in person.roles),
              "co_mediates": int(bool(person.roles & CO_MEDIATING_ROLES))}
    entries = _sessions(tx, params, start, end) + _deadlines(tx, params, start, end)
    entries += _orders(tx, params, first_day, last_day)
    return sorted(entries, key=lambda e: (e.day, not e.all_day, _moment(e.starts), e.case_number, e.uid))


def _moment(value: datetime | date) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time(), CHINA)


def _sessions(tx: RawTransaction, params: dict, start: datetime, end: datetime) -> list[CalendarEntry]:
    entries = []
    for case_id, seq, trigger, data, number, title, closed_at in tx.all(SESSIONS, params):
        planned = trigger == "adjourn"
        text = jsontext.loads(data).get("next_session_at" if planned else "held_at")
        if not text:
            continue
        at = datetime.fromisoformat(text).astimezone(CHINA)
        closed = parse_timestamp(closed_at)
        if not start <= at < end or (planned and closed and at > closed.replace(tzinfo=timezone.utc)):
            continue
        entries.append(CalendarEntry(
            uid=f"session-{case_id}-{seq}@mediation", kind="session" if planned else "held_session",
            detail=trigger, case_id=case_id, case_number=number, case_title=title, starts=at,
            ends=at + SESSION_LENGTH))
    return entries


def _deadlines(tx: RawTransaction, params: dict, start: datetime, end: datetime) -> list[CalendarEntry]:
    bounds = {"start": tx.timestamp(_utc(start)), "end": tx.timestamp(_utc(end))}
    entries = []
    for deadline_id, case_id, kind, due_at, number, title in tx.all(DEADLINES, {**params, **bounds}):
        if kind in ORDER_TIMERS:
            continue
        due = parse_timestamp(due_at).replace(tzinfo=timezone.utc).astimezone(CHINA)
        visit = kind.startswith("return_visit")
        day = closing_day(parse_timestamp(due_at))  # a visit due by 24:00 is on the day that ends then
        starts: datetime | date = day if visit else due
        entries.append(CalendarEntry(
            uid=f"deadline-{deadline_id}@mediation", kind="return_visit" if visit else "deadline", detail=kind,
            case_id=case_id, case_number=number, case_title=title, starts=starts,
            ends=day + timedelta(days=1) if visit else due))
    return entries


def _orders(tx: RawTransaction, params: dict, first_day: date, last_day: date) -> list[CalendarEntry]:
    bounds = {"start_day": tx.day(first_day), "end_day": tx.day(last_day + timedelta(days=1))}
    entries = []
    for order_id, case_id, deadline, number, title in tx.all(ORDERS, {**params, **bounds}):
        day = deadline if isinstance(deadline, date) else date.fromisoformat(str(deadline)[:10])
        entries.append(CalendarEntry(
            uid=f"order-{order_id}@mediation", kind="order", detail="key_case_order", case_id=case_id,
            case_number=number, case_title=title, starts=day, ends=day + timedelta(days=1)))
    return entries


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)
