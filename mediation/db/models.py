"""The database schema as SQLModel tables; Alembic migrations are generated from it.

Timestamps are naive UTC. JSON-shaped columns are stored as text written by `mediation.jsontext`, so SQLite and
PostgreSQL hold byte-identical documents and the event hash chain verifies on both.
"""

from __future__ import annotations

from datetime import date

from pydantic import NaiveDatetime
from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel


def _text(nullable: bool = True, server_default: str | None = None) -> Column:
    return Column(Text, nullable=nullable, server_default=server_default)


class Unit(SQLModel, table=True):
    """An org unit: county, town, community, grid, police station, department or court."""

    __tablename__ = "units"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    parent_id: int | None = Field(default=None, foreign_key="units.id")
    path: str = Field(index=True, max_length=1000)  # "/root-code/child-code/…/own-code/"
    abbreviation: str | None = Field(default=None, max_length=20)  # 永嘉 in 永嘉调〔2026〕00123号
    created_at: NaiveDatetime


class User(SQLModel, table=True):
    """A person who logs in, with one unit and one or more roles."""

    __tablename__ = "users"
    __table_args__ = {"sqlite_autoincrement": True}  # an id is never given twice, even after a delete

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    display_name: str = Field(max_length=100)
    password_hash: str = Field(max_length=200)
    roles: str = Field(max_length=200)  # space-separated role names
    unit_id: int = Field(foreign_key="units.id", index=True)
    active: bool = True
    created_at: NaiveDatetime
    token_key: str = Field(max_length=32)  # random; a new one ends every token issued under the old
    logins_unlocked_at: NaiveDatetime | None = None  # failed logins before it no longer slow logins down
    calendar_key: str | None = Field(default=None, max_length=64)  # SHA-256 of the calendar feed token, if any


class WorkflowVersion(SQLModel, table=True):
    """One version of a workflow definition and its policy, named by content hash."""

    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    version: int
    content_hash: str = Field(unique=True, max_length=64)
    definition: str = Field(sa_column=_text(False))
    created_at: NaiveDatetime


class CaseNumberCounter(SQLModel, table=True):
    """The last case number given per prefix and year."""

    __tablename__ = "case_number_counters"

    prefix: str = Field(primary_key=True, max_length=20)
    year: int = Field(primary_key=True)
    last: int = 0


