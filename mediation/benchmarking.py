"""Measured workloads for `python -m benchmarks`: the engine's persisted transition rate."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

from mediation.db import Database
from mediation.directory import actor_for
from mediation.engine import apply_transition
from mediation.intake import CaseInput, PartyInput, open_case
from mediation.sample_county import build_sample_county
from mediation.schema import upgrade_database

START = datetime(2026, 3, 2, 9, 0)


def _cases_in_session(db: Database, count: int) -> dict[int, int]:
    """Open `count` cases and bring each to mediation.in_session; case id -> version."""
    county = build_sample_county(db)
    mediator = actor_for(db, "mediator1")
    versions: dict[int, int] = {}
    for i in range(count):
        case_id = open_case(db, actor=mediator, now=START, case=CaseInput(
            title=f"噪音纠纷{i}", description="楼上装修噪音影响休息", channel="grid_screening",
            unit=county.community, category="neighbour",
            parties=[PartyInput("王某", "applicant"), PartyInput("李某", "respondent")]))
        steps = [("triage", {"risk_level": "low"}),
                 ("assign_mediator", {"mediator": "mediator1", "mechanism": "joint", "resolver": "grassroots"})]
        steps += [("record_consent", {"party_id": p}) for p in _party_ids(db, case_id)]
        steps.append(("start_session", {}))
        version = 1
        for trigger, data in steps:
            version = apply_transition(db, case_id=case_id, trigger=trigger, actor=mediator, data=data,
                                       expected_version=version, now=START).version
        versions[case_id] = version
    return versions


def _party_ids(db: Database, case_id: int) -> list[int]:
    with db.write() as tx:
        return [row[0] for row in tx.all("SELECT id FROM parties WHERE case_id = :c ORDER BY id", {"c": case_id})]


def engine_transition_rate(*, n: int, database_path: str | Path, cases: int = 200) -> tuple[int, float]:
    """Fire n state-changing transitions (adjourn / start_session), each its own commit."""
    url = f"sqlite:///{database_path}"
    upgrade_database(url)
    db = Database(url)
    versions = _cases_in_session(db, cases)
    mediator = actor_for(db, "mediator1")
    case_ids = list(versions)
    now = START + timedelta(days=1)
    adjourn = {"next_session_at": "2026-03-05T09:00:00"}
    started = time.perf_counter()
    for i in range(n):
        case_id = case_ids[i % len(case_ids)]
        in_session = (i // len(case_ids)) % 2 == 0
        result = apply_transition(
            db, case_id=case_id, trigger="adjourn" if in_session else "start_session", actor=mediator,
            data=adjourn if in_session else {}, expected_version=versions[case_id], now=now,
        )
        versions[case_id] = result.version
    elapsed = time.perf_counter() - started
    db.dispose()
    return n, elapsed
