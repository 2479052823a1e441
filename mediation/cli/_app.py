"""The `mediation` command and what its commands share."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import MofNCompleteColumn, Progress
from typer.core import TyperGroup

from mediation.db import database_url
from mediation.workflows.reasons import reason_in

DATABASE_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError, sqlite3.OperationalError, psycopg.OperationalError)


class _Commands(TyperGroup):
    """Every command: a database or a file that cannot be used is one line naming it, not a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (OSError, ImportError, sa.exc.ArgumentError, *DATABASE_ERRORS) as error:
            _fail(_unusable(error))


app = typer.Typer(help="Community dispute mediation: workflows, cases, documents.", no_args_is_help=True,
                  cls=_Commands)
console = Console()
errors = Console(stderr=True)


def readers_words(reason: str) -> str:
    """A data rule's reason in the reader's language: Chinese when LANG (or LC_ALL) says zh, else English."""
    locale = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return reason_in("zh" if locale.lower().startswith("zh") else "en", reason)


def _fail(message: str, code: int = 1) -> None:
    errors.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)  # one line, however long
    raise typer.Exit(code)


def _unusable(error: Exception) -> str:
    """What cannot be used, for a person: the database (its folder, its URL) or the file named."""
    url = database_url()
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        return f"MEDIATION_DATABASE_URL: {url!r} is not a database URL (e.g. sqlite:///var/mediation.db)"
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        return f"MEDIATION_DATABASE_URL: {parsed.drivername} is not supported (sqlite:///FILE or postgresql://…)"
    folder = Path(parsed.database).parent if parsed.get_backend_name() == "sqlite" and parsed.database else None
    if folder is not None and not folder.is_dir():
        return f"MEDIATION_DATABASE_URL: folder {folder} does not exist ({url})"
    if isinstance(error, (sa.exc.ArgumentError, ImportError)):
        raise error  # not the database URL: a fault of the program, shown as one
    if isinstance(error, OSError):
        return f"{error.filename}: {error.strerror}" if error.filename else str(error)
    reason = (str(getattr(error, "orig", None) or error).strip().splitlines() or ["no reason given"])[0]
    return f"MEDIATION_DATABASE_URL: cannot use {parsed.render_as_string(hide_password=True)}: {reason}"


def writable_file(path: Path, option: str = "-o") -> Path:
    """`path` when a file can be written there; else a one-line error naming the option and the folder."""
    if not path.parent.is_dir():
        _fail(f"{option} {path}: folder {path.parent} does not exist")
    if path.is_dir():
        _fail(f"{option} {path}: is a folder, not a file")
    return path


def case_id_given(database: Any, text: str) -> int:
    """The id of the case `text` names (its id or its printed number); a one-line error when there is none."""
    from mediation.cases.numbers import case_id_of

    with database.snapshot() as tx:
        found = case_id_of(tx, text)
    if found is None:
        _fail(f"case {text.strip()} not found")
    return found


def counted_progress(*, transient: bool = False) -> Progress:
    """A progress bar that also shows done / total (long runs: export, import, bulk render)."""
    return Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=console, transient=transient)
