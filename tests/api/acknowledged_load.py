"""Clients that count what the API acknowledged, and the checks that it was all kept exactly once.

CLIENTS threads file cases (POST /api/v1/cases) and move each case's risk up and down
(raise_risk / lower_risk with If-Match), every request under an Idempotency-Key of its own. A
request is acknowledged only when answered 2xx; one left unanswered (the server gone), or
answered 503 (the database away), is sent again with the same key and body until it is.
Afterwards `assert_each_applied_once` reads the database: one case per acknowledged intake key,
with the acknowledged id and number; one event per acknowledged change key (the key is written
in its reason); no key applied twice, none missing, none applied unacknowledged; each case at the
version and risk its last acknowledged answer gave; every key holding its answer; and
`mediation verify` clean.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa
from api_support import assert_error
from verify_command import assert_verify_clean

CLIENTS = 4
CHANGES_PER_CASE = 3  # raise, lower, raise
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
