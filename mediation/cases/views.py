"""Read models of cases for the API and the web page: detail, list, timeline.

Every read is scoped to the actor's reach (a case outside it is NotFound) and masks
parties' numbers for whoever may not see them. Timestamps are stored naive UTC and read with
their offset (ISO 8601 `…Z`, DESIGN §9.1); dates stay dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from mediation import jsontext
from mediation.cases import rows as case_rows
from mediation.cases.access import in_reach, roles_may_fire
from mediation.cases.capped_counts import capped_counts
from mediation.cases.masking import (
    mask_address,
    mask_id_number,
    mask_phone,
    masked_data,
    sees_full_numbers,
)
from mediation.cases.read_models import (
    CaseDetail,
    CasePage,
    CaseReceipt,
    CaseSummary,
    DeadlineView,
    EventView,
    OrganisationView,
    PartyView,
    ShareView,
    UnitRef,
    UserRef,
    utc_text,
    with_offsets,
)
from mediation.cases.shares import case_shares
from mediation.db import Database, RawTransaction, escape_like, search_index
from mediation.directory.actors import Actor
from mediation.directory.queries import unit_by_code
from mediation.errors import InvalidData, NotFound, UnknownFilterValue
from mediation.workflows.definition import WorkflowDefinition
from mediation.workflows.trigger_data import CONTROL_CHARACTERS, MAX_ID

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
SHARED_SQL = "SELECT 1 FROM case_shares WHERE case_id = :case_id AND unit_id = :unit_id"
SUBTREE_RANGE = "c.unit_path >= :{name}_from AND c.unit_path < :{name}_to"
DENSE_SUBTREE = 2_000  # a unit filter matching more is paged newest first, not through its range
SPARSE_REACH = 2_000  # a reach of no more cases is listed through its indexes (list_reach_clause)
API_COUNT_LIMIT = 10_000  # GET /api/v1/cases counts this many matches at most (total_exact false beyond)
FILTER_COLUMNS = ("state", "stage", "channel", "category", "risk_level")
STAGE_TIME_COLUMNS = ("triaged_at", "mediation_at", "joint_at", "court_at", "follow_up_at", "closed_at")
SUMMARY_COLUMNS = ("c.id, c.number, c.title, c.category, c.channel, c.state, c.stage, c.version, c.risk_level, "
                   "c.key_case, c.updated_at, c.created_at")
# A page of the list: the cases first, their units named after (a search's matches are often misjudged as one
# row by PostgreSQL's planner, which would then scan the units once per match).
PAGE_SQL = (f"SELECT {SUMMARY_COLUMNS}, u.code AS unit_code, u.name AS unit_name FROM "
            f"(SELECT {SUMMARY_COLUMNS}, c.unit_id FROM cases c WHERE {{clause}} "
            "ORDER BY c.id DESC LIMIT :limit OFFSET :offset) c JOIN units u ON u.id = c.unit_id ORDER BY c.id DESC")
OVERDUE_SQL = (
    "EXISTS (SELECT 1 FROM deadlines dl WHERE dl.case_id = c.id AND dl.status = 'pending' AND dl.due_at < :now)"
)


class _Row(dict):
    """A row as a dict with attribute access (what access checks read)."""

    __getattr__ = dict.__getitem__


def _rows(tx: RawTransaction, sql: str, params: dict[str, Any]) -> list[_Row]:
    return _cursor_rows(tx.execute(sql, params))


def _cursor_rows(cursor: Any) -> list[_Row]:
    names = [column[0] for column in cursor.description]
    return [_Row(zip(names, values)) for values in cursor.fetchall()]


def _load_in_reach(tx: RawTransaction, actor: Actor, case_id: int) -> _Row:
    rows = _rows(tx, DETAIL_SQL, {"id": case_id}) if 1 <= case_id <= MAX_ID else []
    if not rows:
        raise NotFound(f"case {case_id} not found", case_id=case_id)
    row = rows[0]
    if not in_reach(actor, row) and not (
        actor.unit_id is not None and tx.one(SHARED_SQL, {"case_id": case_id, "unit_id": actor.unit_id})
    ):
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
    row = _load_in_reach(tx, actor, case_id)
    parties = tx.all(PARTIES_SQL, {"id": case_id})
    deadlines = tx.all(DEADLINES_SQL, {"id": case_id})
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


def case_events(db: Database, actor: Actor, case_id: int) -> list[EventView]:
    """The audit trail with each event's hash and the previous event's hash."""
    with db.snapshot() as tx:
        row = _load_in_reach(tx, actor, case_id)
        events = _cursor_rows(case_rows.case_events(tx, case_id))
    shown = (lambda data: data) if sees_full_numbers(actor, row) else masked_data
    return [
        EventView(e.seq, e.trigger, e.actor, utc_text(e.at), e.from_state, e.to_state, shown(jsontext.loads(e.data)),
                  e.reason, e.prev_hash, e.hash)
        for e in events
    ]


@dataclass
class CaseFilters:
    """List filters of GET /cases (DESIGN §6)."""

    state: str | None = None
    stage: str | None = None
    unit: str | None = None
    channel: str | None = None
    category: str | None = None
    risk_level: str | None = None
    overdue: bool | None = None
    q: str | None = None
    page: int = 1
    page_size: int = 50


def reach_clause(actor: Actor, params: dict[str, Any]) -> str:
    """SQL (over `cases c`) for the cases in the actor's reach; adds its parameters to params."""
    if actor.is_system:
        return "1 = 1"
    params.update(reach_path=escape_like(actor.unit_path) + "%", reach_user=actor.user_id,
                  reach_unit=actor.unit_id or -1)
    own_subtree = "c.unit_path LIKE :reach_path ESCAPE '\\'" if actor.unit_path != "/" else "1 = 0"
    return (
        f"({own_subtree} OR c.mediator_id = :reach_user OR c.department_id = :reach_unit "
        "OR c.court_id = :reach_unit OR c.id IN (SELECT case_id FROM case_shares WHERE unit_id = :reach_unit))"
    )


