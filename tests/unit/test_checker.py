"""`check_definition` finds what is unsound in a workflow definition and its policy."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from mediation.workflows.checker import REQUIRED_POLICY_KEYS, check_definition
from mediation.workflows.definition import parse_definition
from mediation.workflows.loader import (
    POLICY_FILE,
    WORKFLOW_DIR,
    current_definition,
    read_yaml,
    workflow_files,
)

WORKFLOW = read_yaml(workflow_files()["mediation"])
POLICY = read_yaml(WORKFLOW_DIR / POLICY_FILE)


def problems_after(edit: Callable[[dict[str, Any], dict[str, Any]], None]) -> list[str]:
    """The checker's findings on the shipped YAML changed by `edit` (on deep copies)."""
    workflow, policy = copy.deepcopy(WORKFLOW), copy.deepcopy(POLICY)
    edit(workflow, policy)
    return check_definition(parse_definition(workflow, policy))


def test_the_shipped_definition_has_no_problems() -> None:
    assert check_definition(current_definition()) == []
    assert problems_after(lambda workflow, policy: None) == []


def test_unknown_guard() -> None:
    def edit(workflow: dict, _policy: dict) -> None:
        workflow["triggers"]["triage"]["transitions"][0]["guards"].append("moon_is_full")

    assert problems_after(edit) == ["trigger 'triage' uses unknown guard 'moon_is_full'"]


def test_unknown_effect() -> None:
    def edit(workflow: dict, _policy: dict) -> None:
        workflow["triggers"]["seal"]["effects"] = ["record_seal", "stamp_twice"]

    assert problems_after(edit) == ["trigger 'seal' uses unknown effect 'stamp_twice'"]


def test_unreachable_state() -> None:
    def edit(workflow: dict, _policy: dict) -> None:
        workflow["stages"]["mediation"]["states"]["limbo"] = {"zh": "搁置", "en": "Limbo"}

    assert problems_after(edit) == ["state 'mediation.limbo' is unreachable from 'screening.reported'"]


def test_open_state_with_no_way_out() -> None:
    def edit(workflow: dict, _policy: dict) -> None:
        workflow["stages"]["joint"]["states"]["stuck"] = {"zh": "搁置", "en": "Stuck"}
        workflow["triggers"]["park"] = {
            "labels": {"en": "Park"}, "roles": ["mediator"],
            "transitions": [{"from": "joint.referred", "to": "joint.stuck"}],
        }
        # `from: open` would give the new state a way out through the police hand-over.
        others = [f"{stage}.{state}" for stage, body in workflow["stages"].items() if stage != "closed"
                  for state in body["states"] if state != "stuck"]
        workflow["triggers"]["hand_over_to_police"]["transitions"][0]["from"] = others

    assert problems_after(edit) == ["open state 'joint.stuck' has no way out"]


def test_internal_transitions_are_no_way_out() -> None:
    def edit(workflow: dict, _policy: dict) -> None:
        workflow["triggers"]["acknowledge"]["transitions"][0]["to"] = "same"

    problems = problems_after(edit)
    assert "open state 'joint.referred' has no way out" not in problems  # return_referral still leaves
    assert "state 'joint.in_progress' is unreachable from 'screening.reported'" in problems


@pytest.mark.parametrize("roles", [[], None])
def test_trigger_with_no_roles(roles: list | None) -> None:
    def edit(workflow: dict, _policy: dict) -> None:
        workflow["triggers"]["seal"]["roles"] = roles

    assert problems_after(edit) == ["trigger 'seal' has no roles"]


def test_trigger_with_an_unknown_role() -> None:
    def edit(workflow: dict, _policy: dict) -> None:
        workflow["triggers"]["seal"]["roles"] = ["mediator", "notary"]

    assert problems_after(edit) == ["trigger 'seal' names unknown role 'notary'"]


@pytest.mark.parametrize("key", REQUIRED_POLICY_KEYS)
def test_missing_policy_key(key: str) -> None:
    def edit(_workflow: dict, policy: dict) -> None:
        del policy[key]

    assert f"policy key '{key}' is missing" in problems_after(edit)


def test_the_required_policy_keys_include_what_guards_and_effects_read() -> None:
    assert {"escalation_ladder", "judicial_confirmation", "referrals", "return_visits", "key_case_orders",
            "limits", "categories"} <= set(REQUIRED_POLICY_KEYS)


def test_unknown_states_and_initial() -> None:
    def edit(workflow: dict, _policy: dict) -> None:
        workflow["initial"] = "screening.nowhere"
        workflow["triggers"]["seal"]["transitions"][0]["to"] = "mediation.sealed"

    problems = problems_after(edit)
    assert "initial state 'screening.nowhere' is not defined" in problems
    assert "trigger 'seal' names unknown state 'mediation.sealed'" in problems


def test_unknown_field_type_and_a_trigger_without_transitions() -> None:
    def edit(workflow: dict, _policy: dict) -> None:
        workflow["triggers"]["seal"]["data"] = {"colour": {"type": "colour"}}
        workflow["triggers"]["seal"]["transitions"] = []

    problems = problems_after(edit)
    assert "trigger 'seal' field 'colour' has unknown type 'colour'" in problems
    assert "trigger 'seal' has no transitions" in problems


