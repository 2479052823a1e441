"""`db upgrade`, `units create|list`, `users create|list|disable|enable|set-password|set-roles|unlock`.

Every change is logged in the directory's change log (actor: the command line); `directory import`
is in cli/directory_import.py.
"""

from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from mediation.cli._app import _fail, app, console
from mediation.db import Database
from mediation.errors import MediationError

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
units_app = typer.Typer(help="Org units.", no_args_is_help=True)
users_app = typer.Typer(help="Users and roles.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(units_app, name="units")
app.add_typer(users_app, name="users")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision."""
    from mediation.db.schema import upgrade_database

    database = Database()
    upgrade_database(database.url)
    console.print(f"database at revision head: {database.engine.url.render_as_string(hide_password=True)}")


@units_app.command("create")
def units_create(
    code: str,
    name: str = typer.Option(..., help="Unit name, e.g. 江北社区"),
    kind: str = typer.Option(..., help="county|town|community|grid|station|department|court"),
    parent: Optional[str] = typer.Option(None, help="Parent unit code"),
    abbreviation: Optional[str] = typer.Option(None, help="Short name used in case numbers, e.g. 永嘉"),
) -> None:
    """Add an org unit."""
    from mediation.directory.accounts import create_unit

    try:
        unit = create_unit(Database(), code=code, name=name, kind=kind, parent=parent, abbreviation=abbreviation)
    except MediationError as error:
        _fail(error.detail)
    console.print(f"unit {unit.code} ({unit.name}, {unit.kind}) created at {unit.path}")


@users_app.command("create")
def users_create(
    username: str,
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    role: list[str] = typer.Option(..., help="Role; repeat for several"),
    unit: str = typer.Option(..., help="Unit code"),
    display_name: Optional[str] = typer.Option(None, help="Name shown to others"),
) -> None:
    """Add a user (password stored as an argon2 hash)."""
    from mediation.clock import utcnow
    from mediation.directory.user_administration import create_user

    try:
        user_id, _ = create_user(Database(), actor_id=None, username=username, password=password, roles=role,
                                 unit=unit, display_name=display_name, now=utcnow())
    except MediationError as error:
        _fail(error.detail)
    console.print(f"user {username} (id {user_id}) created with roles {', '.join(role)} in unit {unit}")


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Disable a user: no more logins, and every token and session of theirs ends at once."""
    _set_active(username, active=False)
    console.print(f"user {username} disabled; their tokens and sessions have ended")


@users_app.command("enable")
def users_enable(username: str) -> None:
    """Enable a disabled user again (tokens from before stay ended: they log in anew)."""
    _set_active(username, active=True)
    console.print(f"user {username} enabled")


def _set_active(username: str, *, active: bool) -> None:
    _change_user(username, {"disabled": not active})


def _change_user(username: str, changes: dict) -> dict:
    from mediation.clock import utcnow
    from mediation.directory.user_administration import change_user

    try:
        return change_user(Database(), actor_id=None, username=username, changes=changes, now=utcnow())
    except MediationError as error:
        _fail(error.detail)


@users_app.command("set-roles")
def users_set_roles(username: str, role: list[str] = typer.Option(..., help="Role; repeat for several")) -> None:
    """Give a user these roles (and no others); their tokens end, they log in again."""
    done = _change_user(username, {"roles": role})
    console.print(f"user {username} now has roles {', '.join(sorted(set(role)))}" if done
                  else f"user {username} has these roles already; nothing changed")


@users_app.command("set-password")
def users_set_password(
    username: str,
    password: Optional[str] = typer.Option(None, help="The new password (else asked for, or --random)"),
    random: bool = typer.Option(False, "--random", help="Generate a random password and print it once"),
) -> None:
    """Give a user a new password; every token and session of theirs ends."""
    from mediation.clock import utcnow
    from mediation.directory.user_administration import set_password

    if password is None and not random:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        given = set_password(Database(), actor_id=None, username=username, password=None if random else password,
                             now=utcnow())
    except MediationError as error:
        _fail(error.detail)
    console.print(f"user {username} has a new password" + (f": {given}  (shown once)" if random else ""))


@units_app.command("list")
def units_list(
    kind: Optional[str] = typer.Option(None, help="Only units of this kind"),
    under: Optional[str] = typer.Option(None, help="Only units in the subtree of this unit code"),
    q: Optional[str] = typer.Option(None, help="Code or name contains"),
    limit: int = typer.Option(500, min=1, max=100_000, help="At most this many"),
) -> None:
    """Units in tree order: code, name, kind, parent, users."""
    from mediation.directory.listings import list_units

    try:
        with Database().snapshot() as tx:
            found = list_units(tx, q=q, kind=kind, under=under, page_size=limit)
    except MediationError as error:
        _fail(error.detail)
    table = Table("code", "name", "kind", "parent", "users", title=f"{found.total} units")
    for unit in found.items:
        table.add_row(unit.code, unit.name, unit.kind, unit.parent or "", str(unit.users))
    console.print(table)


@users_app.command("list")
def users_list(
    unit: Optional[str] = typer.Option(None, help="Only users in the subtree of this unit code"),
    role: Optional[str] = typer.Option(None, help="Only users holding this role"),
    disabled: Optional[bool] = typer.Option(None, "--disabled/--active", help="Only disabled (or active) users"),
    q: Optional[str] = typer.Option(None, help="Username or name contains"),
    limit: int = typer.Option(500, min=1, max=100_000, help="At most this many"),
) -> None:
    """Users by username: name, unit, roles, disabled."""
    from mediation.directory.listings import list_users

    try:
        with Database().snapshot() as tx:
            found = list_users(tx, q=q, unit=unit, role=role, disabled=disabled, page_size=limit)
    except MediationError as error:
        _fail(error.detail)
    table = Table("username", "name", "unit", "roles", "disabled", title=f"{found.total} users")
    for user in found.items:
        table.add_row(user.username, user.display_name, f"{user.unit} {user.unit_name}", " ".join(user.roles),
                      "yes" if user.disabled else "")
    console.print(table)


@users_app.command("unlock")
def users_unlock(username: str) -> None:
    """Lift the wait that wrong passwords put on a user's logins (the moment is kept on the user)."""
    from mediation.clock import utcnow
    from mediation.directory.accounts import unlock_logins

    try:
        unlock_logins(Database(), username=username, at=utcnow())
    except MediationError as error:
        _fail(error.detail)
    console.print(f"user {username} may log in again at once: earlier failed logins no longer count")


from mediation.cli import directory_import  # noqa: F401  (registers `directory import`)
