"""Webhook endpoints: where the worker POSTs outbox messages, and how one POST is signed and sent.

Endpoints live in the `webhooks` table (`mediation webhooks add URL --secret S [--topic T…]`);
`MEDIATION_WEBHOOK_URL` with `MEDIATION_WEBHOOK_SECRET` adds one more, for every topic, as
endpoint 0. Each POST carries `X-Mediation-Signature: sha256=<hex HMAC-SHA256 of the raw body
keyed with the endpoint's secret>` and `X-Mediation-Delivery: <outbox message id>`, by which a
receiver drops a message it has seen (a retry after a lost answer is the same delivery).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa

from mediation.db import Database, RawTransaction
from mediation.db.models import Webhook
from mediation.errors import InvalidData, NotFound

ENV_URL = "MEDIATION_WEBHOOK_URL"
ENV_SECRET = "MEDIATION_WEBHOOK_SECRET"
ENV_ENDPOINT_ID = 0
MIN_SECRET_LENGTH = 16
MAX_URL_LENGTH = 2000
TOPIC = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
USER_AGENT = "mediation-webhooks/1"

# (url, body, headers, timeout seconds) -> HTTP status; raises OSError when no answer came.
Sender = Callable[[str, bytes, Mapping[str, str], float], int]


@dataclass(frozen=True)
class Endpoint:
    """An active endpoint: its id (0 for the environment's), URL, secret and topic filter."""

    id: int
    url: str
    secret: str
    topics: frozenset[str] | None = None  # None: every topic

    def wants(self, topic: str) -> bool:
        return self.topics is None or topic in self.topics


@dataclass(frozen=True)
class WebhookRow:
    """An endpoint as listed (the secret is never shown)."""

    id: int
    url: str
    topics: list[str]
    active: bool
    created_at: datetime


def check_url(url: str, field: str = "url") -> str:
    """An absolute http(s) URL with a host, or InvalidData saying what is wrong."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidData(field, f"at most {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as error:
        raise InvalidData(field, f"not a valid URL ({error})") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidData(field, f"must be an http:// or https:// URL, not {url!r}")
    if not parts.hostname:
        raise InvalidData(field, f"has no host: {url!r}")
    if parts.username or parts.password:
        raise InvalidData(field, "must not carry a user name or password (the secret signs each request)")
    return url


def check_secret(secret: str | None, field: str = "secret") -> str:
    if not secret or len(secret) < MIN_SECRET_LENGTH:
        raise InvalidData(field, f"at least {MIN_SECRET_LENGTH} characters are needed to sign requests")
    return secret


def check_topics(topics: list[str] | tuple[str, ...]) -> list[str]:
    for topic in topics:
        if not TOPIC.match(topic):
            raise InvalidData("topic", f"{topic!r} is not a topic name (lower-case letters, digits, _)")
    return sorted(set(topics))


def add_webhook(db: Database, *, url: str, secret: str, topics: list[str] | tuple[str, ...] = (),
                now: datetime | None = None) -> int:
    """Register an endpoint (every topic when `topics` is empty); its id."""
    from mediation.clock import utcnow

    row = Webhook(url=check_url(url), secret=check_secret(secret), topics=" ".join(check_topics(topics)) or None,
                  active=True, created_at=now or utcnow())
    with db.begin() as connection:
        result = connection.execute(sa.insert(Webhook).values(row.model_dump(exclude={"id"})))
        return result.inserted_primary_key[0]


def list_webhooks(db: Database) -> list[WebhookRow]:
    table = Webhook.__table__
    with db.read() as connection:
        rows = connection.execute(
            sa.select(table.c.id, table.c.url, table.c.topics, table.c.active, table.c.created_at).order_by(table.c.id)
        ).all()
    return [WebhookRow(id=r.id, url=r.url, topics=(r.topics or "").split(), active=bool(r.active),
                       created_at=r.created_at) for r in rows]


def set_active(db: Database, webhook_id: int, active: bool) -> None:
    table = Webhook.__table__
    with db.begin() as connection:
        result = connection.execute(sa.update(table).where(table.c.id == webhook_id).values(active=active))
    if result.rowcount != 1:
        raise NotFound(f"no webhook {webhook_id}")


def env_endpoint(environ: Mapping[str, str] = os.environ) -> Endpoint | None:
    """The endpoint of MEDIATION_WEBHOOK_URL/SECRET, None when the URL is unset."""
    url = environ.get(ENV_URL, "").strip()
    if not url:
        return None
    return Endpoint(ENV_ENDPOINT_ID, check_url(url, ENV_URL), check_secret(environ.get(ENV_SECRET), ENV_SECRET))


ACTIVE = "SELECT id, url, secret, topics FROM webhooks WHERE active ORDER BY id"


def active_endpoints(tx: RawTransaction, environ: Mapping[str, str] = os.environ) -> list[Endpoint]:
    endpoints = [
        Endpoint(id, url, secret, frozenset(topics.split()) if topics else None)
        for id, url, secret, topics in tx.all(ACTIVE)
    ]
    default = env_endpoint(environ)
    return endpoints + [default] if default else endpoints


def sign(secret: str, body: bytes) -> str:
    """The X-Mediation-Signature value of a body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str | None) -> bool:
    """What a receiver does: compare the header with its own signature in constant time."""
    return signature is not None and hmac.compare_digest(sign(secret, body), signature)


def request_headers(endpoint: Endpoint, body: bytes, message_id: int, attempt: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Mediation-Signature": sign(endpoint.secret, body),
        "X-Mediation-Delivery": str(message_id),
        "X-Mediation-Attempt": str(attempt),
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: it counts as a failure (and a POST is never replayed elsewhere)."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http_send(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """POST the body; the response status (any), or OSError when the endpoint did not answer."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code
