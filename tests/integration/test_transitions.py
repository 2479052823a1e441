"""Every transition of the workflow through `apply_transition`, and bad input that changes nothing.

The transitions are read from the definition, so a new one is covered without a test change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from trigger_inputs import CaseFacts, user_for, valid_data

from mediation import jsontext
from mediation.cases import rows as case_rows
from mediation.cases.engine import TransitionResult, apply_transition
from mediation.db import Database
from mediation.demo.case_paths import ROUTES, drive_to, route_triggers
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for
from mediation.directory.actors import SYSTEM, Actor
from mediation.errors import (
    Forbidden,
    GuardFailed,
    InvalidData,
    NotFound,
    StaleCase,
    TransitionNotAllowed,
)
from mediation.workflows.definition import TransitionSpec
from mediation.workflows.guards import GUARDS
from mediation.workflows.loader import current_definition
from mediation.workflows.machine import transition_guards
from mediation.workflows.trigger_data import clean_trigger_data

pytest_plugins = ["sample_databases"]  # the county database fixtures

DEFINITION = current_definition()
COUNTY = SampleCounty()
NOW = datetime(2026, 3, 2, 9, 0)  # a Monday inside the holiday calendar's years
TRANSITIONS = [spec for trigger in DEFINITION.triggers.values() for spec in trigger.transitions]


def transition_id(spec: TransitionSpec) -> str:
    guards = f"[{','.join(spec.guards)}]" if spec.guards else ""
    return f"{spec.trigger}:{spec.source}->{spec.dest or 'same'}{guards}"


def earlier_branches(spec: TransitionSpec) -> list[TransitionSpec]:
    """The trigger's transitions from the same source listed before `spec`: tried first."""
    siblings = [s for s in DEFINITION.triggers[spec.trigger].transitions if s.source == spec.source]
    return siblings[:siblings.index(spec)]


@dataclass
class Handle:
    """A case of the test: fires triggers as a sample user who may, one hour apart."""

    db: Database
    case_id: int
    other_case_id: int
    clock: datetime = NOW + timedelta(days=2)  # after every step of the route that made it
    actors: dict[str, Actor] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        with self.db.read() as connection:
            return dict(connection.execute(
                sa.text("SELECT state, version, risk_level, ladder_level, party_ids, event_count "
                        "FROM cases WHERE id = :id"), {"id": self.case_id}).mappings().one())

    def facts(self) -> CaseFacts:
        row = self.row()
        return CaseFacts(party_ids=jsontext.loads(row["party_ids"]), risk_level=row["risk_level"],
                         other_case_id=self.other_case_id, now=self.clock)

    def actor(self, trigger: str) -> Actor:
        username = user_for(DEFINITION.triggers[trigger])
        if username is None:
            return SYSTEM
        if username not in self.actors:
            self.actors[username] = actor_for(self.db, username)
        return self.actors[username]

    def data_for(self, trigger: str, **overrides: Any) -> dict[str, Any]:
        return {**valid_data(DEFINITION.triggers[trigger], self.facts()), **overrides}

    def fire(self, trigger: str, **overrides: Any) -> TransitionResult:
        self.clock += timedelta(hours=1)
        return apply_transition(self.db, case_id=self.case_id, trigger=trigger, actor=self.actor(trigger),
                                data=self.data_for(trigger, **overrides), expected_version=self.row()["version"],
                                now=self.clock)

    def refusing_guards(self, spec: TransitionSpec) -> list[str]:
        """The guards of `spec` (risk overlay included) that the case and valid data fail right now."""
        with self.db.read() as connection:
            row = case_rows.CaseRow(*connection.execute(sa.text(case_rows.SELECT_CASE), {"id": self.case_id}).one())
        state = case_rows.case_state_of(row, DEFINITION.policy)
        trigger = DEFINITION.triggers[spec.trigger]
        state.now = self.clock + timedelta(hours=1)
        state.data = clean_trigger_data(trigger, self.data_for(spec.trigger), DEFINITION.policy, DEFINITION.risk_levels)
        return [guard for guard in transition_guards(DEFINITION, spec) if GUARDS[guard](state) is not None]


# ------------------------------------------------------------------ satisfying guards

def _consent_all(case: Handle) -> None:
    for party_id in case.facts().party_ids:
        case.fire("record_consent", party_id=party_id)


