"""Writing a checked directory file: units level by level, users in batches, every change logged.

A few transactions, not one per row: the units in one (parents' ids are read back after each
level), the users in batches of USER_BATCH, so a server writing cases meanwhile waits briefly.
Passwords are hashed before (on every core); generated ones are handed back, to be listed once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from mediation.db import Database, RawTransaction
from mediation.directory.change_log import log_changes
from mediation.directory.import_check import ImportPlan
from mediation.directory.passwords import hash_generated_password, hash_passwords
from mediation.directory.rules import random_password
from mediation.directory.tokens import new_token_key
from mediation.directory.unit_administration import INSERT_UNIT
from mediation.directory.user_administration import INSERT_USER

USER_BATCH = 1000
IN_LIST = 500  # codes per `IN (…)` look-up
Advance = Callable[[int], None]


def passwords_for(plan: ImportPlan) -> dict[str, str]:
    """The password of each new user without one in the file: generated, to be handed over once."""
    generated = {}
    for user in plan.new_users:
        if user["password"] is None:
            generated[user["username"]] = user["password"] = random_password()
    return generated


def hash_new_passwords(plan: ImportPlan, generated: dict[str, str],
                       advance: Advance | None = None) -> list[str]:
    """The hashes of the new users' passwords, in plan order: those the file gave at the full cost (on every
    core), those generated (`passwords_for`) at the light cost their randomness allows."""
    chosen = [user["password"] for user in plan.new_users if user["username"] not in generated]
    chosen_hashes = iter(hash_passwords(chosen, progress=advance))
    hashes = []
    for user in plan.new_users:
        if user["username"] in generated:
            hashes.append(hash_generated_password(user["password"]))
            if advance:
                advance(1)
        else:
            hashes.append(next(chosen_hashes))
    return hashes


def write_plan(db: Database, plan: ImportPlan, hashes: list[str], *, actor_id: int | None, now: datetime,
               advance: Advance | None = None) -> None:
    """Store the plan's units and users (hashes in new-user order), logging each change."""
    step = advance or (lambda _n: None)
    with db.write() as tx:
        _write_units(tx, plan, now)
        log_changes(tx, actor_id=actor_id, at=now, changes=[
            *(("unit_created", unit["code"], _unit_details(unit)) for unit in plan.new_units),
            *(("unit_changed", unit["code"], _unit_details(unit)) for unit in plan.changed_units)])
    step(len(plan.new_units) + len(plan.changed_units))
    unit_ids = _unit_ids(db)
    for start in range(0, len(plan.new_users), USER_BATCH):
        batch = plan.new_users[start:start + USER_BATCH]
        with db.write() as tx:
            tx.execute_many(INSERT_USER, [_user_row(tx, user, password_hash, unit_ids, now)
                                          for user, password_hash in zip(batch, hashes[start:start + USER_BATCH])])
            log_changes(tx, actor_id=actor_id, at=now,
                        changes=[("user_created", user["username"], _user_details(user)) for user in batch])
        step(len(batch))
    if plan.changed_users:
        with db.write() as tx:
            tx.execute_many("UPDATE users SET display_name = :display_name, roles = :roles, unit_id = :unit_id, "
                            "token_key = :token_key WHERE username = :username",
                            [{"username": user["username"], "display_name": user["display_name"],
                              "roles": user["roles"], "unit_id": unit_ids[user["unit"]], "token_key": new_token_key()}
                             for user in plan.changed_users])
            log_changes(tx, actor_id=actor_id, at=now,
                        changes=[("user_changed", user["username"], _user_details(user)) for user in plan.changed_users])
        step(len(plan.changed_users))


def _write_units(tx: RawTransaction, plan: ImportPlan, now: datetime) -> None:
    """New units level by level (a level's parents are stored by then), then the renamed ones."""
    stamp = tx.timestamp(now)
    known: dict[str, tuple[int, str]] = {}
    pending = list(plan.new_units)
    while pending:
        parents = {unit["parent"] for unit in pending if unit["parent"] and unit["parent"] not in known}
        known.update(_units_by_code(tx, parents))
        level = [unit for unit in pending if not unit["parent"] or unit["parent"] in known]
        tx.execute_many(INSERT_UNIT, [
            {"code": unit["code"], "name": unit["name"], "kind": unit["kind"], "abbreviation": unit["abbreviation"],
             "parent_id": known[unit["parent"]][0] if unit["parent"] else None, "created_at": stamp,
             "path": f"{known[unit['parent']][1] if unit['parent'] else '/'}{unit['code']}/"} for unit in level])
        placed = {unit["code"] for unit in level}
        pending = [unit for unit in pending if unit["code"] not in placed]
    tx.execute_many("UPDATE units SET name = :name, abbreviation = :abbreviation WHERE code = :code",
                    [{"code": unit["code"], "name": unit["name"], "abbreviation": unit["abbreviation"]}
                     for unit in plan.changed_units])


def _units_by_code(tx: RawTransaction, codes: set[str]) -> dict[str, tuple[int, str]]:
    """Id and path of the stored units named, looked up a few hundred codes at a time."""
    found: dict[str, tuple[int, str]] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), IN_LIST):
        chunk = ordered[start:start + IN_LIST]
        names = ", ".join(f":c{i}" for i in range(len(chunk)))
        rows = tx.all(f"SELECT code, id, path FROM units WHERE code IN ({names})",
                      {f"c{i}": code for i, code in enumerate(chunk)})
        found.update({code: (unit_id, path) for code, unit_id, path in rows})
    return found


def _unit_ids(db: Database) -> dict[str, int]:
    with db.snapshot() as tx:
        return dict(tx.all("SELECT code, id FROM units"))


def _user_row(tx: RawTransaction, user: dict[str, Any], password_hash: str, unit_ids: dict[str, int],
              now: datetime) -> dict[str, Any]:
    return {"username": user["username"], "display_name": user["display_name"], "password_hash": password_hash,
            "roles": user["roles"], "unit_id": unit_ids[user["unit"]], "active": True,
            "created_at": tx.timestamp(now), "token_key": new_token_key()}


def _unit_details(unit: dict[str, Any]) -> dict[str, Any]:
    return {key: unit[key] for key in ("name", "kind", "parent", "abbreviation")} | {"via": "import"}


def _user_details(user: dict[str, Any]) -> dict[str, Any]:
    return {"display_name": user["display_name"], "unit": user["unit"], "roles": user["roles"].split(),
            "via": "import"}
