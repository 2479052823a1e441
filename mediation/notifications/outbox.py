"""Delivering the outbox: notifications the engine wrote with its transitions, POSTed to webhooks.

No transaction is open while a request is in flight. Per batch:

1. **claim** (one short transaction): pending messages due at `now`, and `sending` ones whose
   lease ran out (their worker died mid-send), become `sending` under a fresh lease token with
   `next_attempt_at` = the lease's end, `attempts` + 1. PostgreSQL: `FOR UPDATE OF o SKIP LOCKED`,
   so workers on several hosts take disjoint batches; SQLite: the write lock. A message whose
   lease ran out on its last allowed try is marked dead instead.
2. **send**, outside any transaction: the JSON body, signed per endpoint, to every active endpoint
   whose topic filter takes it and that has not accepted the message already (`webhook_deliveries`).
3. **record** (one short transaction per message, only while the lease token is still ours):
   every endpoint answered 2xx → `sent`; otherwise `pending` again after base·2^(tries−1) seconds
   (capped, with jitter), or `dead` once `max_attempts` tries are used (policy `outbox:`).
   Accepting endpoints are recorded even when the lease was lost, so they are not sent it again.

A message goes to an endpoint again only when that endpoint did not answer 2xx, or when the worker
died between the answer and step 3; receivers drop repeats by `X-Mediation-Delivery`.
With no endpoint configured nothing is claimed: messages wait, pending. A message no endpoint
subscribes to is `skipped`.
"""

from __future__ import annotations

import os
import random
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from mediation import jsontext
from mediation.db import Database, RawTransaction, parse_timestamp
from mediation.errors import MediationError, NotFound
from mediation.notifications.webhooks import (
    Endpoint,
    Sender,
    active_endpoints,
    env_endpoint,
    http_send,
    request_headers,
)

STATUSES = ("pending", "sending", "sent", "dead", "skipped")
DEFAULT_BATCH_SIZE = 50
MAX_BATCHES_PER_PASS = 20  # then the worker loop gets back to its deadlines
LEASE_MARGIN_SECONDS = 5.0
MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class DeliverySettings:
    """Retry policy of the outbox (policy.yaml `outbox:`)."""

    max_attempts: int = 8
    backoff_base_seconds: float = 30.0
    backoff_cap_seconds: float = 3600.0
    jitter: float = 0.1  # a retry comes up to this fraction of its delay earlier, at random
    timeout_seconds: float = 5.0
    lease_seconds: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("outbox.max_attempts must be at least 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("outbox.backoff.jitter must be in [0, 1)")
        if self.backoff_base_seconds <= 0 or self.backoff_cap_seconds < self.backoff_base_seconds:
            raise ValueError("outbox.backoff needs 0 < base_seconds <= cap_seconds")
        if self.timeout_seconds <= 0 or self.lease_seconds < self.timeout_seconds + LEASE_MARGIN_SECONDS:
            raise ValueError("outbox.lease_seconds must exceed timeout_seconds by at least 5 seconds")

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any] | None) -> DeliverySettings:
        policy = policy or {}
        backoff = policy.get("backoff") or {}
        defaults = cls()
        return cls(
            max_attempts=int(policy.get("max_attempts", defaults.max_attempts)),
            backoff_base_seconds=float(backoff.get("base_seconds", defaults.backoff_base_seconds)),
            backoff_cap_seconds=float(backoff.get("cap_seconds", defaults.backoff_cap_seconds)),
            jitter=float(backoff.get("jitter", defaults.jitter)),
            timeout_seconds=float(policy.get("timeout_seconds", defaults.timeout_seconds)),
            lease_seconds=float(policy.get("lease_seconds", defaults.lease_seconds)),
        )

    def delay(self, attempts: int, rng: Callable[[], float] = random.random) -> timedelta:
        """How long after its `attempts`-th failed try a message is tried again."""
        seconds = min(self.backoff_cap_seconds, self.backoff_base_seconds * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=seconds * (1 - self.jitter * rng()))


@lru_cache(maxsize=1)
def policy_settings() -> DeliverySettings:
    """The settings of the shipped policy file."""
    from mediation.workflows.loader import current_definition

    return DeliverySettings.from_policy(current_definition().policy.get("outbox"))


@dataclass
class Claimed:
    """A message claimed for sending, with the endpoints that accepted it before."""

    id: int
    case_id: int
    case_number: str
    event_seq: int
    topic: str
    recipient: str
    payload: str
    attempts: int  # tries started, this one included
    created_at: datetime
    delivered: set[int]

    def body(self) -> bytes:
        """What every endpoint receives; the same bytes on every try."""
        return jsontext.dumps({
            "id": self.id, "case_id": self.case_id, "case_number": self.case_number,
            "event_seq": self.event_seq, "topic": self.topic, "recipient": self.recipient,
            "payload": jsontext.loads(self.payload), "created_at": self.created_at.isoformat() + "Z",
        }).encode()


