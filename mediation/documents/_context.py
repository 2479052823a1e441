"""Everything a document prints, read from the case as the viewer may see it (plain data, so that it
can be sent to a rendering process)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from mediation import jsontext
from mediation.cases.case_detail import case_detail_in
from mediation.cases.masking import sees_full_numbers
from mediation.cases.read_models import CaseDetail
from mediation.cases.rows import case_events
from mediation.db import Database, RawTransaction, parse_timestamp
from mediation.directory.actors import Actor
from mediation.directory.queries import display_names, unit_names
from mediation.documents._assembly import KINDS, CaseRecord, assemble
from mediation.documents._errors import DocumentNotApplicable, DocumentTooLarge, UnknownDocument
from mediation.documents._labels import LANGUAGES
from mediation.documents._names import Names
from mediation.documents._particulars import read_attachments
from mediation.documents._rendering import MAX_PAGES
from mediation.errors import InvalidData, MediationError
from mediation.recently_used import RecentlyUsed

MAX_TEXT_CHARS = 300_000  # far more than a page cap's worth of Chinese text
# Measured on cases of 2,000 events: about 1,150 characters a page in tables and text, and
# at most some 40 table rows a page however short they are.
CHARS_PER_PAGE = 1100
ROWS_PER_PAGE = 40
ROWS_PER_IMAGE = 20  # a picture printed inline takes about half a page
CASE_ROW_SQL = "SELECT mediator_id, unit_path, court_id, workflow_version_id FROM cases WHERE id = :id"
COMMITTEE_KINDS = ("community", "town", "county")  # units that hold a people's mediation committee
MAX_CONSISTENT_READS = 3
REMEMBERED_ANSWERS = 4096  # document answers kept per process, each for one case as of one event


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


def document_context(db: Database, actor: Actor, case_id: int, request: DocumentRequest) -> dict[str, Any]:
    """The document's data for this viewer (NotFound outside reach, 409 when the kind does not apply)."""
    return _checked_context(db, _read_case(db, actor, case_id), request)


# Answers by (database, case, the case's last event, language, viewer): a case changes only by a new
# event (an attachment too), so an answer for its last event holds until the next one.
_remembered: RecentlyUsed[dict[str, MediationError | None]] = RecentlyUsed(REMEMBERED_ANSWERS)


def document_refusals(db: Database, actor: Actor, case_id: int, lang: str,
                      *, chain_head: str | None = None) -> dict[str, MediationError | None]:
    """For each kind, None when the viewer can have the document now, else why not (not applicable
    yet, too large); the case is read once (NotFound outside reach).

    Given the case's `chain_head` as the caller just read it (the case page), an answer already
    worked out for that event and viewer is given again without reading the case.

    The case file binds every other paper and prints every section, so its context answers for all
    kinds whether they apply, and when it is within the limits so is every other kind; only a case
    file over the limits has each kind measured on its own."""
    if chain_head is not None:
        found = _remembered.get((db.url, case_id, chain_head, lang, actor))
        if found is not None:
            return dict(found)
    record = _read_case(db, actor, case_id)
    refusals = _refusals_of(db, record, lang)
    _remembered.put((db.url, case_id, record.detail.chain_head, lang, actor), dict(refusals))
    return refusals


def _refusals_of(db: Database, record: CaseRecord, lang: str) -> dict[str, MediationError | None]:
    whole = _context(db, record, DocumentRequest("case_file", lang))
    try:
        _check_size(whole)
    except DocumentTooLarge as refusal:
        too_large: DocumentTooLarge | None = refusal
    else:
        too_large = None
    refusals: dict[str, MediationError | None] = {}
    for kind in KINDS:
        try:
            _check_applies(whole, kind)
            if too_large is not None and kind == "case_file":
                raise too_large
            if too_large is not None:
                _check_size(_context(db, record, DocumentRequest(kind, lang)))
        except (DocumentNotApplicable, DocumentTooLarge) as refusal:
            refusals[kind] = refusal
        else:
            refusals[kind] = None
    return refusals


