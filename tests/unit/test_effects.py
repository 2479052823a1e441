"""Every effect of the workflow: the change it makes to an in-memory case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from mediation.workflows.case_state import CaseState
from mediation.workflows.effects import CO_UNIT_REASON, EFFECTS
from mediation.workflows.loader import current_definition

POLICY = current_definition().policy
NOW = datetime(2026, 3, 2, 9, 30)
LEVELS = [step["level"] for step in POLICY["escalation_ladder"]]
TESTED: set[str] = set()


def case(**fields: Any) -> CaseState:
    values: dict[str, Any] = {
        "id": 7, "state": "mediation.in_session", "unit_id": 3, "unit_path": "/330324/330324001/330324001001/",
        "party_ids": [11, 12], "policy": POLICY, "now": NOW, "actor_id": 5,
    }
    values.update(fields)
    return CaseState(**values)


def run(name: str, subject: CaseState) -> CaseState:
    EFFECTS[name](subject)
    return subject


def covers(*names: str) -> Callable[[Callable], Callable]:
    """Mark a test as covering these effects (counted at import, before any test runs)."""
    TESTED.update(names)
    return lambda test: test


@covers("set_category_and_risk")
def test_set_category_and_risk_takes_the_data_and_keeps_what_is_not_given() -> None:
    subject = run("set_category_and_risk", case(category="family", risk_level="elevated", data={"category": "labour"}))
    assert (subject.category, subject.risk_level) == ("labour", "elevated")
    subject = run("set_category_and_risk", case(category="family", data={"risk_level": "high"}))
    assert (subject.category, subject.risk_level) == ("family", "high")


@covers("assign_on_scene_mediator")
def test_assign_on_scene_mediator_defaults_to_the_caller() -> None:
    subject = run("assign_on_scene_mediator", case())
    assert (subject.mediator_id, subject.mechanism, subject.resolver) == (5, "on_scene", "grassroots")
    assert subject.notifications == [{"recipient": "mediator", "topic": "case_assigned", "user_id": 5}]
    named = run("assign_on_scene_mediator", case(resolved={"mediator": 9}))
    assert named.mediator_id == 9


@covers("assign_mediator")
def test_assign_mediator_sets_mediator_mechanism_and_resolver() -> None:
    subject = run("assign_mediator", case(resolved={"mediator": 9},
                                          data={"mediator": "mediator2", "mechanism": "professional",
                                                "resolver": "judicial"}))
    assert (subject.mediator_id, subject.mechanism, subject.resolver) == (9, "professional", "judicial")
    assert subject.notifications == [{"recipient": "mediator", "topic": "case_assigned", "user_id": 9}]


@covers("refer_to_department")
def test_refer_to_department_names_the_department_and_notifies_it() -> None:
    subject = run("refer_to_department", case(resolved={"department": 21}))
    assert subject.department_id == 21
    assert subject.notifications == [{"recipient": "department", "topic": "case_referred", "unit_id": 21}]


@covers("record_consent")
def test_record_consent_records_each_party_once() -> None:
    subject = run("record_consent", case(data={"party_id": 12}))
    run("record_consent", subject)
    subject.data = {"party_id": 11}
    run("record_consent", subject)
    assert subject.progress["consents"] == [12, 11]


@covers("count_attempt")
def test_count_attempt_uses_an_attempt_and_the_last_one_moves_the_case_up() -> None:
    allowed = POLICY["escalation_ladder"][0]["attempts"]
    subject = case(ladder_level=0, ladder_attempts=allowed - 2)
    run("count_attempt", subject)
    assert (subject.ladder_level, subject.ladder_attempts) == (0, allowed - 1)
    run("count_attempt", subject)
    assert (subject.ladder_level, subject.ladder_attempts) == (1, 0)
    assert subject.notifications[-1] == {"recipient": "supervisor", "topic": "case_escalated", "level": LEVELS[1]}


def test_count_attempt_at_the_top_of_the_ladder_stays_there() -> None:
    top = len(LEVELS) - 1
    subject = run("count_attempt", case(ladder_level=top, ladder_attempts=5))
    assert (subject.ladder_level, subject.ladder_attempts) == (top, 6)
    assert subject.notifications == []


@covers("escalate_level")
def test_escalate_level_goes_one_level_up_and_resets_attempts() -> None:
    subject = run("escalate_level", case(ladder_level=1, ladder_attempts=2))
    assert (subject.ladder_level, subject.ladder_attempts) == (2, 0)
    assert subject.notifications == [{"recipient": "supervisor", "topic": "case_escalated", "level": LEVELS[2]}]


@covers("inform_of_other_routes")
def test_inform_of_other_routes_lists_arbitration_administrative_and_court() -> None:
    subject = run("inform_of_other_routes", case())
    assert subject.progress["routes_informed"] == ["arbitration", "administrative", "litigation"]


@covers("draft_agreement")
def test_draft_agreement_records_terms_and_starts_signatures_afresh() -> None:
    subject = case(
        progress={"signatures": [11], "mediator_signed": True, "sealed": True},
        data={"terms": "赔偿500元", "performance_deadline": "2026-04-01", "subject_matters": ["debt"]},
    )
    run("draft_agreement", subject)
    assert subject.progress == {
        "agreement": {"terms": "赔偿500元", "performance_deadline": "2026-04-01", "subject_matters": ["debt"],
                      "drafted_at": NOW.isoformat()},
        "signatures": [], "mediator_signed": False, "sealed": False,
    }


@covers("record_oral_agreement")
def test_record_oral_agreement_is_oral_and_effective_now() -> None:
    subject = run("record_oral_agreement", case(data={"terms": "当场道歉"}))
    assert subject.progress["agreement"] == {"terms": "当场道歉", "oral": True, "effective_at": NOW.isoformat()}


@covers("record_signature")
def test_record_signature_of_a_party_and_of_the_mediator() -> None:
    subject = run("record_signature", case(data={"party_id": 11}, progress={"signatures": []}))
    run("record_signature", subject)
    assert subject.progress["signatures"] == [11]
    assert not subject.progress.get("mediator_signed")
    subject.data = {"signer": "mediator"}
    run("record_signature", subject)
    assert subject.progress["mediator_signed"] is True
    assert subject.progress["signatures"] == [11]


@covers("record_seal")
def test_record_seal() -> None:
    assert run("record_seal", case()).progress["sealed"] is True


@covers("make_agreement_effective")
def test_make_agreement_effective_dates_the_agreement() -> None:
    subject = run("make_agreement_effective", case(progress={"agreement": {"terms": "x"}}))
    assert subject.progress["agreement"] == {"terms": "x", "effective_at": NOW.isoformat()}
    assert subject.progress["agreement_effective_at"] == NOW.isoformat()


@covers("clear_agreement")
def test_clear_agreement_drops_signatures_and_seal() -> None:
    subject = run("clear_agreement", case(progress={"agreement": {"terms": "x"}, "signatures": [11],
                                                    "mediator_signed": True, "sealed": True}))
    assert "signatures" not in subject.progress
    assert "mediator_signed" not in subject.progress
    assert "sealed" not in subject.progress


@covers("record_resolution_level")
def test_record_resolution_level_names_the_ladder_level() -> None:
    assert run("record_resolution_level", case(ladder_level=1)).resolved_level == LEVELS[1]


@covers("refer_to_court")
def test_refer_to_court_records_the_application() -> None:
    subject = run("refer_to_court", case(resolved={"court": 31}, data={"applicants": [12, 11]}))
    assert subject.court_id == 31
    assert subject.progress["applicants"] == [11, 12]
    assert subject.progress["applied_at"] == NOW.isoformat()
    assert subject.notifications == [{"recipient": "court", "topic": "confirmation_applied", "unit_id": 31}]


@covers("record_court_acceptance")
def test_record_court_acceptance() -> None:
    assert run("record_court_acceptance", case()).progress["accepted_at"] == NOW.isoformat()


@covers("record_ruling")
def test_record_ruling_keeps_the_ruling_number_and_resolves_at_the_court() -> None:
    subject = run("record_ruling", case(data={"ruling_number": "(2026)浙0324民特123号"}))
    assert subject.progress["ruling_number"] == "(2026)浙0324民特123号"
    assert subject.progress["confirmed_at"] == NOW.isoformat()
    assert subject.resolved_level == "court"  # a confirmed agreement counts as resolved at the court


@covers("extend_ruling_deadline")
def test_extend_ruling_deadline_moves_the_ruling_deadline_once() -> None:
    subject = run("extend_ruling_deadline", case())
    assert subject.progress["review_extended"] is True
    assert subject.moved_deadlines == [{"kind": "court_ruling", "by": {"days": 10, "count": "civil_procedure"}}]


@covers("recompute_deadline")
def test_recompute_deadline_moves_the_deadline_of_its_kind_to_the_new_due_moment() -> None:
    """The new due moment comes in China time (24:00 of 17 Feb) and is kept as naive UTC."""
    subject = run("recompute_deadline", case(data={"kind": "police_second_session", "new_due": "2027-02-18T00:00:00+08:00",
                                                   "previous_due": "2027-02-16T00:00:00+08:00", "estimated": False}))
    assert subject.moved_deadlines == [{"kind": "police_second_session", "to": datetime(2027, 2, 17, 16), "estimated": False}]


@covers("count_return")
def test_count_return_counts_and_releases_the_department() -> None:
    subject = run("count_return", case(department_id=21, return_count=1))
    assert (subject.return_count, subject.department_id) == (2, None)


@covers("escalate_to_county")
def test_escalate_to_county_goes_to_the_top_of_the_ladder() -> None:
    subject = run("escalate_to_county", case(ladder_level=0, ladder_attempts=2))
    assert (subject.ladder_level_name, subject.ladder_attempts) == ("county", 0)
    assert subject.notifications == [{"recipient": "county_centre", "topic": "referral_returned_twice"}]


@covers("record_feedback")
def test_record_feedback() -> None:
    subject = run("record_feedback", case(data={"outcome": "unresolved", "summary": "当事人不接受"}))
    assert subject.progress["feedback"] == {"outcome": "unresolved", "summary": "当事人不接受"}


@covers("start_return_visits")
def test_start_return_visits_starts_the_schedule_afresh() -> None:
    subject = run("start_return_visits", case(progress={"visits": [{"outcome": "stable"}]}))
    assert subject.progress == {"tracking_since": NOW.isoformat()}


@covers("record_visit")
def test_record_visit_appends_each_visit_with_how_it_counts() -> None:
    subject = run("record_visit", case(data={"outcome": "recurred", "notes": "x"},
                                       progress={"tracking_since": NOW.isoformat()}))
    subject.data, subject.now = {"outcome": "stable", "notes": "y"}, NOW + timedelta(days=7)
    run("record_visit", subject)
    assert subject.progress["visits"] == [
        {"outcome": "recurred", "at": NOW.isoformat(), "schedule": "early", "slot": 1, "day": 0},
        {"outcome": "stable", "at": (NOW + timedelta(days=7)).isoformat(), "schedule": "on_schedule", "slot": 1,
         "day": 7}]


@covers("count_recurrence")
def test_count_recurrence_counts_and_starts_visits_afresh() -> None:
    subject = run("count_recurrence", case(recurrence_count=1, progress={"visits": [{"outcome": "recurred"}]}))
    assert subject.recurrence_count == 2
    assert "visits" not in subject.progress


@covers("set_risk")
def test_set_risk() -> None:
    assert run("set_risk", case(risk_level="low", data={"risk_level": "critical"})).risk_level == "critical"


@covers("open_order")
def test_open_order_makes_a_key_case_with_due_soon_and_overdue_deadlines() -> None:
    subject = run("open_order", case(resolved={"owner": 4, "co_units": [21]},
                                     data={"owner": "supervisor1", "deadline": "2026-04-30", "co_units": ["330324-SJ"]}))
    assert subject.key_case is True
    assert subject.new_order == {"owner_id": 4, "co_units": ["330324-SJ"], "milestones": [],
                                 "deadline": date(2026, 4, 30)}
    before = POLICY["key_case_orders"]["due_soon_before"]["days"]
    assert subject.new_deadlines == [
        {"kind": "order_due_soon", "due_on": date(2026, 4, 30 - before), "action": "remind"},
        {"kind": "order_overdue", "due_on": date(2026, 5, 1), "action": POLICY["key_case_orders"]["overdue_action"]},
    ]
    assert subject.notifications == [
        {"recipient": "owner", "topic": "key_case_designated", "user_id": 4},
        {"recipient": "partner_unit", "topic": "case_shared", "unit_id": 21, "reason": CO_UNIT_REASON},
    ]
    assert subject.co_unit_shares == [21]  # the co-unit works the case: it is shared with it


def test_open_order_does_not_share_with_a_co_unit_that_reaches_the_case_already() -> None:
    subject = run("open_order", case(resolved={"owner": 4, "co_units": [2]}, unit_path="/330324/330324001/",
                                     data={"owner": "supervisor1", "deadline": "2026-04-30",
                                           "co_units": ["330324001"]}))
    assert subject.co_unit_shares == [] and len(subject.notifications) == 1


@covers("notify_supervisor")
def test_notify_supervisor() -> None:
    subject = run("notify_supervisor", case(data={"reason": "逾期未办"}))
    assert subject.notifications == [{"recipient": "supervisor", "topic": "supervise", "reason": "逾期未办"}]


@covers("count_reopen")
def test_count_reopen_counts_each_reopening() -> None:
    subject = run("count_reopen", case(state="closed.resolved"))
    run("count_reopen", subject)
    assert subject.progress["reopened"] == 2


@covers("record_rights_notice")
def test_record_rights_notice_keeps_each_party_once() -> None:
    subject = run("record_rights_notice", case(data={"party_id": 12, "method": "in_person"}))
    run("record_rights_notice", subject)
    subject.data = {"party_id": 11, "method": "written"}
    run("record_rights_notice", subject)
    assert subject.progress["rights_notified"] == [12, 11]


@covers("record_outcome_report")
def test_record_outcome_report_keeps_each_party_told_once() -> None:
    subject = run("record_outcome_report", case(data={"party_id": 11, "method": "phone", "summary": "s"}))
    run("record_outcome_report", subject)
    assert subject.progress["outcome_reported"] == [11]


@covers("add_participant")
def test_add_participant_keeps_the_fields_given() -> None:
    subject = run("add_participant", case(data={"name": "阿依古丽", "role": "interpreter", "language": "维吾尔语"}))
    run("add_participant", case(progress=subject.progress, data={"name": "王大伯", "role": "five_elders"}))
    assert subject.progress["participants"] == [
        {"name": "阿依古丽", "role": "interpreter", "language": "维吾尔语"}, {"name": "王大伯", "role": "five_elders"}]


@covers("count_session_record", "count_investigation_record")
def test_records_are_counted_in_progress() -> None:
    subject = run("count_session_record", case())
    run("count_session_record", subject)
    run("count_investigation_record", subject)
    assert (subject.progress["session_records"], subject.progress["investigation_records"]) == (2, 1)


@covers("add_party", "correct_party")
def test_a_new_or_corrected_party_is_queued_for_the_engine_without_its_reason() -> None:
    added = run("add_party", case(data={"name": "赵六", "role": "third_party", "gender": "male", "reason": "r"}))
    assert added.new_party == {"name": "赵六", "role": "third_party", "gender": "male"}
    corrected = run("correct_party", case(data={"party_id": 12, "address": "瓯北街道1号", "reason": "r"}))
    assert corrected.party_changes == {"party_id": 12, "fields": {"address": "瓯北街道1号"}}
    assert corrected.progress == {} and corrected.party_ids == [11, 12]


@covers("correct_facts")
def test_correct_facts_sets_the_category_and_queues_the_texts() -> None:
    subject = run("correct_facts", case(category="neighbour", data={"category": "family", "title": "新", "reason": "r"}))
    assert subject.category == "family"
    assert subject.fact_changes == {"title": "新", "category": "family"}


def test_effects_leave_the_state_to_the_machine() -> None:
    for name in sorted(TESTED & set(EFFECTS)):
        subject = case(
            data={"category": "family", "risk_level": "high", "mechanism": "joint", "resolver": "grassroots",
                  "party_id": 11, "terms": "x", "performance_deadline": "2026-04-01", "applicants": [11, 12],
                  "ruling_number": "(2026)浙0324民特1号", "outcome": "stable", "summary": "s", "notes": "n",
                  "deadline": "2026-04-30", "kind": "police_second_session", "new_due": "2027-02-18T00:00:00+08:00"},
            resolved={"mediator": 9, "department": 21, "court": 31, "owner": 4},
        )
        EFFECTS[name](subject)
        assert subject.state == "mediation.in_session", name


def test_every_effect_has_a_test() -> None:
    assert TESTED == set(EFFECTS)


@covers("share_case", "end_share")
def test_sharing_queues_the_share_and_the_partners_notice_and_ending_queues_its_removal() -> None:
    """DESIGN §9.5: the engine writes the share (reason, who, when) and tells the partner unit's people."""
    shared = run("share_case", case(data={"unit": "350722-LM", "reason": "跨省协同"}, resolved={"unit": 40}))
    assert shared.new_share == {"unit_id": 40, "reason": "跨省协同"} and shared.ended_share is None
    assert shared.notifications == [{"recipient": "partner_unit", "topic": "case_shared", "unit_id": 40,
                                     "reason": "跨省协同"}]
    ended = run("end_share", case(data={"unit": "350722-LM"}, resolved={"unit": 40}, shares=(40,)))
    assert ended.ended_share == 40 and ended.new_share is None and ended.notifications == []
