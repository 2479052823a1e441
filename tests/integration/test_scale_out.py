"""Scale-out shown: two `mediation serve` processes and two `mediation worker` processes on one database.

Client threads drive a county's day through BOTH servers at once — every request of a case goes to
the other server than the one before: intakes (each sent again with its Idempotency-Key to the other
server), transitions with Idempotency-Key and If-Match, two mediators adding a note to one case at one
version through different servers, the intake register as PDF from both servers, and a department
acknowledging referred cases while their acknowledgement deadlines fall due and the two workers fire
them. Afterwards, in the database: every acknowledged change is there exactly once, every refused one
is not, every deadline was handled once (by one of the workers), and `mediation verify` is clean.

On PostgreSQL the database is one of the half's cluster; on SQLite it is one file that all four
processes share (the write lock serialises them; the workers claim under it).
"""

from __future__ import annotations

import ast
import os
import random
import re
import subprocess
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from database_copies import database_copy, opened
from scale_out_support import MEDIATION, Desk, Ledger, Process, Server, login

from mediation.clock import utcnow
from mediation.db import Database
from mediation.demo.case_paths import ActorBook, drive_to
from mediation.demo.sample_county import PASSWORD, SampleCounty

pytest_plugins = ["sample_databases"]  # county_template
pytestmark = pytest.mark.slow

COUNTY = SampleCounty()
KIND = "department_acknowledgement"
CLIENTS, CASES_EACH = 4, 4  # mediator threads, and the cases each files and works
REFERRED = 30               # cases referred before the day; their acknowledgements fall due during it
DUE_SPREAD = 6.0            # seconds over which those deadlines fall due, from the start of the day
DRAIN_TIMEOUT = 120.0       # only against a hung worker; nothing is asserted on time
MARKER = "规模测试"           # in the title of every case the clients file
FAR_SESSION = "2099-03-05T09:00:00"


# ---------------------------------------------------------------------- the database and the processes
@pytest.fixture
def day_url(county_template: str, tmp_path: Path) -> Iterator[str]:
    """The sample county with REFERRED cases referred to 市场监管 (acknowledgement pending)."""
    with database_copy(county_template, tmp_path) as url:
        with opened(url) as database:
            actors = ActorBook(database)
            for _ in range(REFERRED):
                drive_to(database, state="joint.referred", county=COUNTY, step=timedelta(0), actors=actors)
        yield url


def start_processes(url: str, directory: Path) -> tuple[list[Server], list[Process]]:
    metrics = directory / "metrics"
    metrics.mkdir()
    servers = [Server(url=url, log_path=directory / f"serve{n}.log", metrics_dir=metrics) for n in range(2)]
    workers = [Process(["worker", "--idle-seconds", "0.1", "--batch-size", "10"], url=url,
                       log_path=directory / f"worker{n}.log", metrics_dir=metrics) for n in range(2)]
    for server in servers:
        server.wait_until_up()
    return servers, workers


def falling_due(db: Database, start) -> list[int]:
    """Move the referred cases' acknowledgements to fall due one after another over DUE_SPREAD seconds."""
    with db.begin() as connection:
        ids = connection.execute(sa.text("SELECT id FROM deadlines WHERE kind = :kind AND status = 'pending' "
                                         "ORDER BY id"), {"kind": KIND}).scalars().all()
        for n, deadline_id in enumerate(ids):
            due = start + timedelta(seconds=DUE_SPREAD * n / len(ids))
            connection.execute(sa.text("UPDATE deadlines SET due_at = :due WHERE id = :id"),
                               {"due": db.timestamp(due), "id": deadline_id})
        return connection.execute(sa.text("SELECT case_id FROM deadlines WHERE kind = :kind ORDER BY id"),
                                  {"kind": KIND}).scalars().all()


# ---------------------------------------------------------------------- the day
def intake_body(client: int, number: int) -> dict[str, Any]:
    return {"title": f"{MARKER}{client}-{number}：楼上装修噪音纠纷", "channel": "grid_screening", "unit": COUNTY.grid,
            "category": "neighbour", "description": "网格员排查发现，居民反映楼上夜间装修噪音，双方多次争执。",
            "parties": [{"name": "王某某", "role": "applicant"}, {"name": "李某某", "role": "respondent"}]}


def steps(parties: list[int]) -> list[tuple[str, dict[str, Any]]]:
    """A case's way from intake into a session, adjourned once and resumed."""
    return [("triage", {"category": "neighbour", "risk_level": "low", "other_party_unknown": False}),
            ("assign_mediator", {"mediator": "mediator1", "mechanism": "joint", "resolver": "grassroots"}),
            *[("notify_rights", {"party_id": party, "method": "in_person"}) for party in parties],
            *[("record_consent", {"party_id": party}) for party in parties],
            ("start_session", {}), ("adjourn", {"next_session_at": FAR_SESSION}), ("start_session", {})]