# The ways a case comes in reach besides the actor's own subtree (reach_clause's parameters), each
# through its own index: assigned to them, referred to their department or court, shared with their unit.
REACH_BEYOND_SUBTREE = (
    "SELECT id FROM cases WHERE mediator_id = :reach_user",
    "SELECT id FROM cases WHERE department_id = :reach_unit",
    "SELECT id FROM cases WHERE court_id = :reach_unit",
    "SELECT case_id FROM case_shares WHERE unit_id = :reach_unit",
)


def list_reach_clause(tx: RawTransaction, actor: Actor, params: dict[str, Any]) -> str:
    """`reach_clause` as the case list reads it best. A list walks the cases newest first and keeps those in
    reach: a page at once when many cases are (a county's supervisor, a department with many referrals),
    but every case read when few are. So a reach of at most SPARSE_REACH cases (a community's mediator)
    names its cases instead, through the index of each way a case comes in reach."""
    clause = reach_clause(actor, params)
    if actor.is_system or actor.unit_path == "/":
        return clause
    own = f"SELECT c.id FROM cases c WHERE {subtree_condition(tx, actor.unit_path, params, 'reach_own')}"
    ways = " UNION ALL ".join((own, *REACH_BEYOND_SUBTREE))
    key = capped_counts.key(tx.database_url, ways, params)
    if capped_counts.over_cap(key):
        return clause
    if tx.one(f"SELECT count(*) FROM ({ways} LIMIT :sparse_cap) ways", {**params, "sparse_cap": SPARSE_REACH + 1})[0] \
            > SPARSE_REACH:
        capped_counts.note_over_cap(key)
        return clause
    # PostgreSQL would merge an IN list with every case's id; an array is looked up id by id
    return f"c.id IN ({ways})" if tx.is_sqlite else f"c.id = ANY(ARRAY({ways}))"


def subtree_condition(tx: RawTransaction, path: str, params: dict[str, Any], name: str) -> str:
    """SQL (over `cases c`) for the cases filed in the subtree of the unit at `path`; adds `name`'s parameters.

    On SQLite a range on the path comes first: its LIKE (case-insensitive) cannot use an index and a range
    can (paths compare byte by byte there). PostgreSQL's LIKE uses the path's pattern index by itself."""
    params[f"{name}_path"] = escape_like(path) + "%"
    like = f"c.unit_path LIKE :{name}_path ESCAPE '\\'"
    if not tx.is_sqlite or not path.endswith("/"):
        return like
    params.update({f"{name}_from": path, f"{name}_to": path[:-1] + chr(ord("/") + 1)})
    return f"{SUBTREE_RANGE.format(name=name)} AND {like}"


def list_cases(db: Database, actor: Actor, filters: CaseFilters, now: datetime, *,
               count_limit: int | None = None) -> CasePage:
    """A page of cases in reach, newest first, always masked; `total` counts every match.

    With `count_limit` (the web board's and the API's, API_COUNT_LIMIT), counting stops after
    `count_limit + 1` matches: `total` is exact up to `count_limit` and `count_limit + 1` means "more than
    `count_limit`" (`total_exact` false). An exact count of a million matches reads a million index entries
    (a third of a second on SQLite) on every request; a capped one reads at most the cap.
    """
    _refuse_control_characters(filters)
    _refuse_unknown_values(filters, db.workflows.machine(db.workflows.current_version_id()).definition)
    params: dict[str, Any] = {}
    with db.snapshot() as tx:
        clause = _filter_clause(tx, actor, filters, now, params)
        total = _count_matches(tx, clause, params, count_limit)
        rows = _page_rows(tx, clause, params, filters, total)
    return CasePage(items=[_case_summary(row) for row in rows], total=total, page=filters.page,
                    page_size=filters.page_size, total_exact=count_limit is None or total <= count_limit)