def test_risk_overlay_names_an_unknown_trigger() -> None:
    def edit(workflow: dict, _policy: dict) -> None:
        workflow["risk_overlay"]["critical_allows"].append("call_the_army")

    assert problems_after(edit) == ["risk_overlay.critical_allows names unknown trigger 'call_the_army'"]


def test_deadline_problems() -> None:
    def edit(_workflow: dict, policy: dict) -> None:
        deadlines = policy["deadlines"]
        deadlines["court_acceptance"]["state"] = "court.lost"
        deadlines["people_mediation_term"]["action"] = "panic"
        deadlines["judicial_confirmation_window"]["action"] = "seal"  # the system may not fire it
        deadlines["return_visit_1"]["after"] = {"weeks": 1}

    problems = problems_after(edit)
    expected = [("court_acceptance", "'court.lost'"), ("people_mediation_term", "'panic'"),
                ("judicial_confirmation_window", "system role may not fire"), ("return_visit_1", "days: N")]
    assert len(problems) == len(expected)
    for deadline, words in expected:
        assert any(f"policy deadline '{deadline}'" in p and words in p for p in problems), (deadline, problems)


def test_several_problems_are_all_reported() -> None:
    def edit(workflow: dict, policy: dict) -> None:
        workflow["triggers"]["triage"]["transitions"][0]["guards"] = ["moon_is_full"]
        workflow["triggers"]["seal"]["roles"] = []
        del policy["referrals"]

    assert sorted(problems_after(edit)) == sorted([
        "policy key 'referrals' is missing",
        "trigger 'seal' has no roles",
        "trigger 'triage' uses unknown guard 'moon_is_full'",
    ])


def test_only_reopen_leaves_a_closed_state_in_the_shipped_definition() -> None:
    definition = current_definition()
    leaving = {
        spec.trigger
        for trigger in definition.triggers.values()
        for spec in trigger.transitions
        if spec.source.startswith("closed.") and spec.dest is not None and not spec.dest.startswith("closed.")
    }
    assert leaving == {"reopen"}
    # A closed case still takes a note and a file (DESIGN §9.9), and stays where it is.
    staying = {spec.trigger: spec.dest for trigger in definition.triggers.values() for spec in trigger.transitions
               if spec.source.startswith("closed.") and spec.trigger != "reopen"}
    assert staying == {"add_note": None, "attach": None}


def test_a_guard_refusal_needs_words_in_both_languages() -> None:
    def edit(workflow: dict, _policy: dict) -> None:
        del workflow["guards"]["all_parties_consented"]["consent_missing"]["zh"]
        del workflow["guards"]["ladder_exhausted"]

    assert sorted(problems_after(edit)) == [
        "guard 'all_parties_consented' refusal 'consent_missing' has no zh text",
        "guard 'ladder_exhausted' refusal 'ladder_not_exhausted' has no en text",
        "guard 'ladder_exhausted' refusal 'ladder_not_exhausted' has no zh text",
    ]


def test_refusal_words_name_only_what_the_guard_fills_and_speak_chinese_in_chinese() -> None:
    def edit(workflow: dict, _policy: dict) -> None:
        words = workflow["guards"]
        words["all_parties_consented"]["consent_missing"]["en"] = "{party_names} have not consented"
        words["risk_below_high"]["risk_too_high_on_scene"]["zh"] = "风险等级为{risk}，不能 mediate_on_scene"
        words["moon_is_full"] = {"full_moon": {"zh": "满月", "en": "full moon"}}

    assert sorted(problems_after(edit)) == [
        "guard 'all_parties_consented' refusal 'consent_missing' (en) names '{party_names}', which the guard "
        "does not fill",
        "guard 'risk_below_high' refusal 'risk_too_high_on_scene' (zh) has Latin words or code names: "
        "['mediate_on_scene']",
        "guards: words for unknown guard 'moon_is_full'",
    ]


def test_report_back_channels_name_known_channels() -> None:
    def edit(_workflow: dict, policy: dict) -> None:
        policy["report_back_channels"] = ["online_opinion", "carrier_pigeon"]

    assert problems_after(edit) == ["policy report_back_channels names unknown channel 'carrier_pigeon'"]


def test_closing_as_resolved_keeps_the_report_back_guard_while_channels_ask_for_it() -> None:
    def without_guard(workflow: dict, _policy: dict) -> None:
        (transition,) = workflow["triggers"]["verify_closure"]["transitions"]
        transition["guards"].remove("outcome_reported")

    def nor_channels(workflow: dict, policy: dict) -> None:
        without_guard(workflow, policy)
        policy["report_back_channels"] = []

    assert problems_after(without_guard) == [
        "trigger 'verify_closure' closes a case as resolved without the guard 'outcome_reported' "
        "that policy report_back_channels asks for"]
    assert problems_after(nor_channels) == []