def _notify_all(case: Handle) -> None:
    for party_id in case.facts().party_ids:
        case.fire("notify_rights", party_id=party_id)


def _sign_and_seal(case: Handle) -> None:
    for party_id in case.facts().party_ids:
        case.fire("sign", party_id=party_id)
    case.fire("sign", party_id=None, signer="mediator")
    case.fire("seal")


def _stable_visits(case: Handle) -> None:
    """A stable visit on the day of each scheduled one (DESIGN §9.2: an earlier one would not count)."""
    with case.db.read() as connection:
        progress = connection.execute(sa.text("SELECT progress FROM cases WHERE id = :id"),
                                      {"id": case.case_id}).scalar_one()
    since = datetime.fromisoformat(jsontext.loads(progress)["tracking_since"])
    for visit in DEFINITION.policy["return_visits"]["schedule"]:
        case.clock = max(case.clock, since + timedelta(days=visit["days"]))
        case.fire("record_return_visit", outcome="stable")


def _raise_risk(case: Handle) -> None:
    case.fire("raise_risk", risk_level="high")


def _climb_the_ladder(case: Handle) -> None:
    """Escalate until the top level, ending in the state it started in."""
    start, top = case.row()["state"], len(DEFINITION.policy["escalation_ladder"]) - 1
    if start == "mediation.assigned":
        _notify_all(case)
        _consent_all(case)
    while case.row()["ladder_level"] < top:
        if case.row()["state"] == "mediation.assigned":
            case.fire("start_session")
        case.fire("escalate")
    if case.row()["state"] != start:
        case.fire("start_session")


def _return_before(case: Handle) -> None:
    for _ in range(DEFINITION.policy["referrals"]["returns_before_county"]):
        case.fire("return_referral")
        case.fire("refer_department")


def _unresolved_feedback(case: Handle) -> None:
    """Feedback 'unresolved' on record: in joint.feedback_received, or confirmed back in triage."""
    back_in_triage = case.row()["state"] == "screening.triaged"
    if back_in_triage:
        case.fire("refer_department")
        case.fire("acknowledge")
    else:
        case.fire("reject_feedback")
    case.fire("submit_feedback", outcome="unresolved")
    if back_in_triage:
        case.fire("confirm_feedback")


# Guards that a case fresh off its route does not meet yet, and how to meet them.
SATISFY: dict[str, Callable[[Handle], None]] = {
    "all_parties_consented": _consent_all,
    "rights_notified_to_every_party": _notify_all,
    "agreement_signed_and_sealed": _sign_and_seal,
    "visits_complete_and_stable": _stable_visits,
    "risk_goes_down": _raise_risk,
    "ladder_exhausted": _climb_the_ladder,
    "returned_before": _return_before,
    "feedback_unresolved": _unresolved_feedback,
    "shared_with_partner": lambda case: case.fire("share_with_unit"),
}
# Guards met by taking a route through a trigger.
ROUTE_THROUGH = {"court_confirmed": "confirm"}


def route_for(spec: TransitionSpec) -> int:
    needed = [ROUTE_THROUGH[guard] for guard in spec.guards if guard in ROUTE_THROUGH]
    for index, route in enumerate(ROUTES[spec.source]):
        if all(trigger in route_triggers(route) for trigger in needed):
            return index
    raise AssertionError(f"no route to {spec.source} fires {needed}")


def case_at(db: Database, state: str, route: int = 0) -> Handle:
    other = drive_to(db, state="screening.reported", county=COUNTY, now=NOW)
    case = Handle(db, drive_to(db, state=state, county=COUNTY, now=NOW, route=route), other)
    assert case.row()["state"] == state
    return case


def events_of(db: Database, case_id: int) -> list[dict[str, Any]]:
    with db.read() as connection:
        return [dict(row) for row in connection.execute(
            sa.text("SELECT seq, trigger, actor, from_state, to_state, data, reason FROM events "
                    "WHERE case_id = :id ORDER BY seq"), {"id": case_id}).mappings()]