def _refuse_control_characters(filters: CaseFilters) -> None:
    """InvalidData for the first text filter holding a control character."""
    for name in (*FILTER_COLUMNS, "unit", "q"):
        value = getattr(filters, name)
        if value is not None and CONTROL_CHARACTERS.search(value):
            raise InvalidData(name, "must not contain control characters")


def filter_values(definition: WorkflowDefinition) -> dict[str, list[str]]:
    """The values each of the list's enumerable filters takes (FILTER_COLUMNS), in the workflow's order."""
    return {"state": list(definition.states), "stage": list(definition.stage_labels),
            "channel": list(definition.policy["channels"]), "category": list(definition.policy["categories"]),
            "risk_level": list(definition.risk_levels)}


def _refuse_unknown_values(filters: CaseFilters, definition: WorkflowDefinition) -> None:
    """UnknownFilterValue (400) for the first filter naming a state, stage, channel, category or risk level
    the workflow does not have: an unknown value is a mistake, not a filter that matches nothing."""
    known = filter_values(definition)
    for name in FILTER_COLUMNS:
        value = getattr(filters, name)
        if value is not None and value not in known[name]:
            raise UnknownFilterValue(name, value, f"unknown value '{value}'; must be one of {known[name]}")


def checked_filter_clause(db: Database, tx: RawTransaction, actor: Actor, filters: CaseFilters, now: datetime,
                          params: dict[str, Any]) -> str:
    """The list's SQL condition (over `cases c`) for other readers of the same list (exports), after
    refusing what `list_cases` refuses; adds its parameters to params."""
    _refuse_control_characters(filters)
    _refuse_unknown_values(filters, db.workflows.machine(db.workflows.current_version_id()).definition)
    return _filter_clause(tx, actor, filters, now, params)


def _filter_clause(tx: RawTransaction, actor: Actor, filters: CaseFilters, now: datetime,
                   params: dict[str, Any]) -> str:
    """SQL (over `cases c`) for the cases in reach that match the filters; adds its parameters to params."""
    where = [list_reach_clause(tx, actor, params)]
    for column in FILTER_COLUMNS:
        value = getattr(filters, column)
        if value is not None:
            where.append(f"c.{column} = :{column}")
            params[column] = value
    if filters.unit is not None:
        unit = unit_by_code(tx, filters.unit)
        if unit is None:
            raise UnknownFilterValue("unit", filters.unit, f"no unit '{filters.unit}'")
        where.append(subtree_condition(tx, unit.path, params, "unit"))
    if filters.overdue is not None:
        where.append(OVERDUE_SQL if filters.overdue else f"NOT {OVERDUE_SQL}")
        params["now"] = tx.timestamp(now)
    if filters.q:  # the number, title, facts and parties' names hold q (mediation.db.search_index)
        where.append(search_index.search_condition(tx, filters.q, params, "%" + escape_like(filters.q) + "%"))
    return " AND ".join(where)


def _count_matches(tx: RawTransaction, clause: str, params: dict[str, Any], count_limit: int | None) -> int:
    """How many cases match; at most `count_limit + 1` when a limit is given."""
    if count_limit is None:
        return tx.one(f"SELECT count(*) FROM cases c WHERE {clause}", params)[0]
    cap = max(count_limit, 0) + 1
    key = capped_counts.key(tx.database_url, clause, {**params, "count_cap": cap})
    if capped_counts.over_cap(key):
        return cap
    found = tx.one(f"SELECT count(*) FROM (SELECT 1 FROM cases c WHERE {clause} LIMIT :count_cap) capped",
                   {**params, "count_cap": cap})[0]
    if found >= cap:
        capped_counts.note_over_cap(key)
    return found


def _page_rows(tx: RawTransaction, clause: str, params: dict[str, Any], filters: CaseFilters,
               total: int) -> list[_Row]:
    """The filters' page of matching cases, newest first.

    On SQLite, a unit's subtree holding many matches is paged by reading the cases newest first (its
    range would read and sort every case of the subtree first); a few matches are read by the range."""
    paging = {"limit": filters.page_size, "offset": (filters.page - 1) * filters.page_size}
    clause = search_index.page_clause(clause, params)
    if total > DENSE_SUBTREE:
        unit_range = SUBTREE_RANGE.format(name="unit")
        clause = clause.replace(unit_range, "+" + unit_range.replace("AND c.", "AND +c."))
    return _rows(tx, PAGE_SQL.format(clause=clause), {**params, **paging})


def _case_summary(row: _Row) -> CaseSummary:
    return CaseSummary(row.id, row.number, row.title, row.category, row.channel, row.state, row.stage,
                       row.version, row.risk_level, bool(row.key_case), UnitRef(row.unit_code, row.unit_name),
                       utc_text(row.created_at), utc_text(row.updated_at))