class Case(SQLModel, table=True):
    """A dispute case. Only the engine writes `state`, `version` and the chain head."""

    __tablename__ = "cases"
    __table_args__ = (
        # A state's or stage's cases newest first, with the reach test's columns: a list filtered by either
        # pages and counts (capped) from the index alone, however rare or common the value.
        Index("ix_cases_state_list", "state", "id", "unit_path", "mediator_id", "department_id", "court_id"),
        Index("ix_cases_stage_list", "stage", "id", "unit_path", "mediator_id", "department_id", "court_id"),
        # Covers the reach test of case lists, so counting a reach reads the index only.
        Index("ix_cases_reach", "unit_path", "mediator_id", "department_id", "court_id"),
        Index("ix_cases_channel", "channel"),
        Index("ix_cases_category", "category"),
        Index("ix_cases_risk_level", "risk_level"),
        Index("ix_cases_mediator", "mediator_id"),
        Index("ix_cases_department", "department_id"),
        Index("ix_cases_court", "court_id"),
        Index("ix_cases_created", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=64)
    title: str = Field(max_length=200)
    category: str | None = Field(default=None, max_length=40)
    channel: str = Field(max_length=40)
    unit_id: int = Field(foreign_key="units.id")
    unit_path: str = Field(max_length=1000)
    workflow_version_id: int = Field(foreign_key="workflow_versions.id")
    state: str = Field(max_length=64)
    stage: str = Field(max_length=32)
    version: int = 1
    risk_level: str = Field(default="low", max_length=16)
    mechanism: str | None = Field(default=None, max_length=20)
    resolver: str | None = Field(default=None, max_length=20)
    mediator_id: int | None = Field(default=None, foreign_key="users.id")
    department_id: int | None = Field(default=None, foreign_key="units.id")
    court_id: int | None = Field(default=None, foreign_key="units.id")
    ladder_level: int = 0
    ladder_attempts: int = 0
    return_count: int = 0
    recurrence_count: int = 0
    key_case: bool = False
    resolved_level: str | None = Field(default=None, max_length=20)
    party_ids: str = Field(sa_column=_text(False))  # JSON list
    progress: str = Field(sa_column=_text(False))  # JSON object: consents, signatures, visits…
    last_event_hash: str = Field(max_length=64)
    event_count: int = 0
    # The ids of the case's events in order ("12,57,903"): the timeline is read by id, so the
    # append-only events table needs no index by case (each transition writes one page less).
    event_ids: str = Field(default="", sa_column=_text(False, server_default=""))
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: NaiveDatetime
    updated_at: NaiveDatetime
    triaged_at: NaiveDatetime | None = None
    mediation_at: NaiveDatetime | None = None
    joint_at: NaiveDatetime | None = None
    court_at: NaiveDatetime | None = None
    follow_up_at: NaiveDatetime | None = None
    closed_at: NaiveDatetime | None = None


class CaseText(SQLModel, table=True):
    """A case's facts as filed: written once at intake, kept out of the case row that every
    transition rewrites (a long text there would be copied again on each change)."""

    __tablename__ = "case_texts"

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    description: str = Field(sa_column=_text(False))


class CaseSearch(SQLModel, table=True):
    """A case's searchable text (number, title, facts, parties' names; one per line), kept by
    `mediation.db.search_index.refresh` in the transaction that changes it; its character grams are
    indexed (SQLite: the FTS5 table case_search_grams; PostgreSQL: a GIN index)."""

    __tablename__ = "case_search"

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    text: str = Field(sa_column=_text(False))


class Party(SQLModel, table=True):
    """A party to a case, as recorded at intake."""

    __tablename__ = "parties"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    name: str = Field(index=True, max_length=100)
    role: str = Field(max_length=20)  # applicant, respondent, third_party
    id_number: str | None = Field(default=None, max_length=18)
    phone: str | None = Field(default=None, max_length=20)
    is_minor: bool = False
    # Particulars (DESIGN §9.2), all optional; the address is masked like a phone number.
    gender: str | None = Field(default=None, max_length=10)  # male, female
    ethnicity: str | None = Field(default=None, max_length=20)  # one of the 56 nationalities by name
    birth_date: date | None = None
    occupation: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=40)  # spoken language when not Mandarin
    needs_interpreter: bool = False
    organisation_name: str | None = Field(default=None, max_length=200)  # a company as a party
    legal_representative: str | None = Field(default=None, max_length=100)


class Attachment(SQLModel, table=True):
    """A file attached to a case (evidence, signed paper, ID document, photo, audio), its bytes in
    `attachment_chunks`; the `attach` event of the case carries its SHA-256."""

    __tablename__ = "attachments"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=20)  # evidence, signed_agreement, id_document, photo, audio, other
    description: str | None = Field(default=None, max_length=500)
    file_name: str = Field(max_length=255)
    content_type: str = Field(max_length=100)  # as sniffed from the bytes
    size_bytes: int
    sha256: str = Field(max_length=64)
    uploaded_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: NaiveDatetime


class AttachmentChunk(SQLModel, table=True):
    """A piece of an attachment's bytes, in order: an upload or a download never holds the whole file."""

    __tablename__ = "attachment_chunks"

    attachment_id: int = Field(foreign_key="attachments.id", primary_key=True)
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class CaseShare(SQLModel, table=True):
    """A case shared with another unit for cross-jurisdiction co-mediation."""

    __tablename__ = "case_shares"
    __table_args__ = (Index("ix_case_shares_unit", "unit_id"),)

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    unit_id: int = Field(foreign_key="units.id", primary_key=True)
    created_at: NaiveDatetime
    reason: str | None = Field(default=None, sa_column=_text())
    shared_by: str | None = Field(default=None, max_length=64)  # the username of who shared it


