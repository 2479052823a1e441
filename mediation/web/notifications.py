"""The 通知 page at /notifications: the signed-in user's notices, unread first, marked read one by one or all."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.params import FromPath
from litestar.response import Redirect

from mediation.errors import NotFound
from mediation.notifications.inbox import NoticePage, mark_all_read, mark_read, notifications_for
from mediation.services import services_of
from mediation.web.page import Page, local_time, page_number, page_of, to_login
from mediation.web.session import CSRF_FIELD, csrf_ok

PAGE_SIZE = 30
MAX_PAGES = 10_000


class NotificationPages(Controller):
    """/notifications, and its two forms."""

    include_in_schema = False

    @get("/notifications", sync_to_thread=True)
    def index(self, request: Request) -> Response:
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        unread_only = request.query_params.get("unread") == "1"
        return render_notices(page, unread_only, page_number(request.query_params, MAX_PAGES),
                              marked=request.query_params.get("marked"))

    @get("/notifications/{notification_id:int}/case", sync_to_thread=True)
    def open_case(self, request: Request, notification_id: FromPath[int]) -> Response:
        """Following a notice to its case marks it read (as opening a message does)."""
        page = page_of(request)
        if page.actor is None:
            return to_login(request)
        services = services_of(request)
        try:
            with services.db.write() as tx:
                case_id = mark_read(tx=tx, user_id=page.actor.user_id, notification_id=notification_id,
                                    now=services.clock())
        except NotFound:
            return render_notices(page, False, 1, status=404, alert=page.words.t("notices_not_found"))
        return Redirect(path=f"/cases/{case_id}" if case_id else "/notifications", status_code=303)

    @post("/notifications/{notification_id:int}/read")
    async def read(self, request: Request, notification_id: FromPath[int]) -> Response:
        return await _change(request, notification_id)

    @post("/notifications/read-all")
    async def read_all(self, request: Request) -> Response:
        return await _change(request, None)


async def _change(request: Request, notification_id: int | None) -> Response:
    """Mark one notice (or all) read after checking the form's CSRF token; back to the list."""
    page = page_of(request)
    if page.actor is None:
        return to_login(request)
    form = await request.form()
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        return await sync_to_thread(render_notices, page, False, 1, status=403, alert=page.words.t("csrf_failed"))
    return await sync_to_thread(_mark, page, notification_id, str(form.get("back") or ""))


def _mark(page: Page, notification_id: int | None, back: str) -> Response:
    services = services_of(page.request)
    try:
        with services.db.write() as tx:
            if notification_id is None:
                marked = mark_all_read(tx=tx, user_id=page.actor.user_id, now=services.clock())
            else:
                mark_read(tx=tx, user_id=page.actor.user_id, notification_id=notification_id, now=services.clock())
    except NotFound:
        return render_notices(page, False, 1, status=404, alert=page.words.t("notices_not_found"))
    query = {"marked": marked} if notification_id is None else {}
    if back in ("unread", "all") and notification_id is not None:
        query = {"unread": 1} if back == "unread" else {}
    return Redirect(path="/notifications" + (f"?{urlencode(query)}" if query else ""), status_code=303)


def render_notices(page: Page, unread_only: bool, number: int, *, status: int = 200, alert: str | None = None,
                   marked: str | None = None) -> Response:
    """The list page: a page of notices in the reader's language, with the filter tabs and the forms."""
    services = services_of(page.request)
    with services.db.snapshot() as tx:
        found = notifications_for(tx=tx, user_id=page.actor.user_id, page=1, page_size=PAGE_SIZE,
                                  unread_only=unread_only)
        pages = max(1, -(-found.total // PAGE_SIZE))
        if min(number, pages) > 1:
            found = notifications_for(tx=tx, user_id=page.actor.user_id, page=min(number, pages),
                                      page_size=PAGE_SIZE, unread_only=unread_only)
    words = page.words
    notice = words.t("notices_marked_all", n=int(marked)) if marked and marked.isdigit() else None
    keep = {"unread": 1} if unread_only else {}
    return page.render(
        "notifications.html", status=status, here="/notifications", rows=_rows(found, page.lang),
        total=found.total, unread=found.unread, unread_only=unread_only, page=found.page, pages=pages,
        page_url=lambda n: "/notifications?" + urlencode({**keep, "page": n}), alert=alert, notice=notice,
        back="unread" if unread_only else "all",
    )


def _rows(found: NoticePage, lang: str) -> list[dict]:
    return [{"id": item.id, "text": getattr(item.text, lang), "case_id": item.case_id,
             "unread": item.read_at is None, "at": local_time(item.created_at)} for item in found.items]
