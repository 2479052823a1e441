"""Crash loops under load: the server killed with SIGKILL again and again, PostgreSQL stopped at once.

Client threads file cases (POST /api/v1/cases) and move each case's risk up and down
(raise_risk / lower_risk with If-Match), every request under an Idempotency-Key of its own. A
request is acknowledged only when answered 2xx; one a crash left unanswered, or answered 503
(the database away), is sent again with the same key and body until it is. Meanwhile:

- `mediation serve`'s process group is killed with SIGKILL at a random moment under load and a
  new server started on the same database, SERVER_KILLS times (20 on SQLite; 5 on PostgreSQL,
  whose server itself is not what is tested there);
- on PostgreSQL, a cluster of the test's own running as production does (fsync,
  synchronous_commit and full_page_writes on) is stopped with `pg_ctl stop -m immediate` and
  started again POSTGRES_STOPS times while one server keeps running: every answer meanwhile is
  503 with Retry-After in the API's JSON error shape, never 500.

Afterwards, read from the database: one case per acknowledged intake key, with the acknowledged
id and number; one event per acknowledged change key (the key is written in its reason); no key
applied twice, none missing, none applied unacknowledged; each case at the version and risk its
last acknowledged answer gave; and `mediation verify` clean.
"""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from api_support import (
    ON_POSTGRES,
    Api,
    ServerProcess,
    assert_error,
    create_database,
    drop_database,
)
from pg_cluster import DURABLE_SETTINGS, Cluster
from verify_command import assert_verify_clean

from mediation.db import Database
from mediation.db.schema import upgrade_database
from mediation.demo.sample_county import SampleCounty, build_sample_county

pytestmark = pytest.mark.slow

CLIENTS = 4
USER = "mediator1"
CHANGES_PER_CASE = 3  # raise, lower, raise
SERVER_KILLS = 5 if ON_POSTGRES else 20
POSTGRES_STOPS = 5
LATEST_CRASH = 0.5  # seconds of load after a server's (or cluster's) first acknowledgement; the crash comes before
AWAY = 0.5  # seconds PostgreSQL stays stopped
RETRY_PAUSE = 0.05
GIVE_UP = 120.0  # only against a hang; no assertion depends on speed
TITLE = "楼道堆物纠纷"
KEY = re.compile(r"crash-[0-9a-f]{32}")


@dataclass
class Ledger:
    """What the clients were told: acknowledged intakes and changes by key, and every answer."""

    intakes: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (case id, number)
    changes: dict[str, int] = field(default_factory=dict)  # key -> case id
    cases: dict[int, tuple[int, str]] = field(default_factory=dict)  # case id -> (version, risk level)
    statuses: Counter = field(default_factory=Counter)
    cut_off: int = 0  # requests sent whose connection died with the server (sent again)
    replayed: int = 0  # retries answered with the stored answer: the first one had been applied
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledged(self) -> int:
        return len(self.intakes) + len(self.changes)

    def summary(self) -> str:
        return (f"{len(self.intakes)} intakes and {len(self.changes)} changes acknowledged, {self.cut_off} cut off, "
                f"{self.replayed} replayed; answers {dict(sorted(self.statuses.items()))}")


def assert_unavailable(answer: httpx.Response) -> None:
    """503 in the API's JSON error shape with a Retry-After in seconds."""
    assert_error(answer, 503)
    assert int(answer.headers["retry-after"]) > 0, answer.headers