@pytest.mark.parametrize("spec", TRANSITIONS, ids=[transition_id(s) for s in TRANSITIONS])
def test_transition(module_county_db: Database, spec: TransitionSpec) -> None:
    case = case_at(module_county_db, spec.source, route_for(spec))
    for guard in spec.guards:
        if guard in SATISFY:
            SATISFY[guard](case)
    before = case.row()
    assert before["state"] == spec.source
    # The machine takes the first branch whose guards pass: this one, not an earlier one.
    assert case.refusing_guards(spec) == []
    for earlier in earlier_branches(spec):
        assert case.refusing_guards(earlier) != [], f"{transition_id(earlier)} would be taken instead"
    events_before = events_of(module_county_db, case.case_id)

    result = case.fire(spec.trigger)

    after = case.row()
    expected = spec.dest or spec.source
    assert (result.state, after["state"]) == (expected, expected)
    assert (result.version, after["version"]) == (before["version"] + 1, before["version"] + 1)
    events = events_of(module_county_db, case.case_id)
    assert events[:-1] == events_before
    new = events[-1]
    assert (new["seq"], new["trigger"], new["from_state"], new["to_state"]) == (
        after["version"], spec.trigger, spec.source, expected)
    assert new["actor"] == case.actor(spec.trigger).username
    assert after["event_count"] == len(events) == after["version"]


def test_the_transitions_cover_every_state_and_every_branch() -> None:
    assert {spec.source for spec in TRANSITIONS} == set(DEFINITION.states)
    assert len({transition_id(spec) for spec in TRANSITIONS}) == len(TRANSITIONS)
    several = sorted({spec.trigger for spec in TRANSITIONS if earlier_branches(spec)})
    assert several == ["confirm_feedback", "declare_failed", "report_default", "return_referral"]


def test_a_second_return_sends_the_referral_to_the_county_centre(module_county_db: Database) -> None:
    case = case_at(module_county_db, "joint.referred")
    case.fire("return_referral")
    assert (case.row()["ladder_level"], case.row()["state"]) == (0, "screening.triaged")
    case.fire("refer_department")
    case.fire("return_referral")
    assert case.row()["ladder_level"] == len(DEFINITION.policy["escalation_ladder"]) - 1


def test_a_case_handed_to_police_at_critical_risk_can_be_reopened(module_county_db: Database) -> None:
    """Nothing leaves closed.* except reopen, so reopen must not be blocked by the risk overlay:
    risk cannot be lowered on a closed case, and the case would be closed for good."""
    case = case_at(module_county_db, "screening.triaged")
    case.fire("raise_risk", risk_level="critical")
    case.fire("hand_over_to_police")
    assert case.fire("reopen").state == "screening.triaged"


def test_a_new_agreement_after_a_recurrence_is_not_court_confirmed(module_county_db: Database) -> None:
    """The ruling confirmed the first agreement; a default on the second one goes back to mediation."""
    confirmed = next(i for i, route in enumerate(ROUTES["follow_up.tracking"]) if "confirm" in route_triggers(route))
    case = case_at(module_county_db, "follow_up.tracking", confirmed)
    case.fire("report_recurrence")
    case.fire("assign_mediator")
    _consent_all(case)
    case.fire("start_session")  # the parties were told of their rights in the first round
    assert case.fire("record_oral_agreement").state == "follow_up.tracking"
    assert case.fire("report_default").state == "mediation.assigned"


# ------------------------------------------------------------------ bad input changes nothing

def footprint(db: Database, case_id: int) -> dict[str, Any]:
    """Everything a transition could write for the case."""
    with db.read() as connection:
        row = dict(connection.execute(sa.text(
            "SELECT state, version, risk_level, mediator_id, department_id, progress, last_event_hash, event_count "
            "FROM cases WHERE id = :id"), {"id": case_id}).mappings().one())
        for table in ("events", "deadlines", "outbox", "orders"):
            row[table] = connection.execute(
                sa.text(f"SELECT count(*) FROM {table} WHERE case_id = :id"), {"id": case_id}).scalar()
        row["idempotency_keys"] = connection.execute(sa.text("SELECT count(*) FROM idempotency_keys")).scalar()
    return row


@pytest.fixture
def triaged(module_county_db: Database) -> Handle:
    return case_at(module_county_db, "screening.triaged")


def refused(case: Handle, trigger: str, error: type[Exception], *, data: Any = None, by: str | None = None,
            version_delta: int = 0, idempotency_key: str | None = None) -> Any:
    """Fire and expect `error`; the case and everything about it must be as before."""
    before = footprint(case.db, case.case_id)
    actor = actor_for(case.db, by or "mediator1") if by or trigger not in DEFINITION.triggers else case.actor(trigger)
    with pytest.raises(error) as caught:
        apply_transition(case.db, case_id=case.case_id, trigger=trigger, actor=actor,
                         data=data if data is not None else {}, expected_version=before["version"] + version_delta,
                         now=case.clock, idempotency_key=idempotency_key)
    assert footprint(case.db, case.case_id) == before
    return caught.value


