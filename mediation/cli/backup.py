"""`backup -o FILE` and `db copy --to URL`: keep a copy, or move to another database (DESIGN §9.7)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import typer
from rich.progress import BarColumn, Progress, TextColumn

from mediation.cli._app import _fail, app, console, counted_progress, errors, writable_file
from mediation.cli.directory import db_app
from mediation.db import Database, database_url


@app.command("backup")
def backup_command(
    output: Path = typer.Option(..., "-o", "--output", help="File to write the backup to"),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE when it exists"),
) -> None:
    """Back up the database while the server runs: SQLite's online backup, or pg_dump -Fc for PostgreSQL."""
    from mediation.db.backup import BackupFailed, backup_database, cases_in

    writable_file(output)
    if output.exists() and not force:
        _fail(f"-o {output}: exists already; choose another name, or --force to overwrite it")
    output.unlink(missing_ok=True)
    url = database_url()
    with Progress(TextColumn("backing up"), BarColumn(), TextColumn("{task.completed}/{task.total} pages"),
                  console=console, transient=True) as progress:
        task = progress.add_task("pages", total=None)
        try:
            backup_database(url, output, on_pages=lambda done, total: progress.update(task, completed=done,
                                                                                      total=total))
        except BackupFailed as error:
            _fail(str(error))
    counted_url = f"sqlite:///{output}" if sa.make_url(url).get_backend_name() == "sqlite" else url
    console.print(f"backup written to {output}: {_size(output.stat().st_size)}, {cases_in(counted_url)} cases")


def _size(count: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    return ""


@db_app.command("copy")
def copy_command(
    to: str = typer.Option(..., "--to", help="The target database URL (postgresql://… or sqlite:///FILE); "
                                              "it must be empty"),
) -> None:
    """Copy everything from this database (MEDIATION_DATABASE_URL) into an empty one, ids and hash chains kept,
    then verify every chain on the target."""
    from mediation.cases.audit import case_ids
    from mediation.cases.chain_scan import verify_streamed
    from mediation.db.copy import CopyRefused, copy_database

    try:
        parsed = sa.make_url(to)
    except sa.exc.ArgumentError:
        _fail(f"--to: {to!r} is not a database URL (postgresql://USER@HOST/NAME or sqlite:///FILE)")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        _fail(f"--to: {parsed.drivername} is not supported (postgresql://… or sqlite:///FILE)")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver this program ships with
    target_url = parsed.render_as_string(hide_password=False)
    _reachable(parsed)
    source_url = database_url()
    with counted_progress() as progress:
        tasks: dict[str, object] = {}

        def start(name: str, rows: int) -> None:
            tasks["current"] = progress.add_task(f"copying {name}", total=rows)

        try:
            report = copy_database(source_url, target_url, on_table=start,
                                   on_rows=lambda n: progress.advance(tasks["current"], n))
        except CopyRefused as error:
            _fail(f"--to: {error}")
    console.print(f"{sum(report.target.values())} rows in {len(report.target)} tables copied; "
                  "every table's count matches")
    target = Database(target_url)
    try:
        total = len(case_ids(target))
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("verifying hash chains on the target", total=total)
            broken = list(verify_streamed(target, on_case=lambda _: progress.advance(task)))
    finally:
        target.dispose()
    for found in broken:
        errors.print(f"[red]case {found.case_id} event {found.seq}:[/] {found.problem}")
    if broken:
        _fail(f"the copy does not verify ({len(broken)} problems above); drop and recreate the target "
              "before copying again")
    console.print(f"{total} cases: every hash chain verifies on the target")



def _reachable(target: sa.URL) -> None:
    """A one-line error naming --to when the target database cannot be opened (not the source's URL)."""
    if target.get_backend_name() == "sqlite":
        folder = Path(target.database or "").parent
        if not target.database or not folder.is_dir():
            _fail(f"--to: folder {folder} does not exist ({target})")
        return
    engine = sa.create_engine(target)
    try:
        with engine.connect():
            pass
    except sa.exc.DBAPIError as error:
        reason = (str(error.orig).strip().splitlines() or ["no reason given"])[0]
        _fail(f"--to: cannot use {target.render_as_string(hide_password=True)}: {reason}")
    finally:
        engine.dispose()
