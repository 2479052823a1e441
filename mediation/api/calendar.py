"""The caller's calendar feed: POST /api/v1/me/calendar-token, GET /api/v1/me/calendar.ics?token=…"""

from __future__ import annotations

from datetime import timezone
from typing import Annotated

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import QueryParameter

from mediation.api.auth import AUTHENTICATED
from mediation.api.openapi_docs import BEARER, errors
from mediation.directory.actors import Actor
from mediation.notifications.calendar_feed import (
    feed_entries,
    feed_owner,
    ics_document,
    new_calendar_token,
)
from mediation.services import services_of
from mediation.workflows.calendar import china_today

ICS = "text/calendar; charset=utf-8"
FEED_PATH = "/api/v1/me/calendar.ics"


class CalendarToken(msgspec.Struct):
    """A new feed token (shown this once; an earlier one stops working) and the feed's URL with it."""

    token: str
    url: str


@post("/api/v1/me/calendar-token", sync_to_thread=False, status_code=201, tags=["me"],
      dependencies=AUTHENTICATED, security=BEARER, responses=errors(401),
      summary="A new calendar feed token, replacing (revoking) the earlier one")
def issue_calendar_token(request: Request, actor: NamedDependency[Actor]) -> CalendarToken:
    """Subscribe a calendar program to `url`; keep it private, it shows your cases without a login."""
    with services_of(request).db.write() as tx:
        token = new_calendar_token(tx=tx, user_id=actor.user_id)
    return CalendarToken(token=token, url=f"{str(request.base_url).rstrip('/')}{FEED_PATH}?token={token}")


@get(FEED_PATH, sync_to_thread=False, tags=["me"], media_type=ICS, responses=errors(400, 401),
     summary="My calendar as iCalendar: sessions, return visits, court and order deadlines")
def calendar_feed(
    request: Request,
    token: Annotated[str, QueryParameter(max_length=200, description="the feed token (not an access token)")] = "",
) -> Response[bytes]:
    """Times in China time (Asia/Shanghai); a wrong, replaced or disabled user's token is 401, all alike."""
    services = services_of(request)
    now = services.clock()
    with services.db.snapshot() as tx:
        person = feed_owner(tx=tx, token=token)
        if person is None:
            raise NotAuthorizedException("the calendar token is not valid")
        entries = feed_entries(tx=tx, person=person, today=china_today(now))
    body = ics_document(entries, site=str(request.base_url), stamp=now.replace(tzinfo=timezone.utc))
    return Response(body, media_type=ICS, headers={"cache-control": "private, max-age=300"})
