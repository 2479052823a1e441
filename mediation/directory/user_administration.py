"""Creating and changing users: roles, unit, name, disabling, passwords — each change logged.

Disabling a user, a new password and new roles or a new unit give the user a new token key:
every token and web session they hold ends at once, in every process (identity.py reads the
user's row on each request). Passwords are hashed before the write transaction (argon2 is slow
on purpose) and never logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mediation.db import Database, RawTransaction
from mediation.directory.change_log import log_change
from mediation.directory.listings import check_unchanged, user_view
from mediation.directory.passwords import hash_password
from mediation.directory.rules import (
    DirectoryRefused,
    Refusal,
    check,
    display_name_refusal,
    password_refusal,
    random_password,
    refuse,
    roles_refusal,
    username_refusal,
)
from mediation.directory.tokens import new_token_key
from mediation.directory.unit_administration import parent_of
from mediation.errors import NotFound

INSERT_USER = ("INSERT INTO users (username, display_name, password_hash, roles, unit_id, active, created_at, token_key) "
               "VALUES (:username, :display_name, :password_hash, :roles, :unit_id, :active, :created_at, :token_key)")
USER_CHANGES = ("roles", "unit", "display_name", "disabled")
USER_ROW = ("SELECT u.id, u.username, u.display_name, u.roles, n.code, u.active FROM users u "
            "JOIN units n ON n.id = u.unit_id WHERE u.username = :username")


def roles_text(roles: list[str] | tuple[str, ...]) -> str:
    """Roles as stored: distinct, sorted, space-separated."""
    return " ".join(sorted(set(roles)))


def create_user_in(tx: RawTransaction, *, actor_id: int | None, username: str, display_name: str | None,
                   unit: str, roles: list[str], password_hash: str, now: datetime) -> int:
    """Add a user (password hashed by the caller), logged; the new user's id."""
    check(username_refusal(username), display_name_refusal(display_name or username), roles_refusal(roles))
    unit_row = parent_of(tx, unit, field="unit")
    if tx.one("SELECT 1 FROM users WHERE username = :u", {"u": username}):
        raise DirectoryRefused(Refusal("username", f"user '{username}' exists already", f"用户名“{username}”已存在"), 409)
    user_id = tx.insert(INSERT_USER, {
        "username": username, "display_name": display_name or username, "password_hash": password_hash,
        "roles": roles_text(roles), "unit_id": unit_row.id, "active": True, "created_at": tx.timestamp(now),
        "token_key": new_token_key()})
    log_change(tx, actor_id=actor_id, action="user_created", target=username,
               details={"display_name": display_name or username, "unit": unit, "roles": sorted(set(roles))}, at=now)
    return user_id


def create_user(db: Database, *, actor_id: int | None, username: str, display_name: str | None, unit: str,
                roles: list[str], password: str | None, now: datetime) -> tuple[int, str]:
    """Add a user with the password given, or a random one; (the id, the password to hand over once)."""
    check(username_refusal(username), password_refusal(password) if password is not None else None)
    password = password if password is not None else random_password()
    password_hash = hash_password(password)
    with db.write() as tx:
        user_id = create_user_in(tx, actor_id=actor_id, username=username, display_name=display_name, unit=unit,
                                 roles=roles, password_hash=password_hash, now=now)
    return user_id, password


def change_user(db: Database, *, actor_id: int | None, username: str, changes: dict[str, Any],
                now: datetime, if_match: str | None = None) -> dict[str, Any]:
    """Change a user's roles, unit, display name or disabled flag; what changed, {field: [old, new]}; with
    `if_match`, only if the user is still as the caller read them (else ChangedMeanwhile)."""
    unknown = sorted(set(changes) - set(USER_CHANGES))
    if unknown:
        raise refuse(unknown[0], "cannot be changed here", "不能在此修改")
    check(roles_refusal(changes["roles"]) if "roles" in changes else None,
          display_name_refusal(changes["display_name"]) if "display_name" in changes else None)
    if "disabled" in changes and not isinstance(changes["disabled"], bool):
        raise refuse("disabled", "must be true or false", "须为是或否")
    with db.write() as tx:
        user = _user(tx, username)
        check_unchanged(user_view(tx, username), if_match, "user")
        _refuse_locking_out(actor_id, user, changes)
        done = _apply(tx, user, changes)
        if done:
            log_change(tx, actor_id=actor_id, action="user_changed", target=username, details=done, at=now)
    return done


def _user(tx: RawTransaction, username: str) -> tuple:
    found = tx.one(USER_ROW, {"username": username})
    if found is None:
        raise NotFound(f"no user '{username}'", field="username")
    return found


def _refuse_locking_out(actor_id: int | None, user: tuple, changes: dict[str, Any]) -> None:
    """An administrator cannot disable themselves nor take away their own admin role (no one would be left)."""
    if actor_id is None or actor_id != user[0]:
        return
    if changes.get("disabled") is True:
        raise refuse("disabled", "you cannot disable yourself", "不能停用自己的账号")
    if "roles" in changes and "admin" not in changes["roles"]:
        raise refuse("roles", "you cannot take away your own admin role", "不能取消自己的系统管理员角色")


def _apply(tx: RawTransaction, user: tuple, changes: dict[str, Any]) -> dict[str, Any]:
    user_id, _, display_name, roles, unit, active = user
    values: dict[str, Any] = {}
    done: dict[str, Any] = {}
    if "display_name" in changes and changes["display_name"] != display_name:
        values["display_name"], done["display_name"] = changes["display_name"], [display_name, changes["display_name"]]
    if "roles" in changes and roles_text(changes["roles"]) != roles:
        values["roles"], done["roles"] = roles_text(changes["roles"]), [roles.split(), sorted(set(changes["roles"]))]
    if "unit" in changes and changes["unit"] != unit:
        values["unit_id"], done["unit"] = parent_of(tx, changes["unit"], field="unit").id, [unit, changes["unit"]]
    if "disabled" in changes and changes["disabled"] == bool(active):
        values["active"], done["disabled"] = not changes["disabled"], [bool(not active), changes["disabled"]]
    if set(values) - {"display_name"}:
        values["token_key"] = new_token_key()  # the user's tokens end: they sign in again under the new rights
    if values:
        assignments = ", ".join(f"{column} = :{column}" for column in values)
        tx.execute(f"UPDATE users SET {assignments} WHERE id = :id", {**values, "id": user_id})
    return done


def set_password(db: Database, *, actor_id: int | None, username: str, password: str | None,
                 now: datetime) -> str:
    """Give a user a new password (a random one when None): their tokens end; the password, to hand over once."""
    check(password_refusal(password) if password is not None else None)
    generated = password is None
    password = random_password() if generated else password
    password_hash = hash_password(password)
    with db.write() as tx:
        user = _user(tx, username)
        tx.execute("UPDATE users SET password_hash = :hash, token_key = :key WHERE id = :id",
                   {"hash": password_hash, "key": new_token_key(), "id": user[0]})
        log_change(tx, actor_id=actor_id, action="password_set", target=username,
                   details={"generated": generated}, at=now)
    return password
