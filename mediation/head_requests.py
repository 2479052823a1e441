"""HEAD answered wherever GET is (DESIGN §9.1): the GET's status and headers, without its body.

Litestar routes by method before any middleware runs, so a route with only a GET handler
answers HEAD with 405. This ASGI wrapper goes around the whole application instead: it hands
a HEAD request to the application as a GET and drops the body of the answer. A GET never
writes, so running one for a HEAD changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar import Litestar

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def answer_head_as_get(app: ASGIApp) -> ASGIApp:
    """`app`, answering HEAD as it answers GET, without the body; `Allow` names HEAD beside GET."""

    async def head_as_get(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "GET":
            await app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"

        async def send_as_head(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _allow_with_head(message.get("headers") or [])}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        # A copy: the server keeps its own scope, which still says HEAD (it then sends no body either).
        await app({**scope, "method": "GET"} if head else scope, receive, send_as_head)

    return head_as_get


def _allow_with_head(headers: Any) -> list:
    """The headers, with HEAD added to an `Allow` that names GET (OPTIONS and 405 answers)."""
    changed = []
    for name, value in headers:
        if name.lower() == b"allow":
            methods = [method.strip() for method in value.decode("latin-1").split(",")]
            if "GET" in methods and "HEAD" not in methods:
                value = ", ".join(sorted([*methods, "HEAD"])).encode("latin-1")
        changed.append((name, value))
    return changed


def with_head_requests(app: Litestar) -> Litestar:
    """The Litestar app, answering HEAD wherever it answers GET (wrapped outside its router)."""
    app.asgi_handler = answer_head_as_get(app.asgi_handler)
    return app


__all__ = ["answer_head_as_get", "with_head_requests"]
