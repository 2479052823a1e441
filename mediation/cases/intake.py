"""Intake: a new case enters `screening.reported` with its parties and its first event."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from mediation import jsontext
from mediation.cases import figure_rows, party_rows
from mediation.cases import rows as case_rows
from mediation.cases.hashchain import GENESIS
from mediation.cases.idempotency import StoredAnswer, hold_key, record_answer
from mediation.cases.share_rows import INSERT_SHARE
from mediation.clock import utcnow
from mediation.db import Database, RawTransaction, search_index
from mediation.directory.actors import CASE_FILING_ROLES, Actor
from mediation.directory.queries import unit_by_code
from mediation.errors import Forbidden, InvalidData
from mediation.observability import count_transition
from mediation.workflows.calendar import china_today
from mediation.workflows.particulars import PARTICULAR_FIELDS, PHONE
from mediation.workflows.trigger_data import (
    checked_id_number,
    checked_text,
    clean_fields,
)

PARTY_ROLES = ("applicant", "respondent", "third_party")
OPPOSING_SIDES = frozenset({"applicant", "respondent"})
REFERRAL_IN = "referral_in"
# The share that keeps the unit that referred a case in following it (DESIGN §9.5).
REFERRAL_SHARE_REASON = "转入案件，转出单位协同跟进"
LADDER_START = {"grid": "grid", "community": "community", "town": "station", "station": "station", "county": "county"}

NEXT_NUMBER = """
INSERT INTO case_number_counters (prefix, year, last) VALUES (:prefix, :year, 1)
ON CONFLICT (prefix, year) DO UPDATE SET last = case_number_counters.last + 1
RETURNING last
"""
INSERT_CASE = """
INSERT INTO cases (number, title, category, channel, unit_id, unit_path, workflow_version_id,
  state, stage, version, risk_level, ladder_level, ladder_attempts, return_count, recurrence_count, key_case,
  party_ids, progress, last_event_hash, event_count, created_by, created_at, updated_at)
VALUES (:number, :title, :category, :channel, :unit_id, :unit_path, :workflow_version_id,
  :state, :stage, 1, :risk_level, :ladder_level, 0, 0, 0, :key_case, '[]', '{}', :genesis, 0, :created_by,
  :now, :now)
RETURNING id
"""
INSERT_TEXT = "INSERT INTO case_texts (case_id, description) VALUES (:case_id, :description)"


@dataclass
class PartyInput:
    """A party as filed; a company gives its `organisation` ({name, legal_representative}) and needs no
    person's ID number."""

    name: str
    role: str
    id_number: str | None = None
    phone: str | None = None
    is_minor: bool = False
    gender: str | None = None
    ethnicity: str | None = None
    birth_date: str | None = None  # ISO date
    occupation: str | None = None
    address: str | None = None
    language: str | None = None
    needs_interpreter: bool = False
    organisation: dict[str, Any] | None = None

    def particulars(self) -> dict[str, Any]:
        """The particulars given (DESIGN §9.2), as `add_party` names them."""
        return {spec.name: getattr(self, spec.name) for spec in PARTICULAR_FIELDS
                if getattr(self, spec.name) is not None}


@dataclass
class CaseInput:
    """What intake needs; checked by `case_problems`, and by `open_case` before it files."""

    title: str
    description: str
    channel: str
    unit: str
    parties: list[PartyInput] = field(default_factory=list)
    category: str | None = None
    risk_level: str = "low"
    referred_by: str | None = None  # referral_in: the code of the partner unit that referred it (DESIGN §9.5)


def case_problems(case: CaseInput, policy: dict[str, Any], risk_levels: tuple[str, ...], *,
                  now: datetime | None = None) -> list[InvalidData]:
    """Every problem of the case's own fields, in the order of the fields (each party row's after the
    case's), without the database: empty when the case may be filed. Whether its unit exists and is
    in the filer's jurisdiction is `open_case`'s to check. `now` dates the ID numbers' birth dates."""
    return list(_problems(case, policy, risk_levels, now or utcnow()))


def _problems(case: CaseInput, policy: dict[str, Any], risk_levels: tuple[str, ...],
              now: datetime) -> Iterator[InvalidData]:
    """The rules of intake, one place each; lazy, so `open_case` stops at the first problem."""
    limits = policy["limits"]
    yield from _text_problem("title", case.title, limits["short_text_max_length"])
    yield from _text_problem("description", case.description, limits["text_max_length"])
    if case.channel not in policy["channels"]:
        yield InvalidData("channel", f"must be one of {list(policy['channels'])}")
    if case.category is not None and case.category not in policy["categories"]:
        yield InvalidData("category", f"must be one of {list(policy['categories'])}")
    if case.risk_level not in risk_levels:
        yield InvalidData("risk_level", f"must be one of {list(risk_levels)}")
    if case.referred_by is not None and case.channel != REFERRAL_IN:
        yield InvalidData("referred_by", "names the referring unit of a referral_in case only")
    if not case.parties:
        yield InvalidData("parties", "at least one party is required")
    if len(case.parties) > limits["parties_per_case"]:
        yield InvalidData("parties", f"at most {limits['parties_per_case']} parties per case")
        return  # the rows of an oversized list are not looked at
    for i, party in enumerate(case.parties):
        own = list(_party_problems(party, f"parties[{i}]", policy, now))
        yield from own
        if not own:  # a party whose own fields are right may still be an earlier one again
            yield from _same_person_problem(case.parties, i)


