"""A server killed while a keyed transition is inside its transaction: the retry is simply answered.

The key is held inside the transaction that makes the change, so a crash leaves nothing behind
and the very same request sent to the restarted server is applied at once (200, once), never
told "still in progress" (409). The tests run their own `mediation serve` process, on their own
database, so that they can kill it with SIGKILL.

The request is held inside the server by a lock the test takes first: on PostgreSQL the case's
row lock (`SELECT ... FOR UPDATE`; the server's transaction has reserved the key and waits on
the row), on SQLite the database's write lock (`BEGIN IMMEDIATE`; the server waits for it).
On SQLite the server waits before its transaction begins, so that run shows only that a crash
mid-wait leaves nothing; the PostgreSQL run and the leftover-reservation test are the ones an
older release (key claimed in a transaction of its own before the change) fails with 409.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import sqlalchemy as sa
from api_support import ON_POSTGRES, ServerProcess, case_input, create_database, drop_database

from mediation.api.openapi_docs import strict_body
from mediation.api.schemas import TransitionRequest
from mediation.cases import idempotency
from mediation.clock import utcnow
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import PASSWORD, SampleCounty, build_sample_county

pytestmark = pytest.mark.slow

USER = "mediator1"
# adjourn: mediation.in_session -> mediation.assigned
ADJOURN_DATA = {"next_session_at": "2030-01-15T09:30", "reason": "一方当事人需要时间筹措款项，改期再调。"}
HOLD_TIMEOUT = 20.0  # seconds to see the server's request wait on the test's lock
SQLITE_SETTLE = 1.5  # seconds the request gets to reach the server's wait for the write lock (no waiter to see)
ANSWERED_AT_ONCE = 5.0  # seconds a retry may take; a retry told "in progress" would wait a minute
REQUEST_TIMEOUT = 30.0


@dataclass
class World:
    url: str
    db: Database
    county: SampleCounty
    directory: Path

    def version(self, case_id: int) -> int:
        with self.db.read() as connection:
            return connection.execute(sa.text("SELECT version FROM cases WHERE id = :id"),
                                      {"id": case_id}).scalar_one()

    def event_count(self, case_id: int) -> int:
        with self.db.read() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM events WHERE case_id = :id"),
                                      {"id": case_id}).scalar_one()

    def user_id(self, username: str) -> int:
        with self.db.read() as connection:
            return connection.execute(sa.text("SELECT id FROM users WHERE username = :u"),
                                      {"u": username}).scalar_one()

    def key_rows(self, username: str, key: str) -> list[tuple[Any, ...]]:
        with self.db.read() as connection:
            return [tuple(row) for row in connection.execute(
                sa.text("SELECT request_hash, response_status, response_body FROM idempotency_keys "
                        "WHERE user_id = :user_id AND key = :key"),
                {"user_id": self.user_id(username), "key": key})]

    def new_case(self) -> int:
        return drive_to(self.db, state="mediation.in_session", county=self.county,
                        case_input=case_input(self.county.grid))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("crash")
    url = create_database(directory)
    db = Database(url)
    try:
        yield World(url=url, db=db, county=build_sample_county(db), directory=directory)
    finally:
        db.dispose()
        drop_database(url)


@contextmanager
def serving(world: World, name: str) -> Iterator[ServerProcess]:
    """A `mediation serve` of the test's own on the world's database, stopped (if still alive) at the end."""
    server = ServerProcess(world.url, world.directory / f"{name}.log")
    try:
        yield server
    finally:
        server.stop()


def token(server: ServerProcess, username: str = USER) -> str:
    response = httpx.post(f"{server.base_url}/api/v1/auth/token",
                          json={"username": username, "password": PASSWORD}, timeout=REQUEST_TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def adjourn(version: int) -> dict[str, Any]:
    return {"trigger": "adjourn", "expected_version": version, "data": dict(ADJOURN_DATA)}


def post(server: ServerProcess, bearer: str, case_id: int, body: dict[str, Any], key: str) -> httpx.Response:
    return httpx.post(f"{server.base_url}/api/v1/cases/{case_id}/transitions", json=body,
                      headers={"Authorization": f"Bearer {bearer}", "Idempotency-Key": key},
                      timeout=REQUEST_TIMEOUT)


def timed(send: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = send()
    return response, time.monotonic() - started


def assert_applied_once(world: World, case_id: int, response: httpx.Response, elapsed: float,
                        version: int, events: int) -> None:
    assert response.status_code == 200, f"{response.status_code} {response.text}"
    assert elapsed < ANSWERED_AT_ONCE, f"the retry took {elapsed:.1f} s"
    assert response.headers.get("idempotent-replayed") is None  # applied now: nothing had been applied
    body = response.json()
    assert body["state"] == "mediation.assigned" and body["version"] == version + 1, body
    assert world.version(case_id) == version + 1
    assert world.event_count(case_id) == events + 1


# --------------------------------------------------------------------------- holding the request in the server


def _pg_dsn(url: str) -> str:
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def case_row_locked(world: World, case_id: int) -> Iterator[Any]:
    """PostgreSQL: the case's row locked by a transaction of the test's; yields (watcher connection, holder's pid)."""
    import psycopg

    dsn = _pg_dsn(world.url)
    with psycopg.connect(dsn, options="-c statement_timeout=20000") as holder, \
            psycopg.connect(dsn, autocommit=True, options="-c statement_timeout=20000") as watcher:
        holder.execute("SELECT id FROM cases WHERE id = %s FOR UPDATE", (case_id,))
        try:
            yield watcher, holder.info.backend_pid
        finally:
            holder.rollback()


def wait_for_pg_waiter(watcher: Any, holder_pid: int) -> tuple[bool, str]:
    """Until a server backend waits on the case row lock; whether its transaction had written (the key), its query."""
    deadline = time.monotonic() + HOLD_TIMEOUT
    while time.monotonic() < deadline:
        rows = watcher.execute(
            "SELECT backend_xid IS NOT NULL, query FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND %s = ANY(pg_blocking_pids(pid))", (holder_pid,)).fetchall()
        if rows:
            has_written, query = rows[0]
            assert "cases" in query, query
            return has_written, query
        time.sleep(0.05)
    raise AssertionError(f"no server transaction waited on the case row within {HOLD_TIMEOUT} s")


@contextmanager
def write_lock_held(world: World) -> Iterator[None]:
    """SQLite: the database's write lock held by a connection of the test's."""
    path = sa.make_url(world.url).database
    connection = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
    finally:
        connection.close()


def leave_reservation(world: World, key: str, request_hash: str) -> None:
    """An unanswered reservation as the older release left one behind after a crash."""
    with world.db.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO idempotency_keys (user_id, key, request_hash, case_id, response_status, "
                    "response_body, created_at) VALUES (:user_id, :key, :hash, NULL, 0, '', :now)"),
            {"user_id": world.user_id(USER), "key": key, "hash": request_hash, "now": utcnow()})