def test_unknown_trigger_lists_the_allowed_ones(triaged: Handle) -> None:
    error = refused(triaged, "fast_track", TransitionNotAllowed)
    assert error.extra["state"] == "screening.triaged"
    assert {"assign_mediator", "refer_department", "decline", "raise_risk"} <= set(error.allowed)
    assert "mediate_on_scene" not in error.allowed  # police only; the caller is a mediator
    assert "start_session" not in error.allowed


def test_trigger_not_allowed_in_this_state(triaged: Handle) -> None:
    error = refused(triaged, "sign", TransitionNotAllowed, data={"signer": "mediator"})
    reasons = error.extra.pop("reasons")
    assert error.extra == {"trigger": "sign", "state": "screening.triaged", "allowed_triggers": error.allowed,
                           "code": "not_allowed_in_state"}
    assert "assign_mediator" in error.allowed
    assert reasons["zh"].startswith("案件处于“已研判分流”，不能办理“签名（捺印）”；现在可以办理：")
    assert "指派调解员" in reasons["zh"] and "assign_mediator" not in reasons["zh"]


def test_closed_case_only_reopens(module_county_db: Database) -> None:
    case = case_at(module_county_db, "closed.not_accepted")
    error = refused(case, "triage", TransitionNotAllowed, data={"category": "family"})
    assert sorted(error.allowed) == ["add_note", "attach"]  # a mediator may not reopen, only add to the file
    error = refused(case, "triage", TransitionNotAllowed, data={"category": "family"}, by="supervisor1")
    assert sorted(error.allowed) == ["add_note", "attach", "reopen"]


def test_failed_guard_names_the_guard_and_the_reason(module_county_db: Database) -> None:
    case = case_at(module_county_db, "mediation.assigned")
    error = refused(case, "start_session", GuardFailed)
    assert error.guard == "all_parties_consented"
    assert "not consented" in error.reason
    assert error.extra["trigger"] == "start_session"


def test_critical_risk_blocks_all_but_the_overlay_triggers(triaged: Handle) -> None:
    triaged.fire("raise_risk", risk_level="critical")
    error = refused(triaged, "assign_mediator", GuardFailed, data=valid_data(
        DEFINITION.triggers["assign_mediator"], triaged.facts()))
    assert error.guard == "risk_not_critical"


@pytest.mark.parametrize(("trigger", "data", "field"), [
    ("decline", {}, "data.reason"),
    ("decline", {"reason": 42}, "data.reason"),
    ("assign_mediator", {"mediator": "mediator1", "mechanism": "joint"}, "data.resolver"),
    ("assign_mediator", {"mediator": "mediator1", "mechanism": "mediocre", "resolver": "grassroots"},
     "data.mechanism"),
    ("refer_department", {"department": ["330324-SJ"], "reason": "r"}, "data.department"),
    ("mark_duplicate", {"duplicate_of": "12"}, "data.duplicate_of"),
    ("raise_risk", {"risk_level": "apocalyptic", "reason": "r"}, "data.risk_level"),
    ("decline", {"reason": "r", "because": "x"}, "data.because"),
    ("decline", ["reason"], "data"),
])
def test_missing_or_ill_typed_data_names_the_field(triaged: Handle, trigger: str, data: Any, field: str) -> None:
    assert refused(triaged, trigger, InvalidData, data=data).field == field


def test_stale_version(triaged: Handle) -> None:
    error = refused(triaged, "decline", StaleCase, data={"reason": "r"}, version_delta=-1)
    assert error.current_version == triaged.row()["version"]
    assert refused(triaged, "decline", StaleCase, data={"reason": "r"}, version_delta=+1).current_version == \
        triaged.row()["version"]


