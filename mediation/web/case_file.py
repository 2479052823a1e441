"""The case file on the case page (DESIGN §9.2): agreed terms, records, corrections, participants.

Read from the case's events by their trigger names, in the reader's words: each record in full
(a session's participants and each party's statement), each correction with who made it, why,
and the value it replaced. Numbers and addresses in the events come masked as the domain gives
them to this reader (`case_events`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mediation.cases.read_models import CaseDetail, EventView
from mediation.web.i18n import Words
from mediation.web.page import local_time
from mediation.workflows.definition import WorkflowDefinition

RECORD_TRIGGERS = ("record_session", "record_investigation", "add_note", "report_outcome")
# The outcome told to the complainant (report_outcome) reads as the outcome notice does: whom, how, what.
RECORD_FIELD_WORDS = {("report_outcome", "party_id"): "told_party", ("report_outcome", "summary"): "outcome_told"}
CORRECTION_TRIGGERS = ("correct_facts", "correct_party", "add_party")
AGREEMENT_TRIGGERS = ("draft_agreement", "record_oral_agreement", "revise_agreement")
PARTY_FIELDS = ("name", "role", "id_number", "phone", "is_minor", "gender", "ethnicity", "birth_date", "occupation",
                "address", "language", "needs_interpreter", "organisation")
FACT_FIELDS = ("title", "description", "category")
CODED = frozenset({"role", "gender", "outcome", "method", "kind"})  # values shown through their labels


@dataclass
class Record:
    """A session record, an investigation record or a note, in full."""

    seq: int
    trigger: str
    label: str
    at: str
    actor: str
    lines: list[tuple[str, str]]  # (label, text) in the record's order
    participants: list[tuple[str, str]] = field(default_factory=list)  # (name, role label)
    statements: list[tuple[str, str]] = field(default_factory=list)  # (party name, what they said)

    @property
    def anchor(self) -> str:
        return f"record-{self.seq}"


@dataclass
class Correction:
    """A correction of the facts or of a party, or a party added later: who, when, why, old and new."""

    seq: int
    label: str
    at: str
    actor: str
    reason: str
    subject: str  # the party's name, or "" for the facts
    changes: list[tuple[str, str, str]]  # (field label, old value, new value)

    @property
    def anchor(self) -> str:
        return f"correction-{self.seq}"


@dataclass
class Agreement:
    """The agreed terms as last drafted or recorded; `withdrawn` when sent back for revision since."""

    label: str
    at: str
    actor: str
    terms: str
    lines: list[tuple[str, str]]
    withdrawn: bool = False


@dataclass
class CaseFile:
    agreement: Agreement | None
    records: list[Record]
    corrections: list[Correction]
    corrected_parties: dict[int, str]  # party id -> the anchor of its last correction
    facts_corrected: str | None  # the anchor of the facts' last correction
    participants: list[dict[str, Any]]
    rights_notified: set[int]
    record_of: dict[int, str]  # event seq -> the anchor of its record or correction (for the timeline)


class _Reader:
    """Values of event data in the reader's words."""

    def __init__(self, words: Words, definition: WorkflowDefinition, detail: CaseDetail) -> None:
        self.words, self.definition = words, definition
        self.party_names = {p.id: p.name for p in detail.parties}

    def text(self, name: str, value: Any) -> str:
        words = self.words
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return words.t("yes") if value else words.t("no")
        if name == "category":
            return words.label(self.definition.policy["categories"].get(value), str(value))
        if name == "party_id":
            return self.party_names.get(value, "—")  # a party by name, never by id
        if name == "organisation" and isinstance(value, dict):
            representative = value.get("legal_representative")
            return str(value.get("name") or "") + (f"（{words.field('legal_representative')}：{representative}）"
                                                   if representative else "")
        if name in ("held_at", "at"):
            return local_time(str(value))
        if isinstance(value, list):
            categories = self.definition.policy["categories"]
            return "、".join(words.label(categories.get(item), words.value(str(item))) for item in value)
        return words.value(str(value)) if name in CODED else str(value)


