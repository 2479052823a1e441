"""The calendar feed: a long-lived token per person, and their calendar as iCalendar (.ics).

The token is shown once; only its SHA-256 is kept (`users.calendar_key`). Asking for a new one
replaces it, so the old one stops working at once. The feed takes that token, never an access
token: a calendar program keeps it in its subscription URL.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from mediation.db import RawTransaction
from mediation.notifications.calendar_entries import (
    CalendarEntry,
    CalendarPerson,
    calendar_entries,
    calendar_person,
)
from mediation.notifications.notice_text import entry_title

TOKEN_BYTES = 32
SHANGHAI = ZoneInfo("Asia/Shanghai")
FEED_PAST = timedelta(days=183)  # held sessions and deadlines this far back stay in the feed
FEED_AHEAD = timedelta(days=400)
SET_KEY = "UPDATE users SET calendar_key = :key WHERE id = :id"
BY_KEY = "SELECT id FROM users WHERE calendar_key = :key AND active"
HAS_KEY = "SELECT calendar_key IS NOT NULL FROM users WHERE id = :id"


def token_key(token: str) -> str:
    """The SHA-256 (hex) kept for a feed token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_calendar_token(*, tx: RawTransaction, user_id: int) -> str:
    """A new feed token for the user, replacing (revoking) any earlier one; shown to them once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    tx.execute(SET_KEY, {"key": token_key(token), "id": user_id})
    return token


def has_feed(*, tx: RawTransaction, user_id: int) -> bool:
    """Whether the user has asked for a calendar feed address (and so has one)."""
    found = tx.one(HAS_KEY, {"id": user_id})
    return bool(found and found[0])


def feed_owner(*, tx: RawTransaction, token: str) -> CalendarPerson | None:
    """The active person whose current feed token this is, or None (unknown, replaced, or disabled)."""
    if not token or len(token) > 200:
        return None
    row = tx.one(BY_KEY, {"key": token_key(token)})
    return calendar_person(tx=tx, user_id=row[0]) if row else None


def feed_entries(*, tx: RawTransaction, person: CalendarPerson, today: date) -> list[CalendarEntry]:
    """The entries a feed carries: half a year back, a bit more than a year ahead."""
    return calendar_entries(tx=tx, person=person, first_day=today - FEED_PAST, last_day=today + FEED_AHEAD)


def ics_document(entries: list[CalendarEntry], *, site: str, stamp: datetime) -> bytes:
    """The entries as an iCalendar document; SUMMARY in Chinese with the case number, URL to the case page."""
    calendar = Calendar()
    calendar.add("prodid", "-//mediation//人民调解工作日历//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "人民调解工作日历")
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    for entry in entries:
        calendar.add_component(_event(entry, site, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _event(entry: CalendarEntry, site: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("summary", f"{entry_title(entry.kind, entry.detail, 'zh')}：{entry.case_number} {entry.case_title}")
    if entry.all_day:
        event.add("dtstart", entry.starts)
        event.add("dtend", entry.ends)
    else:
        event.add("dtstart", entry.starts.astimezone(SHANGHAI))
        event.add("dtend", entry.ends.astimezone(SHANGHAI))
    event.add("url", f"{site.rstrip('/')}/cases/{entry.case_id}")
    event.add("description", f"案件 {entry.case_number}：{entry.case_title}")
    event.add("transp", "TRANSPARENT" if entry.kind in ("deadline", "return_visit", "order") else "OPAQUE")
    return event