def _party_problems(party: PartyInput, where: str, policy: dict[str, Any], now: datetime) -> Iterator[InvalidData]:
    """The problems of one party row's own fields, in the order of the fields."""
    yield from _text_problem(f"{where}.name", party.name, 100)
    if party.id_number is not None:
        yield from _id_number_problem(f"{where}.id_number", party.id_number, china_today(now))
    if party.phone is not None and not (isinstance(party.phone, str) and PHONE.match(party.phone)):
        yield InvalidData(f"{where}.phone", "must be an 11-digit mobile or a landline number")
    if party.role not in PARTY_ROLES:
        yield InvalidData(f"{where}.role", f"must be one of {list(PARTY_ROLES)}")
    if not isinstance(party.is_minor, bool):
        yield InvalidData(f"{where}.is_minor", "must be true or false")
    try:
        clean_fields(PARTICULAR_FIELDS, party.particulars(), policy, now=now, where=where)
    except InvalidData as problem:
        yield problem


def _id_number_problem(where: str, value: Any, today: date) -> Iterator[InvalidData]:
    """`checked_id_number`'s refusal, as a problem."""
    try:
        checked_id_number(where, value, today)
    except InvalidData as problem:
        yield problem


def _identity(party: PartyInput) -> tuple[str | None, str | None]:
    """The party's name and ID number as compared (trimmed; `x` as `X`); None where not text."""
    name = party.name.strip() if isinstance(party.name, str) else None
    number = party.id_number.strip().upper() if isinstance(party.id_number, str) else None
    return name, number


def _same_person_problem(parties: list[PartyInput], i: int) -> Iterator[InvalidData]:
    """The i-th party is one of the earlier ones: the same ID number (one person is one party), or on
    the other side of the dispute under the same name without two different ID numbers to tell them apart."""
    name, number = _identity(parties[i])
    for earlier in parties[:i]:
        earlier_name, earlier_number = _identity(earlier)
        if number is not None and number == earlier_number:
            yield InvalidData(f"parties[{i}].id_number", "is the ID number of another party: one person is one party")
            return
        if ({parties[i].role, earlier.role} == OPPOSING_SIDES and name and name == earlier_name
                and not (number and earlier_number)):
            yield InvalidData(f"parties[{i}].name", "applicant and respondent have the same name: "
                                                    "give both ID numbers to tell them apart")
            return


def _text_problem(where: str, value: Any, limit: int) -> Iterator[InvalidData]:
    """`checked_text`'s refusal of a required text, as a problem."""
    try:
        checked_text(where, value, limit, required=True)
    except InvalidData as problem:
        yield problem


def _case_number(tx: RawTransaction, unit_path: str, now: datetime) -> str:
    root_code = unit_path.strip("/").split("/")[0]
    root = unit_by_code(tx, root_code)
    prefix = (root.abbreviation or root.name[:2]) if root else "调"
    serial = tx.one(NEXT_NUMBER, {"prefix": prefix, "year": now.year})[0]
    return f"{prefix}调〔{now.year}〕{serial:05d}号"


def open_case(db: Database, *, actor: Actor, case: CaseInput, now: datetime | None = None) -> int:
    """File a new case in the actor's jurisdiction; returns its id."""
    now = now or utcnow()
    version_id, definition = _checked(db, actor, case, now)
    with db.write() as tx:
        return _insert_case(tx, actor, case, version_id, definition, now)


def open_case_answered(
    db: Database,
    *,
    actor: Actor,
    case: CaseInput,
    respond: Callable[[int, RawTransaction], tuple[int, str]],
    idempotency_key: str | None = None,
    request_hash: str = "",
    now: datetime | None = None,
) -> StoredAnswer:
    """Intake answered in its own transaction: the answer is built (and stored under the key) with the new case.

    A retry under the same key gets the stored answer (`replayed`).
    """
    now = now or utcnow()
    version_id, definition = _checked(db, actor, case, now)
    with db.write() as tx:
        if idempotency_key is not None:
            stored = hold_key(tx, user_id=actor.user_id, key=idempotency_key, digest=request_hash, now=now)
            if stored is not None:
                return stored
        case_id = _insert_case(tx, actor, case, version_id, definition, now)
        status, body = respond(case_id, tx)
        if idempotency_key is not None:
            record_answer(tx, user_id=actor.user_id, key=idempotency_key, digest=request_hash, case_id=case_id,
                          status=status, body=body)
        return StoredAnswer(status, body)


