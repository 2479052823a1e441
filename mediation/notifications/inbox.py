"""Each person's own notices (DESIGN §9.3): how many are unread, a page of them, marking them read.

The engine and the deadline worker write the rows (`notifications`, see
`mediation.cases.notice_recipients`) in the transaction that writes the outbox message they
mirror; this module only reads them and marks them read. None of these commit.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from mediation import jsontext
from mediation.cases.read_models import utc_text
from mediation.db import Database, RawTransaction, parse_timestamp
from mediation.errors import InvalidData, NotFound
from mediation.notifications.notice_text import notice_text
from mediation.workflows.trigger_data import MAX_ID

MAX_PAGE_SIZE = 200
UNREAD_COUNT = "SELECT count(*) FROM notifications WHERE user_id = :user_id AND read_at IS NULL"
HEADER_CAP = 100
UNREAD_UP_TO = (
    "SELECT count(*) FROM (SELECT 1 FROM notifications WHERE user_id = :user_id AND read_at IS NULL LIMIT :cap) u"
)
TOTAL = "SELECT count(*) FROM notifications WHERE user_id = :user_id"
# Unread first, then newest; the order deadline (if the case has one) dates 督办 and reminders.
PAGE = (
    "SELECT n.id, n.case_id, c.number, n.topic, n.payload, n.created_at, n.read_at, "
    "(SELECT max(o.deadline) FROM orders o WHERE o.case_id = n.case_id) "
    "FROM notifications n LEFT JOIN cases c ON c.id = n.case_id "
    "WHERE n.user_id = :user_id{unread} "
    "ORDER BY CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END, n.id DESC LIMIT :limit OFFSET :offset"
)
MARK_READ = "UPDATE notifications SET read_at = :now WHERE id = :id AND user_id = :user_id AND read_at IS NULL"
CASE_OF = "SELECT case_id FROM notifications WHERE id = :id AND user_id = :user_id"
MARK_ALL_READ = "UPDATE notifications SET read_at = :now WHERE user_id = :user_id AND read_at IS NULL"


class NoticeText(msgspec.Struct):
    """The notice as a sentence, in Chinese and in English."""

    zh: str
    en: str


class NoticeView(msgspec.Struct):
    """One notice: its stable `topic` code, the case it is about, the sentence, when, and when read."""

    id: int
    topic: str
    case_id: int | None
    case_number: str | None
    text: NoticeText
    created_at: str
    read_at: str | None


class NoticePage(msgspec.Struct):
    """A page of the caller's notices, unread first then newest, with how many are unread in all."""

    items: list[NoticeView]
    unread: int
    total: int
    page: int
    page_size: int


def unread_count(*, tx: RawTransaction, user_id: int) -> int:
    """How many of the user's notices are unread (an index-only count on (user_id, read_at, id))."""
    return tx.one(UNREAD_COUNT, {"user_id": user_id})[0]


def notifications_for(*, tx: RawTransaction, user_id: int, page: int = 1, page_size: int = 50,
                      unread_only: bool = False) -> NoticePage:
    """A page of the user's notices, unread first, then newest."""
    if page < 1:
        raise InvalidData("page", "must be 1 or more")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidData("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
    unread = unread_count(tx=tx, user_id=user_id)
    total = unread if unread_only else tx.one(TOTAL, {"user_id": user_id})[0]
    rows = tx.all(PAGE.format(unread=" AND n.read_at IS NULL" if unread_only else ""),
                  {"user_id": user_id, "limit": page_size, "offset": (page - 1) * page_size})
    return NoticePage(items=[_view(row) for row in rows], unread=unread, total=total, page=page,
                      page_size=page_size)


def mark_read(*, tx: RawTransaction, user_id: int, notification_id: int, now: datetime) -> int | None:
    """Mark one of the user's notices read (again is fine); the case it is about. Someone else's or none: NotFound."""
    if not 1 <= notification_id <= MAX_ID:
        raise NotFound(f"notification {notification_id} not found", notification_id=notification_id)
    tx.execute(MARK_READ, {"id": notification_id, "user_id": user_id, "now": tx.timestamp(now)})
    row = tx.one(CASE_OF, {"id": notification_id, "user_id": user_id})
    if row is None:
        raise NotFound(f"notification {notification_id} not found", notification_id=notification_id)
    return row[0]


def mark_all_read(*, tx: RawTransaction, user_id: int, now: datetime) -> int:
    """Mark every unread notice of the user read at `now`; how many were."""
    tx.execute(MARK_ALL_READ, {"user_id": user_id, "now": tx.timestamp(now)})
    return tx.rowcount


def _view(row: tuple) -> NoticeView:
    notice_id, case_id, number, topic, payload, created_at, read_at, deadline = row
    text = notice_text(topic, jsontext.loads(payload), number, _as_date(deadline))
    return NoticeView(id=notice_id, topic=topic, case_id=case_id, case_number=number,
                      text=NoticeText(**text), created_at=utc_text(created_at), read_at=utc_text(read_at))


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return parse_timestamp(value).date() if " " in str(value) or "T" in str(value) else date.fromisoformat(str(value))


def unread_count_now(db: Database, user_id: int, *, cap: int = HEADER_CAP) -> int:
    """The user's unread count up to `cap`, in one autocommit statement (every page's header asks it:
    its cost stays bounded however many notices pile up; the header shows "99+" at the cap)."""
    return db.read_one(UNREAD_UP_TO, {"user_id": user_id, "cap": cap})[0]
