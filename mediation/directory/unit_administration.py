"""Creating and changing org units, with their kinds nested county → town → community → grid.

A unit moves (a new parent) only while no case was filed in its subtree: a case keeps the unit
path it was filed under, which decides who reaches it, and silently moving a case out of its
supervisors' reach (or into another's) is not what an administrator means by renaming the tree.
Such a move is refused (409); the cases move by transfer first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mediation.db import Database, RawTransaction, escape_like
from mediation.directory.change_log import log_change
from mediation.directory.listings import check_unchanged, unit_view
from mediation.directory.queries import UnitRow, unit_by_code
from mediation.directory.rules import (
    DirectoryRefused,
    Refusal,
    abbreviation_refusal,
    check,
    code_refusal,
    kind_refusal,
    name_refusal,
    nesting_refusal,
    refuse,
)
from mediation.errors import NotFound

INSERT_UNIT = ("INSERT INTO units (code, name, kind, parent_id, path, abbreviation, created_at) "
               "VALUES (:code, :name, :kind, :parent_id, :path, :abbreviation, :created_at)")
UNIT_CHANGES = ("name", "abbreviation", "kind", "parent")


def parent_of(tx: RawTransaction, code: str | None, field: str = "parent") -> UnitRow | None:
    """The parent unit a code names (None for none); refused when no unit has the code."""
    if code is None or code == "":
        return None
    found = unit_by_code(tx, code)
    if found is None:
        raise refuse(field, f"no unit '{code}'", f"没有代码为“{code}”的单位")
    return found


def create_unit_in(tx: RawTransaction, *, actor_id: int | None, code: str, name: str, kind: str,
                   parent: str | None, abbreviation: str | None, now: datetime) -> UnitRow:
    """Add a unit under its parent (kinds nested as the rules say), logged; the new unit."""
    check(code_refusal(code), name_refusal(name), kind_refusal(kind), abbreviation_refusal(abbreviation))
    if unit_by_code(tx, code) is not None:
        raise DirectoryRefused(Refusal("code", f"unit '{code}' exists already", f"单位代码“{code}”已存在"), 409)
    above = parent_of(tx, parent)
    check(nesting_refusal(kind, above.kind if above else None))
    path = f"{above.path if above else '/'}{code}/"
    unit_id = tx.insert(INSERT_UNIT, {"code": code, "name": name, "kind": kind, "parent_id": above.id if above else None,
                                      "path": path, "abbreviation": abbreviation or None,
                                      "created_at": tx.timestamp(now)})
    log_change(tx, actor_id=actor_id, action="unit_created", target=code,
               details={"name": name, "kind": kind, "parent": parent or None, "abbreviation": abbreviation or None},
               at=now)
    return UnitRow(unit_id, code, name, kind, path, abbreviation or None)


def create_unit(db: Database, *, actor_id: int | None, now: datetime, **unit: Any) -> UnitRow:
    """Add a unit in its own write transaction (see create_unit_in)."""
    with db.write() as tx:
        return create_unit_in(tx, actor_id=actor_id, now=now, **unit)


def change_unit(db: Database, *, actor_id: int | None, code: str, changes: dict[str, Any], now: datetime,
                if_match: str | None = None) -> UnitRow:
    """Rename, re-abbreviate, re-kind or move a unit (the rules kept for it and its children), logged;
    with `if_match`, only if the unit is still as the caller read it (else ChangedMeanwhile)."""
    unknown = sorted(set(changes) - set(UNIT_CHANGES))
    if unknown:
        raise refuse(unknown[0], "cannot be changed", "不能修改")
    with db.write() as tx:
        unit = unit_by_code(tx, code)
        if unit is None:
            raise NotFound(f"no unit '{code}'", field="code")
        check_unchanged(unit_view(tx, code), if_match, "unit")
        done = _changed_fields(tx, unit, changes)
        if done:
            log_change(tx, actor_id=actor_id, action="unit_changed", target=code, details=done, at=now)
        return unit_by_code(tx, code)


def _changed_fields(tx: RawTransaction, unit: UnitRow, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply the changes that differ from the unit as stored; what changed, {field: [old, new]}."""
    check(name_refusal(changes["name"]) if "name" in changes else None,
          abbreviation_refusal(changes.get("abbreviation")),
          kind_refusal(changes["kind"]) if "kind" in changes else None)
    current_parent = _parent_code(tx, unit)
    kind = changes.get("kind", unit.kind)
    parent = changes.get("parent", current_parent) or None
    done: dict[str, Any] = {}
    for field, old in (("name", unit.name), ("abbreviation", unit.abbreviation)):
        new = changes.get(field, old) or None
        if new != old:
            tx.execute(f"UPDATE units SET {field} = :value WHERE id = :id", {"value": new, "id": unit.id})
            done[field] = [old, new]
    if kind != unit.kind or parent != current_parent:
        _renest(tx, unit, kind, parent)
        done.update({"kind": [unit.kind, kind]} if kind != unit.kind else {})
        done.update({"parent": [current_parent, parent]} if parent != current_parent else {})
    return done


def _parent_code(tx: RawTransaction, unit: UnitRow) -> str | None:
    parts = unit.path.strip("/").split("/")
    return parts[-2] if len(parts) > 1 else None


def _renest(tx: RawTransaction, unit: UnitRow, kind: str, parent: str | None) -> None:
    """Give the unit its new kind and parent: both rules checked, its subtree's paths moved along."""
    above = parent_of(tx, parent)
    check(nesting_refusal(kind, above.kind if above else None))
    for (child_kind,) in tx.all("SELECT DISTINCT kind FROM units WHERE parent_id = :id", {"id": unit.id}):
        check(nesting_refusal(child_kind, kind, field="kind"))
    tx.execute("UPDATE units SET kind = :kind WHERE id = :id", {"kind": kind, "id": unit.id})
    new_path = f"{above.path if above else '/'}{unit.code}/"
    if new_path == unit.path:
        return
    if above is not None and above.path.startswith(unit.path):
        raise refuse("parent", "cannot be the unit itself or a unit under it", "上级单位不能是本单位或其下级单位")
    prefix = {"prefix": escape_like(unit.path) + "%"}
    if tx.one("SELECT 1 FROM cases WHERE unit_path LIKE :prefix ESCAPE '\\' LIMIT 1", prefix):
        raise DirectoryRefused(Refusal("parent", "cases were filed in this unit or under it: move them first",
                                       "本单位或其下级单位已有案件，不能调整上级单位（请先移交案件）"), 409)
    tx.execute("UPDATE units SET path = :new || substr(path, :cut) WHERE path LIKE :prefix ESCAPE '\\'",
               {"new": new_path, "cut": len(unit.path) + 1, **prefix})
    tx.execute("UPDATE units SET parent_id = :parent WHERE id = :id",
               {"parent": above.id if above else None, "id": unit.id})
