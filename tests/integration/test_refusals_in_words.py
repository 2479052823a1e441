"""Refusals through the engine name parties by name in both languages with a stable code; a signature
counts once; the triggers no input can make succeed now are known before a form is filled in."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from mediation.cases.engine import apply_transition
from mediation.cases.refusal_texts import blocked_triggers
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for
from mediation.errors import GuardFailed

pytest_plugins = ["sample_databases"]

COUNTY = SampleCounty()
NOW = datetime(2026, 3, 2, 9, 0)
LATER = NOW + timedelta(days=3)


def parties(db: Database, case_id: int) -> list[tuple[int, str]]:
    with db.read() as connection:
        return [tuple(row) for row in connection.execute(
            sa.text("SELECT id, name FROM parties WHERE case_id = :id ORDER BY id"), {"id": case_id})]


def version_and_events(db: Database, case_id: int) -> tuple[int, int]:
    with db.read() as connection:
        return tuple(connection.execute(sa.text("SELECT version, event_count FROM cases WHERE id = :id"),
                                        {"id": case_id}).one())


def fire(db: Database, case_id: int, trigger: str, data: dict[str, Any], at: datetime = LATER):
    version = version_and_events(db, case_id)[0]
    return apply_transition(db, case_id=case_id, trigger=trigger, actor=actor_for(db, "mediator1"), data=data,
                            expected_version=version, now=at)


def refusal(db: Database, case_id: int, trigger: str, data: dict[str, Any]) -> GuardFailed:
    before = version_and_events(db, case_id)
    with pytest.raises(GuardFailed) as caught:
        fire(db, case_id, trigger, data)
    assert version_and_events(db, case_id) == before  # nothing written
    return caught.value


def test_a_party_signs_once_and_the_mediator_signs_once(module_county_db: Database) -> None:
    db = module_county_db
    case_id = drive_to(db, state="mediation.agreement_drafted", county=COUNTY, now=NOW)
    (first, first_name), _ = parties(db, case_id)[:2]
    fire(db, case_id, "sign", {"party_id": first})
    twice = refusal(db, case_id, "sign", {"party_id": first})
    assert (twice.guard, twice.extra["code"], twice.status_code) == ("not_signed_yet", "already_signed", 422)
    assert twice.extra["reasons"] == {"zh": f"当事人{first_name}已签名", "en": f"{first_name} has already signed"}
    fire(db, case_id, "sign", {"signer": "mediator"})
    assert refusal(db, case_id, "sign", {"signer": "mediator"}).extra["code"] == "mediator_already_signed"
    for party_id, _ in parties(db, case_id)[1:]:
        fire(db, case_id, "sign", {"party_id": party_id})
    assert refusal(db, case_id, "sign", {"party_id": first}).extra["code"] == "everyone_signed"
    assert blocked_triggers(db, case_id, ["sign", "seal"], LATER) == {"sign": {
        "zh": "全体当事人和调解员均已签名", "en": "every party and the mediator have already signed"}}


def test_a_refused_start_names_the_parties_who_have_not_consented(module_county_db: Database) -> None:
    db = module_county_db
    case_id = drive_to(db, state="mediation.assigned", county=COUNTY, now=NOW)
    (first, _), (second, second_name) = parties(db, case_id)[:2]
    fire(db, case_id, "record_consent", {"party_id": first})
    error = refusal(db, case_id, "start_session", {})
    assert error.extra["code"] == "consent_missing" and error.extra["parties"] == [second]
    assert error.extra["reasons"]["zh"] == f"当事人{second_name}尚未同意调解"
    assert error.detail == error.extra["reasons"]["en"] == f"{second_name} have not consented to mediation"
    assert str(second) not in error.extra["reasons"]["zh"] + error.detail
    again = refusal(db, case_id, "record_consent", {"party_id": first})
    assert (again.guard, again.extra["code"]) == ("not_consented_yet", "already_consented")
    fire(db, case_id, "record_consent", {"party_id": second})
    assert blocked_triggers(db, case_id, ["record_consent", "start_session"], LATER)["record_consent"]["zh"] == \
        "全体当事人均已同意调解"


def test_what_cannot_succeed_now_is_known_before_the_form(module_county_db: Database) -> None:
    db = module_county_db
    assigned = drive_to(db, state="mediation.assigned", county=COUNTY, now=NOW)
    names = "、".join(name for _, name in parties(db, assigned))
    blocked = blocked_triggers(db, assigned, ["start_session", "record_consent", "declare_failed"], LATER)
    assert blocked == {"start_session": {"zh": f"当事人{names}尚未同意调解",
                                         "en": f"{names.replace('、', ', ')} have not consented to mediation"}}
    triaged = drive_to(db, state="screening.triaged", county=COUNTY, now=NOW)
    assert blocked_triggers(db, triaged, ["declare_failed", "assign_mediator"], LATER) == {"declare_failed": {
        "zh": "部门未反馈纠纷未化解，不能宣告调解不成", "en": "the department has not reported the dispute unresolved"}}
