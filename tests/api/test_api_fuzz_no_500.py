"""Fuzz: 300 malformed bodies per write endpoint get no 500 and, when refused, change nothing (issue 11).

Every write endpoint of the API and every form the web posts gets 300 bodies from the seeded
generator of malformed.py (transitions: 300 for each of several triggers, each on a case in a
state where the trigger may fire). The server is the real `mediation serve` on its own fresh
database (the fuzz's hundreds of failed logins must not throttle the other tests' logins); the
server's log must hold no traceback afterwards.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from api_support import ID_NUMBER, Api, ServerProcess, create_database, drop_database
from malformed import form_body, idempotency_key, if_match, json_body
from web_session import csrf_of, signed_in

from mediation.db import Database
from mediation.demo.sample_county import SampleCounty, build_sample_county

pytestmark = pytest.mark.slow

BODIES = 300
SEED = 20261206
PARTY = {"name": "王某某", "role": "applicant", "id_number": ID_NUMBER, "phone": "13812345678", "is_minor": False}
INTAKE: dict[str, Any] = {
    "title": "楼上装修噪音扰民纠纷", "description": "网格员排查发现居民反映夜间装修噪音。", "channel": "grid_screening",
    "unit": "330324001001-G1", "category": "neighbour", "risk_level": "low",
    "parties": [PARTY, {"name": "李某某", "role": "respondent"}],
}
# trigger: (the state it may fire in, well-formed data the generator breaks)
TRIGGERS: dict[str, tuple[str, dict[str, Any]]] = {
    "adjourn": ("mediation.in_session", {"next_session_at": "2030-01-15T09:30", "reason": "改期再调。"}),
    "draft_agreement": ("mediation.in_session", {"terms": "乙方赔偿甲方三千元。", "performance_deadline": "2030-12-31"}),
    "assign_mediator": ("screening.triaged", {"mediator": "mediator1", "mechanism": "joint", "resolver": "grassroots"}),
    "mark_duplicate": ("screening.triaged", {"duplicate_of": 1}),
    "refer_department": ("screening.triaged", {"department": "330324-SJ", "reason": "涉及市场监管。"}),
    "designate_key_case": ("mediation.in_session", {"owner": "mediator1", "deadline": "2030-06-30",
                                                    "co_units": ["330324001"]}),
    "sign": ("mediation.agreement_drafted", {"party_id": 1}),
}
WEB_TRIGGERS = ("adjourn", "draft_agreement", "assign_mediator", "designate_key_case")
INTAKE_FORM = {
    "title": "楼上装修噪音扰民纠纷", "description": "网格员排查发现居民反映夜间装修噪音。", "channel": "grid_screening",
    "category": "neighbour", "risk_level": "low", "unit": "330324001001-G1", "parties[0].name": "王某某",
    "parties[0].role": "applicant", "parties[0].id_number": ID_NUMBER, "parties[1].name": "李某某",
    "parties[1].role": "respondent",
}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A server of its own on a fresh database of the sample county (no cases: each test makes its own)."""
    directory = tmp_path_factory.mktemp("fuzz")
    url = create_database(directory)
    db = Database(url)
    server = None
    try:
        build_sample_county(db)
        server = ServerProcess(url, directory / "server.log")
        api = Api(server=server, db=db, county=SampleCounty(), cases={})
        yield api
        api.close()
        log = server.log()
        assert "Traceback" not in log and "unhandled error" not in log, log[-5000:]
    finally:
        if server is not None:
            server.stop()
        db.dispose()
        drop_database(url)


@pytest.fixture(scope="module", autouse=True)
def browsers(fuzzed: Api) -> Iterator[dict[str, httpx.Client]]:
    """The web sessions (and API tokens) the fuzz uses, signed in before its hundreds of failed logins."""
    for username in ("grid1", "mediator1"):
        fuzzed.token(username)
    with ExitStack() as stack:
        yield {username: stack.enter_context(signed_in(fuzzed, username)) for username in ("grid1", "mediator1")}


class Tally:
    """Answers by status; the requests answered 500 (or another 5xx), and refusals that changed something."""

    def __init__(self) -> None:
        self.statuses: dict[int, int] = {}
        self.failures: list[str] = []

    def record(self, what: str, answer: httpx.Response, changed: bool, body: bytes) -> None:
        """One answer; a failure when it is a 5xx, or a refusal after which the target changed."""
        self.statuses[answer.status_code] = self.statuses.get(answer.status_code, 0) + 1
        if answer.status_code >= 500:
            self.failures.append(f"{what}: {answer.status_code} for {body[:300]!r}: {answer.text[:300]}")
        elif answer.status_code >= 400 and changed:
            self.failures.append(f"{what}: refused ({answer.status_code}) but changed the case for {body[:300]!r}")

    def check(self) -> None:
        assert not self.failures, f"{len(self.failures)} failures, answers {self.statuses}:\n" + "\n".join(self.failures[:20])
        assert sum(self.statuses.values()) >= BODIES


def _case_state(api: Api, case_id: int) -> tuple[int, int]:
    return api.version(case_id), api.event_count(case_id)


class Target:
    """A case in the state a trigger fires in; a new one when a body was accepted and moved it on."""

    def __init__(self, api: Api, trigger: str) -> None:
        self.api, self.trigger = api, trigger
        self.state, self.data = TRIGGERS[trigger]
        self.case_id = api.new_case(self.state)

    def ready(self) -> Target:
        with self.api.db.read() as connection:
            state = connection.execute(sa.text("SELECT state FROM cases WHERE id = :id"),
                                       {"id": self.case_id}).scalar_one()
        if state != self.state:
            self.case_id = self.api.new_case(self.state)
        return self

    def unchanged(self) -> tuple[int, int]:
        return _case_state(self.api, self.case_id)