def work_cases(client: int, grid: Desk, mediator: Desk, ledger: Ledger) -> None:
    """One mediator's share of the day: file, replay, work, race a note, read the register as PDF."""
    for number in range(CASES_EACH):
        server = (client + number) % 2
        key = f"intake-{uuid.uuid4()}"
        created = grid.post("/api/v1/cases", intake_body(client, number), server=server, key=key)
        assert created.status_code == 201, created.text
        replayed = grid.post("/api/v1/cases", intake_body(client, number), server=server + 1, key=key)
        assert replayed.status_code == 201 and replayed.headers.get("idempotent-replayed") == "true", replayed.text
        case = created.json()
        assert replayed.json()["id"] == case["id"]
        ledger.intake(key, case["id"])
        version = case["version"]
        for trigger, data in steps([party["id"] for party in case["parties"]]):
            server += 1
            key = f"{trigger}-{uuid.uuid4()}"
            answer = mediator.post(f"/api/v1/cases/{case['id']}/transitions", {"trigger": trigger, "data": data},
                                   server=server, key=key, version=version)
            assert answer.status_code == 200, (trigger, answer.text)
            version = answer.json()["version"]
            ledger.change(key, case["id"], version, trigger)
        race_a_note(case["id"], version, mediator, ledger)
        if number == 0:
            read_register(case["id"], mediator)


def race_a_note(case_id: int, version: int, mediator: Desk, ledger: Ledger) -> None:
    """The same version, a note each through the two servers at once: one is applied, one gets 409."""
    texts = [f"当事人来电询问进度（{uuid.uuid4().hex[:8]}）" for _ in range(2)]
    keys = [f"note-{uuid.uuid4()}" for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda n: mediator.post(
            f"/api/v1/cases/{case_id}/transitions", {"trigger": "add_note", "data": {"text": texts[n]}},
            server=n, key=keys[n], version=version), range(2)))
    assert sorted(answer.status_code for answer in answers) == [200, 409], [a.text for a in answers]
    for n, answer in enumerate(answers):
        if answer.status_code == 200:
            ledger.change(keys[n], case_id, answer.json()["version"], "add_note")
        else:
            ledger.refused_note(case_id, texts[n])


def read_register(case_id: int, mediator: Desk) -> None:
    """The intake register rendered by each server: the same document (one ETag)."""
    tags = set()
    for server in range(2):
        answer = mediator.send("GET", f"/api/v1/cases/{case_id}/documents/intake_register.pdf", server=server)
        assert answer.status_code == 200 and answer.content.startswith(b"%PDF"), answer.text[:500]
        tags.add(answer.headers["etag"])
    assert len(tags) == 1, tags


def acknowledge_referrals(cases: list[int], department: Desk, ledger: Ledger, started: float) -> None:
    """The department acknowledges every other referred case at its own moment of the day; a 409 from a
    supervision that came first is read again and retried."""
    chosen = cases[::2]
    moments = sorted(random.Random(16).uniform(0, DUE_SPREAD * 1.2) for _ in chosen)
    for number, (case_id, moment) in enumerate(zip(chosen, moments)):
        time.sleep(max(0.0, started + moment - time.monotonic()))
        for attempt in range(5):
            server = number + attempt
            version = department.send("GET", f"/api/v1/cases/{case_id}", server=server).json()["version"]
            key = f"acknowledge-{uuid.uuid4()}"
            answer = department.post(f"/api/v1/cases/{case_id}/transitions", {"trigger": "acknowledge"},
                                     server=server + 1, key=key, version=version)
            if answer.status_code == 200:
                ledger.change(key, case_id, answer.json()["version"], "acknowledge")
                break
            assert answer.status_code == 409, answer.text
        else:
            raise AssertionError(f"case {case_id} was never acknowledged")


def run_day(servers: list[Server], referred: list[int], ledger: Ledger) -> None:
    bases = [server.base_url for server in servers]
    tokens = {user: login(bases[n % 2], user, PASSWORD) for n, user in enumerate(("grid1", "mediator1", "dept_sj"))}
    desks = {user: [Desk(bases, token, ledger) for _ in range(CLIENTS)] for user, token in tokens.items()}
    errors: list[BaseException] = []

    def run(action, *args) -> threading.Thread:
        def target() -> None:
            try:
                action(*args)
            except BaseException as error:  # noqa: BLE001 (the test fails on it below)
                errors.append(error)
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        return thread

    started = time.monotonic()
    threads = [run(work_cases, n, desks["grid1"][n], desks["mediator1"][n], ledger) for n in range(CLIENTS)]
    threads.append(run(acknowledge_referrals, referred, desks["dept_sj"][0], ledger, started))
    for thread in threads:
        thread.join(DRAIN_TIMEOUT * 2)
    for desk in (desk for per_user in desks.values() for desk in per_user):
        desk.close()
    if errors:
        raise errors[0]
    assert not any(thread.is_alive() for thread in threads), "a client thread hung"


