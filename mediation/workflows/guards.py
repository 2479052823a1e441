"""Guards: named predicates over a case. Each returns None when it passes, else a `Refusal`.

A refusal is a stable code and the values its words name; the words, in both languages, are in
the workflow YAML (`guards:`), and `refuses(...)` above each guard says which codes it may give.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from mediation.workflows.calendar import after
from mediation.workflows.case_file_guards import CASE_FILE_GUARDS
from mediation.workflows.case_state import CaseState
from mediation.workflows.refusals import Refusal, refuses
from mediation.workflows.return_visits import (
    EARLY,
    ON_SCHEDULE,
    counts_from,
    follow_up_start,
    mark_visits,
    schedule_days,
    stored_moment,
)
from mediation.workflows.sharing import SHARING_GUARDS

Guard = Callable[[CaseState], "Refusal | None"]
GUARDS: dict[str, Guard] = {}


def guard(function: Guard) -> Guard:
    GUARDS[function.__name__] = function
    return function


RISK_LEVELS = ("low", "elevated", "high", "critical")


def _risk_rank(level: str) -> int:
    return RISK_LEVELS.index(level)


@guard
@refuses(reads_data=True, category_missing=(), risk_level_missing=())
def category_and_risk_set(case: CaseState) -> Refusal | None:
    category = case.data.get("category") or case.category
    risk = case.data.get("risk_level") or case.risk_level
    if not category:
        return Refusal("category_missing")
    if not risk:
        return Refusal("risk_level_missing")
    return None


@guard
@refuses(reads_data=True, too_few_parties=())
def parties_sufficient(case: CaseState) -> Refusal | None:
    if len(case.party_ids) >= 2:
        return None
    if len(case.party_ids) == 1 and case.data.get("other_party_unknown"):
        return None
    return Refusal("too_few_parties")


@guard
@refuses(reads_data=True, duplicate_of_itself=())
def not_duplicate_of_itself(case: CaseState) -> Refusal | None:
    return Refusal("duplicate_of_itself") if case.data.get("duplicate_of") == case.id else None


@guard
@refuses(risk_too_high_on_scene=("risk",))
def risk_below_high(case: CaseState) -> Refusal | None:
    if _risk_rank(case.risk_level) >= _risk_rank("high"):
        return Refusal("risk_too_high_on_scene", risk=case.risk_level)
    return None


@guard
@refuses(risk_critical=())
def risk_not_critical(case: CaseState) -> Refusal | None:
    return Refusal("risk_critical") if case.risk_level == "critical" else None


@guard
@refuses(consent_missing=("parties",))
def all_parties_consented(case: CaseState) -> Refusal | None:
    consented = set(case.progress.get("consents", []))
    missing = [p for p in case.party_ids if p not in consented]
    return Refusal("consent_missing", parties=missing) if missing else None


@guard
@refuses(everyone_consented=())
def consent_outstanding(case: CaseState) -> Refusal | None:
    """Some party has yet to consent: otherwise there is no consent left to record."""
    consented = set(case.progress.get("consents", ()))
    return Refusal("everyone_consented") if case.party_ids and consented >= set(case.party_ids) else None


@guard
@refuses(reads_data=True, already_consented=("party",))
def not_consented_yet(case: CaseState) -> Refusal | None:
    """A party's consent is recorded once."""
    party = case.data.get("party_id")
    return Refusal("already_consented", party=party) if party in case.progress.get("consents", ()) else None


@guard
@refuses(no_level_above=("level",))
def level_above_exists(case: CaseState) -> Refusal | None:
    if case.ladder_level + 1 >= len(case.ladder):
        return Refusal("no_level_above", level=case.ladder_level_name)
    return None


@guard
@refuses(ladder_not_exhausted=("level",))
def ladder_exhausted(case: CaseState) -> Refusal | None:
    if case.ladder_level + 1 < len(case.ladder):
        return Refusal("ladder_not_exhausted", level=case.ladder_level_name)
    return None


@guard
@refuses(reads_data=True, signer_missing=())
def signer_named(case: CaseState) -> Refusal | None:
    has_party = case.data.get("party_id") is not None
    has_mediator = case.data.get("signer") == "mediator"
    return Refusal("signer_missing") if has_party == has_mediator else None


@guard
@refuses(everyone_signed=())
def signature_outstanding(case: CaseState) -> Refusal | None:
    """Some party, or the mediator, has yet to sign: otherwise there is no signature left to record."""
    signed = set(case.progress.get("signatures", ()))
    done = signed >= set(case.party_ids) and case.progress.get("mediator_signed")
    return Refusal("everyone_signed") if done else None


@guard
@refuses(reads_data=True, already_signed=("party",), mediator_already_signed=())
def not_signed_yet(case: CaseState) -> Refusal | None:
    """A party, or the mediator, signs the agreement once (a revised agreement is signed afresh)."""
    party = case.data.get("party_id")
    if party is not None and party in case.progress.get("signatures", ()):
        return Refusal("already_signed", party=party)
    if case.data.get("signer") == "mediator" and case.progress.get("mediator_signed"):
        return Refusal("mediator_already_signed")
    return None


@guard
@refuses(signatures_missing=("parties",), mediator_signature_missing=(), seal_missing=())
def agreement_signed_and_sealed(case: CaseState) -> Refusal | None:
    signed = set(case.progress.get("signatures", []))
    unsigned = [p for p in case.party_ids if p not in signed]
    if unsigned:
        return Refusal("signatures_missing", parties=unsigned)
    if not case.progress.get("mediator_signed"):
        return Refusal("mediator_signature_missing")
    if not case.progress.get("sealed"):
        return Refusal("seal_missing")
    return None


