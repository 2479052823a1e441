"""Around the whole application: each HTTP request's id, its figures and (in JSON logs) its access line.

An ASGI wrapper, the lowest level there is, so it sees every answer, the router's 404s included,
and costs a few microseconds. The route is the router's template (`/api/v1/cases/{case_id}`),
which keeps the figures' labels few whatever paths are asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import Any

from mediation.observability._logs import ACCESS_LOGGER, REQUEST_ID, request_id_from
from mediation.observability._metrics import count_request

Scope = dict[str, Any]
Message = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]
UNMATCHED = "(unmatched)"  # the route of a request no route answers (404, 405)
_HEADER = b"x-request-id"
access_log = logging.getLogger(ACCESS_LOGGER)


def observe_requests(app: ASGIApp, *, access_lines: bool = False) -> ASGIApp:
    """`app`, answering every HTTP request with an `X-Request-ID` and counting it by route and status."""

    async def observed(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = perf_counter()
        given = None
        for name, value in scope["headers"]:
            if name == _HEADER:
                given = value
                break
        request_id = request_id_from(given)
        id_header = (_HEADER, request_id.encode())
        token = REQUEST_ID.set(request_id)
        status = 500  # unless an answer starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), id_header]}
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            seconds = perf_counter() - started
            count_request(scope["method"], scope.get("path_template") or UNMATCHED, status, seconds)
            if access_lines and access_log.isEnabledFor(logging.INFO):
                access_log.info("%s %s %d", scope["method"], scope["path"], status, extra={
                    "method": scope["method"], "path": scope["path"], "status": status,
                    "duration_ms": round(seconds * 1000, 3)})
            REQUEST_ID.reset(token)

    return observed
