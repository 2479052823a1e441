"""One case as its reader may see it: the detail (parties masked per viewer, pending deadlines, the
triggers the reader may fire), its audit trail, the units it is shared with, and the answer to a
change of it (inside the change's transaction).

A case outside the reader's reach (DESIGN §5, shares included) is NotFound, exactly like one that
does not exist. Timestamps are stored naive UTC and read with their offset (ISO 8601 `…Z`, DESIGN
§9.1). The lists of cases are `views`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from mediation import jsontext
from mediation.cases import rows as case_rows
from mediation.cases.access import roles_may_fire
from mediation.cases.case_reach import reaches
from mediation.cases.masking import (
    mask_address,
    mask_id_number,
    mask_phone,
    masked_data,
    sees_full_numbers,
)
from mediation.cases.read_models import (
    CaseDetail,
    CaseReceipt,
    DeadlineView,
    EventView,
    OrganisationView,
    PartyView,
    Row,
    ShareView,
    UnitRef,
    UserRef,
    rows_of,
    utc_text,
    with_offsets,
)
from mediation.cases.shares import case_shares
from mediation.db import Database, RawTransaction
from mediation.directory.actors import Actor
from mediation.errors import NotFound
from mediation.workflows.trigger_data import MAX_ID

DETAIL_COLUMNS = (
    "c.id, c.number, c.title, t.description, c.category, c.channel, c.unit_id, c.unit_path, c.state, "
    "c.stage, c.version, c.risk_level, c.mechanism, c.resolver, c.mediator_id, c.department_id, c.court_id, "
    "c.ladder_level, c.ladder_attempts, c.return_count, c.recurrence_count, c.key_case, c.resolved_level, "
    "c.progress, c.last_event_hash, c.event_count, c.workflow_version_id, c.created_at, c.updated_at, "
    "c.triaged_at, c.mediation_at, c.joint_at, c.court_at, c.follow_up_at, c.closed_at, "
    "u.code AS unit_code, u.name AS unit_name, m.username AS mediator_username, "
    "m.display_name AS mediator_name, d.code AS department_code, d.name AS department_name, "
    "ct.code AS court_code, ct.name AS court_name"
)
RECEIPT_SQL = "SELECT number, state, stage, version FROM cases WHERE id = :id"
DETAIL_SQL = f"""
SELECT {DETAIL_COLUMNS} FROM cases c JOIN units u ON u.id = c.unit_id
LEFT JOIN case_texts t ON t.case_id = c.id
LEFT JOIN users m ON m.id = c.mediator_id LEFT JOIN units d ON d.id = c.department_id
LEFT JOIN units ct ON ct.id = c.court_id WHERE c.id = :id
"""
PARTIES_SQL = (
    "SELECT id, name, role, id_number, phone, is_minor, gender, ethnicity, birth_date, occupation, address, language, "
    "needs_interpreter, organisation_name, legal_representative FROM parties WHERE case_id = :id ORDER BY id"
)
DEADLINES_SQL = (
    "SELECT kind, state, due_at, action, status, estimated FROM deadlines WHERE case_id = :id AND status = 'pending' "
    "ORDER BY due_at"
)
STAGE_TIME_COLUMNS = ("triaged_at", "mediation_at", "joint_at", "court_at", "follow_up_at", "closed_at")


def _load_in_reach(tx: RawTransaction, actor: Actor, case_id: int) -> Row:
    rows = rows_of(tx.execute(DETAIL_SQL, {"id": case_id})) if 1 <= case_id <= MAX_ID else []
    if not rows:
        raise NotFound(f"case {case_id} not found", case_id=case_id)
    row = rows[0]
    if not reaches(tx, actor, row):
        raise NotFound(f"case {case_id} not found", case_id=case_id)
    return row


def answer_after_change(tx: RawTransaction, db: Database, actor: Actor, case_id: int,
                        in_reach: bool) -> CaseDetail | CaseReceipt:
    """The case as the caller may see it after their change, inside the change's transaction;
    its receipt when the change took it out of their reach."""
    if in_reach:
        return case_detail_in(tx, db, actor, case_id)
    number, state, stage, version = tx.one(RECEIPT_SQL, {"id": case_id})
    return CaseReceipt(id=case_id, number=number, state=state, stage=stage, version=version)


def available_triggers(db: Database, actor: Actor, row: Any) -> list[str]:
    """Triggers the actor may fire on the case now: state, role and the risk overlay."""
    machine = db.workflows.machine(row.workflow_version_id)
    referred_to_them = (row.department_id == actor.unit_id, row.court_id == actor.unit_id)
    return list(_triggers_for(machine, row.state, row.risk_level == "critical", actor.roles, referred_to_them))


@lru_cache(maxsize=4096)
def _triggers_for(machine: Any, state: str, critical: bool, roles: frozenset[str],
                  referred_to_them: tuple[bool, bool]) -> tuple[str, ...]:
    """available_triggers for one combination of all it depends on (asked on every read of a case)."""
    definition = machine.definition
    return tuple(
        name for name in machine.allowed_triggers(state)
        if roles_may_fire(roles, definition.triggers[name].roles, referred_to_them=referred_to_them)
        and (not critical or name in definition.critical_allows)
    )


def case_detail(db: Database, actor: Actor, case_id: int) -> CaseDetail:
    """The case with parties (masked per viewer), pending deadlines and the actor's triggers."""
    with db.snapshot() as tx:
        return case_detail_in(tx, db, actor, case_id)


