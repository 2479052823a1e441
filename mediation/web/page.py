"""What every page of the web workspace shares: the signed-in user, the language, rendering.

A controller builds a `Page` from the request (`page_of`), sends strangers to the login form
(`to_login`) and renders its template through `Page.render`, which adds the page's words,
the CSRF token, the language switch and the security headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.response import Redirect, Template

from mediation.cases.list_export import china_due_time, china_time
from mediation.cases.my_work import DUE_SOON
from mediation.cases.queues import workflow_version_of
from mediation.directory.actors import Actor
from mediation.notifications.inbox import unread_count_now
from mediation.services import Services, services_of
from mediation.web.i18n import Words, pick_language
from mediation.web.session import CSRF_FIELD, LANG_COOKIE, cookie, csrf_token, session_actor
from mediation.workflows.definition import WorkflowDefinition
from mediation.workflows.reasons import reason_in

# Only the vendored scripts and styles under /static run: no inline script or style, no eval,
# nothing from another site, no plugins, no <base> rewriting, forms post here, never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


local_time = china_time  # a stored UTC timestamp as China time to the minute, as the exports write it
local_due_time = china_due_time  # a deadline's due moment, the end of a day read as its 24:00


def page_number(query: Any, last: int) -> int:
    """The `page` query parameter as a page from 1 to `last`; 1 when it is not a number."""
    try:
        return max(1, min(int(query.get("page") or 1), last))
    except ValueError:
        return 1


def safe_next(target: str | None) -> str:
    ok = target and target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if ok and len(target) < 2000 else "/"


def current_definition(services: Services) -> WorkflowDefinition:
    workflows = services.db.workflows
    return workflows.machine(workflows.current_version_id()).definition


def case_definition(services: Services, case_id: int) -> WorkflowDefinition | None:
    """The definition of the workflow version the case runs on; None when there is no such case."""
    with services.db.snapshot() as tx:
        version_id = workflow_version_of(tx=tx, case_id=case_id)
    return None if version_id is None else services.db.workflows.machine(version_id).definition


@dataclass
class Page:
    """What every page's template gets besides its own context."""

    request: Request
    actor: Actor | None
    lang: str

    @property
    def words(self) -> Words:
        return Words(self.lang)

    def render(self, name: str, status: int = 200, cookies: list | None = None, here: str | None = None,
               **context: Any) -> Template:
        """The template with the page's words; `here` is the GET address of what is shown (after a POST)."""
        words = self.words
        query = {} if here else {k: v for k, v in self.request.query_params.items() if k != "lang"}
        switch = "en" if self.lang == "zh" else "zh"
        base = {
            "t": words.t, "field": words.field, "value": words.value, "label": words.label, "local": local_time,
            "lang": self.lang, "user": self.actor, "csrf_field": CSRF_FIELD, "csrf": csrf_token(self.request),
            "switch_url": f"{here or self.request.url.path}?{urlencode({**query, 'lang': switch})}",
            "path": self.request.url.path,
            "unread_notices": unread_count_now(services_of(self.request).db, self.actor.user_id)
            if self.actor is not None else 0,
        }
        all_cookies = list(cookies or [])
        if self.request.query_params.get("lang") in ("zh", "en"):
            all_cookies.append(cookie(self.request, LANG_COOKIE, self.lang, 365 * 86400, httponly=False))
        return Template(template_name=name, context={**base, **context}, status_code=status, cookies=all_cookies,
                        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                                 "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                                 "Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff",
                                 "Vary": "HX-Request, Cookie"})


def page_of(request: Request) -> Page:
    lang = pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    return Page(request, session_actor(request), lang)


def to_login(request: Request) -> Redirect:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(path=f"/login?{urlencode({'next': target})}", status_code=303)


def reason_text(words: Words, reason: str) -> str:
    """A data rule's reason in the reader's words (the table of `workflows.reasons`)."""
    return reason_in(words.lang, reason)


def left_reach_notice(page: Page, definition: WorkflowDefinition) -> str | None:
    """The notice of a work list reached after the user's change took a case out of their reach (`?done=`)."""
    trigger = page.request.query_params.get("done")
    spec = definition.triggers.get(trigger) if trigger else None
    return page.words.t("left_reach", action=page.words.label(spec.labels, trigger)) if spec else None


def due_status(due: datetime | None, now: datetime) -> str | None:
    """'overdue', 'due_soon' (within DUE_SOON) or None, for highlighting a deadline."""
    if due is None:
        return None
    return "overdue" if due < now else ("due_soon" if due < now + DUE_SOON else None)