class Event(SQLModel, table=True):
    """One audited change of a case, hash-chained to the case's previous event.

    Append-only, in the order written: a new event goes to the table's last page. A case's
    events are found through `cases.event_ids` (written with the case row in the same
    transaction), not through an index, so appending touches one B-tree page.
    """

    __tablename__ = "events"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    seq: int  # 1, 2, … within the case
    trigger: str = Field(max_length=64)
    actor: str = Field(max_length=64)
    at: NaiveDatetime
    from_state: str | None = Field(default=None, max_length=64)
    to_state: str = Field(max_length=64)
    data: str = Field(sa_column=_text(False))  # canonical JSON
    reason: str | None = Field(default=None, sa_column=_text())
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Deadline(SQLModel, table=True):
    """A timer: when it is due, the worker fires its action through the engine."""

    __tablename__ = "deadlines"
    __table_args__ = (
        # Only pending deadlines are looked up by due time (then id: the worker's and my work's order);
        # cancelling leaves this index.
        Index("ix_deadlines_pending_due", "due_at", "id", sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
        Index("ix_deadlines_case", "case_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    kind: str = Field(max_length=64)
    state: str | None = Field(default=None, max_length=64)  # the state or stage it guards, if any
    due_at: NaiveDatetime
    action: str = Field(max_length=64)
    status: str = Field(default="pending", max_length=16)  # pending, done, cancelled
    created_at: NaiveDatetime
    fired_at: NaiveDatetime | None = None
    # Counted in working days over a year whose holidays are estimated (no State Council arrangement yet).
    estimated: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class Order(SQLModel, table=True):
    """The order of a key case (重点疑难): owner, co-units, deadline, milestones."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_deadline", "deadline", "id"),)  # the orders list, in deadline order

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", unique=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    co_units: str = Field(sa_column=_text(False))  # JSON list of unit codes
    milestones: str = Field(sa_column=_text(False))  # JSON list
    deadline: date
    status: str = Field(default="open", max_length=16)  # open, due_soon, overdue, done
    created_at: NaiveDatetime


class OutboxMessage(SQLModel, table=True):
    """A notification written with its transition, delivered later by the worker.

    While `sending`, `next_attempt_at` is the end of the claiming worker's lease (`lease_token`):
    an expired lease makes the message claimable again. `attempts` counts tries started.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    event_seq: int
    topic: str = Field(max_length=64)
    recipient: str = Field(max_length=64)
    payload: str = Field(sa_column=_text(False))
    status: str = Field(default="pending", max_length=16)  # pending, sending, sent, dead, skipped
    attempts: int = 0
    next_attempt_at: NaiveDatetime
    created_at: NaiveDatetime
    lease_token: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, sa_column=_text())
    sent_at: NaiveDatetime | None = None


class Webhook(SQLModel, table=True):
    """An endpoint the worker POSTs outbox messages to, signed with its secret."""

    __tablename__ = "webhooks"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    secret: str = Field(sa_column=_text(False))
    topics: str | None = Field(default=None, sa_column=_text())  # space-separated; NULL: every topic
    active: bool = True
    created_at: NaiveDatetime


class WebhookDelivery(SQLModel, table=True):
    """One message accepted (2xx) by one endpoint: a retry of the message skips it.

    `webhook_id` 0 is the endpoint configured by MEDIATION_WEBHOOK_URL (no row in `webhooks`).
    """

    __tablename__ = "webhook_deliveries"

    outbox_id: int = Field(foreign_key="outbox.id", primary_key=True)
    webhook_id: int = Field(primary_key=True)
    status_code: int
    delivered_at: NaiveDatetime


class IdempotencyKey(SQLModel, table=True):
    """A request's key and its first answer, so a retry gets the same answer."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    case_id: int | None = None
    response_status: int
    response_body: str = Field(sa_column=_text(False))
    created_at: NaiveDatetime


class Setting(SQLModel, table=True):
    """A named value every process shares, e.g. the token-signing secret."""

    __tablename__ = "settings"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=_text(False))


class LoginAttempt(SQLModel, table=True):
    """A failed login, counted per username and per address to slow guessing."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username", "username", "at"),
        Index("ix_login_attempts_address", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    address: str = Field(max_length=64)
    at: NaiveDatetime


class Notification(SQLModel, table=True):
    """A notice for one person (assignment, reminder, 督办, referral, court decision, share…), read or not.

    Written in the transaction that writes the outbox message it mirrors, so nothing a webhook hears is
    missing from the person's own list.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    case_id: int | None = Field(default=None, foreign_key="cases.id")
    topic: str = Field(max_length=64)
    payload: str = Field(sa_column=_text(False))  # canonical JSON: what the notice says beyond its topic
    created_at: NaiveDatetime
    read_at: NaiveDatetime | None = None


class SavedFilter(SQLModel, table=True):
    """A list's filters saved under a name by one user (the board, my work, orders…)."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "list_name", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    list_name: str = Field(max_length=32)  # cases, work, orders
    name: str = Field(max_length=100)
    query: str = Field(sa_column=_text(False))  # the list's query string, e.g. "state=mediation.assigned&overdue=true"
    created_at: NaiveDatetime


class PersonalDataView(SQLModel, table=True):
    """Someone saw a case's unmasked ID or phone numbers (PIPL): who, which case, when, through what."""

    __tablename__ = "personal_data_views"
    __table_args__ = (Index("ix_personal_data_views_case", "case_id", "viewed_at"),
                      Index("ix_personal_data_views_at", "viewed_at"))

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    case_id: int = Field(foreign_key="cases.id")
    via: str = Field(max_length=40)  # api_case, web_case, document:case_file, attachment:id_document, export…
    viewed_at: NaiveDatetime


class DirectoryChange(SQLModel, table=True):
    """An administrator's change to a unit or a user, kept for audit (never the password itself)."""

    __tablename__ = "directory_changes"
    __table_args__ = (Index("ix_directory_changes_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id")  # None: the command line
    action: str = Field(max_length=40)  # unit_created, unit_changed, user_created, user_changed, password_set…
    target: str = Field(max_length=64)  # the unit code or the username
    details: str = Field(sa_column=_text(False))  # canonical JSON of what changed
    at: NaiveDatetime


class MigrationPlan(SQLModel, table=True):
    """A dry run of `workflows migrate`: which version to which, the state map, its totals and hash."""

    __tablename__ = "migration_plans"

    id: int | None = Field(default=None, primary_key=True)
    hash: str | None = Field(default=None, unique=True, max_length=64)  # set when the dry run has finished
    workflow: str = Field(max_length=64)
    from_version_id: int = Field(foreign_key="workflow_versions.id")
    to_version_id: int = Field(foreign_key="workflow_versions.id")
    state_map: str = Field(sa_column=_text(False))  # canonical JSON {old state: new state}
    totals: str | None = Field(default=None, sa_column=_text())  # canonical JSON of the dry run's totals
    created_at: NaiveDatetime


class MigrationPlanCase(SQLModel, table=True):
    """One in-flight case of a migration plan: what the dry run predicted and what `--apply` did."""

    __tablename__ = "migration_plan_cases"
    __table_args__ = {"sqlite_with_rowid": False}  # SQLite: the rows live in the key's B-tree, written once

    plan_id: int = Field(foreign_key="migration_plans.id", primary_key=True)
    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    case_version: int  # the case's version when planned: a different one at apply means a person changed it
    from_state: str = Field(max_length=64)
    to_state: str | None = Field(default=None, max_length=64)
    outcome: str = Field(max_length=32)  # as_is, state_mapped or a reason code it cannot move
    detail: str | None = Field(default=None, max_length=64)  # the guard or deadline kind a reason names
    deadline_changes: str = Field(sa_column=_text(False))  # canonical JSON list
    status: str = Field(default="planned", max_length=16)  # planned, moved, changed, refused, skipped
    moved_at: NaiveDatetime | None = None
