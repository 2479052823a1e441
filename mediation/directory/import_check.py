"""Checking a whole directory file before anything is written: every refused row named, or a plan.

Units may come in any order: parents are resolved within the file, then in the database. A unit
or a user already stored exactly as the file has it is skipped, so a second run changes nothing;
a name, a display name, roles or a user's unit that differ are updated. A stored unit's kind or
parent is not changed by a file (a move is refused when cases would change reach: the admin page
or the API do it, one unit at a time). A password in the file is used only for a new user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mediation.db import RawTransaction
from mediation.directory.import_file import FileRow
from mediation.directory.rules import (
    Refusal,
    abbreviation_refusal,
    code_refusal,
    display_name_refusal,
    kind_refusal,
    name_refusal,
    nesting_refusal,
    password_refusal,
    roles_refusal,
    username_refusal,
)
from mediation.directory.user_administration import roles_text


@dataclass(frozen=True)
class RefusedRow:
    row: int
    column: str
    reason: str
    reason_zh: str


@dataclass
class ImportPlan:
    """What a checked file will do: units and users to create or update, and what it refused."""

    new_units: list[dict[str, Any]] = field(default_factory=list)  # parents before children
    changed_units: list[dict[str, Any]] = field(default_factory=list)
    new_users: list[dict[str, Any]] = field(default_factory=list)  # password: given, or None (generate)
    changed_users: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    refused: list[RefusedRow] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.new_units) + len(self.changed_units) + len(self.new_users) + len(self.changed_users)


def check_rows(tx: RawTransaction, rows: list[FileRow]) -> ImportPlan:
    """The plan of the rows against the directory as stored; plan.refused names every refused row."""
    plan = ImportPlan()
    units = {row.cells.get("code", ""): row for row in rows if row.cells.get("type", "").lower() == "unit"}
    stored_units = {code: (name, kind, parent, abbreviation) for code, name, kind, parent, abbreviation in tx.all(
        "SELECT n.code, n.name, n.kind, p.code, n.abbreviation FROM units n LEFT JOIN units p ON p.id = n.parent_id")}
    seen: set[tuple[str, str]] = set()
    for row in rows:
        kind = row.cells.get("type", "").lower()
        key = row.cells.get("code" if kind == "unit" else "username", "")
        if kind not in ("unit", "user"):
            plan.refused.append(_refused(row, Refusal("type", "must be unit or user", "须为 unit（单位）或 user（用户）")))
        elif (kind, key) in seen and key:
            column = "code" if kind == "unit" else "username"
            plan.refused.append(_refused(row, Refusal(column, f"'{key}' appears twice in the file", f"“{key}”在文件中重复")))
        else:
            seen.add((kind, key))
    kinds = {code: row.cells.get("kind", "") for code, row in units.items()}
    kinds.update({code: value[1] for code, value in stored_units.items() if code not in units})
    for row in units.values():
        found = _unit_refusal(row, units, kinds, stored_units)
        if found is not None:
            plan.refused.append(_refused(row, found))
    if not plan.refused:
        _plan_units(plan, units, stored_units)
    _check_users(tx, plan, [row for row in rows if row.cells.get("type", "").lower() == "user"],
                 set(units) | set(stored_units))
    plan.refused.sort(key=lambda refused: refused.row)
    return plan


def _refused(row: FileRow, refusal: Refusal) -> RefusedRow:
    return RefusedRow(row.number, refusal.field, refusal.reason, refusal.reason_zh)


def _unit_refusal(row: FileRow, units: dict[str, FileRow], kinds: dict[str, str],
                  stored: dict[str, tuple]) -> Refusal | None:
    cells = row.cells
    code, kind, parent = cells.get("code", ""), cells.get("kind", ""), cells.get("parent", "") or None
    found = (code_refusal(code) or name_refusal(cells.get("name", "")) or kind_refusal(kind)
             or abbreviation_refusal(cells.get("abbreviation") or None))
    if found:
        return found
    if parent is not None and parent not in kinds:
        return Refusal("parent", f"no unit '{parent}' in the file or the directory", f"文件和名录中都没有单位“{parent}”")
    found = nesting_refusal(kind, kinds.get(parent) if parent else None)
    if found:
        return found
    if _in_cycle(code, units):
        return Refusal("parent", "the units' parents go round in a circle", "上级单位关系形成循环")
    if code in stored and (stored[code][1], stored[code][2]) != (kind, parent):
        old_kind, old_parent = stored[code][1], stored[code][2] or "—"
        return Refusal("parent", f"unit '{code}' is stored as a {old_kind} under {old_parent}: change it on the "
                                 "admin page", f"单位“{code}”已存在（类型 {old_kind}，上级 {old_parent}）：请在单位管理页面调整")
    return None


def _in_cycle(code: str, units: dict[str, FileRow]) -> bool:
    """Whether following the file's parents from `code` comes back to a unit already passed."""
    passed = {code}
    parent = units[code].cells.get("parent") or None
    while parent is not None and parent in units:
        if parent in passed:
            return True
        passed.add(parent)
        parent = units[parent].cells.get("parent") or None
    return False


def _plan_units(plan: ImportPlan, units: dict[str, FileRow], stored: dict[str, tuple]) -> None:
    """New units in parents-first order; stored ones whose name or abbreviation differ, to update."""
    depth: dict[str, int] = {}

    def depth_of(code: str) -> int:
        if code not in depth:
            parent = units[code].cells.get("parent") or None
            depth[code] = depth_of(parent) + 1 if parent in units else 0
        return depth[code]

    for code in sorted(units, key=depth_of):
        cells = units[code].cells
        unit = {"code": code, "name": cells["name"], "kind": cells["kind"], "parent": cells.get("parent") or None,
                "abbreviation": cells.get("abbreviation") or None}
        if code not in stored:
            plan.new_units.append(unit)
        elif (stored[code][0], stored[code][3]) != (unit["name"], unit["abbreviation"]):
            plan.changed_units.append(unit)
        else:
            plan.unchanged += 1


def _check_users(tx: RawTransaction, plan: ImportPlan, rows: list[FileRow], unit_codes: set[str]) -> None:
    stored = {username: (display, roles, unit) for username, display, roles, unit in tx.all(
        "SELECT u.username, u.display_name, u.roles, n.code FROM users u JOIN units n ON n.id = u.unit_id")}
    for row in rows:
        cells = row.cells
        username, unit = cells.get("username", ""), cells.get("unit", "")
        roles = [role.strip() for role in cells.get("roles", "").replace(",", ";").split(";") if role.strip()]
        display_name = cells.get("display_name") or username
        password = cells.get("password") or None
        found = (username_refusal(username) or display_name_refusal(display_name) or roles_refusal(roles)
                 or (password_refusal(password) if password is not None and username not in stored else None))
        if found is None and unit not in unit_codes:
            found = Refusal("unit", f"no unit '{unit}' in the file or the directory" if unit else "is required",
                            f"文件和名录中都没有单位“{unit}”" if unit else "单位不能为空")
        if found is not None:
            plan.refused.append(_refused(row, found))
            continue
        user = {"username": username, "display_name": display_name, "unit": unit, "roles": roles_text(roles),
                "password": password}
        if username not in stored:
            plan.new_users.append(user)
        elif stored[username] != (display_name, user["roles"], unit):
            plan.changed_users.append(user)
        else:
            plan.unchanged += 1
