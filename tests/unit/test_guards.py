"""Every guard of the workflow, passing and refusing, on in-memory cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from mediation.workflows.case_state import CaseState
from mediation.workflows.guards import GUARDS
from mediation.workflows.loader import current_definition
from mediation.workflows.refusals import Refusal

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
    ("not_consented_yet", {"data": {"party_id": 12}, "progress": {"consents": [11]}}),
    ("consent_outstanding", {"progress": {"consents": [12]}}),
    ("signature_outstanding", {"progress": {"signatures": [11, 12]}}),
    ("signature_outstanding", {"progress": {"signatures": [11], "mediator_signed": True}}),
    ("level_above_exists", {"ladder_level": TOP - 1}),
    ("ladder_exhausted", {"ladder_level": TOP}),
    ("signer_named", {"data": {"party_id": 11}}),
    ("signer_named", {"data": {"signer": "mediator"}}),
    ("not_signed_yet", {"data": {"party_id": 12}, "progress": {"signatures": [11], "mediator_signed": True}}),
    ("not_signed_yet", {"data": {"signer": "mediator"}, "progress": {"signatures": [11, 12]}}),
    ("agreement_signed_and_sealed", {"progress": SIGNED_AND_SEALED}),
    ("joint_application", {"data": {"applicants": [12, 11]}}),
    ("within_confirmation_window", {"progress": EFFECTIVE}),
    # Effective on 2 March (17:30 in China): open until 24:00 of 1 April in China (16:00 UTC), 23:59 included.
    ("within_confirmation_window", {"progress": EFFECTIVE, "now": datetime(2026, 4, 1, 15, 59)}),
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
    ("outcome_reported", {"channel": "grid_screening"}),  # not a channel of report_back_channels
    ("outcome_reported", {"channel": "online_opinion", "progress": {"outcome_reported": [11]}}),
    ("outcome_reported", {"channel": "walk_in", "policy": {**POLICY, "report_back_channels": []}}),
    ("facts_changed", {"data": {"title": "新标题", "reason": "笔误"}}),
    ("party_fields_changed", {"data": {"party_id": 11, "address": "瓯北街道", "reason": "补充"}}),
    ("party_count_within_limit", {}),
    ("partner_outside_reach", {"data": {"unit": "350722-LM"}, "resolved": {"unit": 40}, "shares": (41,)}),
    ("shared_with_partner", {"data": {"unit": "350722-LM"}, "resolved": {"unit": 40}, "shares": (41, 40)}),
]

# (guard, case fields, the code of its refusal).
REFUSING: list[tuple[str, dict[str, Any], str]] = [
    # Co-mediation (DESIGN §9.5): the case's own unit, a unit above it, the department holding it, twice.
    ("partner_outside_reach", {"data": {"unit": "330324001001"}, "resolved": {"unit": 3}}, "own_unit"),
    ("partner_outside_reach", {"data": {"unit": "330324"}, "resolved": {"unit": 1}}, "own_unit"),
    ("partner_outside_reach", {"data": {"unit": "330324-SJ"}, "resolved": {"unit": 21}, "department_id": 21},
     "reaches_already"),
    ("partner_outside_reach", {"data": {"unit": "350722-LM"}, "resolved": {"unit": 40}, "shares": (40,)},
     "already_shared"),
    ("shared_with_partner", {"data": {"unit": "350722-LM"}, "resolved": {"unit": 40}, "shares": (41,)}, "not_shared"),
    ("category_and_risk_set", {"category": None}, "category_missing"),
    ("category_and_risk_set", {"category": "family", "risk_level": None}, "risk_level_missing"),
    ("parties_sufficient", {"party_ids": [11]}, "too_few_parties"),
    ("parties_sufficient", {"party_ids": [], "data": {"other_party_unknown": True}}, "too_few_parties"),
    ("not_duplicate_of_itself", {"data": {"duplicate_of": 7}}, "duplicate_of_itself"),
    ("risk_below_high", {"risk_level": "high"}, "risk_too_high_on_scene"),
    ("risk_below_high", {"risk_level": "critical"}, "risk_too_high_on_scene"),
    ("risk_not_critical", {"risk_level": "critical"}, "risk_critical"),
    ("all_parties_consented", {"progress": {"consents": [11]}}, "consent_missing"),
    ("all_parties_consented", {}, "consent_missing"),
    ("not_consented_yet", {"data": {"party_id": 11}, "progress": {"consents": [11]}}, "already_consented"),
    ("consent_outstanding", {"progress": {"consents": [12, 11]}}, "everyone_consented"),
    ("signature_outstanding", {"progress": SIGNED_AND_SEALED}, "everyone_signed"),
    ("level_above_exists", {"ladder_level": TOP}, "no_level_above"),
    ("ladder_exhausted", {"ladder_level": 0}, "ladder_not_exhausted"),
    ("signer_named", {"data": {}}, "signer_missing"),
    ("signer_named", {"data": {"party_id": 11, "signer": "mediator"}}, "signer_missing"),
    ("not_signed_yet", {"data": {"party_id": 11}, "progress": {"signatures": [11]}}, "already_signed"),
    ("not_signed_yet", {"data": {"signer": "mediator"}, "progress": {"mediator_signed": True}},
     "mediator_already_signed"),
    ("agreement_signed_and_sealed", {"progress": {**SIGNED_AND_SEALED, "signatures": [11]}}, "signatures_missing"),
    ("agreement_signed_and_sealed", {"progress": {**SIGNED_AND_SEALED, "mediator_signed": False}},
     "mediator_signature_missing"),
    ("agreement_signed_and_sealed", {"progress": {**SIGNED_AND_SEALED, "sealed": False}}, "seal_missing"),
    ("joint_application", {"data": {"applicants": [11]}}, "applicants_missing"),
    ("joint_application", {"data": {"applicants": [11, 12, 13]}}, "joint_application_required"),
    ("within_confirmation_window", {"progress": EFFECTIVE, "now": datetime(2026, 4, 1, 16, 0)},
     "confirmation_window_passed"),
    ("within_confirmation_window", {"progress": {}}, "no_effective_date"),
    ("people_mediation_basis", {"mechanism": "on_scene", "progress": EFFECTIVE}, "police_agreement"),
    ("people_mediation_basis", {"mechanism": "joint", "progress": {"agreement": {"oral": True}}}, "oral_agreement"),
    ("category_not_excluded", {"category": "marriage_status"}, "category_excluded"),
    ("category_not_excluded", {"category": "family", "progress": {"agreement": {"subject_matters": ["parentage"]}}},
     "subjects_excluded"),
    ("returned_before", {"return_count": 0}, "first_return"),
    ("feedback_resolved", {"progress": {"feedback": {"outcome": "unresolved"}}}, "not_reported_resolved"),
    ("feedback_unresolved", {"progress": {"feedback": {"outcome": "resolved"}}}, "not_reported_unresolved"),
    ("feedback_unresolved", {}, "not_reported_unresolved"),
    ("court_confirmed", {}, "not_court_confirmed"),
    ("not_court_confirmed", {"progress": {"ruling_number": "(2026)浙0324民特123号"}}, "court_confirmed"),
    ("visits_complete_and_stable", {"progress": visits("stable")}, "visits_missing"),
    ("visits_complete_and_stable", {"progress": {**visits("stable"), "tracking_since": NOW.isoformat()}},
     "visits_missing_early"),
    ("visits_complete_and_stable", {"progress": {"tracking_since": NOW.isoformat()}}, "visits_missing_next"),
    ("visits_complete_and_stable", {"progress": visits("stable", "recurred")}, "last_visit_recurred"),
    ("visits_complete_and_stable", {"progress": visits("stable", "not_performed")}, "last_visit_not_performed"),
    ("risk_goes_up", {"risk_level": "high", "data": {"risk_level": "high"}}, "risk_not_above"),
    ("risk_goes_up", {"risk_level": "high", "data": {"risk_level": "low"}}, "risk_not_above"),
    ("risk_goes_down", {"risk_level": "elevated", "data": {"risk_level": "high"}}, "risk_not_below"),
    ("risk_goes_down", {"risk_level": "low", "data": {"risk_level": "low"}}, "risk_not_below"),
    ("not_key_case", {"key_case": True}, "already_key_case"),
    ("review_not_extended", {"progress": {"review_extended": True}}, "review_extended_already"),
    ("rights_notified_to_every_party", {"progress": {"rights_notified": [11]}}, "rights_notice_missing"),
    ("interpreter_present_when_needed",
     {"progress": {"interpreter_needed": [12], "participants": [{"name": "王", "role": "co_mediator"}]}},
     "interpreter_missing"),
    ("case_file_complete", {"progress": {**COMPLETE_FILE, "session_records": 0}}, "closure_items_missing"),
    ("case_file_complete", {"progress": {}}, "closure_items_missing"),
    ("outcome_reported", {"channel": "online_opinion", "progress": COMPLETE_FILE}, "outcome_not_reported"),
    ("outcome_reported", {"channel": "police_call"}, "outcome_not_reported"),
    ("facts_changed", {"data": {"reason": "笔误"}}, "nothing_to_correct"),
    ("party_fields_changed", {"data": {"party_id": 11, "reason": "补充"}}, "nothing_to_correct"),
    ("party_count_within_limit", {"party_ids": list(range(1, POLICY["limits"]["parties_per_case"] + 1))},
     "too_many_parties"),
]


@pytest.mark.parametrize(("guard", "fields"), PASSING, ids=[name for name, _ in PASSING])
def test_guard_passes(guard: str, fields: dict[str, Any]) -> None:
    assert GUARDS[guard](case(**fields)) is None


@pytest.mark.parametrize(("guard", "fields", "code"), REFUSING, ids=[code for *_, code in REFUSING])
def test_guard_refuses_with_a_code_it_declares(guard: str, fields: dict[str, Any], code: str) -> None:
    refusal = GUARDS[guard](case(**fields))
    assert isinstance(refusal, Refusal) and refusal.code == code
    assert code in GUARDS[guard].refusal_codes
    assert set(refusal.values) == set(GUARDS[guard].refusal_codes[code])


def test_every_guard_has_a_passing_and_a_refusing_test() -> None:
    assert {name for name, _ in PASSING} == set(GUARDS)
    assert {name for name, *_ in REFUSING} == set(GUARDS)
    assert {(name, code) for name, _, code in REFUSING} == {
        (name, code) for name, check in GUARDS.items() for code in check.refusal_codes}


def test_guards_do_not_change_the_case() -> None:
    for guard, fields, _ in REFUSING:
        subject = case(**fields)
        before = repr(subject), dict(subject.progress), dict(subject.data)
        GUARDS[guard](subject)
        assert (repr(subject), dict(subject.progress), dict(subject.data)) == before, guard


@pytest.mark.parametrize("channel", POLICY["report_back_channels"])
def test_closing_as_resolved_waits_for_the_outcome_told_to_the_complainant(channel: str) -> None:
    """闭环: a case from a channel of report_back_channels closes as resolved only after report_outcome."""
    refusal = GUARDS["outcome_reported"](case(state="follow_up.tracking", channel=channel, progress=COMPLETE_FILE))
    assert refusal == Refusal("outcome_not_reported", channel=channel)
    assert POLICY["report_back_channels"] == ["online_opinion", "walk_in", "police_call"]

