"""The `mediation` command line (DESIGN §7): thin commands over the services."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from mediation.db import Database
from mediation.errors import MediationError

app = typer.Typer(help="Community dispute mediation: workflows, cases, documents.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
units_app = typer.Typer(help="Org units.", no_args_is_help=True)
users_app = typer.Typer(help="Users and roles.", no_args_is_help=True)
workflows_app = typer.Typer(help="Workflow definitions.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(units_app, name="units")
app.add_typer(users_app, name="users")
app.add_typer(workflows_app, name="workflows")

console = Console()
errors = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    errors.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision."""
    from mediation.schema import upgrade_database

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
    from mediation.directory import create_unit

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
    from mediation.directory import create_user

    try:
        user_id = create_user(Database(), username=username, password=password, roles=role, unit=unit,
                              display_name=display_name)
    except MediationError as error:
        _fail(error.detail)
    console.print(f"user {username} (id {user_id}) created with roles {', '.join(role)} in unit {unit}")


@app.command()
def demo(
    cases: int = typer.Option(240, help="How many cases to create"),
    seed: int = typer.Option(7, help="Random seed"),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when cases exist already"),
) -> None:
    """Load a realistic demo county with cases in every state."""
    from mediation.demo import demo_summary, load_demo
    from mediation.schema import upgrade_database

    database = Database()
    upgrade_database(database.url)
    if if_empty and demo_summary(database):
        console.print("demo data present already; nothing loaded")
        return
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("loading demo cases", total=cases)
        load_demo(database, cases=cases, seed=seed, progress=lambda n: progress.update(task, completed=n))
    _print_summary(database)


def _print_summary(database: Database) -> None:
    from mediation.demo import demo_summary

    table = Table(title="Cases by stage and state")
    for column in ("stage", "state", "cases"):
        table.add_column(column, justify="right" if column == "cases" else "left")
    rows = demo_summary(database)
    for stage, state, count in rows:
        table.add_row(stage, state, str(count))
    table.add_row("", "total", str(sum(count for _, _, count in rows)), style="bold")
    console.print(table)


@app.command()
def summary() -> None:
    """Print cases by stage and state."""
    _print_summary(Database())


@workflows_app.command("check")
def workflows_check(directory: Optional[Path] = typer.Option(None, help="Folder of workflow YAML files")) -> None:
    """Check every workflow definition and the policy; exit 1 on any problem."""
    from mediation.workflows.checker import check_definition
    from mediation.workflows.loader import WORKFLOW_DIR, load_definition, workflow_files

    folder = directory or WORKFLOW_DIR
    failed = False
    for name in workflow_files(folder):
        try:
            problems = check_definition(load_definition(name, folder))
        except (ValueError, KeyError, TypeError) as error:
            problems = [f"cannot be read: {error}"]
        for problem in problems:
            errors.print(f"[red]{name}:[/] {problem}")
        failed = failed or bool(problems)
        if not problems:
            console.print(f"{name}: ok")
    if failed:
        raise typer.Exit(1)


@workflows_app.command("graph")
def workflows_graph(
    name: str,
    stage: Optional[str] = typer.Option(None, help="Only transitions touching this stage"),
    lang: str = typer.Option("zh", help="Label language: zh or en"),
) -> None:
    """Print a Mermaid state diagram of a workflow."""
    from mediation.workflows.graph import mermaid
    from mediation.workflows.loader import load_definition

    try:
        definition = load_definition(name)
    except KeyError as error:
        _fail(str(error.args[0]))
    typer.echo(mermaid(definition, stage=stage, lang=lang), nl=False)


@app.command()
def verify(
    case: Optional[int] = typer.Option(None, "--case", help="Check one case only"),
    expected_hash: Optional[str] = typer.Option(None, "--hash", help="Head hash printed on a paper copy"),
) -> None:
    """Recompute every case's event hash chain; exit 1 naming the case and event on a mismatch."""
    from mediation.audit import case_head_hash, case_ids, verify_all, verify_case

    database = Database()
    if case is not None:
        broken = verify_case(database, case)
        head = case_head_hash(database, case)
        if head is None:
            _fail(f"no case {case}")
        if broken:
            _fail(f"case {broken.case_id} event {broken.seq}: {broken.problem}")
        if expected_hash and expected_hash != head:
            _fail(f"case {case}: head hash is {head}, the paper copy says {expected_hash}")
        console.print(f"case {case}: chain verifies, head {head}")
        return
    ids = case_ids(database)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("verifying hash chains", total=len(ids))
        broken_chains = list(verify_all(database, on_case=lambda _: progress.advance(task)))
    for broken in broken_chains:
        errors.print(f"[red]case {broken.case_id} event {broken.seq}:[/] {broken.problem}")
    if broken_chains:
        raise typer.Exit(1)
    console.print(f"{len(ids)} cases: every hash chain verifies")


@app.command()
def worker(
    once: bool = typer.Option(False, "--once", help="Process what is due now, then exit"),
    now: Optional[str] = typer.Option(None, "--now", help="With --once: the moment to process, ISO date-time"),
    batch_size: int = typer.Option(200, min=1, max=10_000, help="Deadlines per transaction"),
    idle_seconds: float = typer.Option(1.0, min=0.05, help="Sleep when nothing is due"),
) -> None:
    """Fire due deadlines through the engine as the system actor (and deliver notifications)."""
    from datetime import datetime

    from mediation.worker_loop import WorkerLoop

    moment = None
    if now is not None:
        try:
            moment = datetime.fromisoformat(now).replace(tzinfo=None)
        except ValueError:
            _fail(f"--now must be an ISO date-time like 2026-03-02T09:00:00, not {now!r}", code=2)
    loop = WorkerLoop(Database(), batch_size=batch_size, idle_seconds=idle_seconds)
    if once:
        report = loop.once(moment)
        console.print(f"processed {report.claimed} due deadlines: {dict(sorted(report.outcomes.items()))}")
        return
    loop.install_signal_handlers()
    console.print("worker running; SIGTERM or Ctrl-C stops it after the current batch")
    total = loop.run()
    console.print(f"worker stopped: {dict(sorted(total.outcomes.items()))}")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port"),
    workers: int = typer.Option(1, min=1, help="Worker processes"),
    access_log: bool = typer.Option(False, help="Log every request"),
    with_worker: bool = typer.Option(False, "--with-worker", help="Run the deadline worker in this process too"),
) -> None:
    """Serve the API (and web workspace) with uvicorn."""
    import threading

    import uvicorn

    from mediation.schema import upgrade_database
    from mediation.worker_loop import WorkerLoop

    upgrade_database(Database().url)
    if with_worker:
        threading.Thread(target=WorkerLoop(Database()).run, name="deadline-worker", daemon=True).start()
    console.print(f"serving on http://{host}:{port} with {workers} worker(s); API docs at /schema")
    uvicorn.run("mediation.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=access_log)
