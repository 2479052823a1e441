"""A database that cannot be reached: 503 with Retry-After, never 500; back at once when it returns.

DESIGN §9.1, issue 11 item 7: during 18 PostgreSQL outages the API answered 2,383 requests with
500, and after each restart 0–1 requests failed on stale pooled connections. Each database runs
a real outage against a real `mediation serve`:

- PostgreSQL: a throwaway cluster of this test's own (the suite's server stays up) is stopped
  with `pg_ctl stop -m immediate` while the server runs, then started again on the same port;
- SQLite: another process holds the database's write lock past the busy timeout (a backup, a
  `sqlite3` shell left in a transaction), so writes cannot be made.

Meanwhile the API answers 503 in its JSON error shape and web pages a short Chinese page, both
with Retry-After, and nothing changes; afterwards the very next requests all succeed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from api_support import ON_POSTGRES, Api, ServerProcess, case_input
from pg_cluster import Cluster
from web_session import csrf_of, signed_in

from mediation.db import Database
from mediation.db.schema import upgrade_database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty, build_sample_county

pytestmark = pytest.mark.slow

ADJOURN = {"next_session_at": "2031-01-15T09:30", "reason": "改期再调。"}


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    """A server on the database, mediator1 signed in (API and web), and the case the writes go to."""

    url: str
    api: Api
    browser: httpx.Client
    case_id: int
    version: int = 0  # as the client last read it
    csrf: str = ""

    def read(self) -> None:
        """Read the case page as a client does before a write: its version and the form's CSRF token."""
        self.version = self.api.as_user("mediator1").get(f"/api/v1/cases/{self.case_id}").json()["version"]
        self.csrf = csrf_of(self.browser, f"/cases/{self.case_id}")

    def stored(self) -> tuple[int, int]:
        """The case's version and event count as stored, read on a connection of its own."""
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                return (connection.execute(sa.text("SELECT version FROM cases WHERE id = :id"),
                                           {"id": self.case_id}).scalar_one(),
                        connection.execute(sa.text("SELECT count(*) FROM events WHERE case_id = :id"),
                                           {"id": self.case_id}).scalar_one())
        finally:
            engine.dispose()


@contextmanager
def world_on(url: str, directory: Path) -> Iterator[World]:
    """The sample county and mediator1's case in session on `url`, and a server on it."""
    upgrade_database(url)
    db = Database(url)
    try:
        county = build_sample_county(db)
        case_id = drive_to(db, state="mediation.in_session", county=county, case_input=case_input(county.grid))
    finally:
        db.dispose()
    server = ServerProcess(url, directory / "server.log")
    try:
        api = Api(server=server, db=Database(url), county=SampleCounty(), cases={})
        api.token("mediator1")
        with signed_in(api, "mediator1") as browser:
            yield World(url, api, browser, case_id)
        api.close()
        api.db.dispose()
        log = server.log()
        assert "Traceback" not in log and "unhandled error" not in log, log[-5000:]
    finally:
        server.stop()


# --------------------------------------------------------------------------- requests and their answers


def _transition(world: World) -> httpx.Response:
    return world.api.as_user("mediator1").post(f"/api/v1/cases/{world.case_id}/transitions",
                                               json={"trigger": "adjourn", "data": ADJOURN},
                                               headers={"If-Match": f'"{world.version}"'})


def _fire(world: World) -> httpx.Response:
    return world.browser.post(f"/cases/{world.case_id}/fire", data={
        "csrf_token": world.csrf, "trigger": "raise_risk", "expected_version": str(world.version),
        "data.risk_level": "elevated", "data.reason": "双方情绪激动。"})


def _in_parallel(count: int, request: Callable[[], httpx.Response]) -> list[httpx.Response]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: request(), range(count)))


def assert_unavailable_json(answer: httpx.Response) -> None:
    """503 in the API's error shape, with a Retry-After in seconds."""
    assert answer.status_code == 503, f"{answer.request.method} {answer.request.url}: {answer.status_code} {answer.text[:300]}"
    assert int(answer.headers["retry-after"]) > 0
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"status_code", "detail", "extra"} and body["status_code"] == 503, body


def assert_unavailable_page(answer: httpx.Response) -> None:
    """503 as a short page in Chinese, with a Retry-After in seconds."""
    assert answer.status_code == 503, f"{answer.request.method} {answer.request.url}: {answer.status_code} {answer.text[:300]}"
    assert int(answer.headers["retry-after"]) > 0
    assert answer.headers["content-type"].startswith("text/html")
    assert 'lang="zh-CN"' in answer.text and "稍后" in answer.text, answer.text


