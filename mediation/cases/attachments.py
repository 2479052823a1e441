"""A case's attachments (DESIGN §9.2): stored in the database in ordered chunks, listed, served.

An upload is checked for reach and role before its bytes are read, its type told from the bytes,
its size kept under policy `attachments.max_bytes`, its chunks written as they come under a row
nobody sees yet (attachment_chunks.py); then one write transaction finishes the row and fires
`attach` through the engine, whose event carries the file's name, type, size and SHA-256 into the
case's hash chain. Anything refusing the upload discards its chunks: a file is listed or served only
once its event is committed with it. An image of an ID card (`id_document`) is listed
and served only to those who see unmasked numbers; for everyone else it does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Iterable, Iterator, NamedTuple, NoReturn

import msgspec

from mediation import control_characters
from mediation.cases import idempotency
from mediation.cases.access import may_fire
from mediation.cases.attachment_chunks import PendingAttachment
from mediation.cases.case_reach import reaches
from mediation.cases.engine import TransitionResult, apply_transition
from mediation.cases.masking import sees_full_numbers
from mediation.cases.read_models import utc_text
from mediation.cases.received_files import (
    CHUNK_BYTES,
    FileTooLarge,
    ReceivedFile,
    UnsupportedFileType,
    fallback_file_name,
    file_name_of,
    receive_file,
)
from mediation.db import Database, RawTransaction
from mediation.directory.actors import Actor
from mediation.errors import Forbidden, InvalidData, MediationError, NotFound, TransitionNotAllowed
from mediation.workflows.trigger_data import MAX_ID

ATTACH = "attach"
ID_DOCUMENT = "id_document"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
KIND_MAX_LENGTH = 20  # the columns of `attachments`
DESCRIPTION_MAX_LENGTH = 500

CASE_SQL = ("SELECT id, unit_path, mediator_id, department_id, court_id, state, workflow_version_id "
            "FROM cases WHERE id = :id")
VIEW_COLUMNS = ("a.id, a.case_id, a.kind, a.description, a.file_name, a.content_type, a.size_bytes, a.sha256, "
                "u.display_name, a.created_at")
# A row whose upload is still coming in (sha256 '') is nobody's to see (attachment_chunks.py).
LIST_SQL = (f"SELECT {VIEW_COLUMNS} FROM attachments a LEFT JOIN users u ON u.id = a.uploaded_by "
            "WHERE a.case_id = :case_id AND a.sha256 <> '' ORDER BY a.id")
ONE_SQL = (f"SELECT {VIEW_COLUMNS} FROM attachments a LEFT JOIN users u ON u.id = a.uploaded_by "
           "WHERE a.case_id = :case_id AND a.id = :id AND a.sha256 <> ''")
CHUNK_SEQS = "SELECT seq FROM attachment_chunks WHERE attachment_id = :id ORDER BY seq"
CHUNK_DATA = "SELECT data FROM attachment_chunks WHERE attachment_id = :id AND seq = :seq"

__all__ = [
    "ATTACH", "AttachmentView", "DamagedAttachment", "FileTooLarge", "StoredAttachment", "UnsupportedFileType",
    "CHUNK_BYTES", "check_may_attach", "list_attachments", "max_bytes_of", "open_attachment", "refuse_direct_attach",
    "store_attachment", "store_received", "upload_sink",
]


class AttachmentView(msgspec.Struct):
    """One attachment as a reader sees it (its bytes at GET …/attachments/{id})."""

    id: int
    case_id: int
    kind: str
    description: str | None
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str | None  # the uploader's display name
    created_at: str


class DamagedAttachment(MediationError):
    """A stored file lost a chunk (`mediation verify` names it): it cannot be served whole."""

    status_code = 500


@dataclass(frozen=True)
class StoredAttachment:
    """What an upload answered: 201 and the new attachment, or the answer stored under its idempotency key."""

    status: int
    body: str
    replayed: bool = False
    view: AttachmentView | None = None


class _CaseReach(NamedTuple):
    id: int
    unit_path: str
    mediator_id: int | None
    department_id: int | None
    court_id: int | None
    state: str
    workflow_version_id: int


def _case_in_reach(tx: RawTransaction, actor: Actor, case_id: int) -> _CaseReach:
    """The case, when the actor reaches it; NotFound exactly like a case that does not exist."""
    row = tx.one(CASE_SQL, {"id": case_id}) if 1 <= case_id <= MAX_ID else None
    case = _CaseReach._make(row) if row else None
    if case is None or not reaches(tx, actor, case):
        raise NotFound(f"case {case_id} not found", case_id=case_id)
    return case


def max_bytes_of(policy: dict[str, Any]) -> int:
    """The largest file the policy takes (attachments.max_bytes)."""
    return int((policy.get("attachments") or {}).get("max_bytes") or DEFAULT_MAX_BYTES)


def check_may_attach(db: Database, actor: Actor, case_id: int) -> int:
    """Whether the actor may attach a file to the case now, before any byte is read; the size cap.

    NotFound outside reach, Forbidden for a role that may not, TransitionNotAllowed in a state
    that takes no file (as the engine would answer `attach`).
    """
    with db.snapshot() as tx:
        case = _case_in_reach(tx, actor, case_id)
    machine = db.workflows.machine(case.workflow_version_id)
    spec = machine.definition.triggers.get(ATTACH)
    if spec is not None and not may_fire(actor, spec.roles, case):
        raise Forbidden(f"your roles may not fire '{ATTACH}' on this case", trigger=ATTACH, roles=sorted(actor.roles))
    if spec is None or ATTACH not in machine.allowed_triggers(case.state):
        raise TransitionNotAllowed(ATTACH, case.state, [])
    return max_bytes_of(machine.definition.policy)


def refuse_direct_attach(db: Database, actor: Actor, case_id: int) -> NoReturn:
    """`attach` fired as a plain transition: answered first as the engine would (reach, role, state),
    then refused, for its file fields are the server's to set from the bytes it stored."""
    check_may_attach(db, actor, case_id)
    raise InvalidData("trigger", "attachments are added through /attachments")


