"""The demo dataset: a few hundred realistic cases in every state, all filed and moved by the engine."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa

from mediation.cases.audit import verify_all
from mediation.db import Database
from mediation.demo.dataset import MIN_PER_STATE, demo_summary, load_demo, plan_demo
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.workflows.effects import CO_UNIT_REASON
from mediation.workflows.loader import current_definition

NOW = datetime(2026, 11, 20, 8, 0)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def rows(db: Database, sql: str) -> list[dict]:
    with db.read() as connection:
        return [dict(row) for row in connection.execute(sa.text(sql)).mappings()]


def check_digit_holds(id_number: str) -> bool:
    total = sum(int(digit) * weight for digit, weight in zip(id_number[:17], ID_WEIGHTS))
    return id_number[17] == "10X98765432"[total % 11]


def as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def test_the_demo_fills_every_state_with_realistic_cases(db: Database) -> None:
    seen: list[int] = []
    counts = load_demo(db, now=NOW, progress=seen.append)

    states = list(current_definition().states)
    assert sum(counts.values()) >= 200
    assert seen == list(range(1, 241))
    assert set(counts) == set(states) and min(counts.values()) >= MIN_PER_STATE
    assert [(state, count) for _stage, state, count in demo_summary(db)] == [(s, counts[s]) for s in states]
    assert list(verify_all(db)) == []

    cases = rows(db, "SELECT title, t.description, channel, category, risk_level, unit_path, created_at, key_case "
                     "FROM cases c JOIN case_texts t ON t.case_id = c.id")
    assert all(CHINESE.search(case["title"]) and CHINESE.search(case["description"]) for case in cases)
    assert {case["channel"] for case in cases} == {"grid_screening", "community_work", "online_opinion",
                                                   "law_enforcement", "police_call", "walk_in", "referral_in"}
    assert len({case["category"] for case in cases}) >= 10
    assert {case["risk_level"] for case in cases} == {"low", "elevated", "high", "critical"}
    assert {case["unit_path"].split("/")[2] for case in cases} == {"330324001", "330324002"}
    created = [as_datetime(case["created_at"]) for case in cases]
    assert min(created) < NOW - timedelta(days=365) and max(created) <= NOW
    assert sum(bool(case["key_case"]) for case in cases) >= 5

    parties = rows(db, "SELECT name, id_number, phone FROM parties")
    assert all(CHINESE.search(party["name"]) for party in parties)
    id_numbers = [party["id_number"] for party in parties if party["id_number"]]
    assert len(id_numbers) >= 100 and all(n.startswith("330324") and check_digit_holds(n) for n in id_numbers)
    assert any(party["phone"] and re.fullmatch(r"1\d{10}", party["phone"]) for party in parties)

    shares = rows(db, "SELECT u.code, s.reason, o.co_units FROM case_shares s JOIN units u ON u.id = s.unit_id "
                      "LEFT JOIN orders o ON o.case_id = s.case_id")
    partners = [share["code"] for share in shares if share["reason"] != CO_UNIT_REASON]
    assert partners == ["350722-LM"] * 3  # the liaison post co-mediates a few
    co_units = [share for share in shares if share["reason"] == CO_UNIT_REASON]  # key-case orders' co-units
    assert co_units and all(share["code"] in share["co_units"] for share in co_units)

    last_events = rows(db, "SELECT max(at) AS latest FROM events")
    assert as_datetime(last_events[0]["latest"]) <= NOW


def test_the_demo_is_the_same_for_the_same_seed() -> None:
    def plan(seed: int) -> list[tuple]:
        return [(case.state, case.case_input.title, case.created, case.route)
                for case in plan_demo(SampleCounty(), cases=240, seed=seed, now=NOW)]

    assert plan(7) == plan(7)
    assert plan(7) != plan(8)


def test_the_demo_uses_a_county_already_there(db: Database) -> None:
    build_sample_county(db)
    counts = load_demo(db, cases=30, seed=3, now=NOW)
    assert sum(counts.values()) == 30
    assert list(verify_all(db)) == []
