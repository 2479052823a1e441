"""Typed shapes of what readers get: cases, parties, deadlines, events (msgspec structs).

The API encodes them as they are and documents them in its OpenAPI schema. Their timestamps are
ISO 8601 text with the offset, in UTC (`2026-03-02T01:00:00.000000Z`, DESIGN §9.1): the stored
naive-UTC moment, marked as such (`utc_text`); dates stay dates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from mediation.db import parse_timestamp


class Row(dict):
    """A row read through the raw path, as a dict with attribute access (what access checks read)."""

    __getattr__ = dict.__getitem__


def rows_of(cursor: Any) -> list[Row]:
    """The rows a cursor holds, each as a Row named by its columns."""
    names = [column[0] for column in cursor.description]
    return [Row(zip(names, values)) for values in cursor.fetchall()]


def utc_text(value: Any) -> str | None:
    """A stored (naive UTC) timestamp as ISO text with its offset, `Z` (SQLite hands back text already)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.replace(" ", "T", 1) + "Z"
    return parse_timestamp(value).isoformat(timespec="microseconds") + "Z"


def with_offsets(value: Any, key: str = "") -> Any:
    """A case's progress with each moment the engine stamped (`…_at`, a visit's `at`) as `utc_text` gives it."""
    if isinstance(value, dict):
        return {name: with_offsets(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [with_offsets(item, key) for item in value]
    if isinstance(value, str) and (key == "at" or key.endswith("_at")) and _is_naive_moment(value):
        return utc_text(value)
    return value


def _is_naive_moment(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is None
    except ValueError:
        return False


class UnitRef(msgspec.Struct):
    code: str
    name: str


class UserRef(msgspec.Struct):
    username: str
    name: str


class OrganisationView(msgspec.Struct):
    name: str
    legal_representative: str | None


class PartyView(msgspec.Struct):
    """A party with its particulars (DESIGN §9.2): ID number, phone and address masked unless the reader may see them."""

    id: int
    name: str
    role: str
    id_number: str | None
    phone: str | None
    is_minor: bool
    gender: str | None = None
    ethnicity: str | None = None
    birth_date: str | None = None
    occupation: str | None = None
    address: str | None = None
    language: str | None = None
    needs_interpreter: bool = False
    organisation: OrganisationView | None = None


class DeadlineView(msgspec.Struct):
    kind: str
    scope: str | None
    due_at: str
    action: str
    status: str
    estimated: bool = False  # counted over a year whose holidays are estimated (no State Council arrangement yet)


class CaseDetail(msgspec.Struct):
    """One case as its reader may see it (numbers masked unless they may see them)."""

    id: int
    number: str
    title: str
    description: str
    category: str | None
    channel: str
    unit: UnitRef
    state: str
    stage: str
    state_labels: dict[str, str]
    version: int
    risk_level: str
    mechanism: str | None
    resolver: str | None
    mediator: UserRef | None
    department: UnitRef | None
    court: UnitRef | None
    ladder_level: str
    ladder_attempts: int
    return_count: int
    recurrence_count: int
    key_case: bool
    resolved_level: str | None
    progress: dict[str, Any]
    parties: list[PartyView]
    deadlines: list[DeadlineView]
    available_triggers: list[str]
    chain_head: str
    event_count: int
    created_at: str
    updated_at: str
    stage_times: dict[str, str | None]


class ShareView(msgspec.Struct):
    """A unit the case is shared with for co-mediation (DESIGN §9.5): who shared it, why and when."""

    unit: UnitRef
    reason: str | None
    shared_by: str | None  # the sharer's name
    shared_at: str


class CaseReceipt(msgspec.Struct):
    """What a caller may still see of a case its own change took out of its reach
    (a department handing a referral back): the case's id, number, state and version."""

    id: int
    number: str
    state: str
    stage: str
    version: int
    in_reach: bool = False


class CaseSummary(msgspec.Struct):
    id: int
    number: str
    title: str
    category: str | None
    channel: str
    state: str
    stage: str
    version: int
    risk_level: str
    key_case: bool
    unit: UnitRef
    created_at: str
    updated_at: str


class CasePage(msgspec.Struct):
    items: list[CaseSummary]
    total: int
    page: int
    page_size: int
    # False when counting stopped at the list's cap: `total` is then the cap + 1 ("more than the cap")
    total_exact: bool = True


class EventView(msgspec.Struct):
    seq: int
    trigger: str
    actor: str
    at: str
    from_state: str | None
    to_state: str
    data: dict[str, Any]
    reason: str | None
    prev_hash: str
    hash: str
