"""The directory's look-ups, one place for every caller: a unit by code, units in reach, users to assign."""

from __future__ import annotations

from typing import Iterable, NamedTuple

from mediation.db import RawTransaction, escape_like

UNIT_COLUMNS = "id, code, name, kind, path, abbreviation"


class UnitRow(NamedTuple):
    id: int
    code: str
    name: str
    kind: str
    path: str
    abbreviation: str | None


def unit_by_code(tx: RawTransaction, code: str) -> UnitRow | None:
    """The unit with this code, or None."""
    found = tx.one(f"SELECT {UNIT_COLUMNS} FROM units WHERE code = :code", {"code": code})
    return UnitRow._make(found) if found else None


def unit_by_id(tx: RawTransaction, unit_id: int) -> UnitRow | None:
    """The unit with this id, or None."""
    found = tx.one(f"SELECT {UNIT_COLUMNS} FROM units WHERE id = :id", {"id": unit_id})
    return UnitRow._make(found) if found else None


def unit_names(tx: RawTransaction, codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Code → (name, kind) of the units named, for labelling figures and documents."""
    rows = _rows_with(tx, "SELECT code, name, kind FROM units WHERE code IN ({})", codes)
    return {code: (name, kind) for code, name, kind in rows}


def units_in_reach(tx: RawTransaction, unit_path: str) -> list[tuple[str, str]]:
    """Code and name of the units in the subtree at `unit_path`, in tree order (filter and form choices)."""
    return tx.all("SELECT code, name FROM units WHERE path LIKE :prefix ESCAPE '\\' ORDER BY path",
                  {"prefix": escape_like(unit_path) + "%"})


def units_in_tree_order(tx: RawTransaction, *, kinds: Iterable[str] = (), limit: int) -> list[tuple[str, str, str]]:
    """Code, name and kind of the units of `kinds` (every unit when none are named), in tree order, at most `limit`."""
    wanted = sorted(set(kinds))
    names = {f"k{i}": kind for i, kind in enumerate(wanted)}
    where = f"WHERE kind IN ({', '.join(':' + name for name in names)}) " if names else ""
    return tx.all(f"SELECT code, name, kind FROM units {where}ORDER BY path LIMIT {int(limit)}", names)


def units_of_kind(tx: RawTransaction, kind: str | None) -> list[tuple[str, str]]:
    """Code and name of every unit of a kind (every unit when kind is None), by code."""
    if kind:
        return tx.all("SELECT code, name FROM units WHERE kind = :kind ORDER BY code", {"kind": kind})
    return tx.all("SELECT code, name FROM units ORDER BY code")


def assignable_users(tx: RawTransaction, roles: Iterable[str], unit_path: str) -> list[tuple[str, str]]:
    """Username and display name of the active users under `unit_path` holding one of `roles` (any when empty)."""
    wanted = set(roles)
    rows = tx.all(
        "SELECT u.username, u.display_name, u.roles FROM users u JOIN units n ON n.id = u.unit_id "
        "WHERE u.active = :active AND n.path LIKE :prefix ESCAPE '\\' ORDER BY u.username",
        {"active": True, "prefix": escape_like(unit_path) + "%"})
    return [(name, display or name) for name, display, held in rows if not wanted or set(held.split()) & wanted]


def active_user(tx: RawTransaction, username: str) -> tuple[int, frozenset[str]] | None:
    """Id and roles of the active user with this username, or None."""
    found = tx.one("SELECT id, roles FROM users WHERE username = :u AND active = :a", {"u": username, "a": True})
    return (found[0], frozenset(found[1].split())) if found else None


def user_exists(tx: RawTransaction, username: str) -> bool:
    """Whether a user (active or not) has this username."""
    return tx.one("SELECT 1 FROM users WHERE username = :u", {"u": username}) is not None


def display_names(tx: RawTransaction, usernames: Iterable[str]) -> dict[str, str]:
    """Username → display name of the users named (active or not), for labelling documents."""
    return dict(_rows_with(tx, "SELECT username, display_name FROM users WHERE username IN ({})", usernames))


def _rows_with(tx: RawTransaction, sql: str, values: Iterable[str]) -> list[tuple]:
    """The rows of `sql` with its `IN ({})` list filled with the distinct values; none when there are none."""
    values = sorted(set(values))
    if not values:
        return []
    return tx.all(sql.format(", ".join(f":v{i}" for i in range(len(values)))),
                  {f"v{i}": value for i, value in enumerate(values)})
