"""Everything a document prints, read from the case as the viewer may see it (plain data, so that it
can be sent to a rendering process)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from mediation import jsontext
from mediation.cases.masking import sees_full_numbers
from mediation.cases.read_models import CaseDetail
from mediation.cases.rows import case_events
from mediation.cases.views import case_detail_in
from mediation.db import Database, RawTransaction, parse_timestamp
from mediation.directory.actors import Actor
from mediation.directory.queries import display_names, unit_names
from mediation.documents import _history as history
from mediation.documents._errors import DocumentNotApplicable, DocumentTooLarge, UnknownDocument
from mediation.documents._labels import LANGUAGES, translator
from mediation.documents._rendering import MAX_PAGES
from mediation.errors import InvalidData, MediationError

KINDS = ("case_file", "agreement", "referral", "judicial_application", "return_visit")
MAX_TEXT_CHARS = 300_000  # far more than a page cap's worth of Chinese text
# Measured on cases of 2,000 events: about 1,150 characters a page in tables and text, and
# at most some 40 table rows a page however short they are.
CHARS_PER_PAGE = 1100
ROWS_PER_PAGE = 40
CASE_ROW_SQL = "SELECT mediator_id, unit_path, court_id, workflow_version_id FROM cases WHERE id = :id"
COMMITTEE_KINDS = ("community", "town", "county")  # units that hold a people's mediation committee
MAX_CONSISTENT_READS = 3


@dataclass(frozen=True)
class DocumentRequest:
    """Which document, in which language, and whether as an archival (PDF/A) copy."""

    kind: str
    lang: str = "zh"
    archival: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise UnknownDocument(f"no document kind '{self.kind}'; kinds: {', '.join(KINDS)}",
                                  kind=self.kind, kinds=list(KINDS))
        if self.lang not in LANGUAGES:
            raise InvalidData("lang", f"must be one of {', '.join(LANGUAGES)}")


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


def document_context(db: Database, actor: Actor, case_id: int, request: DocumentRequest) -> dict[str, Any]:
    """The document's data for this viewer (NotFound outside reach, 409 when the kind does not apply)."""
    return _checked_context(db, _read_case(db, actor, case_id), request)


def document_refusals(db: Database, actor: Actor, case_id: int, lang: str) -> dict[str, MediationError | None]:
    """For each kind, None when the viewer can have the document now, else why not (not applicable
    yet, too large); the case is read once (NotFound outside reach)."""
    record = _read_case(db, actor, case_id)
    refusals: dict[str, MediationError | None] = {}
    for kind in KINDS:
        try:
            _checked_context(db, record, DocumentRequest(kind, lang))
        except (DocumentNotApplicable, DocumentTooLarge) as refusal:
            refusals[kind] = refusal
        else:
            refusals[kind] = None
    return refusals


def _checked_context(db: Database, record: CaseRecord, request: DocumentRequest) -> dict[str, Any]:
    definition = db.workflows.machine(record.workflow_version_id).definition
    names = history.Names(request.lang, definition, record.users, record.units,
                          {p.id: p.name for p in record.detail.parties})
    context = _assemble(record, names, request)
    _check_applies(context, request.kind)
    _check_size(context)
    return context


def _check_size(context: dict[str, Any]) -> None:
    """Refuse, before any layout, a document far over the limits (the renderer checks again)."""
    size = _text_size(context)
    if size > MAX_TEXT_CHARS:
        raise DocumentTooLarge(f"the document would hold {size:,} characters of text; the limit is "
                               f"{MAX_TEXT_CHARS:,}", limit="text", characters=size)
    pages = estimated_pages(context)
    if pages > MAX_PAGES:
        raise DocumentTooLarge(f"the document would have about {pages} pages; the limit is {MAX_PAGES}",
                               limit="pages", estimated_pages=pages)


def estimated_pages(context: dict[str, Any]) -> int:
    """About how many pages a large document will have (a little more, rather than less)."""
    court = context["court"]
    rows = (len(context["timeline"]) + len(context["visits"]) + len(context["sessions"]) + len(context["parties"])
            + sum(len(r["steps"]) + 3 for r in context["referrals"]) + (len(court["steps"]) + 3 if court else 0))
    return 1 + math.ceil(max(rows / ROWS_PER_PAGE, _text_size(context) / CHARS_PER_PAGE))


def _read_case(db: Database, actor: Actor, case_id: int) -> CaseRecord:
    """Detail, events and names from one read, again when a transition slipped in between."""
    for _ in range(MAX_CONSISTENT_READS):
        with db.snapshot() as tx:
            detail = case_detail_in(tx, db, actor, case_id)
            events = [_event(row) for row in case_events(tx, case_id).fetchall()]
            mediator_id, unit_path, court_id, workflow_version_id = tx.one(CASE_ROW_SQL, {"id": case_id})
            case_row = SimpleNamespace(mediator_id=mediator_id, unit_path=unit_path, court_id=court_id)
            record = CaseRecord(detail, events, not sees_full_numbers(actor, case_row), workflow_version_id,
                                *_names(tx, detail, events, unit_path))
        if not events or events[-1]["hash"] == detail.chain_head:
            return record
    raise RuntimeError(f"case {case_id} kept changing while its document was read")


