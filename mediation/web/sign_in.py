"""Signing in and out of the web workspace: the login form, its check, the logout button.

After signing in, a user lands on the page asked for (`next`), else where their work is (`landing`).
"""

from __future__ import annotations

import math

from litestar import Controller, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.response import Redirect

from mediation import control_characters
from mediation.directory.identity import BadCredentials, TooManyAttempts, check_password
from mediation.directory.tokens import TokenClaims
from mediation.services import services_of
from mediation.web.my_work import landing
from mediation.web.page import Page, page_of, reason_text, safe_next
from mediation.web.session import (
    CSRF_FIELD,
    PRELOGIN_COOKIE,
    SESSION_COOKIE,
    csrf_ok,
    expired,
    new_prelogin,
    session_cookie,
    sign_out,
)


class SignIn(Controller):
    """/login and /logout."""

    include_in_schema = False

    @get("/login", sync_to_thread=False)
    def login_form(self, request: Request) -> Response:
        page = page_of(request)
        token, prelogin = new_prelogin(request)
        return page.render("login.html", cookies=[prelogin], login_csrf=token,
                           next=safe_next(request.query_params.get("next")), error=None, username="")

    @post("/login")
    async def login(self, request: Request) -> Response:
        page = page_of(request)
        form = await request.form()
        username = str(form.get("username") or "")[:64]
        target = safe_next(str(form.get("next") or ""))
        error, wait = None, None
        if not csrf_ok(request, form.get(CSRF_FIELD), before_login=True):
            error, status = page.words.t("csrf_failed"), 403
        elif unreadable := _unreadable(page, username, str(form.get("password") or "")):
            error, status = unreadable, 422  # a NUL, or a control character in the username: never looked up
        else:
            services = services_of(request)
            address = request.client.host if request.client else "unknown"
            try:
                claims = await sync_to_thread(check_password, services.db, username=username,
                                              password=str(form.get("password") or ""), address=address,
                                              now=services.clock())
            except TooManyAttempts as refused:
                wait = refused.retry_after
                error, status = page.words.t("too_many", minutes=math.ceil(wait / 60)), 429
            except BadCredentials:
                error, status = page.words.t("bad_login"), 401
        if error:
            token, prelogin = new_prelogin(request)
            answer = page.render("login.html", status=status, cookies=[prelogin], login_csrf=token, next=target,
                                 error=error, username=control_characters.without_refused(username, one_line=True))
            if wait is not None:
                answer.headers["Retry-After"] = str(wait)
            return answer
        if target == "/":  # no page asked for (or the site's root): the user's own work
            target = await sync_to_thread(_landing_of, request, claims)
        return Redirect(path=target, status_code=303,
                        cookies=[session_cookie(request, claims, username), expired(request, PRELOGIN_COOKIE)])

    @post("/logout")
    async def logout(self, request: Request) -> Response:
        form = await request.form()
        if not csrf_ok(request, form.get(CSRF_FIELD)):
            return Redirect(path="/", status_code=303)
        await sync_to_thread(sign_out, request)
        return Redirect(path="/login", status_code=303, cookies=[expired(request, SESSION_COOKIE)])


def _landing_of(request: Request, claims: TokenClaims) -> str:
    """Where the user who just signed in lands (`my_work.landing`: inbox, my work, admin)."""
    actor = services_of(request).actors.get(claims)
    return landing(actor) if actor is not None else "/"


def _unreadable(page: Page, username: str, password: str) -> str | None:
    """The message naming a login field that holds what `control_characters` refuses; None when none does."""
    for name, text, one_line in (("username", username, True), ("password", password, False)):
        reason = control_characters.refusal(text, one_line=one_line)
        if reason:
            return f"{page.words.t(name)}{'：' if page.lang == 'zh' else ': '}{reason_text(page.words, reason)}"
    return None
