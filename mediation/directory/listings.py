"""Units and users as administrators read them: filtered, paged lists and one of each (never a password)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import msgspec

from mediation import jsontext
from mediation.db import RawTransaction, escape_like, parse_timestamp
from mediation.directory.queries import unit_by_code
from mediation.directory.rules import ROLES, UNIT_KINDS, refuse
from mediation.errors import ChangedMeanwhile

MAX_PAGE_SIZE = 500


class UnitView(msgspec.Struct):
    code: str
    name: str
    kind: str
    parent: str | None
    parent_name: str | None
    path: str
    abbreviation: str | None
    users: int
    created_at: str


class UserView(msgspec.Struct):
    username: str
    display_name: str
    unit: str
    unit_name: str
    roles: list[str]
    disabled: bool
    created_at: str


class UnitPage(msgspec.Struct):
    items: list[UnitView]
    total: int
    page: int
    page_size: int


class UserPage(msgspec.Struct):
    items: list[UserView]
    total: int
    page: int
    page_size: int


class ChangeView(msgspec.Struct):
    at: str
    actor: str | None
    action: str
    target: str
    details: dict[str, Any]


class ChangePage(msgspec.Struct):
    items: list[ChangeView]
    total: int
    page: int
    page_size: int


def utc_text(value: Any) -> str:
    """A stored naive-UTC moment as ISO text with its offset."""
    return parse_timestamp(value).isoformat(timespec="seconds") + "Z"


UNIT_SELECT = (
    "SELECT n.code, n.name, n.kind, p.code, p.name, n.path, n.abbreviation, "
    "(SELECT count(*) FROM users u WHERE u.unit_id = n.id), n.created_at "
    "FROM units n LEFT JOIN units p ON p.id = n.parent_id")
USER_SELECT = ("SELECT u.username, u.display_name, n.code, n.name, u.roles, u.active, u.created_at "
               "FROM users u JOIN units n ON n.id = u.unit_id")


def _unit(row: tuple) -> UnitView:
    return UnitView(*row[:8], utc_text(row[8]))


def _user(row: tuple) -> UserView:
    return UserView(row[0], row[1], row[2], row[3], row[4].split(), not row[5], utc_text(row[6]))


def _paged(tx: RawTransaction, select: str, where: list[str], params: dict, order: str, page: int,
           page_size: int) -> tuple[list[tuple], int]:
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    total = tx.one(f"SELECT count(*) FROM ({select}{clause}) counted", params)[0]
    rows = tx.all(f"{select}{clause} ORDER BY {order} LIMIT :limit OFFSET :offset",
                  {**params, "limit": page_size, "offset": (page - 1) * page_size})
    return rows, total


def list_units(tx: RawTransaction, *, q: str | None = None, kind: str | None = None, parent: str | None = None,
               under: str | None = None, page: int = 1, page_size: int = 100) -> UnitPage:
    """Units in tree order, filtered by text (code or name), kind, direct parent or subtree."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if kind is not None:
        if kind not in UNIT_KINDS:
            raise refuse("kind", f"unknown value '{kind}'", f"未知的单位类型“{kind}”").with_status(400)
        where.append("n.kind = :kind")
        params["kind"] = kind
    for field, code in (("parent", parent), ("under", under)):
        if code is not None:
            found = unit_by_code(tx, code)
            if found is None:
                raise refuse(field, f"unknown value '{code}'", f"没有代码为“{code}”的单位").with_status(400)
            where.append("n.parent_id = :parent_id" if field == "parent" else "n.path LIKE :under ESCAPE '\\'")
            params.update({"parent_id": found.id} if field == "parent" else {"under": escape_like(found.path) + "%"})
    if q:
        where.append("(n.code LIKE :q ESCAPE '\\' OR n.name LIKE :q ESCAPE '\\')")
        params["q"] = f"%{escape_like(q)}%"
    rows, total = _paged(tx, UNIT_SELECT, where, params, "n.path", page, page_size)
    return UnitPage([_unit(row) for row in rows], total, page, page_size)


def list_users(tx: RawTransaction, *, q: str | None = None, unit: str | None = None, role: str | None = None,
               disabled: bool | None = None, page: int = 1, page_size: int = 100) -> UserPage:
    """Users by username, filtered by text (username or name), unit subtree, role and disabled."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if unit is not None:
        found = unit_by_code(tx, unit)
        if found is None:
            raise refuse("unit", f"unknown value '{unit}'", f"没有代码为“{unit}”的单位").with_status(400)
        where.append("n.path LIKE :under ESCAPE '\\'")
        params["under"] = escape_like(found.path) + "%"
    if role is not None:
        if role not in ROLES:
            raise refuse("role", f"unknown value '{role}'", f"未知角色“{role}”").with_status(400)
        where.append("(' ' || u.roles || ' ') LIKE :role")
        params["role"] = f"% {role} %"
    if disabled is not None:
        where.append("u.active = :active")
        params["active"] = not disabled
    if q:
        where.append("(u.username LIKE :q ESCAPE '\\' OR u.display_name LIKE :q ESCAPE '\\')")
        params["q"] = f"%{escape_like(q)}%"
    rows, total = _paged(tx, USER_SELECT, where, params, "u.username", page, page_size)
    return UserPage([_user(row) for row in rows], total, page, page_size)


def view_tag(view: UnitView | UserView) -> str:
    """The entity tag of a unit or user as read (the ETag an administrator sends back as If-Match)."""
    return hashlib.sha256(msgspec.json.encode(view)).hexdigest()[:20]


def check_unchanged(view: UnitView | UserView | None, if_match: str | None, what: str) -> None:
    """ChangedMeanwhile when the caller read another state of it than the one now stored."""
    if if_match is not None and view is not None and view_tag(view) != if_match:
        raise ChangedMeanwhile(f"the {what} changed since you read it: read it again and retry", field="If-Match",
                               current_etag=view_tag(view))


def unit_view(tx: RawTransaction, code: str) -> UnitView | None:
    found = tx.one(f"{UNIT_SELECT} WHERE n.code = :code", {"code": code})
    return _unit(found) if found else None


def user_view(tx: RawTransaction, username: str) -> UserView | None:
    found = tx.one(f"{USER_SELECT} WHERE u.username = :username", {"username": username})
    return _user(found) if found else None


def list_changes(tx: RawTransaction, *, target: str | None = None, since: datetime | None = None,
                 until: datetime | None = None, page: int = 1, page_size: int = 100) -> ChangePage:
    """The directory's change log, newest first, filtered by target and time."""
    select = ("SELECT c.at, a.username, c.action, c.target, c.details, c.id FROM directory_changes c "
              "LEFT JOIN users a ON a.id = c.actor_id")
    where, params = [], {}
    for clause, name, value in (("c.target = :target", "target", target), ("c.at >= :since", "since", since),
                                ("c.at < :until", "until", until)):
        if value is not None:
            where.append(clause)
            params[name] = value if name == "target" else tx.timestamp(value)
    rows, total = _paged(tx, select, where, params, "c.id DESC", page, page_size)
    items = [ChangeView(utc_text(row[0]), row[1], row[2], row[3], jsontext.loads(row[4])) for row in rows]
    return ChangePage(items, total, page, page_size)
