"""Support for the API tests: a real server process (`mediation serve`) on SQLite or PostgreSQL.

The session fixture `api` makes a fresh migrated database (a SQLite file, or a database on the
PostgreSQL server of `MEDIATION_DATABASE_URL`), builds the sample county plus a neighbouring
county (鹿城区, so that some cases are outside even the county-level users' subtree), drives
cases to useful states through the engine (`drive_to`), then starts `mediation serve` on a free
port with one worker and logs every sample user in once. Tests call it with httpx.

Cases can also be made while the server runs (`api.new_case(...)`): the test process writes
to the same database through the engine, as the demo loader does.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import sqlalchemy as sa
import yaml
from database_copies import run_admin

from mediation.cases.intake import CaseInput, PartyInput
from mediation.db import Database
from mediation.db.schema import upgrade_database
from mediation.demo import case_paths
from mediation.demo.case_paths import Crew, drive_to
from mediation.demo.sample_county import PASSWORD, SampleCounty, build_sample_county
from mediation.directory.accounts import create_unit, create_user, hash_password
from mediation.workflows.loader import WORKFLOW_DIR

SERVER_URL = os.environ.get("MEDIATION_DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith("postgresql")
STARTUP_TIMEOUT = 60.0

# The numbers of DESIGN §5's masking example, on the parties of the cases these tests file.
ID_NUMBER = "330324199001031234"  # a valid GB 11643 number
ID_MASKED = "330324********1234"
PHONE = "13812345678"
PHONE_MASKED = "138****5678"
OTHER_PHONE = "13987654321"
OTHER_PHONE_MASKED = "139****4321"

# One sample user per role (DESIGN §5); all of them but dept_sj, court1 and admin work in 瓯北街道.
USER_OF_ROLE = {
    "grid_worker": "grid1",
    "mediator": "mediator1",
    "police": "police1",
    "department": "dept_sj",
    "court": "court1",
    "supervisor": "supervisor1",
    "admin": "admin",
}

# The workflow definition as its YAML says (the matrix and the fixtures are generated from it).
WORKFLOW = yaml.safe_load((WORKFLOW_DIR / "mediation.yaml").read_text(encoding="utf-8"))
TRIGGERS: dict[str, dict[str, Any]] = WORKFLOW["triggers"]
# Roles a user must hold to be assigned as a case's mediator (every role when the YAML names none).
_MEDIATOR_FIELD = (TRIGGERS["assign_mediator"].get("data") or {}).get("mediator") or {}
ASSIGNABLE_ROLES = frozenset(_MEDIATOR_FIELD.get("roles") or USER_OF_ROLE)

# Filled by the authorization matrix, reported at the end of the run (conftest.py).
MATRIX_STATS: dict[str, Any] = {"cells": 0, "unexpected": [], "answers": {}}

# A neighbouring county outside 永嘉县: its cases are outside every sample user's unit subtree.
OTHER_COUNTY_UNITS = (
    ("330302", "鹿城区", "county", None, "鹿城"),
    ("330302001", "五马街道", "town", "330302", None),
    ("330302001001", "五马社区", "community", "330302001", None),
    ("330302001001-G1", "五马社区第一网格", "grid", "330302001001", None),
)
OTHER_COUNTY_USERS = (
    ("lc_grid", "鹿城网格员", ("grid_worker",), "330302001001-G1"),
    ("lc_mediator", "鹿城调解员", ("mediator",), "330302001001"),
    ("lc_mediator2", "鹿城调解员二", ("mediator",), "330302001001"),
    ("lc_police", "鹿城民警", ("police",), "330302001001"),
    ("lc_sup", "鹿城主任", ("supervisor",), "330302001"),
)
# Who works a case of 鹿城区 along a case path (department and court are 永嘉's: referrals cross counties).
LUCHENG = Crew("lc_grid", "lc_mediator", "lc_sup", police="lc_police", alternate_mediator="lc_mediator2")
LUCHENG_COMMUNITY = "330302001001"
# Users only the tests use: one to lock out by failed logins.
EXTRA_USERS = (("lockout_user", "限流测试", ("mediator",), "330324001001"),)


def case_input(unit: str, *, title: str = "楼上装修噪音扰民纠纷", category: str = "neighbour") -> CaseInput:
    """A neighbour dispute whose parties carry the numbers of the masking example."""
    return CaseInput(
        title=title, channel="grid_screening", unit=unit, category=category,
        description="网格员排查发现，居民反映楼上夜间装修噪音，双方多次争执。",
        parties=[PartyInput("王某某", "applicant", id_number=ID_NUMBER, phone=PHONE),
                 PartyInput("李某某", "respondent", phone=OTHER_PHONE)],
    )


# --------------------------------------------------------------------------- databases


def create_database(directory: Path) -> str:
    """A fresh migrated database (PostgreSQL when MEDIATION_DATABASE_URL says so); its URL."""
    if ON_POSTGRES:
        name = f"mediation_api_{uuid.uuid4().hex[:12]}"
        run_admin(f'CREATE DATABASE "{name}"')
        url = sa.make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{directory / 'mediation.db'}"
    upgrade_database(url)
    return url


def drop_database(url: str) -> None:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
    else:
        run_admin(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


# --------------------------------------------------------------------------- the world


@contextmanager
def lucheng_crew() -> Iterator[None]:
    """drive_to picks 瓯北's crew for any unit outside 桥头镇: let 鹿城区's crew work instead."""
    with mock.patch.object(case_paths, "OUBEI", LUCHENG):
        yield


def build_world(db: Database) -> dict[str, int]:
    """Units, users and the named cases the tests use; returns case ids by name."""
    county = build_sample_county(db)
    password_hash = hash_password(PASSWORD)
    for code, name, kind, parent, abbreviation in OTHER_COUNTY_UNITS:
        create_unit(db, code=code, name=name, kind=kind, parent=parent, abbreviation=abbreviation)
    for username, display_name, roles, unit in OTHER_COUNTY_USERS + EXTRA_USERS:
        create_user(db, username=username, password=PASSWORD, roles=list(roles), unit=unit,
                    display_name=display_name, password_hash=password_hash)
    cases: dict[str, int] = {}

    def drive(name: str, state: str, unit: str, **options: Any) -> None:
        cases[name] = drive_to(db, state=state, county=county, case_input=case_input(unit), **options)

    # 瓯北街道 (mediator1's town): masking and read tests.
    drive("own_in_session", "mediation.in_session", county.grid)            # assigned to mediator1
    drive("own_triaged", "screening.triaged", county.grid)                  # no mediator yet
    drive("referred_sj", "joint.referred", county.grid)                     # referred to 市场监管 (dept_sj)
    drive("applied_ft", "court.applied", county.grid)                       # applied to 瓯北共享法庭 (court1)
    # 桥头镇 (the other town).
    drive("qiaotou", "mediation.assigned", county.village_grid)             # assigned to mediator2
    drive("qiaotou_mediator1", "mediation.assigned", county.village_grid, route=1)  # recusal: mediator1
    # The authorization matrix: one case per reach category (see test_api_authorization_matrix).
    drive("matrix_own", "mediation.in_session", county.grid,
          route=(*case_paths.TRIAGED, ("assign_mediator", {"mediator": "station1"}),
                 "notify_rights*", "record_consent*", "start_session"))
    drive("matrix_own_sj", "screening.reported", county.market_department, filed_by="county_sup")
    drive("matrix_own_ft", "screening.reported", county.court, filed_by="county_sup")
    with lucheng_crew():
        drive("matrix_other", "mediation.in_session", LUCHENG_COMMUNITY)
        drive("matrix_referred_sj", "joint.referred", LUCHENG_COMMUNITY)
        drive("matrix_applied_ft", "court.applied", LUCHENG_COMMUNITY)
        for role, username in USER_OF_ROLE.items():
            if role not in ASSIGNABLE_ROLES:
                continue  # the engine refuses to make such a user a case's mediator
            drive(f"matrix_assigned_{username}", "mediation.assigned", LUCHENG_COMMUNITY,
                  route=(*case_paths.TRIAGED, ("assign_mediator", {"mediator": username})))
    return cases


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_command(port: int) -> list[str]:
    uv = shutil.which("uv")
    if uv:
        return [uv, "run", "--no-sync", "mediation", "serve", "--port", str(port), "--workers", "1"]
    return [str(Path(sys.executable).with_name("mediation")), "serve", "--port", str(port), "--workers", "1"]


class ServerProcess:
    """`mediation serve` on a free port, in its own process group, stopped at teardown."""

    def __init__(self, database_url: str, log_path: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = {k: v for k, v in os.environ.items() if k != "MEDIATION_JWT_SECRET"}
        env["MEDIATION_DATABASE_URL"] = database_url
        self._log = open(log_path, "wb")  # noqa: SIM115 — open while the server runs
        self.process = subprocess.Popen(serve_command(self.port), env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True,
                                        cwd=Path(__file__).resolve().parents[2])
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}):\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not come up in {STARTUP_TIMEOUT} s:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to the server's whole process group (uv, mediation, uvicorn): no shutdown, no rollback sent."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the group of the process started above
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()


# --------------------------------------------------------------------------- the client side


@dataclass
class Api:
    """The running server, its database, the named cases and a logged-in client per user."""

    server: ServerProcess
    db: Database
    county: SampleCounty
    cases: dict[str, int]
    tokens: dict[str, str] = field(default_factory=dict)
    _clients: dict[str, httpx.Client] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def anonymous(self) -> httpx.Client:
        return self._client("", {})

    def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        # A login hashes the password (argon2): on a busy 2-core machine it can take seconds.
        return httpx.post(f"{self.base_url}/api/v1/auth/token", json={"username": username, "password": password},
                          timeout=30.0)

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.login(username)
            assert response.status_code == 200, response.text
            self.tokens[username] = response.json()["access_token"]
        return self.tokens[username]

    def as_user(self, username: str) -> httpx.Client:
        """A client sending `username`'s bearer token (logged in once per session)."""
        return self._client(username, {"Authorization": f"Bearer {self.token(username)}"})

    def _client(self, name: str, headers: dict[str, str]) -> httpx.Client:
        if name not in self._clients:
            self._clients[name] = httpx.Client(base_url=self.base_url, headers=headers, timeout=30.0)
        return self._clients[name]

    def new_case(self, state: str, unit: str | None = None, **options: Any) -> int:
        """A new case driven to `state` through the engine (in this process, same database)."""
        return drive_to(self.db, state=state, county=self.county,
                        case_input=case_input(unit or self.county.grid), **options)

    def version(self, case_id: int) -> int:
        """The case's version as stored (read from the database, not through the API)."""
        with self.db.read() as connection:
            return connection.execute(sa.text("SELECT version FROM cases WHERE id = :id"), {"id": case_id}).scalar_one()

    def event_count(self, case_id: int) -> int:
        with self.db.read() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM events WHERE case_id = :id"),
                                      {"id": case_id}).scalar_one()

    def case_count(self) -> int:
        with self.db.read() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM cases")).scalar_one()

    def jwt_secret(self) -> str:
        with self.db.read() as connection:
            return connection.execute(sa.text("SELECT value FROM settings WHERE key = 'jwt_secret'")).scalar_one()

    def close(self) -> None:
        for client in self._clients.values():
            client.close()


@contextmanager
def running_api(directory: Path) -> Iterator[Api]:
    """A database with the world of `build_world`, a server on it, every sample user logged in."""
    url = create_database(directory)
    db = Database(url)
    server = None
    api = None
    try:
        cases = build_world(db)
        server = ServerProcess(url, directory / "server.log")
        api = Api(server=server, db=db, county=SampleCounty(), cases=cases)
        for username in USER_OF_ROLE.values():
            api.token(username)  # before any test makes failed logins from this address
        for username in ("mediator2", "county_sup", "station1", "grid2"):
            api.token(username)
        yield api
    finally:
        if api is not None:
            api.close()
        if server is not None:
            server.stop()
        db.dispose()
        drop_database(url)


# --------------------------------------------------------------------------- assertions


def assert_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an error of `status` in Litestar's JSON shape, without a stack trace."""
    assert response.status_code == status, f"{response.status_code} {response.text}"
    assert response.headers["content-type"].startswith("application/json"), response.headers
    assert "Traceback" not in response.text and 'File "' not in response.text, response.text
    body = response.json()
    assert set(body) == {"status_code", "detail", "extra"}, body
    assert body["status_code"] == status, body
    assert isinstance(body["detail"], str) and body["detail"], body
    return body