def wait_until_fired(db: Database, last_due) -> None:
    """Until the last acknowledgement is due and none is pending any more."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while utcnow() <= last_due or pending(db):
        assert time.monotonic() < deadline, f"{pending(db)} deadlines still pending"
        time.sleep(0.1)


def pending(db: Database) -> int:
    with db.read() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM deadlines WHERE kind = :kind AND status = 'pending'"),
                                  {"kind": KIND}).scalar_one()


# ---------------------------------------------------------------------- the checks
def assert_changes_once(db: Database, ledger: Ledger) -> None:
    with db.read() as connection:
        filed = connection.execute(sa.text("SELECT id FROM cases WHERE title LIKE :marker ORDER BY id"),
                                   {"marker": f"{MARKER}%"}).scalars().all()
        assert sorted(ledger.intakes.values()) == filed, "an acknowledged intake is missing or one was filed twice"
        assert not connection.execute(sa.text(
            "SELECT case_id, seq FROM events GROUP BY case_id, seq HAVING count(*) > 1")).all()
        for case_id, version, trigger in ledger.changes.values():
            found = connection.execute(sa.text("SELECT trigger FROM events WHERE case_id = :c AND seq = :v"),
                                       {"c": case_id, "v": version}).scalars().all()
            assert found == [trigger], (case_id, version, trigger, found)
        per_case = Counter(case_id for case_id, _, _ in ledger.changes.values())
        for case_id in filed:  # nothing but the intake and the acknowledged changes
            events, version = connection.execute(sa.text(
                "SELECT (SELECT count(*) FROM events WHERE case_id = c.id), c.version FROM cases c WHERE c.id = :c"),
                {"c": case_id}).one()
            assert events == version == 1 + per_case[case_id], (case_id, events, version, per_case[case_id])
        for case_id, text in ledger.refused_notes:
            assert not connection.execute(sa.text("SELECT count(*) FROM events WHERE case_id = :c AND data LIKE :t"),
                                          {"c": case_id, "t": f"%{text}%"}).scalar_one(), text


def assert_deadlines_once(db: Database, referred: list[int]) -> int:
    """Every acknowledgement supervised once (done) or cancelled by the acknowledgement (never both);
    the number supervised."""
    with db.read() as connection:
        rows = connection.execute(sa.text(
            "SELECT d.status, (SELECT count(*) FROM events e WHERE e.case_id = d.case_id AND e.actor = 'system' "
            "AND e.trigger = 'supervise') FROM deadlines d WHERE d.kind = :kind"), {"kind": KIND}).all()
    tally = Counter((status, int(supervised)) for status, supervised in rows)
    assert set(tally) <= {("done", 1), ("cancelled", 0)}, tally
    assert sum(tally.values()) == len(referred) and tally[("done", 1)] >= len(referred) // 2, tally
    return tally[("done", 1)]


def worker_totals(workers: list[Process]) -> Counter:
    """What the workers say they handled when stopped (SIGTERM: after the current batch, status 0)."""
    total: Counter = Counter()
    for worker in workers:
        assert worker.stop() == 0, worker.log()[-4000:]
        found = re.search(r"worker stopped: (\{.*\})", worker.log())
        assert found, worker.log()[-4000:]
        total.update(ast.literal_eval(found.group(1)))
    return total


def scraped_fired(server: Server) -> float:
    """Acknowledgements fired, added up over every process by the shared metrics folder (a scrape of one server)."""
    import httpx

    text = httpx.get(f"{server.base_url}/metrics", timeout=30).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("mediation_deadlines_fired_total{")
               and f'kind="{KIND}"' in line and 'outcome="fired"' in line)


def test_two_servers_and_two_workers_on_one_database_lose_and_duplicate_nothing(
        day_url: str, tmp_path: Path) -> None:
    servers, workers = start_processes(day_url, tmp_path)
    try:
        with opened(day_url) as db:
            ledger = Ledger()
            start = utcnow() + timedelta(seconds=1)
            referred = falling_due(db, start)
            run_day(servers, referred, ledger)
            wait_until_fired(db, start + timedelta(seconds=DUE_SPREAD))
            time.sleep(1.5)  # a batch the workers committed is counted in the metrics files by then
            scraped = scraped_fired(servers[0])
            handled = worker_totals(workers)
            assert 500 not in ledger.statuses, ledger.statuses
            assert_changes_once(db, ledger)
            fired_once = assert_deadlines_once(db, referred)
    finally:
        for process in (*workers, *servers):
            process.stop()
    assert handled["fired"] == fired_once == scraped, (handled, fired_once, scraped)
    for process in (*workers, *servers):
        assert "Traceback" not in process.log(), process.log()[-4000:]
    verified = subprocess.run([MEDIATION, "verify"], env={**os.environ, "MEDIATION_DATABASE_URL": day_url},
                              capture_output=True, text=True, timeout=300)
    assert verified.returncode == 0 and "every hash chain verifies" in verified.stdout, verified.stdout + verified.stderr