@pytest.mark.parametrize(("trigger", "data", "field"), [
    ("assign_mediator", {"mediator": "nobody", "mechanism": "joint", "resolver": "grassroots"}, "data.mediator"),
    ("refer_department", {"department": "330399-XX", "reason": "r"}, "data.department"),
    ("refer_department", {"department": COUNTY.court, "reason": "r"}, "data.department"),  # a court, not a department
    ("designate_key_case", {"owner": "ghost", "deadline": "2026-05-01"}, "data.owner"),
    ("designate_key_case", {"owner": "mediator1", "deadline": "2026-05-01", "co_units": ["nowhere"]},
     "data.co_units"),
    ("mark_duplicate", {"duplicate_of": 987654}, "data.duplicate_of"),
])
def test_unknown_username_unit_or_case(triaged: Handle, trigger: str, data: dict, field: str) -> None:
    by = "supervisor1" if trigger == "designate_key_case" else None
    assert refused(triaged, trigger, InvalidData, data=data, by=by).field == field


@pytest.mark.parametrize("username", ["court1", "admin", "dept_sj"])
def test_only_a_user_who_mediates_can_be_assigned_as_mediator(triaged: Handle, username: str) -> None:
    """The assigned mediator reaches the case and sees unmasked ID numbers (DESIGN §5): not for any user."""
    data = {"mediator": username, "mechanism": "joint", "resolver": "grassroots"}
    assert refused(triaged, "assign_mediator", InvalidData, data=data).field == "data.mediator"


def test_a_party_of_another_case(module_county_db: Database) -> None:
    case = case_at(module_county_db, "mediation.assigned")
    stranger = max(case.facts().party_ids) + 1000
    assert refused(case, "record_consent", InvalidData, data={"party_id": stranger}).field == "data.party_id"


@pytest.mark.parametrize(("trigger", "by"), [
    ("triage", "grid1"), ("mediate_on_scene", "mediator1"), ("reopen", "mediator1"), ("decline", "admin"),
])
def test_role_not_allowed(triaged: Handle, trigger: str, by: str) -> None:
    data = {"category": "family"} if trigger == "triage" else {"reason": "r"} if trigger != "mediate_on_scene" else {}
    error = refused(triaged, trigger, Forbidden, data=data, by=by)
    assert error.extra["trigger"] == trigger


def test_department_may_act_only_on_its_referrals(module_county_db: Database) -> None:
    case = case_at(module_county_db, "joint.referred")
    refused(case, "acknowledge", NotFound, by="dept_rs")  # another department: not even visible
    refused(case, "acknowledge", NotFound, by="court1")


@pytest.mark.parametrize("by", ["mediator2", "grid2"])
def test_another_units_case_is_not_found(triaged: Handle, by: str) -> None:
    error = refused(triaged, "decline", NotFound, data={"reason": "r"}, by=by)
    assert str(triaged.case_id) in str(error)


def test_a_case_that_does_not_exist_is_not_found(triaged: Handle) -> None:
    with pytest.raises(NotFound):
        apply_transition(triaged.db, case_id=10**6, trigger="decline", actor=actor_for(triaged.db, "mediator1"),
                         data={"reason": "r"}, expected_version=1)


def test_oversized_text(triaged: Handle) -> None:
    limit = DEFINITION.policy["limits"]["text_max_length"]
    assert refused(triaged, "decline", InvalidData, data={"reason": "长" * (limit + 1)}).field == "data.reason"
    short = DEFINITION.policy["limits"]["short_text_max_length"]
    data = {"mediator": "m" * (short + 1), "mechanism": "joint", "resolver": "grassroots"}
    assert refused(triaged, "assign_mediator", InvalidData, data=data).field == "data.mediator"


def test_refused_requests_record_no_idempotency_key(triaged: Handle) -> None:
    refused(triaged, "decline", InvalidData, data={}, idempotency_key="retry-1")
    refused(triaged, "sign", TransitionNotAllowed, data={}, idempotency_key="retry-2")


def test_a_nul_character_in_text_is_refused_as_invalid_data(triaged: Handle) -> None:
    """PostgreSQL cannot store NUL in text; SQLite can. Both must answer the same, with a 4xx."""
    assert refused(triaged, "decline", InvalidData, data={"reason": "噪音\x00扰民"}).field == "data.reason"


def test_an_out_of_range_case_id_is_invalid_data(triaged: Handle) -> None:
    """A case id beyond 64 bits must be a 4xx naming the field, not a driver overflow."""
    assert refused(triaged, "mark_duplicate", InvalidData, data={"duplicate_of": 2**70}).field == \
        "data.duplicate_of"
