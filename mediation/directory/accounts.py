"""Org units and users: the directory behind jurisdiction and roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from mediation.clock import utcnow
from mediation.db import Database
from mediation.db.models import Unit, User
from mediation.directory.actors import Actor
from mediation.directory.tokens import new_token_key
from mediation.errors import InvalidData, NotFound

UNIT_KINDS = ("county", "town", "community", "grid", "station", "department", "court")
ROLES = ("grid_worker", "mediator", "police", "department", "court", "supervisor", "admin")
_units = Unit.__table__
_users = User.__table__
_hasher = PasswordHasher()


@dataclass(frozen=True)
class UnitRecord:
    id: int
    code: str
    name: str
    kind: str
    path: str


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def create_unit(
    db: Database, *, code: str, name: str, kind: str, parent: str | None = None, abbreviation: str | None = None
) -> UnitRecord:
    """Add an org unit under its parent; its path makes subtree checks a prefix test."""
    if kind not in UNIT_KINDS:
        raise InvalidData("kind", f"must be one of {list(UNIT_KINDS)}")
    if not code or "/" in code or len(code) > 64:
        raise InvalidData("code", "must be 1–64 characters without '/'")
    if not name or len(name) > 200:
        raise InvalidData("name", "must be 1–200 characters")
    with db.begin() as connection:
        if connection.execute(sa.select(_units.c.id).where(_units.c.code == code)).first():
            raise InvalidData("code", f"unit '{code}' exists already")
        parent_id, path = None, "/"
        if parent is not None:
            found = connection.execute(sa.select(_units.c.id, _units.c.path).where(_units.c.code == parent)).first()
            if found is None:
                raise InvalidData("parent", f"no unit '{parent}'")
            parent_id, path = found
        path = f"{path}{code}/"
        unit_id = connection.execute(
            _units.insert().returning(_units.c.id),
            {"code": code, "name": name, "kind": kind, "parent_id": parent_id, "path": path,
             "abbreviation": abbreviation, "created_at": utcnow()},
        ).scalar_one()
    return UnitRecord(unit_id, code, name, kind, path)


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
    unknown = sorted(set(roles) - set(ROLES))
    if not roles or unknown:
        raise InvalidData("role", f"unknown roles {unknown}; allowed: {list(ROLES)}")
    if not username or len(username) > 64:
        raise InvalidData("username", "must be 1–64 characters")
    if len(password) < 8:
        raise InvalidData("password", "must be at least 8 characters")
    with db.begin() as connection:
        unit_id = connection.execute(sa.select(_units.c.id).where(_units.c.code == unit)).scalar()
        if unit_id is None:
            raise InvalidData("unit", f"no unit '{unit}'")
        if connection.execute(sa.select(_users.c.id).where(_users.c.username == username)).first():
            raise InvalidData("username", f"user '{username}' exists already")
        return connection.execute(
            _users.insert().returning(_users.c.id),
            {"username": username, "display_name": display_name or username, "password_hash": password_hash or hash_password(password),
             "roles": " ".join(sorted(set(roles))), "unit_id": unit_id, "active": True, "created_at": utcnow(),
             "token_key": new_token_key()},
        ).scalar_one()


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