Make = Callable[[random.Random, Any], tuple[bytes, str]]  # (rng, target) -> (body, content type)
Send = Callable[[random.Random, Any, bytes, str], httpx.Response]  # (rng, target, body, content type)


def _fuzz(what: str, make: Make, send: Send, *, pick: Callable[[], Any] = lambda: None,
          snapshot: Callable[[Any], Any] = lambda _: None, seed: int) -> None:
    """BODIES bodies from `make`, each sent to the target `pick` gives: no 5xx, and a refusal changes nothing."""
    rng = random.Random(seed)
    tally = Tally()
    for _ in range(BODIES):
        target = pick()
        body, content_type = make(rng, target)
        before = snapshot(target)
        answer = send(rng, target, body, content_type)
        tally.record(what, answer, answer.status_code not in (200, 201, 303) and snapshot(target) != before, body)
    tally.check()


def _headers(content_type: str, **headers: str | None) -> dict[str, Any]:
    """Request headers as UTF-8 bytes (beyond ASCII, as a careless client sends them), the missing ones left out."""
    named = {name.replace("_", "-"): value.encode() for name, value in headers.items() if value is not None}
    return {"content-type": content_type, **named}


# --------------------------------------------------------------------------- the API


def _json(base: Callable[[Any], dict[str, Any]]) -> Make:
    """Malformed JSON bodies from `base(target)`, now and then under another content type."""
    def make(rng: random.Random, target: Any) -> tuple[bytes, str]:
        kind = rng.choice(("application/json",) * 8 + ("text/plain", "application/x-www-form-urlencoded"))
        return json_body(rng, base(target)), kind

    return make


def test_token_endpoint(fuzzed: Api) -> None:
    with httpx.Client(base_url=fuzzed.base_url, timeout=30.0) as client:
        _fuzz("POST /api/v1/auth/token", _json(lambda _: {"username": "fuzz_nobody", "password": "not-the-password"}),
              lambda rng, _, body, kind: client.post("/api/v1/auth/token", content=body, headers=_headers(kind)),
              seed=SEED)


def test_intake_endpoint(fuzzed: Api) -> None:
    client = fuzzed.as_user("grid1")
    _fuzz("POST /api/v1/cases", _json(lambda _: INTAKE),
          lambda rng, _, body, kind: client.post(
              "/api/v1/cases", content=body, headers=_headers(kind, idempotency_key=idempotency_key(rng))),
          snapshot=lambda _: fuzzed.case_count(), seed=SEED + 1)


@pytest.mark.parametrize("trigger", list(TRIGGERS))
def test_transitions_endpoint(fuzzed: Api, trigger: str) -> None:
    target = Target(fuzzed, trigger)
    client = fuzzed.as_user("mediator1")

    def send(rng: random.Random, target: Target, body: bytes, kind: str) -> httpx.Response:
        headers = _headers(kind, if_match=if_match(rng, fuzzed.version(target.case_id)),
                           idempotency_key=idempotency_key(rng))
        return client.post(f"/api/v1/cases/{target.case_id}/transitions", content=body, headers=headers)

    _fuzz(f"POST /api/v1/cases/{{id}}/transitions ({trigger})",
          _json(lambda target: {"trigger": trigger, "expected_version": fuzzed.version(target.case_id),
                                "data": target.data}),
          send, pick=target.ready, snapshot=Target.unchanged, seed=SEED + 10 + list(TRIGGERS).index(trigger))


# --------------------------------------------------------------------------- the web forms


def _form(base: Callable[[Any], dict[str, str]]) -> Make:
    return lambda rng, target: form_body(rng, base(target))


def test_login_form(fuzzed: Api) -> None:
    with httpx.Client(base_url=fuzzed.base_url, follow_redirects=False, timeout=30.0) as browser:
        token = csrf_of(browser, "/login")
        _fuzz("POST /login", _form(lambda _: {"csrf_token": token, "username": "fuzz_nobody", "password": "x",
                                              "next": "/"}),
              lambda rng, _, body, kind: browser.post("/login", content=body, headers=_headers(kind)), seed=SEED + 2)


def test_intake_form(fuzzed: Api, browsers: dict[str, httpx.Client]) -> None:
    browser = browsers["grid1"]
    token = csrf_of(browser, "/cases/new")
    _fuzz("POST /cases/new", _form(lambda _: {"csrf_token": token, **INTAKE_FORM}),
          lambda rng, _, body, kind: browser.post("/cases/new", content=body, headers=_headers(kind)),
          snapshot=lambda _: fuzzed.case_count(), seed=SEED + 3)


def test_trigger_form(fuzzed: Api, browsers: dict[str, httpx.Client]) -> None:
    """300 bodies to /cases/{id}/fire, each for one of WEB_TRIGGERS on a case where it may fire."""
    targets = [Target(fuzzed, trigger) for trigger in WEB_TRIGGERS]
    browser = browsers["mediator1"]
    token = csrf_of(browser, f"/cases/{targets[0].case_id}")
    chooser = random.Random(SEED + 4)

    def form(target: Target) -> dict[str, str]:
        fields = {f"data.{name}": "\n".join(value) if isinstance(value, list) else str(value)
                  for name, value in target.data.items()}
        return {"csrf_token": token, "trigger": target.trigger,
                "expected_version": str(fuzzed.version(target.case_id)), **fields}

    _fuzz("POST /cases/{id}/fire", _form(form),
          lambda rng, target, body, kind: browser.post(f"/cases/{target.case_id}/fire", content=body,
                                                       headers=_headers(kind)),
          pick=lambda: chooser.choice(targets).ready(), snapshot=Target.unchanged, seed=SEED + 5)
