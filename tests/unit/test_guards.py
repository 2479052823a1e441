"""Every guard of the workflow, passing and refusing, on in-memory cases."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from mediation.workflows.case_state import CaseState
from mediation.workflows.guards import GUARDS
from mediation.workflows.loader import current_definition

POLICY = current_definition().policy
NOW = datetime(2026, 3, 2, 9, 30)
TOP = len(POLICY["escalation_ladder"]) - 1
SIGNED_AND_SEALED = {"signatures": [11, 12], "mediator_signed": True, "sealed": True}
EFFECTIVE = {"agreement": {"terms": "赔偿500元", "effective_at": NOW.isoformat()}}
TWO_VISITS = len(POLICY["return_visits"]["schedule"])


def case(**fields: Any) -> CaseState:
    """A case with two parties (11, 12) in the community of the sample county."""
    values: dict[str, Any] = {
        "id": 7, "state": "screening.reported", "unit_id": 3, "unit_path": "/330324/330324001/330324001001/",
        "party_ids": [11, 12], "policy": POLICY, "now": NOW,
    }
    values.update(fields)
    return CaseState(**values)


def visits(*outcomes: str) -> dict[str, Any]:
    return {"visits": [{"outcome": outcome, "at": NOW.isoformat()} for outcome in outcomes]}


# Everything the default policy's `required_for_closure` asks of a mediated case.
COMPLETE_FILE = {**visits("stable", "stable"), "rights_notified": [11, 12], "session_records": 2,
                 "agreement": {"terms": "赔偿500元", "oral": True}}


# (guard, case fields) where the guard lets the transition through.
PASSING: list[tuple[str, dict[str, Any]]] = [
    ("category_and_risk_set", {"category": "neighbour"}),
    ("category_and_risk_set", {"data": {"category": "family", "risk_level": "elevated"}}),
    ("parties_sufficient", {}),
    ("parties_sufficient", {"party_ids": [11], "data": {"other_party_unknown": True}}),
    ("not_duplicate_of_itself", {"data": {"duplicate_of": 8}}),
    ("risk_below_high", {"risk_level": "elevated"}),
    ("risk_not_critical", {"risk_level": "high"}),
    ("all_parties_consented", {"progress": {"consents": [12, 11]}}),
    ("level_above_exists", {"ladder_level": TOP - 1}),
    ("ladder_exhausted", {"ladder_level": TOP}),
    ("signer_named", {"data": {"party_id": 11}}),
    ("signer_named", {"data": {"signer": "mediator"}}),
    ("agreement_signed_and_sealed", {"progress": SIGNED_AND_SEALED}),
    ("joint_application", {"data": {"applicants": [12, 11]}}),
    ("within_confirmation_window", {"progress": EFFECTIVE}),
    ("within_confirmation_window", {"progress": EFFECTIVE, "now": NOW + timedelta(days=30)}),
    ("people_mediation_basis", {"mechanism": "joint", "progress": EFFECTIVE}),
    ("category_not_excluded", {"category": "neighbour", "progress": {"agreement": {"subject_matters": ["debt"]}}}),
    ("returned_before", {"return_count": 1}),
    ("feedback_resolved", {"progress": {"feedback": {"outcome": "resolved"}}}),
    ("feedback_unresolved", {"progress": {"feedback": {"outcome": "unresolved"}}}),
    ("court_confirmed", {"progress": {"ruling_number": "(2026)浙0324民特123号"}}),
    ("not_court_confirmed", {}),
    ("visits_complete_and_stable", {"progress": visits("recurred", "stable")}),
    ("risk_goes_up", {"risk_level": "low", "data": {"risk_level": "critical"}}),
    ("risk_goes_down", {"risk_level": "high", "data": {"risk_level": "elevated"}}),
    ("not_key_case", {"key_case": False}),
    ("review_not_extended", {"progress": {}}),
    ("rights_notified_to_every_party", {"progress": {"rights_notified": [12, 11]}}),
    ("rights_notified_to_every_party", {"policy": {**POLICY, "require_rights_notice": False}}),
    ("interpreter_present_when_needed", {}),
    ("interpreter_present_when_needed",
     {"progress": {"interpreter_needed": [12], "participants": [{"name": "阿依古丽", "role": "interpreter"}]}}),
    ("interpreter_present_when_needed",
     {"progress": {"interpreter_needed": [12]}, "policy": {**POLICY, "require_interpreter": False}}),
    ("case_file_complete", {"progress": COMPLETE_FILE}),
    ("case_file_complete", {"progress": {**visits("stable", "stable"), "feedback": {"outcome": "resolved"}}}),
    ("case_file_complete", {"policy": {**POLICY, "required_for_closure": ["register"]}}),
    ("facts_changed", {"data": {"title": "新标题", "reason": "笔误"}}),
    ("party_fields_changed", {"data": {"party_id": 11, "address": "瓯北街道", "reason": "补充"}}),
    ("party_count_within_limit", {}),
]

# (guard, case fields, a word the refusal must contain).
REFUSING: list[tuple[str, dict[str, Any], str]] = [
    ("category_and_risk_set", {"category": None}, "category"),
    ("category_and_risk_set", {"category": "family", "risk_level": None}, "risk"),
    ("parties_sufficient", {"party_ids": [11]}, "two parties"),
    ("parties_sufficient", {"party_ids": [], "data": {"other_party_unknown": True}}, "two parties"),
    ("not_duplicate_of_itself", {"data": {"duplicate_of": 7}}, "itself"),
    ("risk_below_high", {"risk_level": "high"}, "on-scene"),
    ("risk_below_high", {"risk_level": "critical"}, "on-scene"),
    ("risk_not_critical", {"risk_level": "critical"}, "critical"),
    ("all_parties_consented", {"progress": {"consents": [11]}}, "[12]"),
    ("all_parties_consented", {}, "[11, 12]"),
    ("level_above_exists", {"ladder_level": TOP}, "county"),
    ("ladder_exhausted", {"ladder_level": 0}, "escalates"),
    ("signer_named", {"data": {}}, "exactly one signer"),
    ("signer_named", {"data": {"party_id": 11, "signer": "mediator"}}, "exactly one signer"),
    ("agreement_signed_and_sealed", {"progress": {**SIGNED_AND_SEALED, "signatures": [11]}}, "[12]"),
    ("agreement_signed_and_sealed", {"progress": {**SIGNED_AND_SEALED, "mediator_signed": False}}, "mediator"),
    ("agreement_signed_and_sealed", {"progress": {**SIGNED_AND_SEALED, "sealed": False}}, "seal"),
    ("joint_application", {"data": {"applicants": [11]}}, "all parties"),
    ("joint_application", {"data": {"applicants": [11, 12, 13]}}, "all parties"),
    ("within_confirmation_window", {"progress": EFFECTIVE, "now": NOW + timedelta(days=31)}, "30 days"),
    ("within_confirmation_window", {"progress": {}}, "effective date"),
    ("people_mediation_basis", {"mechanism": "on_scene", "progress": EFFECTIVE}, "police"),
    ("people_mediation_basis", {"mechanism": "joint", "progress": {"agreement": {"oral": True}}}, "oral"),
    ("category_not_excluded", {"category": "marriage_status"}, "marriage_status"),
    ("category_not_excluded", {"category": "family", "progress": {"agreement": {"subject_matters": ["parentage"]}}},
     "parentage"),
    ("returned_before", {"return_count": 0}, "first return"),
    ("feedback_resolved", {"progress": {"feedback": {"outcome": "unresolved"}}}, "unresolved"),
    ("feedback_unresolved", {"progress": {"feedback": {"outcome": "resolved"}}}, "resolved"),
    ("court_confirmed", {}, "not court-confirmed"),
    ("not_court_confirmed", {"progress": {"ruling_number": "(2026)浙0324民特123号"}}, "court-confirmed"),
    ("visits_complete_and_stable", {"progress": visits("stable")}, f"1 of {TWO_VISITS}"),
    ("visits_complete_and_stable", {"progress": visits("stable", "recurred")}, "recurred"),
    ("risk_goes_up", {"risk_level": "high", "data": {"risk_level": "high"}}, "not above"),
    ("risk_goes_up", {"risk_level": "high", "data": {"risk_level": "low"}}, "not above"),
    ("risk_goes_down", {"risk_level": "elevated", "data": {"risk_level": "high"}}, "not below"),
    ("risk_goes_down", {"risk_level": "low", "data": {"risk_level": "low"}}, "not below"),
    ("not_key_case", {"key_case": True}, "already a key case"),
    ("review_not_extended", {"progress": {"review_extended": True}}, "extended once already"),
    ("rights_notified_to_every_party", {"progress": {"rights_notified": [11]}}, "1 of 2 parties"),
    ("interpreter_present_when_needed",
     {"progress": {"interpreter_needed": [12], "participants": [{"name": "王", "role": "co_mediator"}]}},
     "interpreter"),
    ("case_file_complete", {"progress": {**COMPLETE_FILE, "session_records": 0}}, "a session record"),
    ("case_file_complete", {"progress": {}}, "notice of rights"),
    ("facts_changed", {"data": {"reason": "笔误"}}, "at least one"),
    ("party_fields_changed", {"data": {"party_id": 11, "reason": "补充"}}, "at least one"),
    ("party_count_within_limit", {"party_ids": list(range(1, POLICY["limits"]["parties_per_case"] + 1))}, "at most"),
]


@pytest.mark.parametrize(("guard", "fields"), PASSING, ids=[name for name, _ in PASSING])
def test_guard_passes(guard: str, fields: dict[str, Any]) -> None:
    assert GUARDS[guard](case(**fields)) is None


@pytest.mark.parametrize(("guard", "fields", "word"), REFUSING, ids=[name for name, *_ in REFUSING])
def test_guard_refuses_with_a_reason(guard: str, fields: dict[str, Any], word: str) -> None:
    reason = GUARDS[guard](case(**fields))
    assert isinstance(reason, str)
    assert word in reason


def test_every_guard_has_a_passing_and_a_refusing_test() -> None:
    assert {name for name, _ in PASSING} == set(GUARDS)
    assert {name for name, *_ in REFUSING} == set(GUARDS)


def test_guards_do_not_change_the_case() -> None:
    for guard, fields, _ in REFUSING:
        subject = case(**fields)
        before = repr(subject), dict(subject.progress), dict(subject.data)
        GUARDS[guard](subject)
        assert (repr(subject), dict(subject.progress), dict(subject.data)) == before, guard
