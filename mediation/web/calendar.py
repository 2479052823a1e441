"""The 日历 page at /calendar: the signed-in user's sessions and deadlines by month (default) or week,
and the calendar feed's subscription address (created or replaced here, shown once)."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.concurrency import sync_to_thread

from mediation.notifications.calendar_entries import (
    CHINA,
    CalendarEntry,
    calendar_entries,
    calendar_person,
)
from mediation.notifications.calendar_feed import has_feed, new_calendar_token
from mediation.notifications.notice_text import entry_title
from mediation.services import services_of
from mediation.web.i18n import Words
from mediation.web.notice_words import MONTH_NAMES
from mediation.web.page import Page, page_of, to_login
from mediation.web.session import CSRF_FIELD, csrf_ok
from mediation.workflows.calendar import china_today

FEED_PATH = "/api/v1/me/calendar.ics"
VIEWS = ("month", "week")
FIRST_YEAR, LAST_YEAR = 1950, 2200  # a date outside shows today's month (the grid pads a week either side)


@dataclass(frozen=True)
class Span:
    """The days a view shows: the month (or week) of `anchor`, padded to whole weeks for a month."""

    view: str
    anchor: date
    first: date  # first day of the month or week
    last: date

    @property
    def grid(self) -> list[date]:
        start = self.first - timedelta(days=self.first.weekday())
        end = self.last + timedelta(days=6 - self.last.weekday())
        return [start + timedelta(days=i) for i in range((end - start).days + 1)]

    def step(self, forward: bool) -> date:
        if self.view == "week":
            return self.anchor + timedelta(days=7 if forward else -7)
        if forward:
            return self.last + timedelta(days=1)
        return (self.first - timedelta(days=1)).replace(day=1)


def span_of(view: str, anchor: date) -> Span:
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return Span(view, anchor, first, first + timedelta(days=6))
    first = anchor.replace(day=1)
    return Span(view, anchor, first, first.replace(day=monthrange(first.year, first.month)[1]))


class CalendarPages(Controller):
    """/calendar and its feed form."""

    include_in_schema = False

    @get("/calendar", sync_to_thread=True)
    def show(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        return render_calendar(page, _view(request), _anchor(request, page))

    @post("/calendar/feed")
    async def feed(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        form = await request.form()
        today = china_today(services_of(request).clock())
        if not csrf_ok(request, form.get(CSRF_FIELD)):
            return await sync_to_thread(render_calendar, page, "month", today, status=403,
                                        alert=page.words.t("csrf_failed"))
        return await sync_to_thread(_new_feed, page, today)


def _new_feed(page: Page, today: date) -> Response:
    with services_of(page.request).db.write() as tx:
        token = new_calendar_token(tx=tx, user_id=page.actor.user_id)
    address = f"{str(page.request.base_url).rstrip('/')}{FEED_PATH}?{urlencode({'token': token})}"
    return render_calendar(page, "month", today, new_feed=address)


def _view(request: Request) -> str:
    view = request.query_params.get("view")
    return view if view in VIEWS else "month"


def _anchor(request: Request, page: Page) -> date:
    try:
        chosen = date.fromisoformat(request.query_params.get("date") or "")
    except ValueError:
        chosen = None
    if chosen is None or not FIRST_YEAR <= chosen.year <= LAST_YEAR:
        return china_today(services_of(page.request).clock())
    return chosen


def render_calendar(page: Page, view: str, anchor: date, *, status: int = 200, alert: str | None = None,
                    new_feed: str | None = None) -> Response:
    """The month or week around `anchor` with the user's entries, and the feed section."""
    span = span_of(view, anchor)
    services = services_of(page.request)
    today = china_today(services.clock())
    grid = span.grid
    with services.db.snapshot() as tx:
        person = calendar_person(tx=tx, user_id=page.actor.user_id)
        entries = calendar_entries(tx=tx, person=person, first_day=grid[0], last_day=grid[-1]) if person else []
        feed = has_feed(tx=tx, user_id=page.actor.user_id)
    words = page.words
    by_day: dict[date, list[dict]] = {}
    for entry in entries:
        by_day.setdefault(entry.day, []).append(_entry_row(entry, words))
    days = [{"date": day, "label": _day_label(day, words), "iso": day.isoformat(), "in_span": span.first <= day <= span.last,
             "today": day == today, "entries": by_day.get(day, []), "weekday": day.weekday()} for day in grid]
    return page.render(
        "calendar.html", status=status, here="/calendar", view=view, days=days, alert=alert, new_feed=new_feed,
        has_feed=feed, title=_title(span, words), count=sum(len(d["entries"]) for d in days if d["in_span"]),
        weekdays=[words.t(f"weekday_{i}") for i in range(7)],
        prev_url=_url(view, span.step(False)), next_url=_url(view, span.step(True)), today_url=_url(view, today),
        month_url=_url("month", anchor), week_url=_url("week", anchor),
    )


def _url(view: str, day: date) -> str:
    return "/calendar?" + urlencode({"view": view, "date": day.isoformat()})


def _title(span: Span, words: Words) -> str:
    if span.view == "week":
        return words.t("calendar_week_title", first=span.first.isoformat(), last=span.last.isoformat())
    return words.t("calendar_month_title", year=span.first.year, month=_month(span.first, words))


def _day_label(day: date, words: Words) -> str:
    return words.t("calendar_day_label", month=_month(day, words), day=day.day,
                   weekday=words.t(f"weekday_{day.weekday()}"))


def _month(day: date, words: Words) -> str | int:
    return MONTH_NAMES[day.month - 1] if words.lang == "en" else day.month


def _entry_row(entry: CalendarEntry, words: Words) -> dict:
    at = words.t("calendar_all_day") if entry.all_day else entry.starts.astimezone(CHINA).strftime("%H:%M")
    if not entry.all_day and entry.day != entry.starts.astimezone(CHINA).date():
        at = "24:00"  # a deadline that ends its day, as the case page writes it
    return {"at": at, "what": entry_title(entry.kind, entry.detail, words.lang), "kind": entry.kind,
            "number": entry.case_number, "title": entry.case_title, "case_id": entry.case_id}
