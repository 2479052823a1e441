"""Crash loops under load: the server killed with SIGKILL again and again, PostgreSQL stopped at once.

The load and its accounting are those of acknowledged_load.py: clients filing cases and changing
them, each request under its own Idempotency-Key and sent again until acknowledged (2xx).
Meanwhile:

- `mediation serve`'s process group is killed with SIGKILL at a random moment under load and a
  new server started on the same database, SERVER_KILLS times (20 on SQLite; 5 on PostgreSQL,
  whose server itself is not what is tested there);
- on PostgreSQL, a cluster of the test's own running as production does (fsync,
  synchronous_commit and full_page_writes on) is stopped with `pg_ctl stop -m immediate` and
  started again POSTGRES_STOPS times while one server keeps running: every answer meanwhile is
  503 with Retry-After in the API's JSON error shape, never 500.

Afterwards every acknowledged intake and change is in the database exactly once, nothing
unacknowledged is, and `mediation verify` is clean.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from acknowledged_load import GIVE_UP, Clients, assert_each_applied_once, assert_unavailable
from api_support import ON_POSTGRES, Api, ServerProcess, create_database, drop_database
from pg_cluster import DURABLE_SETTINGS, Cluster

from mediation.db import Database
from mediation.db.schema import upgrade_database
from mediation.demo.sample_county import SampleCounty, build_sample_county

pytestmark = pytest.mark.slow

USER = "mediator1"
SERVER_KILLS = 5 if ON_POSTGRES else 20
POSTGRES_STOPS = 5
LATEST_CRASH = 0.3  # seconds of load after a server's (or cluster's) first acknowledgement; the crash comes before
AWAY = 0.5  # seconds PostgreSQL stays stopped


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