def _event(row: tuple) -> dict[str, Any]:
    seq, trigger, actor, at, from_state, to_state, data, reason, _prev, digest = row
    return {"seq": seq, "trigger": trigger, "actor": actor, "at": parse_timestamp(at), "from_state": from_state,
            "to_state": to_state, "data": jsontext.loads(data), "reason": reason, "hash": digest}


def _names(tx: RawTransaction, detail: CaseDetail, events: list[dict], unit_path: str) -> tuple[dict, dict, str]:
    """Display names of the users and units the case mentions, and the case's committee unit."""
    ancestors = [code for code in unit_path.split("/") if code]
    usernames = {e["actor"] for e in events}
    codes = {detail.unit.code, *ancestors}
    for event in events:
        data = event["data"]
        usernames.update(v for k in ("mediator", "owner") if isinstance(v := data.get(k), str))
        codes.update(v for k in ("department", "court", "unit") if isinstance(v := data.get(k), str))
        codes.update(v for v in data.get("co_units") or () if isinstance(v, str))
    users = display_names(tx, usernames)
    found = unit_names(tx, codes)
    units = {code: name for code, (name, _kind) in found.items()}
    kinds = {code: kind for code, (_name, kind) in found.items()}
    committee = next((c for c in reversed(ancestors) if kinds.get(c) in COMMITTEE_KINDS), detail.unit.code)
    return users, units, units.get(committee, detail.unit.name)


# What each kind prints besides the case, its parties and the agreement (the rest stays empty).
PRINTED_SECTIONS = {
    "case_file": ("sessions", "referrals", "court", "visits", "closure", "scheduled_visits", "timeline"),
    "agreement": (),
    "referral": ("referrals",),
    "judicial_application": ("court",),
    "return_visit": ("visits", "closure", "scheduled_visits"),
}
EMPTY_SECTIONS = {"sessions": [], "referrals": [], "court": None, "visits": [], "closure": "",
                  "scheduled_visits": [], "timeline": []}


def _sections(record: CaseRecord, names: history.Names, kind: str) -> dict[str, Any]:
    events = record.events
    build = {
        "sessions": lambda: history.sessions(names, events), "referrals": lambda: history.referrals(names, events),
        "court": lambda: history.court_application(names, events), "visits": lambda: history.visits(names, events),
        "closure": lambda: history.closure(names, events), "timeline": lambda: history.timeline(names, events),
        "scheduled_visits": lambda: [names.day(d.due_at) for d in record.detail.deadlines
                                     if d.kind.startswith("return_visit")],
    }
    return {**EMPTY_SECTIONS, **{name: build[name]() for name in PRINTED_SECTIONS[kind]}}


def _assemble(record: CaseRecord, names: history.Names, request: DocumentRequest) -> dict[str, Any]:
    t = translator(request.lang)
    detail, committee = record.detail, record.committee
    committee_name = f"{committee}人民调解委员会" if request.lang == "zh" else f"People's Mediation Committee of {committee}"
    agreement = history.agreement(names, record.events, [p.id for p in detail.parties])
    title = t(f"title.{request.kind}")
    return {
        "kind": request.kind, "lang": request.lang, "archival": request.archival, "masked": record.masked,
        "title": title, "committee": committee_name, "case": _case_facts(detail, names),
        "parties": _parties(detail, names, agreement), "agreement": agreement,
        **_sections(record, names, request.kind),
        "qr_payload": f"{detail.number}\nmediation verify --case {detail.id} --hash {detail.chain_head}",
        "metadata": {"title": f"{title} {detail.number}", "author": committee_name, "keywords": detail.number,
                     "description": detail.title, "created": (detail.updated_at or detail.created_at)[:19] + "Z"},
    }


def _case_facts(detail: CaseDetail, names: history.Names) -> dict[str, Any]:
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


def _parties(detail: CaseDetail, names: history.Names, agreement: dict | None) -> list[dict[str, Any]]:
    signatures = agreement["signatures"] if agreement else {}
    return [
        {"id": p.id, "name": p.name, "role": names.t(f"role.{p.role}"),
         "id_number": p.id_number or "", "phone": p.phone or "", "minor": p.is_minor,
         "signed_at": signatures.get(p.id, "")}
        for p in detail.parties
    ]


NOT_YET = {
    "agreement": "the case has no written agreement yet (an oral agreement is printed in the case file)",
    "referral": "the case has not been referred to a department",
    "judicial_application": "no judicial confirmation has been applied for",
    "return_visit": "the case has no return visit scheduled or recorded",
}


def _check_applies(context: dict[str, Any], kind: str) -> None:
    applies = {
        "agreement": context["agreement"] is not None and not context["agreement"]["oral"],
        "referral": bool(context["referrals"]),
        "judicial_application": context["court"] is not None,
        "return_visit": bool(context["visits"] or context["scheduled_visits"]),
    }
    if not applies.get(kind, True):
        raise DocumentNotApplicable(f"no {kind} for this case: {NOT_YET[kind]}", kind=kind,
                                    state=context["case"]["state"])


def _text_size(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_text_size(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_text_size(v) for v in value)
    return 0
