"""What each kind of document prints, assembled from one read of the case (plain data, so that it can
be sent to a rendering process)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mediation.cases.read_models import CaseDetail
from mediation.db import parse_timestamp
from mediation.documents import _history as history
from mediation.documents import _records as records
from mediation.documents._labels import translator
from mediation.documents._names import Names
from mediation.documents._particulars import evidence_list, party_particulars
from mediation.documents._volume import volume
from mediation.workflows.calendar import closing_day

KINDS = ("case_file", "agreement", "referral", "judicial_application", "return_visit", "application",
         "intake_register", "rights_notice", "session_record", "investigation_record", "outcome_notice")


@dataclass
class CaseRecord:
    """One consistent read of a case for a viewer."""

    detail: CaseDetail
    events: list[dict[str, Any]]
    masked: bool
    workflow_version_id: int
    users: dict[str, str]
    units: dict[str, str]
    committee: str  # the unit whose people's mediation committee handles the case
    attachments: list[dict[str, Any]] = field(default_factory=list)


# What each kind prints besides the case, its parties and the agreement (the rest stays empty).
PRINTED_SECTIONS = {
    "case_file": ("sessions", "referrals", "court", "visits", "closure", "scheduled_visits", "timeline",
                  "participants", "session_records", "investigations", "evidence", "outcome", "registered_by"),
    "agreement": ("participants",),
    "referral": ("referrals",),
    "judicial_application": ("court",),
    "return_visit": ("visits", "closure", "scheduled_visits"),
    "application": (),
    "intake_register": ("registered_by", "participants"),
    "rights_notice": ("participants",),
    "session_record": ("session_records", "participants"),
    "investigation_record": ("investigations",),
    "outcome_notice": ("outcome", "closure"),
}
EMPTY_SECTIONS = {"sessions": [], "referrals": [], "court": None, "visits": [], "closure": "",
                  "scheduled_visits": [], "timeline": [], "participants": [], "session_records": [],
                  "investigations": [], "evidence": [], "outcome": None, "registered_by": ""}


def assemble(record: CaseRecord, names: Names, kind: str, lang: str, archival: bool) -> dict[str, Any]:
    """The context of one document of the case for this reader."""
    t = translator(lang)
    detail, committee = record.detail, record.committee
    committee_name = f"{committee}人民调解委员会" if lang == "zh" else f"People's Mediation Committee of {committee}"
    agreement = history.agreement(names, record.events, [p.id for p in detail.parties])
    title = t(f"title.{kind}")
    context = {
        "kind": kind, "lang": lang, "archival": archival, "masked": record.masked, "blank": False,
        "title": title, "committee": committee_name, "case": case_facts(detail, names),
        "parties": parties(record, names, agreement), "agreement": agreement,
        **_sections(record, names, kind),
        "images": {},  # the pictures' bytes, read just before rendering (`_service.ready_context`)
        "qr_payload": f"{detail.number}\nmediation verify --case {detail.id} --hash {detail.chain_head}",
        "metadata": {"title": f"{title} {detail.number}", "author": committee_name, "keywords": detail.number,
                     "description": detail.title, "created": (detail.updated_at or detail.created_at)[:19] + "Z"},
    }
    context["volume"] = volume(context) if kind == "case_file" else None
    return context


def _sections(record: CaseRecord, names: Names, kind: str) -> dict[str, Any]:
    events = record.events
    mediator = record.detail.mediator.name if record.detail.mediator else ""
    build = {
        "sessions": lambda: history.sessions(names, events), "referrals": lambda: history.referrals(names, events),
        "court": lambda: history.court_application(names, events), "visits": lambda: history.visits(names, events),
        "closure": lambda: history.closure(names, events), "timeline": lambda: history.timeline(names, events),
        "scheduled_visits": lambda: [names.day(closing_day(parse_timestamp(d.due_at)).isoformat())
                                     for d in record.detail.deadlines if d.kind.startswith("return_visit")],
        "participants": lambda: records.participants(names, events),
        "session_records": lambda: records.session_records(names, events, mediator),
        "investigations": lambda: records.investigation_records(names, events),
        "evidence": lambda: evidence_list(names, record.attachments),
        "outcome": lambda: records.outcome_report(names, events),
        "registered_by": lambda: records.registered_by(names, events),
    }
    return {**EMPTY_SECTIONS, **{name: build[name]() for name in PRINTED_SECTIONS[kind]}}


def case_facts(detail: CaseDetail, names: Names) -> dict[str, Any]:
    return {
        "id": detail.id, "number": detail.number, "title": detail.title, "description": detail.description,
        "unit": detail.unit.name, "category": names.policy_label("categories", detail.category),
        "channel": names.policy_label("channels", detail.channel), "state": names.state(detail.state),
        "risk_level": names.enum("risk", detail.risk_level),
        "mechanism": names.enum("mechanism", detail.mechanism), "resolver": names.enum("resolver", detail.resolver),
        "mediator": detail.mediator.name if detail.mediator else "", "key_case": detail.key_case,
        "ladder_level": names.ladder(detail.ladder_level),
        "filed_at": names.day(detail.created_at), "closed_at": names.day(detail.stage_times.get("closed_at")),
        "updated_at": names.time(detail.updated_at), "version": detail.version,
        "event_count": detail.event_count, "chain_head": detail.chain_head,
    }


def parties(record: CaseRecord, names: Names, agreement: dict | None) -> list[dict[str, Any]]:
    """Each party with its numbers (masked per reader), particulars, signature and rights notice."""
    signatures = agreement["signatures"] if agreement else {}
    told = records.rights_notices(names, record.events)
    at = record.detail.updated_at
    return [
        {"id": p.id, "name": p.name, "role": names.t(f"role.{p.role}"), "role_code": p.role,
         "id_number": p.id_number or "", "phone": p.phone or "", "minor": p.is_minor,
         "signed_at": signatures.get(p.id, ""), "rights": told.get(p.id),
         **party_particulars(names, p, at)}
        for p in record.detail.parties
    ]
