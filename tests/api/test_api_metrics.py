"""`GET /metrics` (DESIGN §9.7, §9.9): Prometheus text of a real `mediation serve`, added up over its processes.

Requests by route template and status with a latency histogram, transitions by trigger, deadlines fired,
the outbox backlog and dead letters, the connection pools; open like /health unless
MEDIATION_METRICS_TOKEN is set. Several processes sharing PROMETHEUS_MULTIPROC_DIR (two `serve`s,
a `worker`, or `serve --workers 2`) add up in one scrape.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import api_support
import httpx
import pytest
from api_support import Api, ServerProcess, case_input, create_database, drop_database
from prometheus_client.parser import text_string_to_metric_families

from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import build_sample_county

pytestmark = pytest.mark.usefixtures("no_server_errors")
TRANSITIONS = "/api/v1/cases/{case_id}/transitions"
ROOT = Path(__file__).resolve().parents[2]


def scrape(base_url: str, **headers: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of one scrape: (name, labels) -> value."""
    answer = httpx.get(f"{base_url}/metrics", headers=headers, timeout=30.0)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(answer.text) for sample in family.samples}


def value(samples: dict[tuple[str, frozenset], float], name: str, **labels: str) -> float:
    """The sum of the samples named `name` whose labels include `labels` (0 when there are none)."""
    wanted = set(labels.items())
    return sum(v for (n, found), v in samples.items() if n == name and wanted <= found)


def routes(samples: dict[tuple[str, frozenset], float]) -> set[str]:
    return {dict(labels)["route"] for name, labels in samples if name == "mediation_http_requests_total"}