def store_attachment(
    db: Database, *, actor: Actor, case_id: int, kind: str, description: str | None, file_name: str | None,
    stream: IO[bytes] | Iterable[bytes], now: datetime,
) -> AttachmentView:
    """Check, take in and store one file, firing `attach`: the new attachment as its uploader sees it."""
    max_bytes = check_may_attach(db, actor, case_id)
    name = file_name_of(file_name)
    received = receive_file(stream, max_bytes, upload_sink(db, actor=actor, case_id=case_id, now=now))
    return store_received(db, actor=actor, case_id=case_id, kind=kind, description=description, file_name=name,
                          received=received, now=now).view


def upload_sink(db: Database, *, actor: Actor, case_id: int, now: datetime) -> PendingAttachment:
    """Where an upload's chunks go as they come (after check_may_attach): nothing is written before the first."""
    return PendingAttachment(db, case_id=case_id, uploaded_by=actor.user_id or None, now=now)


class _Replayed(Exception):
    """Unwinds the savepoint of a request whose idempotency key holds an earlier answer."""

    def __init__(self, result: TransitionResult) -> None:
        self.result = result


def store_received(
    db: Database, *, actor: Actor, case_id: int, kind: str, description: str | None, file_name: str | None,
    received: ReceivedFile, now: datetime, expected_version: int | None = None, idempotency_key: str | None = None,
) -> StoredAttachment:
    """Store a received file and fire `attach`, all in one write transaction.

    Without `expected_version` the file is added to the case as it is now (an attachment conflicts
    with no other change). Under an idempotency key a retry of the same upload (same file, kind,
    description and name) is answered as the first was, and stores nothing again.
    """
    _check_texts(kind, description)
    name = file_name or fallback_file_name(received)
    digest = (idempotency.request_digest("POST attachments", case_id, expected_version, kind, description, name,
                                         received.sha256) if idempotency_key is not None else None)
    answer: dict[str, Any] = {}

    def respond(result: TransitionResult, _tx: RawTransaction) -> tuple[int, str]:
        view = AttachmentView(id=answer["id"], case_id=case_id, kind=kind, description=description, file_name=name,
                              content_type=received.content_type, size_bytes=received.size_bytes,
                              sha256=received.sha256, uploaded_by=actor.display_name or actor.username,
                              created_at=utc_text(now))
        answer["view"] = view
        return 201, msgspec.json.encode(view).decode()

    sink = received.sink
    try:
        with db.write() as tx:
            with tx.savepoint():
                # The case row is locked first (PostgreSQL), as the engine will: a transition of the case
                # waits for this one rather than interleaving with it.
                version = _current_version(tx, case_id) if expected_version is None else expected_version
                answer["id"] = sink.id
                if not sink.complete(tx, kind=kind, description=description, file_name=name,
                                     content_type=received.content_type, size_bytes=received.size_bytes,
                                     sha256=received.sha256):
                    raise DamagedAttachment(f"the chunks of attachment {sink.id} went missing while it came in")
                data = {"kind": kind, "description": description, "attachment_id": sink.id, "file_name": name,
                        "content_type": received.content_type, "size_bytes": received.size_bytes,
                        "sha256": received.sha256}
                result = apply_transition(
                    db, case_id=case_id, trigger=ATTACH, actor=actor,
                    data={key: value for key, value in data.items() if value is not None}, expected_version=version,
                    idempotency_key=idempotency_key, request_hash=digest, now=now, respond=respond, tx=tx)
                if result.replayed:
                    raise _Replayed(result)
    except _Replayed as replay:  # answered before: this upload's chunks are not needed
        received.discard()
        return StoredAttachment(replay.result.response_status, replay.result.response_body, replayed=True)
    except BaseException:
        received.discard()  # after the transaction: the discard writes on its own
        raise
    sink.completed = True
    return StoredAttachment(result.response_status, result.response_body, view=answer["view"])


