"""What the case went through beyond its records (DESIGN §9.3): the signing of the agreement, the
court's confirmation and ruling number, every return visit, the referral and the department's
feedback, the key-case order and the next session date.

Read from the case's events and progress, in the reader's words: units by name, people by their
display name, parties by name, coded values by their labels. The names are looked up in one
snapshot (one query for people, one for units when the events name any).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mediation.cases.read_models import CaseDetail, EventView
from mediation.db import Database
from mediation.directory.queries import display_names, unit_names
from mediation.web.i18n import Words
from mediation.web.page import local_time
from mediation.workflows.definition import WorkflowDefinition

COURT_TRIGGERS = ("apply_judicial_confirmation", "court_accept", "court_decline", "extend_review", "confirm",
                  "reject", "remediate", "advise_litigation")
REFERRAL_TRIGGERS = ("refer_department", "acknowledge", "return_referral", "submit_feedback", "confirm_feedback",
                     "reject_feedback")
ORDER_TRIGGERS = ("designate_key_case", "supervise")
UNIT_FIELDS = frozenset({"court", "department", "unit", "referred_by"})
USER_FIELDS = frozenset({"owner", "mediator"})
CODED = frozenset({"outcome", "mechanism", "resolver", "risk_level", "signer", "method", "kind"})
DATES = frozenset({"next_session_at", "held_at", "at"})


@dataclass
class Step:
    """One event of a proceeding: what was done, when, by whom, and its details in words."""

    seq: int
    label: str
    at: str
    actor: str
    lines: list[tuple[str, str]]

    @property
    def anchor(self) -> str:
        return f"step-{self.seq}"


@dataclass
class Visit:
    """A return visit: when, by whom, its result (stable or not) and what was found."""

    seq: int
    number: int
    at: str
    actor: str
    outcome: str
    stable: bool
    notes: str

    @property
    def anchor(self) -> str:
        return f"visit-{self.seq}"


@dataclass
class Proceedings:
    signing: list[tuple[str, bool]] = field(default_factory=list)  # (who signs or seals, done)
    court: list[Step] = field(default_factory=list)
    ruling_number: str | None = None
    visits: list[Visit] = field(default_factory=list)
    referral: list[Step] = field(default_factory=list)
    order: list[Step] = field(default_factory=list)
    next_session: str | None = None  # the date `adjourn` set, while the case waits for that session
    actor_names: dict[str, str] = field(default_factory=dict)  # username -> display name (the timeline)
    unit_names: dict[str, str] = field(default_factory=dict)  # unit code -> name (the timeline's shares)

    def anchors(self) -> dict[int, str]:
        """Event seq -> the anchor of its entry here (for the timeline's links)."""
        return {item.seq: item.anchor for item in [*self.court, *self.visits, *self.referral, *self.order]}


class _Names:
    """Data values in the reader's words, with units, users and parties named."""

    def __init__(self, words: Words, definition: WorkflowDefinition, detail: CaseDetail,
                 units: dict[str, tuple[str, str]], users: dict[str, str]) -> None:
        self.words, self.definition, self.units, self.users = words, definition, units, users
        self.parties = {p.id: p.name for p in detail.parties}

    def text(self, name: str, value: Any) -> str:
        words = self.words
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, bool):
            return words.t("yes") if value else words.t("no")
        if name in UNIT_FIELDS:
            return self.units.get(str(value), (str(value), ""))[0]
        if name == "co_units" and isinstance(value, list):
            return "、".join(self.units.get(str(code), (str(code), ""))[0] for code in value)
        if name in USER_FIELDS:
            return self.users.get(str(value), str(value))
        if name in ("applicants", "party_ids") and isinstance(value, list):
            return "、".join(self.parties.get(item, str(item)) for item in value)
        if name in DATES:
            return local_time(str(value))
        if isinstance(value, list):
            return "、".join(self._item(item) for item in value)
        return words.value(str(value)) if name in CODED else str(value)

    def _item(self, item: Any) -> str:
        if isinstance(item, dict):  # a milestone: {title/name, due …}
            return "，".join(str(v) for v in item.values())
        return self.words.value(str(item))

    def step(self, event: EventView) -> Step:
        spec = self.definition.triggers.get(event.trigger)
        order = [f.name for f in spec.fields] if spec else []
        keys = [k for k in order + [k for k in event.data if k not in order] if k in event.data and k != "previous"]
        label = self.words.label(spec.labels if spec else None, self.words.value(event.trigger))
        lines = [(self.words.field(key), self.text(key, event.data[key])) for key in keys]
        if event.reason and "reason" not in event.data:
            lines.append((self.words.field("reason"), event.reason))
        return Step(event.seq, label, event.at, self.users.get(event.actor, event.actor), lines)