def _all_succeed(world: World) -> None:
    """The requests right after the database came back: every one answered as usual, 0 failures."""
    user = world.api.as_user("mediator1")
    answers = [*_in_parallel(8, lambda: world.browser.get("/")), *_in_parallel(8, lambda: user.get("/api/v1/cases"))]
    answers += [user.get(f"/api/v1/cases/{world.case_id}"), world.api.login("mediator1"),
                world.browser.get(f"/cases/{world.case_id}")]
    assert [a.status_code for a in answers] == [200] * len(answers), [(a.request.url, a.status_code) for a in answers]
    before = world.stored()
    world.read()
    assert _transition(world).status_code == 200
    world.read()
    assert _fire(world).status_code == 303
    assert world.stored() == (before[0] + 2, before[1] + 2)


# --------------------------------------------------------------------------- the outages


@contextmanager
def load_on(world: World, clients: int = 4) -> Iterator[list[int]]:
    """Clients reading, and firing risk changes on a case of their own, on and on; the statuses they got."""
    statuses: list[int] = []
    stop = threading.Event()
    case_id = world.api.new_case("mediation.in_session")

    def run(index: int) -> None:
        user = world.api.as_user("mediator1")
        while not stop.is_set():
            if index % 2:
                statuses.append(user.get("/api/v1/cases", params={"page_size": 5}).status_code)
                continue
            seen = user.get(f"/api/v1/cases/{case_id}")
            version = seen.json()["version"] if seen.status_code == 200 else 1
            trigger, risk = (("raise_risk", "elevated"), ("lower_risk", "low"))[version % 2]
            fired = user.post(f"/api/v1/cases/{case_id}/transitions", headers={"If-Match": f'"{version}"'},
                              json={"trigger": trigger, "data": {"risk_level": risk, "reason": "负载测试。"}})
            statuses.extend((seen.status_code, fired.status_code))

    threads = [threading.Thread(target=run, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    try:
        yield statuses
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)


def _postgres_outage(directory: Path) -> None:
    with Cluster.running() as cluster, world_on(cluster.url, directory) as world:
        world.read()
        warm = _in_parallel(8, lambda: world.browser.get("/"))  # the pool holds several connections now
        assert [a.status_code for a in warm] == [200] * 8
        before = world.stored()
        with load_on(world) as statuses:  # requests in flight when the server goes, and while it is away
            time.sleep(1.0)
            cluster.stop_immediately()
            time.sleep(1.0)
        assert 503 in statuses and set(statuses) <= {200, 409, 503}, sorted(set(statuses))
        user = world.api.as_user("mediator1")
        for answer in (user.get("/api/v1/cases"), user.get(f"/api/v1/cases/{world.case_id}"), _transition(world),
                       user.post("/api/v1/cases", json={"title": "x"}), world.api.login("mediator1")):
            assert_unavailable_json(answer)
        for answer in (world.browser.get("/"), world.browser.get(f"/cases/{world.case_id}"), _fire(world)):
            assert_unavailable_page(answer)
        with httpx.Client(base_url=world.api.base_url, timeout=30.0) as stranger:
            token = csrf_of(stranger, "/login")
            assert_unavailable_page(stranger.post("/login", data={"csrf_token": token, "username": "mediator1",
                                                                   "password": "x", "next": "/"}))
        assert world.api.anonymous().get("/health").status_code == 503
        cluster.start_again()
        assert world.stored() == before  # nothing the 503s refused was written
        _all_succeed(world)
        with load_on(world) as statuses:
            time.sleep(1.0)
        assert statuses and set(statuses) <= {200, 409}, sorted(set(statuses))


def _sqlite_outage(directory: Path) -> None:
    path = directory / "mediation.db"
    with world_on(f"sqlite:///{path}", directory) as world:
        world.read()
        before = world.stored()
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock past the busy timeout
            assert_unavailable_json(_transition(world))
            assert_unavailable_page(_fire(world))
            assert world.api.as_user("mediator1").get(f"/api/v1/cases/{world.case_id}").status_code == 200  # reads go on
        finally:
            holder.rollback()
            holder.close()
        assert world.stored() == before
        _all_succeed(world)


def test_an_unreachable_database_is_503_with_retry_after_and_then_all_is_well(tmp_path: Path) -> None:
    """PostgreSQL stopped at once and started again; on SQLite, its write lock held by another process."""
    if ON_POSTGRES:
        _postgres_outage(tmp_path)
    else:
        _sqlite_outage(tmp_path)