def _check_texts(kind: str, description: str | None) -> None:
    """What the attachments table cannot hold (too long, a NUL for PostgreSQL) is refused before it is
    tried, in the engine's words; the engine checks the rest."""
    for field, text, one_line, limit in (("kind", kind, True, KIND_MAX_LENGTH),
                                         ("description", description or "", False, DESCRIPTION_MAX_LENGTH)):
        refused = control_characters.refusal(text, one_line=one_line)
        if refused:
            raise InvalidData(f"data.{field}", refused)
        if len(text) > limit:
            raise InvalidData(f"data.{field}", f"must be at most {limit} characters")


def _current_version(tx: RawTransaction, case_id: int) -> int:
    """The case's version now, the case row locked on PostgreSQL (SQLite's write transaction holds it all)."""
    found = tx.one("SELECT version FROM cases WHERE id = :id" + ("" if tx.is_sqlite else " FOR UPDATE"),
                   {"id": case_id})
    if found is None:
        raise NotFound(f"case {case_id} not found", case_id=case_id)
    return found[0]


def _view(row: tuple) -> AttachmentView:
    *fields, created_at = row
    return AttachmentView(*fields, created_at=utc_text(created_at))


def list_attachments(db: Database, actor: Actor, case_id: int) -> list[AttachmentView]:
    """The case's attachments in the order they were added (ID documents only for who sees numbers)."""
    with db.snapshot() as tx:
        case = _case_in_reach(tx, actor, case_id)
        rows = tx.all(LIST_SQL, {"case_id": case_id})
    full = sees_full_numbers(actor, case)
    return [_view(row) for row in rows if full or row[2] != ID_DOCUMENT]


def open_attachment(db: Database, actor: Actor, case_id: int,
                    attachment_id: int) -> tuple[AttachmentView, Iterator[bytes]]:
    """One attachment and its bytes, chunk by chunk (each read when the reader wants it)."""
    with db.snapshot() as tx:
        case = _case_in_reach(tx, actor, case_id)
        row = tx.one(ONE_SQL, {"case_id": case_id, "id": attachment_id}) if 1 <= attachment_id <= MAX_ID else None
        if row is None or (row[2] == ID_DOCUMENT and not sees_full_numbers(actor, case)):
            raise NotFound(f"attachment {attachment_id} not found", attachment_id=attachment_id)
        seqs = [seq for (seq,) in tx.all(CHUNK_SEQS, {"id": attachment_id})]
    if seqs != list(range(len(seqs))):
        raise DamagedAttachment(f"attachment {attachment_id} misses a chunk: run `mediation verify`",
                                attachment_id=attachment_id)
    return _view(row), _chunks(db, attachment_id, len(seqs))


def _chunks(db: Database, attachment_id: int, count: int) -> Iterator[bytes]:
    for seq in range(count):
        found = db.read_one(CHUNK_DATA, {"id": attachment_id, "seq": seq})
        if found is None:
            raise DamagedAttachment(f"attachment {attachment_id} lost chunk {seq}", attachment_id=attachment_id)
        yield bytes(found[0])