# --------------------------------------------------------------------------- the tests


def test_a_retry_after_the_server_was_killed_mid_transaction_is_applied_at_once(world: World) -> None:
    case_id = world.new_case()
    version, events = world.version(case_id), world.event_count(case_id)
    body, key = adjourn(version), str(uuid.uuid4())

    with serving(world, "killed") as first, ThreadPoolExecutor(1) as pool:
        bearer = token(first)
        if ON_POSTGRES:
            with case_row_locked(world, case_id) as (watcher, holder_pid):
                in_flight = pool.submit(post, first, bearer, case_id, body, key)
                reserved_in_the_waiting_transaction, waiting_query = wait_for_pg_waiter(watcher, holder_pid)
                assert not in_flight.done()
                first.kill()
        else:
            with write_lock_held(world):
                in_flight = pool.submit(post, first, bearer, case_id, body, key)
                time.sleep(SQLITE_SETTLE)  # well inside the server's busy wait (10 s)
                assert not in_flight.done(), in_flight.result()
                first.kill()
        with pytest.raises(httpx.TransportError):
            in_flight.result(timeout=REQUEST_TIMEOUT)  # the connection died with the server

    # The killed transaction left nothing: no change, no event, no answered key.
    assert world.version(case_id) == version
    assert world.event_count(case_id) == events
    assert all(row[1] == 0 for row in world.key_rows(USER, key)), world.key_rows(USER, key)

    with serving(world, "restarted") as second:
        retry, elapsed = timed(lambda: post(second, bearer, case_id, body, key))
        assert_applied_once(world, case_id, retry, elapsed, version, events)
        again = post(second, bearer, case_id, body, key)
        assert again.status_code == 200 and again.content == retry.content
        assert again.headers.get("idempotent-replayed") == "true"
        assert world.version(case_id) == version + 1
        assert world.event_count(case_id) == events + 1
        assert "Traceback" not in second.log(), second.log()
    [(request_hash, status, stored)] = world.key_rows(USER, key)
    assert status == 200 and stored.encode() == retry.content
    if ON_POSTGRES:
        # The set-up held what it meant to: the killed transaction had reserved the key (an uncommitted
        # write) and waited on the case row, so the crash undid the reservation with the change.
        assert reserved_in_the_waiting_transaction, f"the killed transaction had written nothing: {waiting_query}"


def test_a_leftover_unanswered_reservation_does_not_block_the_retry(world: World) -> None:
    """A reservation row an older release left behind after a crash (response_status 0) means nothing was applied."""
    case_id = world.new_case()
    version, events = world.version(case_id), world.event_count(case_id)
    body, key = adjourn(version), str(uuid.uuid4())
    # The request hash the API computes for this very request.
    strict = strict_body(json.dumps(body).encode(), TransitionRequest)
    digest = idempotency.request_digest("POST transitions", case_id, version, msgspec.to_builtins(strict))
    leave_reservation(world, key, digest)

    with serving(world, "leftover") as server:
        bearer = token(server)
        retry, elapsed = timed(lambda: post(server, bearer, case_id, body, key))
        assert_applied_once(world, case_id, retry, elapsed, version, events)
        again = post(server, bearer, case_id, body, key)
        assert again.status_code == 200 and again.content == retry.content
        assert again.headers.get("idempotent-replayed") == "true"
        assert world.event_count(case_id) == events + 1
        assert "Traceback" not in server.log(), server.log()
    [(request_hash, status, stored)] = world.key_rows(USER, key)
    assert (request_hash, status) == (digest, 200) and stored.encode() == retry.content


def test_a_leftover_reservation_of_another_body_leaves_the_key_free(world: World) -> None:
    """Nothing was applied under a leftover reservation, so the key serves the request the caller sends now."""
    case_id = world.new_case()
    version, events = world.version(case_id), world.event_count(case_id)
    body, key = adjourn(version), str(uuid.uuid4())
    leave_reservation(world, key, "0" * 64)

    with serving(world, "leftover-other") as server:
        retry, elapsed = timed(lambda: post(server, token(server), case_id, body, key))
        assert_applied_once(world, case_id, retry, elapsed, version, events)
    [(request_hash, status, stored)] = world.key_rows(USER, key)
    assert status == 200 and request_hash != "0" * 64 and stored.encode() == retry.content