CLAIM = (
    "SELECT o.id, o.case_id, c.number, o.event_seq, o.topic, o.recipient, o.payload, o.status, o.attempts, "
    "o.created_at FROM outbox o JOIN cases c ON c.id = o.case_id "
    "WHERE o.status IN ('pending', 'sending') AND o.next_attempt_at <= :now "
    "ORDER BY o.next_attempt_at, o.id LIMIT :limit"
)
ANY_DUE = "SELECT 1 FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= :now LIMIT 1"
LEASE = (
    "UPDATE outbox SET status = 'sending', lease_token = :token, attempts = attempts + 1, "
    "next_attempt_at = :lease_until WHERE id = :id"
)
DELIVERED = "SELECT webhook_id FROM webhook_deliveries WHERE outbox_id = :id"
RECORD_DELIVERY = (
    "INSERT INTO webhook_deliveries (outbox_id, webhook_id, status_code, delivered_at) "
    "VALUES (:id, :webhook_id, :status_code, :now) ON CONFLICT DO NOTHING"
)
FINISH = (
    "UPDATE outbox SET status = :status, next_attempt_at = :next_attempt_at, lease_token = NULL, "
    "last_error = :error, sent_at = :sent_at WHERE id = :id AND lease_token = :token AND status = 'sending'"
)
EXPIRED_ON_LAST_TRY = (
    "UPDATE outbox SET status = 'dead', lease_token = NULL, "
    "last_error = 'the worker stopped while sending the last allowed try' WHERE id = :id"
)
RELEASE = (
    "UPDATE outbox SET status = 'pending', attempts = attempts - 1, next_attempt_at = :now, lease_token = NULL "
    "WHERE id = :id AND lease_token = :token AND status = 'sending'"
)


def _claim(db: Database, *, now: datetime, batch_size: int, settings: DeliverySettings, lease: float,
           token: str) -> tuple[list[Claimed], int]:
    """Lease up to batch_size due messages for `lease` seconds; also the number marked dead on the way."""
    sql = CLAIM if db.is_sqlite else CLAIM + " FOR UPDATE OF o SKIP LOCKED"
    lease_until = now + timedelta(seconds=lease)
    claimed, dead = [], 0
    with db.write() as tx:
        for row in tx.all(sql, {"now": tx.timestamp(now), "limit": batch_size}):
            message_id, case_id, number, seq, topic, recipient, payload, status, attempts, created_at = row
            if status == "sending" and attempts >= settings.max_attempts:
                tx.execute(EXPIRED_ON_LAST_TRY, {"id": message_id})
                dead += 1
                continue
            tx.execute(LEASE, {"token": token, "lease_until": tx.timestamp(lease_until), "id": message_id})
            delivered = {webhook_id for (webhook_id,) in tx.all(DELIVERED, {"id": message_id})}
            claimed.append(Claimed(message_id, case_id, number, seq, topic, recipient, payload, attempts + 1,
                                   parse_timestamp(created_at), delivered))
    return claimed, dead


def _send(message: Claimed, targets: list[Endpoint], send: Sender,
          timeout: float) -> tuple[list[tuple[int, int]], list[str]]:
    """POST to each target: (endpoint id, status) of those that accepted, and what went wrong."""
    body = message.body()
    accepted, problems = [], []
    for endpoint in targets:
        try:
            status = send(endpoint.url, body, request_headers(endpoint, body, message.id, message.attempts), timeout)
        except Exception as error:  # noqa: BLE001  (any failure of one endpoint is that endpoint's failure)
            problems.append(f"webhook {endpoint.id}: {type(error).__name__}: {error}")
            continue
        if 200 <= status < 300:
            accepted.append((endpoint.id, status))
        else:
            problems.append(f"webhook {endpoint.id}: HTTP {status}")
    return accepted, problems


def _record(tx: RawTransaction, message: Claimed, *, token: str, now: datetime, status: str,
            next_attempt_at: datetime, accepted: list[tuple[int, int]], problems: list[str]) -> None:
    stamp = tx.timestamp(now)
    for webhook_id, status_code in accepted:
        tx.execute(RECORD_DELIVERY, {"id": message.id, "webhook_id": webhook_id, "status_code": status_code,
                                     "now": stamp})
    error = "; ".join(problems)[:MAX_ERROR_LENGTH] or None
    tx.execute(FINISH, {"status": status, "next_attempt_at": tx.timestamp(next_attempt_at), "error": error,
                        "sent_at": stamp if status == "sent" else None, "id": message.id, "token": token})


