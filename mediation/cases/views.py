"""The lists of cases for the API and the web: filters checked in the reader's language, the reader's
reach as SQL (their subtree, or case by case through the indexes when it is small), counts capped,
pages newest first.

Every list is scoped to the actor's reach (DESIGN §5). One case as its reader sees it is `case_detail`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mediation.cases.capped_counts import capped_counts
from mediation.cases.read_models import (
    CasePage,
    CaseSummary,
    Row,
    UnitRef,
    rows_of,
    utc_text,
)
from mediation.db import Database, RawTransaction, escape_like, search_index
from mediation.directory.actors import Actor
from mediation.directory.queries import unit_by_code
from mediation.errors import InvalidData, UnknownFilterValue
from mediation.workflows.definition import WorkflowDefinition
from mediation.workflows.trigger_data import CONTROL_CHARACTERS

SUBTREE_RANGE = "c.unit_path >= :{name}_from AND c.unit_path < :{name}_to"
DENSE_SUBTREE = 2_000  # a unit filter matching more is paged newest first, not through its range
SPARSE_REACH = 2_000  # a reach of no more cases is listed through its indexes (list_reach_clause)
API_COUNT_LIMIT = 10_000  # GET /api/v1/cases counts this many matches at most (total_exact false beyond)
FILTER_COLUMNS = ("state", "stage", "channel", "category", "risk_level")
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
               total: int) -> list[Row]:
    """The filters' page of matching cases, newest first.

    On SQLite, a unit's subtree holding many matches is paged by reading the cases newest first (its
    range would read and sort every case of the subtree first); a few matches are read by the range."""
    paging = {"limit": filters.page_size, "offset": (filters.page - 1) * filters.page_size}
    clause = search_index.page_clause(clause, params)
    if total > DENSE_SUBTREE:
        unit_range = SUBTREE_RANGE.format(name="unit")
        clause = clause.replace(unit_range, "+" + unit_range.replace("AND c.", "AND +c."))
    return rows_of(tx.execute(PAGE_SQL.format(clause=clause), {**params, **paging}))


def _case_summary(row: Row) -> CaseSummary:
    return CaseSummary(row.id, row.number, row.title, row.category, row.channel, row.state, row.stage,
                       row.version, row.risk_level, bool(row.key_case), UnitRef(row.unit_code, row.unit_name),
                       utc_text(row.created_at), utc_text(row.updated_at))