def proceedings(db: Database, events: list[EventView], detail: CaseDetail, definition: WorkflowDefinition,
                words: Words) -> Proceedings:
    """The case's proceedings from its events, oldest first, with every name looked up once."""
    units, users = _lookup(db, events)
    names = _Names(words, definition, detail, units, users)
    found = Proceedings(actor_names=users, unit_names={code: name for code, (name, _kind) in units.items()})
    found.court = [names.step(e) for e in events if e.trigger in COURT_TRIGGERS]
    found.referral = [names.step(e) for e in events if e.trigger in REFERRAL_TRIGGERS]
    found.order = [names.step(e) for e in events if e.trigger in ORDER_TRIGGERS]
    found.visits = _visits(events, names)
    rulings = [e.data["ruling_number"] for e in events if e.trigger in ("confirm", "reject")
               and e.data.get("ruling_number")]
    found.ruling_number = str((detail.progress or {}).get("ruling_number") or (rulings[-1] if rulings else "")) or None
    found.signing = _signing(detail, words)
    found.next_session = _next_session(events, detail)
    return found


def _lookup(db: Database, events: list[EventView]) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """The units and the people the events name: (code -> (name, kind), username -> display name)."""
    codes: set[str] = set()
    people = {e.actor for e in events}
    for event in events:
        data = event.data
        codes.update(str(data[k]) for k in UNIT_FIELDS if isinstance(data.get(k), str))
        codes.update(str(code) for code in data.get("co_units") or [] if isinstance(code, str))
        people.update(str(data[k]) for k in USER_FIELDS if isinstance(data.get(k), str))
    with db.snapshot() as tx:
        return (unit_names(tx, codes) if codes else {}), (display_names(tx, people) if people else {})


def _visits(events: list[EventView], names: _Names) -> list[Visit]:
    """Every return visit recorded, numbered in order."""
    visits = [e for e in events if e.trigger == "record_return_visit"]
    return [Visit(e.seq, number, e.at, names.users.get(e.actor, e.actor), names.text("outcome", e.data.get("outcome")),
                  e.data.get("outcome") == "stable", str(e.data.get("notes") or ""))
            for number, e in enumerate(visits, start=1)]


def _signing(detail: CaseDetail, words: Words) -> list[tuple[str, bool]]:
    """Who has signed the written agreement, the mediator's signature and the committee's seal."""
    progress = detail.progress or {}
    agreement = progress.get("agreement")
    if not isinstance(agreement, dict) or agreement.get("oral") or "signatures" not in progress:
        return []
    signed = set(progress.get("signatures") or [])
    rows = [(p.name, p.id in signed) for p in detail.parties]
    rows.append((words.t("mediator_signature"), bool(progress.get("mediator_signed"))))
    rows.append((words.t("committee_seal"), bool(progress.get("sealed"))))
    return rows


def _next_session(events: list[EventView], detail: CaseDetail) -> str | None:
    """The next session `adjourn` set, while the case has not started a session since."""
    if detail.stage != "mediation":
        return None
    for event in reversed(events):
        if event.trigger in ("start_session", "mediate_on_scene"):
            return None
        if event.trigger == "adjourn" and event.data.get("next_session_at"):
            return local_time(str(event.data["next_session_at"]))
    return None
