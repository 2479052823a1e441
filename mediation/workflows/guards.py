"""Guards: named predicates over a case. Each returns None when it passes, else the reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from mediation.workflows.case_file_guards import CASE_FILE_GUARDS
from mediation.workflows.case_state import CaseState
from mediation.workflows.return_visits import (
    EARLY,
    ON_SCHEDULE,
    counts_from,
    follow_up_start,
    mark_visits,
    schedule_days,
)

Guard = Callable[[CaseState], "str | None"]
GUARDS: dict[str, Guard] = {}


def guard(function: Guard) -> Guard:
    GUARDS[function.__name__] = function
    return function


RISK_LEVELS = ("low", "elevated", "high", "critical")


def _risk_rank(level: str) -> int:
    return RISK_LEVELS.index(level)


@guard
def category_and_risk_set(case: CaseState) -> str | None:
    category = case.data.get("category") or case.category
    risk = case.data.get("risk_level") or case.risk_level
    if not category:
        return "the case needs a category before triage"
    if not risk:
        return "the case needs a risk level before triage"
    return None


@guard
def parties_sufficient(case: CaseState) -> str | None:
    if len(case.party_ids) >= 2:
        return None
    if len(case.party_ids) == 1 and case.data.get("other_party_unknown"):
        return None
    return "a case needs two parties, or one party and other_party_unknown=true"


@guard
def not_duplicate_of_itself(case: CaseState) -> str | None:
    return "a case cannot duplicate itself" if case.data.get("duplicate_of") == case.id else None


@guard
def risk_below_high(case: CaseState) -> str | None:
    if _risk_rank(case.risk_level) >= _risk_rank("high"):
        return f"risk level '{case.risk_level}' blocks on-scene mediation"
    return None


@guard
def risk_not_critical(case: CaseState) -> str | None:
    if case.risk_level == "critical":
        return "critical risk: only hand_over_to_police or lower_risk may be fired"
    return None


@guard
def all_parties_consented(case: CaseState) -> str | None:
    missing = sorted(set(case.party_ids) - set(case.progress.get("consents", [])))
    return f"parties {missing} have not consented to mediation" if missing else None


@guard
def level_above_exists(case: CaseState) -> str | None:
    if case.ladder_level + 1 >= len(case.ladder):
        return f"no level above '{case.ladder_level_name}' on the escalation ladder"
    return None


@guard
def ladder_exhausted(case: CaseState) -> str | None:
    if case.ladder_level + 1 < len(case.ladder):
        return f"the ladder goes on above '{case.ladder_level_name}'; the case escalates instead"
    return None


@guard
def signer_named(case: CaseState) -> str | None:
    has_party = case.data.get("party_id") is not None
    has_mediator = case.data.get("signer") == "mediator"
    if has_party == has_mediator:
        return "name exactly one signer: party_id, or signer='mediator'"
    return None


@guard
def agreement_signed_and_sealed(case: CaseState) -> str | None:
    unsigned = sorted(set(case.party_ids) - set(case.progress.get("signatures", [])))
    if unsigned:
        return f"parties {unsigned} have not signed the agreement (art. 29)"
    if not case.progress.get("mediator_signed"):
        return "the mediator has not signed the agreement (art. 29)"
    if not case.progress.get("sealed"):
        return "the agreement has no committee seal (art. 29)"
    return None


@guard
def joint_application(case: CaseState) -> str | None:
    applicants = set(case.data.get("applicants") or ())
    if applicants != set(case.party_ids):
        return "judicial confirmation needs a joint application by all parties (art. 33)"
    return None


@guard
def within_confirmation_window(case: CaseState) -> str | None:
    effective = case.progress.get("agreement", {}).get("effective_at")
    if not effective:
        return "the agreement has no effective date"
    window = case.policy["judicial_confirmation"]["window"]["days"]
    effective_day = datetime.fromisoformat(effective).date()
    assert case.now is not None
    if case.now.date() > effective_day + timedelta(days=window):
        return f"more than {window} days since the agreement took effect (art. 33)"
    return None


@guard
def people_mediation_basis(case: CaseState) -> str | None:
    if case.mechanism == "on_scene":
        return "a police-mediation agreement cannot be judicially confirmed"
    if case.progress.get("agreement", {}).get("oral"):
        return "an oral agreement cannot be judicially confirmed"
    return None


@guard
def category_not_excluded(case: CaseState) -> str | None:
    rules = case.policy["judicial_confirmation"]
    if case.category in rules["excluded_categories"]:
        return f"category '{case.category}' is excluded from judicial confirmation"
    subjects = case.progress.get("agreement", {}).get("subject_matters") or []
    excluded = sorted(set(subjects) & set(rules["excluded_subject_matters"]))
    if excluded:
        return f"agreement clauses on {excluded} are excluded from judicial confirmation"
    return None


@guard
def returned_before(case: CaseState) -> str | None:
    limit = case.policy["referrals"]["returns_before_county"]
    return None if case.return_count >= limit else "first return of this referral"


@guard
def feedback_resolved(case: CaseState) -> str | None:
    outcome = case.progress.get("feedback", {}).get("outcome")
    return None if outcome == "resolved" else "the department reported the dispute unresolved"


@guard
def feedback_unresolved(case: CaseState) -> str | None:
    outcome = case.progress.get("feedback", {}).get("outcome")
    return None if outcome == "unresolved" else "the department reported the dispute resolved"


@guard
def court_confirmed(case: CaseState) -> str | None:
    return None if case.progress.get("ruling_number") else "the agreement was not court-confirmed"


@guard
def not_court_confirmed(case: CaseState) -> str | None:
    return "the agreement was court-confirmed" if case.progress.get("ruling_number") else None


@guard
def visits_complete_and_stable(case: CaseState) -> str | None:
    """Every scheduled return visit recorded on schedule (DESIGN §9.2), and the last visit found it stable."""
    visits = case.progress.get("visits", [])
    scheduled = len(schedule_days(case.policy))
    since = follow_up_start(case.progress)
    marks = mark_visits(case.policy, since, [visit["at"] for visit in visits])
    filled = sum(mark.schedule == ON_SCHEDULE for mark in marks)
    if filled < scheduled:
        reason = f"{filled} of {scheduled} scheduled return visits recorded on schedule"
        if since:
            reason += f"; visit {filled + 1} counts from {counts_from(case.policy, since, filled + 1).isoformat()}"
        early = sum(mark.schedule == EARLY for mark in marks)
        if early:
            reason += f" ({early} recorded earlier {'counts' if early == 1 else 'count'} as extra)"
        return reason
    if visits and visits[-1]["outcome"] != "stable":
        return f"the last return visit found '{visits[-1]['outcome']}', not 'stable'"
    return None


@guard
def risk_goes_up(case: CaseState) -> str | None:
    new = case.data.get("risk_level", case.risk_level)
    if _risk_rank(new) <= _risk_rank(case.risk_level):
        return f"risk '{new}' is not above the current '{case.risk_level}'"
    return None


@guard
def risk_goes_down(case: CaseState) -> str | None:
    new = case.data.get("risk_level", case.risk_level)
    if _risk_rank(new) >= _risk_rank(case.risk_level):
        return f"risk '{new}' is not below the current '{case.risk_level}'"
    return None


@guard
def not_key_case(case: CaseState) -> str | None:
    return "the case is already a key case with an order" if case.key_case else None


@guard
def review_not_extended(case: CaseState) -> str | None:
    return "the review period was extended once already" if case.progress.get("review_extended") else None


for _case_file_guard in CASE_FILE_GUARDS:
    guard(_case_file_guard)
