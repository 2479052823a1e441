"""Org units and users: the directory behind jurisdiction and roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from mediation.clock import utcnow
from mediation.db import Database
from mediation.db.models import Unit, User
from mediation.directory import unit_administration
from mediation.directory.actors import Actor
from mediation.directory.passwords import hash_password, password_matches
from mediation.directory.rules import (
    ROLES,
    UNIT_KINDS,
    check,
    password_refusal,
    roles_refusal,
    username_refusal,
)
from mediation.directory.tokens import new_token_key
from mediation.directory.user_administration import create_user_in
from mediation.errors import NotFound

__all__ = ["ROLES", "UNIT_KINDS", "UnitRecord", "actor_for", "create_unit", "create_user", "hash_password",
           "password_matches", "set_active", "unlock_logins"]

_units = Unit.__table__
_users = User.__table__


@dataclass(frozen=True)
class UnitRecord:
    id: int
    code: str
    name: str
    kind: str
    path: str


def create_unit(
    db: Database, *, code: str, name: str, kind: str, parent: str | None = None, abbreviation: str | None = None
) -> UnitRecord:
    """Add an org unit under its parent (kinds nested as rules.py says); its path makes subtree checks a prefix test."""
    unit = unit_administration.create_unit(db, actor_id=None, now=utcnow(), code=code, name=name, kind=kind,
                                           parent=parent, abbreviation=abbreviation)
    return UnitRecord(unit.id, unit.code, unit.name, unit.kind, unit.path)


def create_user(
    db: Database,
    *,
    username: str,
    password: str,
    roles: list[str],
    unit: str,
    display_name: str | None = None,
    password_hash: str | None = None,
) -> int:
    """Add a user with an argon2 password hash (or one hashed already); returns the user id."""
    check(username_refusal(username), roles_refusal(roles, field="role"),
          None if password_hash else password_refusal(password))
    with db.write() as tx:
        return create_user_in(tx, actor_id=None, username=username, display_name=display_name, unit=unit,
                              roles=roles, password_hash=password_hash or hash_password(password), now=utcnow())


def set_active(db: Database, *, username: str, active: bool) -> None:
    """Disable or enable a user; either way the tokens issued so far end (a new token key)."""
    with db.begin() as connection:
        changed = connection.execute(_users.update().where(_users.c.username == username),
                                     {"active": active, "token_key": new_token_key()}).rowcount
    if not changed:
        raise NotFound(f"no user '{username}'")


def unlock_logins(db: Database, *, username: str, at: datetime) -> None:
    """Lift the wait wrong passwords put on a user's logins: failures before `at` no longer count."""
    with db.begin() as connection:
        changed = connection.execute(_users.update().where(_users.c.username == username),
                                     {"logins_unlocked_at": at}).rowcount
    if not changed:
        raise NotFound(f"no user '{username}'")


def actor_for(db: Database, username: str) -> Actor:
    """The actor of an active user, with their unit's path for jurisdiction checks."""
    with db.read() as connection:
        row = connection.execute(
            sa.select(_users.c.id, _users.c.username, _users.c.roles, _users.c.unit_id, _units.c.path,
                      _users.c.display_name)
            .join(_units, _units.c.id == _users.c.unit_id)
            .where(_users.c.username == username, _users.c.active.is_(True))
        ).first()
    if row is None:
        raise NotFound(f"no active user '{username}'")
    return Actor(user_id=row.id, username=row.username, roles=frozenset(row.roles.split()),
                 unit_id=row.unit_id, unit_path=row.path, display_name=row.display_name)
