"""What a person's calendar shows (DESIGN §9.3): sessions, return visits, court and order deadlines.

Whose cases: the person's own work — cases they mediate, key-case orders they own, for court
and department staff the cases referred to their unit, and for mediators, police and supervisors
the cases shared with their unit (co-mediation, DESIGN §9.5). What of them:

- planned sessions (`adjourn.next_session_at`; one planned after the case closed is dropped) and
  held sessions (`record_session.held_at`), one hour each; of the cases referred to a court or a
  department, only while the case is open (the sessions that led to what the court reviews): the
  sessions of every case ever referred would be read from each case's events;
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
from mediation.cases.event_lookup import events_with_ids, parse_event_ids
from mediation.db import RawTransaction, parse_timestamp
from mediation.workflows.calendar import NO_TIME, closing_day

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
SESSION_LENGTH = timedelta(hours=1)
ORDER_TIMERS = ("order_due_soon", "order_overdue")  # the order itself is the entry

CO_MEDIATING_ROLES = frozenset({"mediator", "police", "supervisor"})
# The ways a case is the person's, each read through its own index (`my_cases` picks those of their roles)
MEDIATED = "SELECT c.id FROM cases c WHERE c.mediator_id = :me"
OWNED = "SELECT o.case_id FROM orders o WHERE o.owner_id = :me"
IN_COURT = "SELECT c.id FROM cases c WHERE c.court_id = :unit"
IN_DEPARTMENT = "SELECT c.id FROM cases c WHERE c.department_id = :unit"
SHARED = "SELECT s.case_id FROM case_shares s WHERE s.unit_id = :unit"
SESSION_CASES = "SELECT c.id, c.number, c.title, c.closed_at, c.event_ids FROM cases c WHERE c.id IN ({mine})"
SESSION_COLUMNS, SESSION_TRIGGERS = "case_id, seq, trigger, data", "trigger IN ('adjourn', 'record_session')"
DEADLINES = (
    "SELECT d.id, d.case_id, d.kind, d.due_at, c.number, c.title "
    "FROM deadlines d JOIN cases c ON c.id = d.case_id WHERE d.case_id IN ({mine}) "
    "AND d.status = 'pending' AND d.due_at > :start AND d.due_at <= :end"  # 24:00 ends the day before
)
ORDERS = (
    "SELECT o.id, o.case_id, o.deadline, c.number, c.title "
    "FROM orders o JOIN cases c ON c.id = o.case_id WHERE o.case_id IN ({mine}) "
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
    params = {"me": person.user_id, "unit": person.unit_id}
    mine = my_cases(person)
    entries = _sessions(tx, my_cases(person, closed_referrals=False), params, start, end)
    entries += _deadlines(tx, mine, params, start, end)
    entries += _orders(tx, mine, params, first_day, last_day)
    return sorted(entries, key=lambda e: (e.day, not e.all_day, _moment(e.starts), e.case_number, e.uid))


def my_cases(person: CalendarPerson, *, closed_referrals: bool = True) -> str:
    """SQL selecting the ids of the person's cases (with repeats), a branch per way a case is theirs;
    without `closed_referrals`, the cases referred to their court or department only while open."""
    still_open = "" if closed_referrals else " AND c.stage <> 'closed'"
    ways = [MEDIATED, OWNED]
    ways += [IN_COURT + still_open] if "court" in person.roles else []
    ways += [IN_DEPARTMENT + still_open] if "department" in person.roles else []
    ways += [SHARED] if person.roles & CO_MEDIATING_ROLES else []
    return " UNION ALL ".join(ways)


def _moment(value: datetime | date) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time(), CHINA)


def _sessions(tx: RawTransaction, mine: str, params: dict, start: datetime, end: datetime) -> list[CalendarEntry]:
    """The sessions planned and held on the person's cases, their events found by id (`event_lookup`)."""
    rows = tx.all(SESSION_CASES.format(mine=mine), params)
    cases = {row[0]: row[1:4] for row in rows}
    ids = [event_id for row in rows for event_id in parse_event_ids(row[4])]
    events = events_with_ids(tx, ids, SESSION_COLUMNS, SESSION_TRIGGERS)
    entries = []
    for case_id, seq, trigger, data in sorted(events):
        number, title, closed_at = cases[case_id]
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


def _deadlines(tx: RawTransaction, mine: str, params: dict, start: datetime, end: datetime) -> list[CalendarEntry]:
    bounds = {"start": tx.timestamp(_utc(start)), "end": tx.timestamp(_utc(end))}
    entries = []
    for deadline_id, case_id, kind, due_at, number, title in tx.all(DEADLINES.format(mine=mine), {**params, **bounds}):
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


def _orders(tx: RawTransaction, mine: str, params: dict, first_day: date, last_day: date) -> list[CalendarEntry]:
    bounds = {"start_day": tx.day(first_day), "end_day": tx.day(last_day + timedelta(days=1))}
    entries = []
    for order_id, case_id, deadline, number, title in tx.all(ORDERS.format(mine=mine), {**params, **bounds}):
        day = deadline if isinstance(deadline, date) else date.fromisoformat(str(deadline)[:10])
        entries.append(CalendarEntry(
            uid=f"order-{order_id}@mediation", kind="order", detail="key_case_order", case_id=case_id,
            case_number=number, case_title=title, starts=day, ends=day + timedelta(days=1)))
    return entries


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)