def case_detail_in(tx: RawTransaction, db: Database, actor: Actor, case_id: int) -> CaseDetail:
    """case_detail inside an open transaction (the engine answers with it before commit)."""
    return _detail(tx, db, actor, _load_in_reach(tx, actor, case_id))


def _detail(tx: RawTransaction, db: Database, actor: Actor, row: Row) -> CaseDetail:
    parties = tx.all(PARTIES_SQL, {"id": row.id})
    deadlines = tx.all(DEADLINES_SQL, {"id": row.id})
    definition = db.workflows.machine(row.workflow_version_id).definition
    full = sees_full_numbers(actor, row)
    ladder = definition.policy["escalation_ladder"]
    return CaseDetail(
        id=row.id, number=row.number, title=row.title, description=row.description or "",
        category=row.category, channel=row.channel, unit=UnitRef(row.unit_code, row.unit_name),
        state=row.state, stage=row.stage, state_labels=definition.states.get(row.state, {}),
        version=row.version, risk_level=row.risk_level, mechanism=row.mechanism, resolver=row.resolver,
        mediator=UserRef(row.mediator_username, row.mediator_name) if row.mediator_id else None,
        department=UnitRef(row.department_code, row.department_name) if row.department_id else None,
        court=UnitRef(row.court_code, row.court_name) if row.court_id else None,
        ladder_level=ladder[row.ladder_level]["level"], ladder_attempts=row.ladder_attempts,
        return_count=row.return_count, recurrence_count=row.recurrence_count,
        key_case=bool(row.key_case), resolved_level=row.resolved_level,
        progress=with_offsets({k: v for k, v in jsontext.loads(row.progress).items() if k != "pending_deadlines"}),
        parties=[_party_view(party, full) for party in parties],
        deadlines=[DeadlineView(kind, scope, utc_text(due), action, status, bool(estimated))
                   for kind, scope, due, action, status, estimated in deadlines],
        available_triggers=available_triggers(db, actor, row),
        chain_head=row.last_event_hash, event_count=row.event_count,
        created_at=utc_text(row.created_at), updated_at=utc_text(row.updated_at),
        stage_times={key: utc_text(row[key]) for key in STAGE_TIME_COLUMNS},
    )


def _party_view(party: tuple, full: bool) -> PartyView:
    (party_id, name, role, id_number, phone, is_minor, gender, ethnicity, born, occupation, address, language,
     needs_interpreter, organisation, representative) = party
    if not full:
        id_number, phone, address = mask_id_number(id_number), mask_phone(phone), mask_address(address)
    return PartyView(
        party_id, name, role, id_number, phone, bool(is_minor), gender=gender, ethnicity=ethnicity,
        birth_date=str(born) if born is not None else None, occupation=occupation, address=address,
        language=language, needs_interpreter=bool(needs_interpreter),
        organisation=OrganisationView(organisation, representative) if organisation else None,
    )


def case_share_views(db: Database, actor: Actor, case_id: int) -> list[ShareView]:
    """The units the case is shared with now, oldest first (NotFound outside reach)."""
    with db.snapshot() as tx:
        _load_in_reach(tx, actor, case_id)
        return [ShareView(UnitRef(share.unit_code, share.unit_name), share.reason, share.shared_by,
                          utc_text(share.shared_at)) for share in case_shares(tx, case_id)]


def case_with_events(db: Database, actor: Actor, case_id: int) -> tuple[CaseDetail, list[EventView]]:
    """The case and its audit trail from one snapshot (the case page's header and timeline are of one moment)."""
    with db.snapshot() as tx:
        row = _load_in_reach(tx, actor, case_id)
        return _detail(tx, db, actor, row), _event_views(tx, actor, row)


def case_events(db: Database, actor: Actor, case_id: int) -> list[EventView]:
    """The audit trail with each event's hash and the previous event's hash."""
    with db.snapshot() as tx:
        return _event_views(tx, actor, _load_in_reach(tx, actor, case_id))


def _event_views(tx: RawTransaction, actor: Actor, row: Row) -> list[EventView]:
    events = rows_of(case_rows.case_events(tx, row.id))
    shown = (lambda data: data) if sees_full_numbers(actor, row) else masked_data
    return [
        EventView(e.seq, e.trigger, e.actor, utc_text(e.at), e.from_state, e.to_state, shown(jsontext.loads(e.data)),
                  e.reason, e.prev_hash, e.hash)
        for e in events
    ]
