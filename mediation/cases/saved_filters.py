"""Saved filters: a list's filters kept under a name by one user (the board, orders, my work).

A filter is the list's query string (`state=mediation.assigned&overdue=true`), checked as the list
checks its filters before it is kept, and stored in a canonical order without empty values. Each
user sees and deletes only their own: another user's filter is NotFound. Saving under a name the
user already uses for that list replaces that filter's query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from mediation import control_characters
from mediation.cases.read_models import utc_text
from mediation.cases.views import CaseFilters, checked_filter_clause
from mediation.db import Database
from mediation.directory.actors import Actor
from mediation.errors import InvalidData, NotFound
from mediation.workflows.trigger_data import MAX_ID

FLAG_VALUES = {"true": True, "1": True, "false": False, "0": False}
CASE_FILTERS = ("state", "stage", "unit", "channel", "category", "risk_level", "overdue", "q")
# Each list and the filters it takes (its query parameters); flags take true/false.
LISTS = {"cases": CASE_FILTERS, "orders": ("overdue", "due_soon"), "work": ("kind",)}
FLAGS = frozenset({"overdue", "due_soon"})
WORK_KINDS = ("assigned", "awaiting_me", "due_soon", "overdue")
MAX_NAME = 100
MAX_QUERY = 2000
MAX_PER_LIST = 100

SELECT = "SELECT id, list_name, name, query, created_at FROM saved_filters"


@dataclass(frozen=True)
class SavedFilterView:
    id: int
    list: str
    name: str
    query: str
    created_at: str


def saved_filters(db: Database, *, actor: Actor, list_name: str | None = None) -> list[SavedFilterView]:
    """The user's saved filters (of one list when named), by name."""
    if list_name is not None and list_name not in LISTS:
        raise InvalidData("list", f"unknown list '{list_name}'; must be one of {sorted(LISTS)}")
    where, params = "user_id = :user_id", {"user_id": actor.user_id}
    if list_name is not None:
        where, params["list_name"] = where + " AND list_name = :list_name", list_name
    with db.snapshot() as tx:
        rows = tx.all(f"{SELECT} WHERE {where} ORDER BY list_name, name", params)
    return [_view(row) for row in rows]


def save_filter(db: Database, *, actor: Actor, list_name: str, name: str, query: str,
                now: datetime) -> tuple[SavedFilterView, bool]:
    """Keep the filter (replacing the user's filter of that name); the filter and whether it is new."""
    name = _checked_name(name)
    canonical = canonical_query(db, actor, list_name, query, now)
    key = {"user_id": actor.user_id, "list_name": list_name, "name": name}
    with db.write() as tx:
        found = tx.one("SELECT id FROM saved_filters WHERE user_id = :user_id AND list_name = :list_name "
                       "AND name = :name", key)
        if found is not None:
            tx.execute("UPDATE saved_filters SET query = :query WHERE id = :id", {"id": found[0], "query": canonical})
        else:
            count = tx.one("SELECT count(*) FROM saved_filters WHERE user_id = :user_id AND list_name = :list_name",
                           key)[0]
            if count >= MAX_PER_LIST:
                raise InvalidData("name", f"at most {MAX_PER_LIST} saved filters a list; delete one first")
            tx.execute("INSERT INTO saved_filters (user_id, list_name, name, query, created_at) "
                       "VALUES (:user_id, :list_name, :name, :query, :now)", {**key, "query": canonical,
                                                                             "now": tx.timestamp(now)})
        row = tx.one(f"{SELECT} WHERE user_id = :user_id AND list_name = :list_name AND name = :name", key)
    return _view(row), found is None


def delete_filter(db: Database, *, actor: Actor, filter_id: int) -> None:
    """Delete one of the user's saved filters; NotFound when it is not theirs (or there is none)."""
    if not 1 <= filter_id <= MAX_ID:
        raise NotFound(f"no saved filter {filter_id}")
    with db.write() as tx:
        tx.execute("DELETE FROM saved_filters WHERE id = :id AND user_id = :user_id",
                   {"id": filter_id, "user_id": actor.user_id})
        if tx.rowcount != 1:
            raise NotFound(f"no saved filter {filter_id}")


def canonical_query(db: Database, actor: Actor, list_name: str, query: str, now: datetime) -> str:
    """The query checked as the list checks its filters, without empty values, in the list's order.

    InvalidData names `list`, or `query.<filter>` for an unknown filter or value."""
    if list_name not in LISTS:
        raise InvalidData("list", f"unknown list '{list_name}'; must be one of {sorted(LISTS)}")
    if len(query) > MAX_QUERY:
        raise InvalidData("query", f"longer than {MAX_QUERY} characters")
    values: dict[str, str] = {}
    for key, value in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        if key not in LISTS[list_name]:
            raise InvalidData(f"query.{key}", f"unknown filter '{key}'; the list takes {list(LISTS[list_name])}")
        if key in values:
            raise InvalidData(f"query.{key}", "is given twice")
        values[key] = value.strip()
    values = {key: value for key, value in values.items() if value}
    _check_values(db, actor, list_name, values, now)
    return urlencode([(key, values[key]) for key in LISTS[list_name] if key in values])


def _check_values(db: Database, actor: Actor, list_name: str, values: dict[str, str], now: datetime) -> None:
    for key, value in values.items():
        reason = control_characters.refusal(value, one_line=True)
        if reason:
            raise InvalidData(f"query.{key}", reason)
        if key in FLAGS and value not in FLAG_VALUES:
            raise InvalidData(f"query.{key}", "must be true or false")
    if list_name == "work" and values.get("kind", WORK_KINDS[0]) not in WORK_KINDS:
        raise InvalidData("query.kind", f"must be one of {list(WORK_KINDS)}")
    if list_name == "cases":
        filters = case_filters(values)
        try:
            with db.snapshot() as tx:
                checked_filter_clause(db, tx, actor, filters, now, {})
        except InvalidData as refused:  # an unknown state or unit is a 400 in a list's URL, a 422 in a body
            raise InvalidData(f"query.{refused.field}", refused.reason) from None


def case_filters(values: dict[str, str]) -> CaseFilters:
    """The case list's filters from a saved query's values."""
    overdue = FLAG_VALUES.get(values.get("overdue", ""))
    return CaseFilters(values.get("state"), values.get("stage"), values.get("unit"), values.get("channel"),
                       values.get("category"), values.get("risk_level"), overdue, values.get("q"))


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidData("name", "must not be empty")
    if len(name) > MAX_NAME:
        raise InvalidData("name", f"longer than {MAX_NAME} characters")
    reason = control_characters.refusal(name, one_line=True)
    if reason:
        raise InvalidData("name", reason)
    return name


def _view(row: tuple) -> SavedFilterView:
    filter_id, list_name, name, query, created_at = row
    return SavedFilterView(filter_id, list_name, name, query, utc_text(created_at))
