"""Effects of the case file (DESIGN §9.2): progress the guards read, rows the engine writes.

Records keep only a count in progress (readers take the full text from the events); a new or
corrected party and corrected facts are queued on the case for the engine, which writes them
and keeps the old values in the event.
"""

from __future__ import annotations

from mediation.workflows.case_file_guards import FACT_FIELDS, PARTY_FIELDS
from mediation.workflows.case_state import CaseState

PARTICIPANT_FIELDS = ("name", "role", "username", "language", "unit")


def record_rights_notice(case: CaseState) -> None:
    notified = case.progress.setdefault("rights_notified", [])
    if case.data["party_id"] not in notified:
        notified.append(case.data["party_id"])


def record_outcome_report(case: CaseState) -> None:
    """The outcome was told to this party (the complainant); the summary stays in the event."""
    reported = case.progress.setdefault("outcome_reported", [])
    if case.data["party_id"] not in reported:
        reported.append(case.data["party_id"])


def add_participant(case: CaseState) -> None:
    participant = {name: case.data[name] for name in PARTICIPANT_FIELDS if case.data.get(name) is not None}
    case.progress.setdefault("participants", []).append(participant)


def count_session_record(case: CaseState) -> None:
    case.progress["session_records"] = case.progress.get("session_records", 0) + 1


def count_investigation_record(case: CaseState) -> None:
    case.progress["investigation_records"] = case.progress.get("investigation_records", 0) + 1


def add_party(case: CaseState) -> None:
    case.new_party = {name: case.data[name] for name in PARTY_FIELDS if case.data.get(name) is not None}


def correct_party(case: CaseState) -> None:
    fields = {name: case.data[name] for name in PARTY_FIELDS if case.data.get(name) is not None}
    case.party_changes = {"party_id": case.data["party_id"], "fields": fields}


def correct_facts(case: CaseState) -> None:
    case.fact_changes = {name: case.data[name] for name in FACT_FIELDS if case.data.get(name) is not None}
    case.category = case.data.get("category") or case.category


def note_interpreter_need(case: CaseState, party_id: int, needed: bool) -> None:
    """Keep in progress which parties need an interpreter (the guard of `start_session` reads it)."""
    needing = [p for p in case.progress.get("interpreter_needed", ()) if p != party_id]
    if needed:
        needing.append(party_id)
    if needing:
        case.progress["interpreter_needed"] = needing
    else:
        case.progress.pop("interpreter_needed", None)


CASE_FILE_EFFECTS = (
    record_rights_notice, record_outcome_report, add_participant, count_session_record, count_investigation_record, add_party,
    correct_party, correct_facts,
)