class Clients:
    """CLIENTS threads filing cases and changing their risk, through whichever server `base_url` names."""

    def __init__(self, base_url: str, token: str, unit: str) -> None:
        self.base_url, self.unit, self.ledger = base_url, unit, Ledger()
        self.headers = {"Authorization": f"Bearer {token}"}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(CLIENTS)]

    def __enter__(self) -> Clients:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Each client finishes its request in hand (acknowledged) and stops."""
        self._stop.set()
        for thread in self._threads:
            thread.join(GIVE_UP)
        assert not any(thread.is_alive() for thread in self._threads), "a client hung"

    def _run(self, number: int) -> None:
        with httpx.Client(headers=self.headers, timeout=30.0) as http:
            try:
                while not self._stop.is_set():
                    case_id, version = self._intake(http)
                    for step in range(CHANGES_PER_CASE):
                        version = self._change(http, case_id, version, step)
            except Exception as error:  # noqa: BLE001 (the test fails on it)
                self.ledger.failures.append(f"client {number}: {error}")

    def _intake(self, http: httpx.Client) -> tuple[int, int]:
        key = f"crash-{uuid.uuid4().hex}"
        case = self._acknowledged(http, "/api/v1/cases", key, {
            "title": f"{TITLE} {key}", "description": "居民反映邻居长期在楼道堆放杂物，影响通行和消防安全。",
            "channel": "grid_screening", "unit": self.unit, "category": "neighbour",
            "parties": [{"name": "王某某", "role": "applicant"}, {"name": "李某某", "role": "respondent"}]})
        self.ledger.intakes[key] = (case["id"], case["number"])
        self.ledger.cases[case["id"]] = (case["version"], case["risk_level"])
        return case["id"], case["version"]

    def _change(self, http: httpx.Client, case_id: int, version: int, step: int) -> int:
        key = f"crash-{uuid.uuid4().hex}"
        trigger, level = ("raise_risk", "elevated") if step % 2 == 0 else ("lower_risk", "low")
        case = self._acknowledged(http, f"/api/v1/cases/{case_id}/transitions", key,
                                  {"trigger": trigger, "data": {"risk_level": level, "reason": f"负载测试 {key}"}},
                                  {"If-Match": f'"{version}"'})
        self.ledger.changes[key] = case_id
        self.ledger.cases[case_id] = (case["version"], case["risk_level"])
        return case["version"]

    def _acknowledged(self, http: httpx.Client, path: str, key: str, body: dict[str, Any],
                      headers: dict[str, str] | None = None) -> dict[str, Any]:
        """Send until answered 2xx, with the same key and body: again after a crash, again after a 503."""
        deadline, retried = time.monotonic() + GIVE_UP, False
        while time.monotonic() < deadline:
            try:
                answer = http.post(self.base_url + path, json=body, headers={"Idempotency-Key": key, **(headers or {})})
            except httpx.ConnectError:  # no server yet: nothing was sent
                retried = True
                time.sleep(RETRY_PAUSE)
                continue
            except httpx.TransportError:  # sent, and the server died before it answered
                with self.ledger.lock:
                    self.ledger.cut_off += 1
                retried = True
                continue
            with self.ledger.lock:
                self.ledger.statuses[answer.status_code] += 1
                self.ledger.replayed += retried and answer.headers.get("idempotent-replayed") == "true"
            if answer.is_success:
                return answer.json()
            assert answer.status_code == 503, f"POST {path}: {answer.status_code} {answer.text[:500]}"
            assert_unavailable(answer)
            retried = True
            time.sleep(RETRY_PAUSE)
        raise AssertionError(f"POST {path}: not acknowledged within {GIVE_UP} s")


# --------------------------------------------------------------------------- the loop and the checks


def crash_under_load(clients: Clients, crash: Callable[[], None], times: int, rng: random.Random) -> None:
    """`times` times: once the clients are acknowledged again, a random moment later, `crash`."""
    ledger = clients.ledger
    for _ in range(times):
        before, deadline = ledger.acknowledged(), time.monotonic() + GIVE_UP
        while ledger.acknowledged() == before and not ledger.failures:
            assert time.monotonic() < deadline, f"no request acknowledged within {GIVE_UP} s: {ledger.summary()}"
            time.sleep(0.01)
        assert not ledger.failures, ledger.failures
        time.sleep(rng.uniform(0, LATEST_CRASH))
        crash()


def assert_each_applied_once(url: str, ledger: Ledger) -> None:
    """Every acknowledged intake and change in the database exactly once, nothing else; verify clean."""
    assert not ledger.failures, ledger.failures
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            cases = connection.execute(sa.text("SELECT id, number, title, version, risk_level FROM cases "
                                               "WHERE title LIKE :title"), {"title": f"{TITLE} %"}).all()
            events = connection.execute(sa.text("SELECT case_id, reason, data FROM events "
                                                "WHERE trigger IN ('raise_risk', 'lower_risk')")).all()
            answers = connection.execute(sa.text("SELECT key, response_status, case_id FROM idempotency_keys "
                                                 "WHERE key LIKE 'crash-%'")).all()
    finally:
        engine.dispose()
    filed = [(KEY.search(title).group(), (case_id, number)) for case_id, number, title, _, _ in cases]
    assert_once(Counter(key for key, _ in filed), ledger.intakes, "intake")
    assert dict(filed) == ledger.intakes  # each key's case has the id and number its answer gave
    changed = [(KEY.search(f"{reason} {data}").group(), case_id) for case_id, reason, data in events]
    assert_once(Counter(key for key, _ in changed), ledger.changes, "change")
    assert dict(changed) == ledger.changes  # each change on the case it was sent to
    assert {case_id: (version, risk) for case_id, _, _, version, risk in cases} == ledger.cases
    # Every key holds its answer, so one more retry would be replayed rather than applied.
    assert {key: (status, case_id) for key, status, case_id in answers} == {
        **{key: (201, case_id) for key, (case_id, _) in ledger.intakes.items()},
        **{key: (200, case_id) for key, case_id in ledger.changes.items()}}
    assert_verify_clean(url)


def assert_once(found: Counter, acknowledged: dict[str, Any], what: str) -> None:
    lost = sorted(set(acknowledged) - set(found))
    twice = sorted(key for key, count in found.items() if count > 1)
    unacknowledged = sorted(set(found) - set(acknowledged))
    assert (lost, twice, unacknowledged) == ([], [], []), f"{what}s lost, applied twice, applied unacknowledged"


def assert_no_tracebacks(logs: list[Path]) -> None:
    for log in logs:
        text = log.read_text(errors="replace")
        assert "Traceback" not in text and "unhandled error" not in text, f"{log}:\n{text[-5000:]}"


def build_county(url: str) -> None:
    db = Database(url)
    try:
        build_sample_county(db)
    finally:
        db.dispose()


def token_of(server: ServerProcess, url: str) -> str:
    api = Api(server=server, db=Database(url), county=SampleCounty(), cases={})
    try:
        return api.token(USER)
    finally:
        api.db.dispose()


# --------------------------------------------------------------------------- the tests


def test_the_server_killed_again_and_again_under_load_loses_and_repeats_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))  # nothing left behind by the killed
    seed = random.randrange(1 << 32)
    url = create_database(tmp_path)
    logs: list[Path] = []

    def start() -> ServerProcess:
        logs.append(tmp_path / f"server-{len(logs)}.log")
        return ServerProcess(url, logs[-1])

    try:
        build_county(url)
        server = start()
        try:
            with Clients(server.base_url, token_of(server, url), SampleCounty().grid) as clients:
                def kill_and_restart() -> None:
                    nonlocal server
                    server.kill()
                    server = start()
                    clients.base_url = server.base_url

                crash_under_load(clients, kill_and_restart, SERVER_KILLS, random.Random(seed))
        finally:
            server.stop()
        ledger = clients.ledger
        print(f"\nserver crash loop (seed {seed}): {SERVER_KILLS} kills; {ledger.summary()}")
        assert len(logs) == SERVER_KILLS + 1
        assert ledger.cut_off > 0, "no kill found a request in flight"
        assert set(ledger.statuses) <= {200, 201, 503}, ledger.statuses
        assert_each_applied_once(url, ledger)
        assert_no_tracebacks(logs)
    finally:
        drop_database(url)


if ON_POSTGRES:  # the SQLite half has no database server to stop
    def test_postgresql_stopped_at_once_under_load_answers_503_and_loses_nothing_acknowledged(
            tmp_path: Path) -> None:
        seed = random.randrange(1 << 32)
        with Cluster.running(durable=True) as cluster:
            assert cluster.settings(*DURABLE_SETTINGS) == dict.fromkeys(DURABLE_SETTINGS, "on")
            upgrade_database(cluster.url)
            build_county(cluster.url)
            server = ServerProcess(cluster.url, tmp_path / "server.log")
            try:
                with Clients(server.base_url, token_of(server, cluster.url), SampleCounty().grid) as clients:
                    def outage() -> None:
                        cluster.stop_immediately()
                        assert_unavailable(httpx.get(f"{server.base_url}/api/v1/cases", headers=clients.headers,
                                                     timeout=30.0))  # while it is away
                        assert httpx.get(f"{server.base_url}/health", timeout=30.0).status_code == 503
                        time.sleep(AWAY)
                        cluster.start_again()

                    crash_under_load(clients, outage, POSTGRES_STOPS, random.Random(seed))
            finally:
                server.stop()
            ledger = clients.ledger
            print(f"\nPostgreSQL stop loop (seed {seed}): {POSTGRES_STOPS} stops; {ledger.summary()}")
            assert ledger.statuses[503] > 0, ledger.summary()
            assert set(ledger.statuses) <= {200, 201, 503}, ledger.statuses  # never a 500
            assert_each_applied_once(cluster.url, ledger)
            assert_no_tracebacks([tmp_path / "server.log"])