def _checked_context(db: Database, record: CaseRecord, request: DocumentRequest) -> dict[str, Any]:
    context = _context(db, record, request)
    _check_applies(context, request.kind)
    _check_size(context)
    return context


def _context(db: Database, record: CaseRecord, request: DocumentRequest) -> dict[str, Any]:
    definition = db.workflows.machine(record.workflow_version_id).definition
    names = Names(request.lang, definition, record.users, record.units,
                  {p.id: p.name for p in record.detail.parties}, masked=record.masked)
    return assemble(record, names, request.kind, request.lang, request.archival)


def _check_size(context: dict[str, Any]) -> None:
    """Refuse, before any layout, a document far over the limits (the renderer checks again)."""
    size = _text_size(context)
    if size > MAX_TEXT_CHARS:
        raise DocumentTooLarge(f"the document would hold {size:,} characters of text; the limit is "
                               f"{MAX_TEXT_CHARS:,}", limit="text", characters=size)
    pages = estimated_pages(context, text_size=size)
    if pages > MAX_PAGES:
        raise DocumentTooLarge(f"the document would have about {pages} pages; the limit is {MAX_PAGES}",
                               limit="pages", estimated_pages=pages)


def estimated_pages(context: dict[str, Any], *, text_size: int | None = None) -> int:
    """About how many pages a large document will have (a little more, rather than less); `text_size`
    is the context's characters of text when already counted."""
    court = context["court"]
    rows = (len(context["timeline"]) + len(context["visits"]) + len(context["sessions"]) + len(context["parties"])
            + sum(len(r["steps"]) + 3 for r in context["referrals"]) + (len(court["steps"]) + 3 if court else 0)
            + len(context["evidence"]) + ROWS_PER_IMAGE * sum(1 for e in context["evidence"] if e["image"]))
    papers = len(context["volume"]["parts"]) + 1 if context.get("volume") else 0  # each bound paper starts a page
    size = _text_size(context) if text_size is None else text_size
    return 1 + papers + math.ceil(max(rows / ROWS_PER_PAGE, size / CHARS_PER_PAGE))


def _read_case(db: Database, actor: Actor, case_id: int) -> CaseRecord:
    """Detail, events, names and attachments (not their bytes) from one read, again when a transition
    slipped in between."""
    for _ in range(MAX_CONSISTENT_READS):
        with db.snapshot() as tx:
            detail = case_detail_in(tx, db, actor, case_id)
            events = [_event(row) for row in case_events(tx, case_id).fetchall()]
            mediator_id, unit_path, court_id, workflow_version_id = tx.one(CASE_ROW_SQL, {"id": case_id})
            case_row = SimpleNamespace(mediator_id=mediator_id, unit_path=unit_path, court_id=court_id)
            masked = not sees_full_numbers(actor, case_row)
            record = CaseRecord(detail, events, masked, workflow_version_id, *_names(tx, detail, events, unit_path),
                                attachments=read_attachments(tx, case_id, masked))
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


NOT_YET = {
    "agreement": "the case has no written agreement yet (an oral agreement is printed in the case file)",
    "referral": "the case has not been referred to a department",
    "judicial_application": "no judicial confirmation has been applied for",
    "return_visit": "the case has no return visit scheduled or recorded",
    "session_record": "no mediation session has been recorded",
    "investigation_record": "no investigation has been recorded",
}


def _check_applies(context: dict[str, Any], kind: str) -> None:
    applies = {
        "agreement": context["agreement"] is not None and not context["agreement"]["oral"],
        "referral": bool(context["referrals"]),
        "judicial_application": context["court"] is not None,
        "return_visit": bool(context["visits"] or context["scheduled_visits"]),
        "session_record": bool(context["session_records"]),
        "investigation_record": bool(context["investigations"]),
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