def test_a_transition_and_its_request_are_counted(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    version = api.version(case_id)
    before = scrape(api.base_url)
    fired = api.as_user("mediator1").post(f"/api/v1/cases/{case_id}/transitions", headers={"If-Match": f'"{version}"'},
                                          json={"trigger": "raise_risk",
                                                "data": {"risk_level": "elevated", "reason": "双方情绪激动。"}})
    assert fired.status_code == 200, fired.text
    refused = api.as_user("mediator1").post(f"/api/v1/cases/{case_id}/transitions",
                                            headers={"If-Match": f'"{version}"'},
                                            json={"trigger": "raise_risk", "data": {"risk_level": "elevated",
                                                                                    "reason": "重复。"}})
    assert refused.status_code == 409
    after = scrape(api.base_url)
    assert value(after, "mediation_transitions_total", trigger="raise_risk") == \
        value(before, "mediation_transitions_total", trigger="raise_risk") + 1  # the refused one is not counted
    for status, more in (("200", 1), ("409", 1)):
        request = {"method": "POST", "route": TRANSITIONS, "status": status}
        assert value(after, "mediation_http_requests_total", **request) == \
            value(before, "mediation_http_requests_total", **request) + more
    latency = {"method": "POST", "route": TRANSITIONS}
    assert value(after, "mediation_http_request_duration_seconds_count", **latency) == \
        value(before, "mediation_http_request_duration_seconds_count", **latency) + 2


def test_an_intake_is_counted_under_its_trigger(api: Api) -> None:
    before = scrape(api.base_url)
    filed = api.as_user("grid1").post("/api/v1/cases", json={
        "title": "邻里漏水纠纷", "channel": "grid_screening", "unit": api.county.grid, "category": "neighbour",
        "description": "楼上漏水，双方协商未果。", "parties": [{"name": "赵某", "role": "applicant"},
                                                        {"name": "钱某", "role": "respondent"}]})
    assert filed.status_code == 201, filed.text
    after = scrape(api.base_url)
    assert value(after, "mediation_transitions_total", trigger="intake") == \
        value(before, "mediation_transitions_total", trigger="intake") + 1


def test_routes_are_templates_never_raw_paths(api: Api) -> None:
    case_id = api.cases["own_in_session"]
    user = api.as_user("mediator1")
    assert user.get(f"/api/v1/cases/{case_id}").status_code == 200
    assert user.get("/api/v1/cases/987654321").status_code == 404
    assert api.anonymous().get("/no-such-page-24680").status_code == 404
    seen = routes(scrape(api.base_url))
    assert "/api/v1/cases/{case_id}" in seen and "(unmatched)" in seen
    raw = {"987654321", "no-such-page-24680", str(case_id)}
    assert not [route for route in seen if raw & set(route.split("/"))], seen


def test_latency_is_a_histogram(api: Api) -> None:
    for _ in range(3):
        assert api.anonymous().get("/api/v1/ping").status_code == 200
    samples = scrape(api.base_url)
    ping = {"method": "GET", "route": "/api/v1/ping"}
    count = value(samples, "mediation_http_request_duration_seconds_count", **ping)
    assert count >= 3
    assert value(samples, "mediation_http_request_duration_seconds_bucket", le="+Inf", **ping) == count
    buckets = sorted(float(dict(labels)["le"]) for name, labels in samples
                     if name == "mediation_http_request_duration_seconds_bucket" and ping.items() <= dict(labels).items())
    assert len(buckets) > 5 and value(samples, "mediation_http_request_duration_seconds_sum", **ping) > 0


def test_the_outbox_and_the_pools_are_reported(api: Api) -> None:
    samples = scrape(api.base_url)
    assert value(samples, "mediation_database_reachable") == 1
    assert ("mediation_outbox_backlog", frozenset()) in samples
    assert ("mediation_outbox_dead_letters", frozenset()) in samples
    pools = {dict(labels)["engine"] for name, labels in samples if name == "mediation_db_pool_size"}
    assert pools == ({"main"} if api_support.ON_POSTGRES else {"write", "read"})
    assert value(samples, "mediation_db_pool_size") > 0
    for pool in pools:  # in use and beyond the size: never below 0 (every checkout is checked in again)
        for figure in ("mediation_db_pool_checked_out", "mediation_db_pool_overflow"):
            assert samples[figure, frozenset({("engine", pool)})] >= 0


def test_every_answer_names_its_request_id(api: Api) -> None:
    given = api.anonymous().get("/health", headers={"X-Request-ID": "probe-7.a_b"})
    assert given.headers["x-request-id"] == "probe-7.a_b"
    for answer in (api.anonymous().get("/health", headers={"X-Request-ID": "not sane!"}),
                   api.anonymous().get("/nowhere"), api.anonymous().get("/login"), api.anonymous().get("/metrics")):
        made = answer.headers["x-request-id"]
        assert len(made) == 32 and int(made, 16) >= 0, answer.headers


@contextmanager
def server(api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, *, workers: int = 1,
           url: str | None = None, **env: str) -> Iterator[ServerProcess]:
    """Another `mediation serve` on the session's database, with `env` added to its environment."""
    with monkeypatch.context() as patch:
        for key, setting in env.items():
            patch.setenv(key, setting)
        command = api_support.serve_command
        patch.setattr(api_support, "serve_command",
                      lambda port: [*command(port)[:-1], str(workers)])
        started = ServerProcess(url or api.db.url, tmp_path / f"{name}.log")
    try:
        yield started
    finally:
        started.stop()


def test_the_token_rule(api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with server(api, tmp_path, monkeypatch, "token", MEDIATION_METRICS_TOKEN="s3cret-token") as guarded:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"},
                        {"Authorization": "Basic s3cret-token"}):
            answer = httpx.get(f"{guarded.base_url}/metrics", headers=headers)
            assert answer.status_code == 401, (headers, answer.text)
            assert answer.headers["www-authenticate"] == "Bearer" and "mediation_" not in answer.text
        assert "mediation_http_requests_total" in httpx.get(
            f"{guarded.base_url}/metrics", headers={"Authorization": "Bearer s3cret-token"}).text
        assert httpx.get(f"{guarded.base_url}/health").status_code == 200  # /health stays open
    assert "MEDIATION_METRICS_TOKEN" not in os.environ


def test_two_servers_and_a_worker_sharing_a_folder_add_up(api: Api, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    shared = str(tmp_path / "metrics")
    with server(api, tmp_path, monkeypatch, "a", PROMETHEUS_MULTIPROC_DIR=shared) as first, \
            server(api, tmp_path, monkeypatch, "b", PROMETHEUS_MULTIPROC_DIR=shared) as second:
        for base_url, times in ((first.base_url, 7), (second.base_url, 5)):
            for _ in range(times):
                assert httpx.get(f"{base_url}/api/v1/ping").status_code == 200
        one_process = scrape(api.base_url)
        for base_url in (first.base_url, second.base_url):
            samples = scrape(base_url)
            assert value(samples, "mediation_http_requests_total", route="/api/v1/ping") == 12
            assert value(samples, "mediation_db_pool_size") == 2 * value(one_process, "mediation_db_pool_size")
        _worker_fires_deadlines(tmp_path, shared)
        samples = scrape(first.base_url)
        assert value(samples, "mediation_deadlines_fired_total") >= 1
        assert value(samples, "mediation_deadlines_fired_total", outcome="fired") >= 1
        assert value(samples, "mediation_transitions_total", trigger="start_follow_up") >= 1  # the worker's
    untouched = scrape(api.base_url)  # the session's server keeps a folder of its own
    assert value(untouched, "mediation_http_requests_total", route="/api/v1/ping") == \
        value(one_process, "mediation_http_requests_total", route="/api/v1/ping")


def _worker_fires_deadlines(directory: Path, shared: str) -> None:
    """`mediation worker --once` on a database of its own, a case's deadlines long past, counting into `shared`."""
    (directory / "worker").mkdir()
    url = create_database(directory / "worker")
    db = Database(url)
    try:
        county = build_sample_county(db)
        drive_to(db, state="mediation.agreement_effective", county=county, case_input=case_input(county.grid))
        command = [*api_support.serve_command(0)[:-5], "worker", "--once", "--now", "2040-01-01T00:00:00"]
        ran = subprocess.run(command, env={**os.environ, "MEDIATION_DATABASE_URL": url,
                                           "PROMETHEUS_MULTIPROC_DIR": shared},
                             capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
        assert ran.returncode == 0, ran.stdout + ran.stderr
    finally:
        db.dispose()
        drop_database(url)


def test_serve_with_two_workers_adds_up(api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one_process = value(scrape(api.base_url), "mediation_db_pool_size")
    with server(api, tmp_path, monkeypatch, "two", workers=2) as both:
        give_up = time.monotonic() + 120
        while value(scrape(both.base_url), "mediation_db_pool_size") < 2 * one_process:
            assert time.monotonic() < give_up, "the second process never started its app"
            time.sleep(0.2)
        for _ in range(20):
            with httpx.Client() as fresh:  # a new connection each: the processes take turns accepting
                assert fresh.get(f"{both.base_url}/api/v1/ping").status_code == 200
        for _ in range(3):  # whichever process answers the scrape, the sum is the same
            samples = scrape(both.base_url)
            assert value(samples, "mediation_http_requests_total", route="/api/v1/ping") == 20
            assert value(samples, "mediation_db_pool_size") == 2 * one_process
