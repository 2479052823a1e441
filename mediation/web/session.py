"""The browser session: a signed cookie (the API's token service) and CSRF tokens for forms.

The session cookie holds a token of `TokenService` (HS256, expiring, signed with the
secret every process shares), so any worker can read it. It is HttpOnly and SameSite=Lax,
and Secure when the request came over HTTPS (or MEDIATION_SECURE_COOKIES=1).

CSRF: every POST form carries a token that must match. With a session it is derived from
the session token (which a third-party page cannot read); before login it is the value of a
separate random HttpOnly cookie (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from litestar import Request
from litestar.datastructures import Cookie

from mediation.directory.actors import Actor
from mediation.directory.identity import sign_out as end_tokens
from mediation.directory.tokens import TokenClaims
from mediation.services import services_of

SESSION_COOKIE = "mediation_session"
PRELOGIN_COOKIE = "mediation_prelogin"
LANG_COOKIE = "mediation_lang"
CSRF_FIELD = "csrf_token"


def secure_cookies(request: Request) -> bool:
    return request.url.scheme == "https" or os.environ.get("MEDIATION_SECURE_COOKIES") == "1"


def cookie(request: Request, key: str, value: str, max_age: int | None, *, httponly: bool = True) -> Cookie:
    return Cookie(key=key, value=value, max_age=max_age, path="/", httponly=httponly, samesite="lax",
                  secure=secure_cookies(request))


def expired(request: Request, key: str) -> Cookie:
    return Cookie(key=key, value="", max_age=0, path="/", httponly=True, samesite="lax",
                  secure=secure_cookies(request))


def session_actor(request: Request) -> Actor | None:
    """The logged-in actor behind the session cookie; None when absent, forged or expired."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    services = services_of(request)
    claims = services.tokens.verify(token)
    return services.actors.get(claims) if claims is not None else None


def sign_out(request: Request) -> None:
    """End every session and token of the user (this cookie's too, wherever it was copied)."""
    token = request.cookies.get(SESSION_COOKIE)
    services = services_of(request)
    claims = services.tokens.verify(token) if token else None
    if claims is not None:
        end_tokens(services.db, claims)


def session_cookie(request: Request, claims: TokenClaims, username: str) -> Cookie:
    tokens = services_of(request).tokens
    return cookie(request, SESSION_COOKIE, tokens.issue(claims.user_id, username, claims.key), tokens.lifetime)


def _derived(token: str) -> str:
    return hashlib.sha256(f"csrf|{token}".encode()).hexdigest()[:40]


def csrf_token(request: Request) -> str | None:
    """The token forms of this request must carry (None: a pre-login cookie must be set first)."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return _derived(session)
    prelogin = request.cookies.get(PRELOGIN_COOKIE)
    return _derived(prelogin) if prelogin else None


def new_prelogin(request: Request) -> tuple[str, Cookie]:
    """A fresh pre-login secret: its cookie and the form token derived from it."""
    value = secrets.token_urlsafe(32)
    return _derived(value), cookie(request, PRELOGIN_COOKIE, value, 3600)


def csrf_ok(request: Request, submitted: str | None, *, before_login: bool = False) -> bool:
    if before_login:
        prelogin = request.cookies.get(PRELOGIN_COOKIE)
        expected = _derived(prelogin) if prelogin else None
    else:
        session = request.cookies.get(SESSION_COOKIE)
        expected = _derived(session) if session else None
    if not expected or not isinstance(submitted, str) or not submitted.isascii():
        return False
    return hmac.compare_digest(expected, submitted)