@guard
@refuses(reads_data=True, applicants_missing=("parties",), joint_application_required=())
def joint_application(case: CaseState) -> Refusal | None:
    applicants = set(case.data.get("applicants") or ())
    if applicants == set(case.party_ids):
        return None
    missing = [p for p in case.party_ids if p not in applicants]
    return Refusal("applicants_missing", parties=missing) if missing else Refusal("joint_application_required")


@guard
@refuses(no_effective_date=(), confirmation_window_passed=("days",))
def within_confirmation_window(case: CaseState) -> Refusal | None:
    effective = case.progress.get("agreement", {}).get("effective_at")
    if not effective:
        return Refusal("no_effective_date")
    window = case.policy["judicial_confirmation"]["window"]
    assert case.now is not None
    if case.now >= after(stored_moment(effective), window):  # open until 24:00 China time of its last day
        return Refusal("confirmation_window_passed", days=window["days"])
    return None


@guard
@refuses(police_agreement=(), oral_agreement=())
def people_mediation_basis(case: CaseState) -> Refusal | None:
    if case.mechanism == "on_scene":
        return Refusal("police_agreement")
    if case.progress.get("agreement", {}).get("oral"):
        return Refusal("oral_agreement")
    return None


@guard
@refuses(category_excluded=("category",), subjects_excluded=("subjects",))
def category_not_excluded(case: CaseState) -> Refusal | None:
    rules = case.policy["judicial_confirmation"]
    if case.category in rules["excluded_categories"]:
        return Refusal("category_excluded", category=case.category)
    subjects = case.progress.get("agreement", {}).get("subject_matters") or []
    excluded = sorted(set(subjects) & set(rules["excluded_subject_matters"]))
    return Refusal("subjects_excluded", subjects=excluded) if excluded else None


@guard
@refuses(first_return=())
def returned_before(case: CaseState) -> Refusal | None:
    limit = case.policy["referrals"]["returns_before_county"]
    return None if case.return_count >= limit else Refusal("first_return")


@guard
@refuses(not_reported_resolved=())
def feedback_resolved(case: CaseState) -> Refusal | None:
    outcome = case.progress.get("feedback", {}).get("outcome")
    return None if outcome == "resolved" else Refusal("not_reported_resolved")


@guard
@refuses(not_reported_unresolved=())
def feedback_unresolved(case: CaseState) -> Refusal | None:
    outcome = case.progress.get("feedback", {}).get("outcome")
    return None if outcome == "unresolved" else Refusal("not_reported_unresolved")


@guard
@refuses(not_court_confirmed=())
def court_confirmed(case: CaseState) -> Refusal | None:
    return None if case.progress.get("ruling_number") else Refusal("not_court_confirmed")


@guard
@refuses(court_confirmed=())
def not_court_confirmed(case: CaseState) -> Refusal | None:
    return Refusal("court_confirmed") if case.progress.get("ruling_number") else None


@guard
@refuses(visits_missing=("filled", "scheduled"), visits_missing_next=("filled", "scheduled", "next", "date"),
         visits_missing_early=("filled", "scheduled", "next", "date", "early"),
         last_visit_recurred=(), last_visit_not_performed=())
def visits_complete_and_stable(case: CaseState) -> Refusal | None:
    """Every scheduled return visit recorded on schedule (DESIGN §9.2), and the last visit found it stable."""
    visits = case.progress.get("visits", [])
    scheduled = len(schedule_days(case.policy))
    since = follow_up_start(case.progress)
    marks = mark_visits(case.policy, since, [visit["at"] for visit in visits])
    filled = sum(mark.schedule == ON_SCHEDULE for mark in marks)
    if filled < scheduled:
        if not since:
            return Refusal("visits_missing", filled=filled, scheduled=scheduled)
        day: date = counts_from(case.policy, since, filled + 1)
        early = sum(mark.schedule == EARLY for mark in marks)
        code = "visits_missing_early" if early else "visits_missing_next"
        return Refusal(code, filled=filled, scheduled=scheduled, next=filled + 1, date=day,
                       **({"early": early} if early else {}))
    if visits and visits[-1]["outcome"] != "stable":
        return Refusal("last_visit_not_performed" if visits[-1]["outcome"] == "not_performed"
                       else "last_visit_recurred")
    return None


@guard
@refuses(reads_data=True, risk_not_above=("new_risk", "risk"))
def risk_goes_up(case: CaseState) -> Refusal | None:
    new = case.data.get("risk_level", case.risk_level)
    if _risk_rank(new) <= _risk_rank(case.risk_level):
        return Refusal("risk_not_above", new_risk=new, risk=case.risk_level)
    return None


@guard
@refuses(reads_data=True, risk_not_below=("new_risk", "risk"))
def risk_goes_down(case: CaseState) -> Refusal | None:
    new = case.data.get("risk_level", case.risk_level)
    if _risk_rank(new) >= _risk_rank(case.risk_level):
        return Refusal("risk_not_below", new_risk=new, risk=case.risk_level)
    return None


@guard
@refuses(already_key_case=())
def not_key_case(case: CaseState) -> Refusal | None:
    return Refusal("already_key_case") if case.key_case else None


@guard
@refuses(review_extended_already=())
def review_not_extended(case: CaseState) -> Refusal | None:
    return Refusal("review_extended_already") if case.progress.get("review_extended") else None


for _case_file_guard in (*CASE_FILE_GUARDS, *SHARING_GUARDS):
    guard(_case_file_guard)
