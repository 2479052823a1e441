"""Guards of the case file (DESIGN §9.2): rights notice and interpreter before mediation, the closing gate.

Each refusal is a `Refusal`: a stable code and the values its words (in the workflow YAML, both
languages) name, so every reader gets it in their own language and a client can tell refusals apart.
"""

from __future__ import annotations

from mediation.workflows.case_state import CaseState
from mediation.workflows.refusals import Refusal, refuses
from mediation.workflows.return_visits import (
    ON_SCHEDULE,
    follow_up_start,
    mark_visits,
    schedule_days,
)

PARTY_FIELDS = (
    "name", "role", "id_number", "phone", "is_minor", "gender", "ethnicity", "birth_date", "occupation", "address",
    "language", "needs_interpreter", "organisation",
)
FACT_FIELDS = ("title", "description", "category")
# Items a case resolved through the department (two-way closed loop) does not need of us.
MEDIATION_ITEMS = frozenset({"rights_notice", "session_record", "agreement"})


@refuses(rights_notice_missing=("party_ids",))
def rights_notified_to_every_party(case: CaseState) -> Refusal | None:
    """Every party was told of their rights and duties before mediation (规定 art. 30), when the policy asks."""
    if not case.policy.get("require_rights_notice", True):
        return None
    missing = [p for p in case.party_ids if p not in case.progress.get("rights_notified", ())]
    if not missing:
        return None
    return Refusal("rights_notice_missing", party_ids=missing)


@refuses(interpreter_missing=("party_ids",))
def interpreter_present_when_needed(case: CaseState) -> Refusal | None:
    """A party who needs an interpreter is mediated only with one recorded, when the policy asks."""
    if not case.policy.get("require_interpreter", True) or not case.progress.get("interpreter_needed"):
        return None
    if any(p.get("role") == "interpreter" for p in case.progress.get("participants", ())):
        return None
    return Refusal("interpreter_missing", party_ids=list(case.progress["interpreter_needed"]))


def _visits_on_schedule(case: CaseState) -> bool:
    marks = mark_visits(case.policy, follow_up_start(case.progress),
                        [visit["at"] for visit in case.progress.get("visits", ())])
    return sum(mark.schedule == ON_SCHEDULE for mark in marks) >= len(schedule_days(case.policy))


def _has_item(case: CaseState, item: str) -> bool:
    progress = case.progress
    if item in MEDIATION_ITEMS and progress.get("feedback", {}).get("outcome") == "resolved" \
            and "agreement" not in progress:
        return True  # the department resolved it; its feedback is the record
    if item == "rights_notice":
        return all(p in progress.get("rights_notified", ()) for p in case.party_ids)
    if item == "session_record":
        return progress.get("session_records", 0) > 0
    if item == "investigation_record":
        return progress.get("investigation_records", 0) > 0
    if item == "agreement":
        return "agreement" in progress
    if item == "return_visits":
        return _visits_on_schedule(case)
    return True  # the register: intake made it


@refuses(closure_items_missing=("missing",))
def case_file_complete(case: CaseState) -> Refusal | None:
    """Every item of policy `required_for_closure` is on file (DESIGN §9.2); the refusal names what is missing."""
    missing = [item for item in case.policy.get("required_for_closure") or () if not _has_item(case, item)]
    if not missing:
        return None
    return Refusal("closure_items_missing", missing=missing)


@refuses(outcome_not_reported=("channel",))
def outcome_reported(case: CaseState) -> Refusal | None:
    """The outcome was told to the complainant (`report_outcome`) when the case came through a channel of
    policy `report_back_channels` (闭环: the result goes back to whoever raised the dispute)."""
    if case.channel not in (case.policy.get("report_back_channels") or ()) or case.progress.get("outcome_reported"):
        return None
    return Refusal("outcome_not_reported", channel=case.channel)


@refuses(reads_data=True, nothing_to_correct=())
def facts_changed(case: CaseState) -> Refusal | None:
    if any(case.data.get(name) is not None for name in FACT_FIELDS):
        return None
    return Refusal("nothing_to_correct")


@refuses(reads_data=True, nothing_to_correct=())
def party_fields_changed(case: CaseState) -> Refusal | None:
    if any(case.data.get(name) is not None for name in PARTY_FIELDS):
        return None
    return Refusal("nothing_to_correct")


@refuses(too_many_parties=("limit",))
def party_count_within_limit(case: CaseState) -> Refusal | None:
    limit = case.policy["limits"]["parties_per_case"]
    return None if len(case.party_ids) < limit else Refusal("too_many_parties", limit=limit)


CASE_FILE_GUARDS = (
    rights_notified_to_every_party, interpreter_present_when_needed, case_file_complete, outcome_reported,
    facts_changed, party_fields_changed, party_count_within_limit,
)
