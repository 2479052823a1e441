"""`db upgrade`, `units create`, `users create|disable|enable|unlock`."""

from __future__ import annotations

from typing import Optional

import typer

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
    from mediation.directory.accounts import create_user

    try:
        user_id = create_user(Database(), username=username, password=password, roles=role, unit=unit,
                              display_name=display_name)
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
    from mediation.directory.accounts import set_active

    try:
        set_active(Database(), username=username, active=active)
    except MediationError as error:
        _fail(error.detail)


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