def _checked(db: Database, actor: Actor, case: CaseInput, now: datetime):
    if not actor.roles & CASE_FILING_ROLES:
        raise Forbidden("your roles may not file cases", roles=sorted(actor.roles))
    version_id = db.workflows.current_version_id()
    definition = db.workflows.machine(version_id).definition
    first = next(_problems(case, definition.policy, definition.risk_levels, now), None)
    if first is not None:
        raise first
    return version_id, definition


def _insert_case(tx: RawTransaction, actor: Actor, case: CaseInput, version_id: int, definition, now: datetime) -> int:
    """Insert the case, its parties and its intake event; returns the case id."""
    unit = unit_by_code(tx, case.unit)
    if unit is None:
        raise InvalidData("unit", f"no unit '{case.unit}'")
    unit_id, unit_path, unit_kind = unit.id, unit.path, unit.kind
    partner_id = _referring_partner(tx, actor, case, unit_path)
    levels = [step["level"] for step in definition.policy["escalation_ladder"]]
    start = LADDER_START.get(unit_kind)
    stamp = tx.timestamp(now)
    case_id = tx.one(INSERT_CASE, {
        "number": _case_number(tx, unit_path, now), "title": case.title.strip(),
        "category": case.category, "channel": case.channel,
        "unit_id": unit_id, "unit_path": unit_path, "workflow_version_id": version_id,
        "state": definition.initial, "stage": definition.initial.split(".")[0],
        "risk_level": case.risk_level, "ladder_level": levels.index(start) if start in levels else 0,
        "key_case": False, "genesis": GENESIS, "created_by": actor.user_id or None, "now": stamp,
    })[0]
    tx.execute(INSERT_TEXT, {"case_id": case_id, "description": case.description.strip()})
    policy = definition.policy
    party_ids = [party_rows.insert_party(tx, case_id, _party_fields(p, policy, now)) for p in case.parties]
    search_index.refresh(tx, case_id)
    needing = [party_id for party_id, p in zip(party_ids, case.parties) if p.needs_interpreter]
    event_data = {"title": case.title.strip(), "channel": case.channel, "category": case.category,
                  "unit": case.unit, "risk_level": case.risk_level, "party_ids": party_ids}
    if case.referred_by is not None:
        event_data["referred_by"] = case.referred_by
    if partner_id is not None:
        tx.execute(INSERT_SHARE, {"case_id": case_id, "unit_id": partner_id, "now": stamp,
                                            "reason": REFERRAL_SHARE_REASON, "shared_by": actor.username})
    event_hash, event_id = case_rows.append_event(
        tx, case_id=case_id, seq=1, prev_hash=GENESIS, trigger="intake", actor=actor.username, at=now,
        from_state=None, to_state=definition.initial, data=event_data, reason=None,
    )
    tx.after_commit(count_transition, "intake")
    tx.execute(
        "UPDATE cases SET party_ids = :party_ids, progress = :progress, last_event_hash = :hash, event_count = 1, "
        "event_ids = :event_ids WHERE id = :id",
        {"party_ids": jsontext.dumps(party_ids), "hash": event_hash, "event_ids": str(event_id), "id": case_id,
         "progress": jsontext.dumps({"interpreter_needed": needing} if needing else {})},
    )
    figure_rows.add_case(tx, case_id)  # counted in the supervisors' figures with the case
    return case_id


def _referring_partner(tx: RawTransaction, actor: Actor, case: CaseInput, unit_path: str) -> int | None:
    """The unit a `referral_in` case is shared with at intake (the partner that referred it), or None.

    A case is filed in the filer's jurisdiction, except a referral a partner's user files into ours
    naming their own unit as `referred_by`: the case is then shared with that unit, which keeps following it.
    """
    partner = None
    if case.referred_by is not None:
        partner = unit_by_code(tx, case.referred_by)
        if partner is None:
            raise InvalidData("referred_by", f"no unit '{case.referred_by}'")
    own = actor.is_system or unit_path.startswith(actor.unit_path)
    if not own and not (partner is not None and partner.id == actor.unit_id):
        raise InvalidData("unit", f"unit '{case.unit}' is outside your jurisdiction")
    if partner is None or unit_path.startswith(partner.path):
        return None  # the referring unit reaches the case already
    return partner.id


def _party_fields(party: PartyInput, policy: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A checked party's fields as its row takes them (trimmed, the ID number with `X`)."""
    particulars = clean_fields(PARTICULAR_FIELDS, party.particulars(), policy, now=now, where="party")
    return {"name": party.name.strip(), "role": party.role, "id_number": _identity(party)[1], "phone": party.phone,
            "is_minor": party.is_minor, **particulars}
