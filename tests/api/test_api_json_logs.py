"""`MEDIATION_LOG_FORMAT=json` (DESIGN §9.7): every line `serve` writes is a JSON object naming its request.

A real server on a SQLite database of its own (the lines do not depend on the database): a request
with an `X-Request-ID`, one with an id that is not sane, a login, and a transition refused with 503
while another process holds the database's write lock: its warning names the request's id.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import api_support
import httpx
import pytest
from api_support import ServerProcess, case_input

from mediation.db import Database
from mediation.db.schema import upgrade_database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import PASSWORD, build_sample_county

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_json_lines_carry_the_request_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mediation.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    db = Database(url)
    county = build_sample_county(db)
    case_id = drive_to(db, state="mediation.in_session", county=county, case_input=case_input(county.grid))
    db.dispose()
    monkeypatch.setenv("MEDIATION_LOG_FORMAT", "json")
    command = api_support.serve_command
    monkeypatch.setattr(api_support, "serve_command", lambda port: [*command(port), "--access-log"])
    server = ServerProcess(url, tmp_path / "server.log")
    try:
        base = server.base_url
        assert httpx.get(f"{base}/health", headers={"X-Request-ID": "trace-42.a_b"}).headers["x-request-id"] \
            == "trace-42.a_b"
        made = httpx.get(f"{base}/health", headers={"X-Request-ID": "not sane!"}).headers["x-request-id"]
        assert made != "not sane!" and len(made) == 32
        token = httpx.post(f"{base}/api/v1/auth/token", json={"username": "mediator1", "password": PASSWORD},
                           timeout=30.0).json()["access_token"]
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock past the busy timeout
            refused = httpx.post(f"{base}/api/v1/cases/{case_id}/transitions", timeout=60.0, json={
                "trigger": "raise_risk", "data": {"risk_level": "elevated", "reason": "双方情绪激动。"}},
                headers={"Authorization": f"Bearer {token}", "If-Match": '"1"', "X-Request-ID": "outage-7"})
        finally:
            holder.rollback()
            holder.close()
        assert refused.status_code == 503 and refused.headers["x-request-id"] == "outage-7"
    finally:
        server.stop()
    lines = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.strip()]  # none is plain text
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines), lines
    assert all(line["time"].endswith("Z") for line in lines)
    access = [line for line in lines if line["logger"] == "mediation.access"]
    traced = [line for line in access if line.get("request_id") == "trace-42.a_b"]
    assert len(traced) == 1, access
    assert (traced[0]["method"], traced[0]["path"], traced[0]["status"]) == ("GET", "/health", 200)
    assert traced[0]["duration_ms"] >= 0
    assert any(line.get("request_id") == made for line in access)
    outage = [line for line in lines if line.get("request_id") == "outage-7"]
    assert {line["logger"] for line in outage} == {"mediation.api", "mediation.access"}, outage
    warning = next(line for line in outage if line["logger"] == "mediation.api")
    assert warning["level"] == "WARNING" and "database unavailable" in warning["message"]
    assert next(line for line in outage if line["logger"] == "mediation.access")["status"] == 503


def test_the_worker_writes_json_lines_too(database_url: str) -> None:
    command = [*api_support.serve_command(0)[:-5], "worker", "--once"]
    ran = subprocess.run(command, env={**os.environ, "MEDIATION_DATABASE_URL": database_url,
                                       "MEDIATION_LOG_FORMAT": "json"},
                         capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = [json.loads(line) for line in (ran.stdout + ran.stderr).splitlines() if line.strip()]
    assert any(line["message"].startswith("processed 0 due deadlines") for line in lines), lines
