"""The outbox: notifications written by transitions, delivered to webhooks by the worker.

A real HTTP receiver on 127.0.0.1 checks each request's HMAC signature and can be told to
fail its next k requests; time is the `now` handed to delivery (nothing sleeps).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mediation.clock import utcnow
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.errors import InvalidData, MediationError, NotFound
from mediation.notifications.outbox import (
    DeliverySettings,
    deliver_due,
    list_messages,
    policy_settings,
    retry_message,
)
from mediation.notifications.webhooks import (
    ENV_SECRET,
    ENV_URL,
    add_webhook,
    env_endpoint,
    list_webhooks,
)

NOW = datetime(2026, 11, 20, 8, 0)
LATER = NOW + timedelta(days=1)
COUNTY = SampleCounty()
SECRET = "s3cret-for-the-test-receiver"
SETTINGS = DeliverySettings(max_attempts=4, backoff_base_seconds=10, backoff_cap_seconds=60, jitter=0,
                            timeout_seconds=2, lease_seconds=30)
NO_ENV: dict[str, str] = {}


@dataclass
class Receipt:
    delivery: str
    signature_ok: bool
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class Receiver:
    """An HTTP endpoint in a thread: verifies signatures, fails the next `fail_next` requests with 503."""

    def __init__(self, secret: str = SECRET) -> None:
        self.secret = secret
        self.fail_next = 0
        self.receipts: list[Receipt] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(receiver.secret.encode(), raw, hashlib.sha256).hexdigest()
                signature_ok = hmac.compare_digest(expected, self.headers.get("X-Mediation-Signature", ""))
                with receiver.lock:
                    failing = receiver.fail_next > 0
                    receiver.fail_next -= failing
                    status = 503 if failing else 200 if signature_ok else 401
                    receiver.receipts.append(Receipt(self.headers.get("X-Mediation-Delivery", ""), signature_ok,
                                                     status, json.loads(raw), dict(self.headers)))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/mediation"

    def accepted(self) -> Counter:
        """Delivery id -> how many times it was accepted (200)."""
        return Counter(r.delivery for r in self.receipts if r.status == 200)

    def tries(self) -> Counter:
        return Counter(r.delivery for r in self.receipts)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def county_db(db: Database) -> Database:
    build_sample_county(db)
    return db


def outbox_rows(db: Database, **where: Any) -> list[Any]:
    condition = " AND ".join(f"{key} = :{key}" for key in where) or "1 = 1"
    with db.read() as connection:
        return connection.execute(sa.text(f"SELECT * FROM outbox WHERE {condition} ORDER BY id"), where).all()


def referred_case(db: Database, now: datetime = NOW) -> tuple[int, int]:
    """A case referred to the market-supervision department; (case id, its outbox message id)."""
    case_id = drive_to(db, state="joint.referred", county=COUNTY, now=now)
    (row,) = outbox_rows(db, case_id=case_id)
    return case_id, row.id


def deliver(db: Database, now: datetime, **options: Any) -> int:
    return deliver_due(db, now=now, settings=options.pop("settings", SETTINGS),
                       environ=options.pop("environ", NO_ENV), **options)


def run_cli(database_url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    command = Path(sys.executable).parent / "mediation"
    environment = {**os.environ, "MEDIATION_DATABASE_URL": database_url, "COLUMNS": "250", **(env or {})}
    for name in (ENV_URL, ENV_SECRET):
        if name not in (env or {}):
            environment.pop(name, None)
    return subprocess.run([str(command), *args], env=environment, capture_output=True, text=True, check=False)


def test_transitions_write_outbox_rows_in_their_transaction(county_db: Database) -> None:
    referred = drive_to(county_db, state="joint.referred", county=COUNTY, now=NOW)
    assigned = drive_to(county_db, state="mediation.assigned", county=COUNTY, now=NOW)
    with county_db.read() as connection:
        department = connection.execute(
            sa.text("SELECT id FROM units WHERE code = :code"), {"code": COUNTY.market_department}).scalar()
        mediator = connection.execute(sa.text("SELECT id FROM users WHERE username = 'mediator1'")).scalar()
        referral_seq, referred_at = connection.execute(sa.text(
            "SELECT seq, at FROM events WHERE case_id = :id AND trigger = 'refer_department'"), {"id": referred}).one()
        assign_seq = connection.execute(sa.text(
            "SELECT seq FROM events WHERE case_id = :id AND trigger = 'assign_mediator'"), {"id": assigned}).scalar()

    (message,) = outbox_rows(county_db, case_id=referred)
    assert (message.topic, message.recipient, message.event_seq) == ("case_referred", "department", referral_seq)
    assert json.loads(message.payload) == {"unit_id": department}
    assert (message.status, message.attempts) == ("pending", 0)
    (assignment,) = outbox_rows(county_db, case_id=assigned)
    assert (assignment.topic, assignment.recipient, assignment.event_seq) == ("case_assigned", "mediator", assign_seq)
    assert json.loads(assignment.payload) == {"user_id": mediator}
    with county_db.read() as connection:
        due = connection.execute(sa.text("SELECT next_attempt_at FROM outbox WHERE id = :id"),
                                 {"id": message.id}).scalar()
    assert str(due).startswith(str(referred_at)[:19])


def test_each_message_is_posted_once_signed_with_the_documented_body(
    county_db: Database, receiver: Receiver
) -> None:
    add_webhook(county_db, url=receiver.url, secret=SECRET)
    case_id, message_id = referred_case(county_db)
    other_case = drive_to(county_db, state="court.applied", county=COUNTY, now=NOW)

    handled = deliver(county_db, LATER)
    assert handled == 3  # case_referred, case_assigned and confirmation_applied
    assert all(r.signature_ok and r.status == 200 for r in receiver.receipts)
    assert sorted(receiver.accepted().values()) == [1, 1, 1]
    body = next(r.body for r in receiver.receipts if r.delivery == str(message_id))
    with county_db.read() as connection:
        number = connection.execute(sa.text("SELECT number FROM cases WHERE id = :id"), {"id": case_id}).scalar()
    assert body == {
        "id": message_id, "case_id": case_id, "case_number": number, "event_seq": 3, "topic": "case_referred",
        "recipient": "department", "payload": body["payload"], "created_at": "2026-11-20T10:00:00Z",
    }
    assert number.startswith("永嘉调〔2026〕") and set(body["payload"]) == {"unit_id"}
    headers = next(r.headers for r in receiver.receipts if r.delivery == str(message_id))
    assert headers["Content-Type"].startswith("application/json")
    assert {row.status for row in outbox_rows(county_db)} == {"sent"}
    assert {row.case_id for row in outbox_rows(county_db, topic="confirmation_applied")} == {other_case}

    # Later passes find nothing to send: nothing is posted twice.
    assert deliver(county_db, LATER + timedelta(days=30)) == 0
    assert len(receiver.receipts) == 3


def test_a_failing_receiver_gets_retries_with_growing_backoff_until_it_accepts(
    county_db: Database, receiver: Receiver
) -> None:
    add_webhook(county_db, url=receiver.url, secret=SECRET)
    _, message_id = referred_case(county_db)
    receiver.fail_next = 3

    now, due_times = LATER, []
    for attempt in range(1, 4):
        assert deliver(county_db, now) == 1
        (row,) = outbox_rows(county_db, id=message_id)
        assert (row.status, row.attempts) == ("pending", attempt)
        assert "HTTP 503" in row.last_error
        due = datetime.fromisoformat(str(row.next_attempt_at))
        due_times.append(due)
        # Not due before its time.
        assert deliver(county_db, due - timedelta(seconds=1)) == 0
        now = due
    gaps = [(due - start).total_seconds() for start, due in zip([LATER, *due_times], due_times)]
    assert gaps == [10, 20, 40]

    assert deliver(county_db, now) == 1
    (row,) = outbox_rows(county_db, id=message_id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 4, None)
    assert receiver.tries()[str(message_id)] == 4 and receiver.accepted()[str(message_id)] == 1
    assert [r.headers["X-Mediation-Attempt"] for r in receiver.receipts] == ["1", "2", "3", "4"]
    assert deliver(county_db, now + timedelta(days=1)) == 0
    assert receiver.tries()[str(message_id)] == 4


def test_backoff_is_capped_and_jitter_only_shortens_it() -> None:
    settings = DeliverySettings(backoff_base_seconds=30, backoff_cap_seconds=3600, jitter=0.1)
    assert [settings.delay(n, lambda: 0.0).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]
    assert settings.delay(3, lambda: 0.999).total_seconds() == pytest.approx(120 * 0.9001)
    shipped = policy_settings()
    assert shipped.max_attempts >= 3 and shipped.backoff_cap_seconds >= shipped.backoff_base_seconds
    with pytest.raises(ValueError, match="lease_seconds"):
        DeliverySettings(timeout_seconds=10, lease_seconds=12)


@pytest.mark.slow
def test_dead_after_max_tries_is_listed_by_the_cli_and_retry_brings_it_back(
    county_db: Database, database_url: str, receiver: Receiver
) -> None:
    added = run_cli(database_url, "webhooks", "add", receiver.url, "--secret", SECRET)
    assert added.returncode == 0, added.stdout + added.stderr
    listed = run_cli(database_url, "webhooks", "list")
    assert receiver.url in listed.stdout and "(every topic)" in listed.stdout and SECRET not in listed.stdout
    case_id, message_id = referred_case(county_db)
    receiver.fail_next = 100

    now = LATER
    for _ in range(SETTINGS.max_attempts):
        assert deliver(county_db, now) == 1
        (row,) = outbox_rows(county_db, id=message_id)
        now = datetime.fromisoformat(str(row.next_attempt_at))
    assert (row.status, row.attempts) == ("dead", SETTINGS.max_attempts)
    assert deliver(county_db, now + timedelta(days=365)) == 0
    assert receiver.tries()[str(message_id)] == SETTINGS.max_attempts

    dead = run_cli(database_url, "outbox", "list", "--status", "dead")
    assert dead.returncode == 0, dead.stdout + dead.stderr
    number = list_messages(county_db, status="dead")[0].case_number
    cells = next([c.strip() for c in line.split("│")] for line in dead.stdout.splitlines() if number in line)
    assert cells[1:8] == [str(message_id), number, "3", "case_referred", "department", "dead", "4"]
    assert "HTTP 503" in cells[10]
    pending = run_cli(database_url, "outbox", "list", "--status", "pending")
    assert number not in pending.stdout

    retried = run_cli(database_url, "outbox", "retry", str(message_id))
    assert retried.returncode == 0, retried.stdout + retried.stderr
    (row,) = outbox_rows(county_db, id=message_id)
    assert (row.status, row.attempts) == ("pending", 0)
    again = run_cli(database_url, "outbox", "retry", str(message_id))
    assert again.returncode == 1 and "only dead messages can be retried" in again.stderr
    missing = run_cli(database_url, "outbox", "retry", "999999")
    assert missing.returncode == 1 and "no outbox message 999999" in missing.stderr

    receiver.fail_next = 0
    assert deliver(county_db, utcnow() + timedelta(minutes=1)) == 1
    assert outbox_rows(county_db, id=message_id)[0].status == "sent"
    assert receiver.accepted()[str(message_id)] == 1
    assert case_id == outbox_rows(county_db, id=message_id)[0].case_id


def test_an_endpoint_that_accepted_is_not_sent_the_message_again_while_another_fails(
    county_db: Database, receiver: Receiver
) -> None:
    flaky = Receiver()
    try:
        add_webhook(county_db, url=receiver.url, secret=SECRET)
        add_webhook(county_db, url=flaky.url, secret=SECRET, topics=["case_referred"])
        _, message_id = referred_case(county_db)
        flaky.fail_next = 2
        now = LATER
        for _ in range(3):
            deliver(county_db, now)
            (row,) = outbox_rows(county_db, id=message_id)
            now = datetime.fromisoformat(str(row.next_attempt_at))
        assert row.status == "sent"
        assert receiver.tries()[str(message_id)] == 1  # accepted on the first try, never posted again
        assert flaky.tries()[str(message_id)] == 3 and flaky.accepted()[str(message_id)] == 1
        with county_db.read() as connection:
            deliveries = connection.execute(sa.text(
                "SELECT webhook_id, status_code FROM webhook_deliveries WHERE outbox_id = :id ORDER BY webhook_id"),
                {"id": message_id}).all()
        assert [tuple(d) for d in deliveries] == [(1, 200), (2, 200)]
    finally:
        flaky.close()


def test_two_workers_racing_deliver_every_message_exactly_once(county_db: Database, receiver: Receiver) -> None:
    add_webhook(county_db, url=receiver.url, secret=SECRET)
    for hour in range(12):
        drive_to(county_db, state="joint.referred", county=COUNTY, now=NOW + timedelta(hours=hour))
    ids = {str(row.id) for row in outbox_rows(county_db)}
    assert len(ids) == 12
    errors: list[BaseException] = []

    def worker() -> None:
        worker_db = Database(county_db.url)
        try:
            while deliver(worker_db, LATER, batch_size=2):
                pass
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            worker_db.dispose()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert receiver.tries() == Counter(dict.fromkeys(ids, 1))
    assert {row.status for row in outbox_rows(county_db)} == {"sent"}


class WorkerDied(BaseException):
    """What a killed worker looks like to the code after its claim: nothing more happens."""


def _dies(*_args: Any) -> int:
    raise WorkerDied


def test_a_lease_left_by_a_dead_worker_expires_and_the_message_is_sent_then(
    county_db: Database, receiver: Receiver
) -> None:
    add_webhook(county_db, url=receiver.url, secret=SECRET)
    _, message_id = referred_case(county_db)
    with pytest.raises(WorkerDied):
        deliver(county_db, LATER, send=_dies)
    (row,) = outbox_rows(county_db, id=message_id)
    assert (row.status, row.attempts) == ("sending", 1)
    lease_end = datetime.fromisoformat(str(row.next_attempt_at))
    assert lease_end == LATER + timedelta(seconds=SETTINGS.lease_seconds)

    assert deliver(county_db, lease_end - timedelta(seconds=1)) == 0  # still leased: no other worker sends it
    assert receiver.tries()[str(message_id)] == 0
    assert deliver(county_db, lease_end) == 1
    (row,) = outbox_rows(county_db, id=message_id)
    assert (row.status, row.attempts, row.lease_token) == ("sent", 2, None)
    assert receiver.accepted()[str(message_id)] == 1


def test_a_message_whose_last_try_died_with_its_worker_is_dead(county_db: Database, receiver: Receiver) -> None:
    add_webhook(county_db, url=receiver.url, secret=SECRET)
    _, message_id = referred_case(county_db)
    settings = DeliverySettings(max_attempts=2, backoff_base_seconds=10, jitter=0, timeout_seconds=2,
                                lease_seconds=30)
    now = LATER
    for _ in range(2):
        with pytest.raises(WorkerDied):
            deliver(county_db, now, send=_dies, settings=settings)
        now += timedelta(seconds=31)
    assert deliver(county_db, now, settings=settings) == 1
    (row,) = outbox_rows(county_db, id=message_id)
    assert (row.status, row.attempts) == ("dead", 2) and "stopped while sending" in row.last_error
    assert receiver.tries()[str(message_id)] == 0


def test_a_late_answer_after_the_lease_was_taken_over_does_not_overwrite_the_new_claim(
    county_db: Database, receiver: Receiver
) -> None:
    add_webhook(county_db, url=receiver.url, secret=SECRET)
    _, message_id = referred_case(county_db)
    outcome: list[int] = []

    def slow_send(url: str, body: bytes, headers: Any, timeout: float) -> int:
        # While this worker "waits for its answer", its lease ends and another worker sends the message.
        other = Database(county_db.url)
        try:
            outcome.append(deliver(other, LATER + timedelta(seconds=SETTINGS.lease_seconds)))
        finally:
            other.dispose()
        return 500

    deliver(county_db, LATER, send=slow_send)
    assert outcome == [1]
    (row,) = outbox_rows(county_db, id=message_id)
    assert (row.status, row.attempts) == ("sent", 2)  # the first worker's failure is not recorded over it
    assert receiver.accepted()[str(message_id)] == 1


def test_messages_the_lease_cannot_cover_are_given_back_untried(county_db: Database, receiver: Receiver) -> None:
    add_webhook(county_db, url=receiver.url, secret=SECRET)
    first, _ = referred_case(county_db)
    second, _ = referred_case(county_db, NOW + timedelta(hours=1))
    # A lease of 15 s leaves no room for a second message that may take its whole 10 s timeout.
    tight = DeliverySettings(max_attempts=4, backoff_base_seconds=10, jitter=0, timeout_seconds=10, lease_seconds=15)
    assert deliver(county_db, LATER, settings=tight) == 1
    rows = {row.case_id: row for row in outbox_rows(county_db)}
    assert (rows[first].status, rows[first].attempts) == ("sent", 1)
    assert (rows[second].status, rows[second].attempts, rows[second].lease_token) == ("pending", 0, None)
    assert datetime.fromisoformat(str(rows[second].next_attempt_at)) == LATER
    assert deliver(county_db, LATER, settings=tight) == 1
    assert {row.status for row in outbox_rows(county_db)} == {"sent"}
    assert sorted(receiver.accepted().values()) == [1, 1]


def test_without_endpoints_messages_wait_and_unsubscribed_topics_are_skipped(
    county_db: Database, receiver: Receiver
) -> None:
    _, message_id = referred_case(county_db)
    assert deliver(county_db, LATER) == 0
    assert outbox_rows(county_db, id=message_id)[0].status == "pending"

    add_webhook(county_db, url=receiver.url, secret=SECRET, topics=["reminder", "case_assigned"])
    assert deliver(county_db, LATER) == 1
    assert outbox_rows(county_db, id=message_id)[0].status == "skipped"
    assert receiver.receipts == []
    assert [(hook.topics, hook.active) for hook in list_webhooks(county_db)] == [
        (["case_assigned", "reminder"], True)]


def test_the_environment_endpoint_and_checks_of_configuration(county_db: Database, receiver: Receiver) -> None:
    _, message_id = referred_case(county_db)
    environ = {ENV_URL: receiver.url, ENV_SECRET: SECRET}
    assert deliver(county_db, LATER, environ=environ) == 1
    assert receiver.accepted()[str(message_id)] == 1 and receiver.receipts[0].signature_ok

    for url in ("ftp://example.org/x", "example.org/hook", "http:///nohost", "https://user:pw@example.org/"):
        with pytest.raises(InvalidData, match="url"):
            add_webhook(county_db, url=url, secret=SECRET)
    with pytest.raises(InvalidData, match="16 characters"):
        add_webhook(county_db, url=receiver.url, secret="short")
    with pytest.raises(InvalidData, match="topic"):
        add_webhook(county_db, url=receiver.url, secret=SECRET, topics=["Case Referred"])
    with pytest.raises(InvalidData, match=ENV_SECRET):
        env_endpoint({ENV_URL: receiver.url})
    with pytest.raises(InvalidData, match=ENV_URL):
        env_endpoint({ENV_URL: "mailto:a@b.c", ENV_SECRET: SECRET})
    assert list_webhooks(county_db) == []
    with pytest.raises(NotFound):
        retry_message(county_db, 424242, now=LATER)
    with pytest.raises(MediationError, match="only dead"):
        retry_message(county_db, message_id, now=LATER)


@pytest.mark.slow
def test_the_worker_command_delivers_to_the_environment_endpoint(
    county_db: Database, database_url: str, receiver: Receiver
) -> None:
    _, message_id = referred_case(county_db)
    env = {ENV_URL: receiver.url, ENV_SECRET: SECRET}
    result = run_cli(database_url, "worker", "--once", "--now", LATER.isoformat(), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 notifications delivered" in result.stdout
    assert receiver.accepted() == Counter({str(message_id): 1})
    again = run_cli(database_url, "worker", "--once", "--now", (LATER + timedelta(days=1)).isoformat(), env=env)
    assert again.returncode == 0 and receiver.accepted() == Counter({str(message_id): 1})
    bad = run_cli(database_url, "worker", "--once", env={ENV_URL: "ftp://x"})
    assert bad.returncode == 2 and ENV_URL in bad.stderr