def case_file(events: list[EventView], detail: CaseDetail, definition: WorkflowDefinition, words: Words) -> CaseFile:
    """The case file's sections from the events, oldest first."""
    reader = _Reader(words, definition, detail)
    records = [_record(e, reader, definition) for e in events if e.trigger in RECORD_TRIGGERS]
    corrections = [_correction(e, reader, definition) for e in events if e.trigger in CORRECTION_TRIGGERS]
    corrected_parties = {e.data["party_id"]: f"correction-{e.seq}" for e in events
                         if e.trigger == "correct_party" and isinstance(e.data.get("party_id"), int)}
    facts = [f"correction-{e.seq}" for e in events if e.trigger == "correct_facts"]
    progress = detail.progress or {}
    return CaseFile(
        agreement=_agreement(events, reader, definition),
        records=records, corrections=corrections, corrected_parties=corrected_parties,
        facts_corrected=facts[-1] if facts else None,
        participants=[p for p in progress.get("participants") or [] if isinstance(p, dict)],
        rights_notified={p for p in progress.get("rights_notified") or [] if isinstance(p, int)},
        record_of={**{e.seq: "agreement" for e in events if e.trigger in AGREEMENT_TRIGGERS and e.data.get("terms")},
                   **{item.seq: item.anchor for item in [*records, *corrections]}},
    )


def _label(definition: WorkflowDefinition, words: Words, trigger: str) -> str:
    spec = definition.triggers.get(trigger)
    return words.label(spec.labels if spec else None, words.value(trigger))


def _record(event: EventView, reader: _Reader, definition: WorkflowDefinition) -> Record:
    data, words = event.data, reader.words
    spec = definition.triggers.get(event.trigger)
    order = [f.name for f in spec.fields] if spec else []
    shown = [key for key in order + [key for key in data if key not in order]  # the trigger's order of fields
             if key in data and key not in ("participants", "statements", "reason")]
    record = Record(event.seq, event.trigger, _label(definition, words, event.trigger), event.at, event.actor,
                    [(words.t(RECORD_FIELD_WORDS[event.trigger, key]) if (event.trigger, key) in RECORD_FIELD_WORDS
                      else words.field(key), reader.text(key, data[key])) for key in shown])
    record.participants = [(str(p.get("name") or ""), words.value(str(p.get("role") or "")))
                           for p in data.get("participants") or [] if isinstance(p, dict)]
    record.statements = [(reader.party_names.get(s.get("party_id"), str(s.get("party_id"))), str(s.get("text") or ""))
                         for s in data.get("statements") or [] if isinstance(s, dict)]
    return record


def _correction(event: EventView, reader: _Reader, definition: WorkflowDefinition) -> Correction:
    data, words = event.data, reader.words
    previous = data.get("previous") if isinstance(data.get("previous"), dict) else {}
    names = FACT_FIELDS if event.trigger == "correct_facts" else PARTY_FIELDS
    changed = [name for name in names if name in data or name in previous]
    subject = ""
    if event.trigger == "correct_party":
        subject = reader.party_names.get(data.get("party_id"), str(previous.get("name") or ""))
    elif event.trigger == "add_party":
        subject = str(data.get("name") or "")
    return Correction(
        seq=event.seq, label=_label(definition, words, event.trigger), at=event.at, actor=event.actor,
        reason=str(data.get("reason") or event.reason or ""), subject=subject,
        changes=[(words.field(name), reader.text(name, previous.get(name)) if name in previous else "—",
                  reader.text(name, data.get(name)) if name in data else "—") for name in changed],
    )


def _agreement(events: list[EventView], reader: _Reader, definition: WorkflowDefinition) -> Agreement | None:
    """The last terms drafted or recorded; marked withdrawn when a revision followed without new terms."""
    found: Agreement | None = None
    words = reader.words
    for event in events:
        if event.trigger not in AGREEMENT_TRIGGERS:
            continue
        terms = event.data.get("terms")
        if terms:
            lines = [(words.field(key), reader.text(key, value)) for key, value in event.data.items()
                     if key not in ("terms", "reason")]
            found = Agreement(_label(definition, words, event.trigger), event.at, event.actor, str(terms), lines)
        elif found is not None and event.trigger == "revise_agreement":
            found.withdrawn = True
    return found