def deliver_due(
    db: Database, *, now: datetime, send: Sender = http_send, batch_size: int = DEFAULT_BATCH_SIZE,
    settings: DeliverySettings | None = None, environ: Mapping[str, str] = os.environ,
    rng: Callable[[], float] = random.random,
) -> int:
    """Deliver one batch of messages due at `now`; how many were handled (sent, retried later, dead, skipped)."""
    settings = settings or policy_settings()
    with db.snapshot() as tx:  # no write lock while there is nothing to do
        endpoints = active_endpoints(tx, environ)
        if not endpoints or tx.one(ANY_DUE, {"now": tx.timestamp(now)}) is None:
            return 0
    token = secrets.token_hex(16)
    # The lease covers at least one message sent to every endpoint, each taking its whole timeout.
    lease = max(settings.lease_seconds, settings.timeout_seconds * len(endpoints) + LEASE_MARGIN_SECONDS)
    claimed, handled = _claim(db, now=now, batch_size=batch_size, settings=settings, lease=lease, token=token)
    started = time.monotonic()
    for position, message in enumerate(claimed):
        wanting = [endpoint for endpoint in endpoints if endpoint.wants(message.topic)]
        targets = [endpoint for endpoint in wanting if endpoint.id not in message.delivered]
        worst_case = settings.timeout_seconds * len(targets) + LEASE_MARGIN_SECONDS
        if position and time.monotonic() - started + worst_case > lease:
            _release(db, claimed[position:], token=token, now=now)  # the lease could end mid-send
            break
        accepted, problems = _send(message, targets, send, settings.timeout_seconds)
        if not wanting:
            status, next_attempt_at = "skipped", now
        elif len(accepted) == len(targets):
            status, next_attempt_at = "sent", now
        elif message.attempts >= settings.max_attempts:
            status, next_attempt_at = "dead", now
        else:
            status, next_attempt_at = "pending", now + settings.delay(message.attempts, rng)
        with db.write() as tx:
            _record(tx, message, token=token, now=now, status=status, next_attempt_at=next_attempt_at,
                    accepted=accepted, problems=problems)
        handled += 1
    return handled


def _release(db: Database, messages: list[Claimed], *, token: str, now: datetime) -> None:
    """Give back messages not tried: pending again, due at once, the try not counted."""
    with db.write() as tx:
        for message in messages:
            tx.execute(RELEASE, {"id": message.id, "token": token, "now": tx.timestamp(now)})


def deliverer(db: Database, *, batch_size: int = DEFAULT_BATCH_SIZE, send: Sender = http_send,
              environ: Mapping[str, str] = os.environ) -> Callable[[datetime], int]:
    """The worker's `deliver(now)`: batches until none is full (at most MAX_BATCHES_PER_PASS).

    Checks MEDIATION_WEBHOOK_URL/SECRET and the policy at once, so a bad setting stops the
    worker at start rather than at its first delivery.
    """
    env_endpoint(environ)
    settings = policy_settings()

    def deliver(now: datetime) -> int:
        total = 0
        for _ in range(MAX_BATCHES_PER_PASS):
            handled = deliver_due(db, now=now, send=send, batch_size=batch_size, settings=settings, environ=environ)
            total += handled
            if handled < batch_size:
                break
        return total

    return deliver


@dataclass(frozen=True)
class MessageRow:
    """An outbox message as listed by `mediation outbox list`."""

    id: int
    case_id: int
    case_number: str
    event_seq: int
    topic: str
    recipient: str
    status: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


LIST = (
    "SELECT o.id, o.case_id, c.number, o.event_seq, o.topic, o.recipient, o.status, o.attempts, "
    "o.next_attempt_at, o.created_at, o.sent_at, o.last_error FROM outbox o JOIN cases c ON c.id = o.case_id "
)


def list_messages(db: Database, *, status: str | None = None, limit: int = 50) -> list[MessageRow]:
    """The newest messages first, of one status or of all."""
    if status is not None and status not in STATUSES:
        raise MediationError(f"unknown status '{status}' (one of {', '.join(STATUSES)})")
    where = "WHERE o.status = :status " if status else ""
    with db.snapshot() as tx:
        rows = tx.all(LIST + where + "ORDER BY o.id DESC LIMIT :limit", {"status": status, "limit": limit})
    return [
        MessageRow(*row[:8], parse_timestamp(row[8]), parse_timestamp(row[9]), parse_timestamp(row[10]), row[11])
        for row in rows
    ]


RETRY = (
    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = :now, lease_token = NULL "
    "WHERE id = :id AND status = 'dead'"
)


def retry_message(db: Database, message_id: int, *, now: datetime) -> None:
    """A dead message is pending again with all its tries; endpoints that accepted it are not sent it again."""
    with db.write() as tx:
        tx.execute(RETRY, {"id": message_id, "now": tx.timestamp(now)})
        if tx.rowcount == 1:
            return
        row = tx.one("SELECT status FROM outbox WHERE id = :id", {"id": message_id})
    if row is None:
        raise NotFound(f"no outbox message {message_id}")
    raise MediationError(f"outbox message {message_id} is {row[0]}; only dead messages can be retried")
