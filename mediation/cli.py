"""The `mediation` command line (DESIGN §7): thin commands over the services."""

from __future__ import annotations

import os
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
    if if_empty and any(count for _, _, count in demo_summary(database)):
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
    from datetime import datetime, timezone

    from mediation.worker_loop import WorkerLoop

    moment = None
    if now is not None:
        try:
            moment = datetime.fromisoformat(now)
            if moment.tzinfo is not None:  # an explicit offset: the same instant in naive UTC
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        except ValueError:
            _fail(f"--now must be an ISO date-time like 2026-03-02T09:00:00, not {now!r}", code=2)
    from mediation.outbox import deliverer
    from mediation.schema import upgrade_database

    database = Database()
    upgrade_database(database.url)
    try:
        deliver = deliverer(database)
    except MediationError as error:
        _fail(error.detail, code=2)
    loop = WorkerLoop(database, batch_size=batch_size, idle_seconds=idle_seconds, deliver=deliver)
    if not once:
        database.start_checkpointer()
    if once:
        report = loop.once(moment)
        delivered = report.outcomes.pop("delivered", 0)
        console.print(f"processed {report.claimed} due deadlines: {dict(sorted(report.outcomes.items()))}; "
                      f"{delivered} notifications delivered")
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
        from mediation.outbox import deliverer

        database = Database()
        try:
            loop = WorkerLoop(database, deliver=deliverer(database))
        except MediationError as error:
            _fail(error.detail, code=2)
        threading.Thread(target=loop.run, name="deadline-worker", daemon=True).start()
    console.print(f"serving on http://{host}:{port} with {workers} worker(s); API docs at /schema")
    uvicorn.run("mediation.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=access_log)


outbox_app = typer.Typer(help="Notifications waiting for, or done with, webhook delivery.", no_args_is_help=True)
webhooks_app = typer.Typer(help="Webhook endpoints the worker delivers notifications to.", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
app.add_typer(webhooks_app, name="webhooks")


def _when(value) -> str:
    return value.isoformat(" ", "seconds") if value else ""


@outbox_app.command("list")
def outbox_list(
    status: Optional[str] = typer.Option(None, help="pending|sending|sent|dead|skipped"),
    limit: int = typer.Option(50, min=1, max=10_000, help="How many, newest first"),
) -> None:
    """List outbox messages, newest first."""
    from mediation.outbox import list_messages

    try:
        rows = list_messages(Database(), status=status, limit=limit)
    except MediationError as error:
        _fail(error.detail, code=2)
    table = Table(title=f"Outbox ({status or 'all'})")
    for column in ("id", "case", "seq", "topic", "recipient", "status", "tries", "next try", "created", "error"):
        table.add_column(column, justify="right" if column in ("id", "seq", "tries") else "left")
    for m in rows:
        table.add_row(str(m.id), m.case_number, str(m.event_seq), m.topic, m.recipient, m.status, str(m.attempts),
                      _when(m.next_attempt_at) if m.status in ("pending", "sending") else "",
                      _when(m.created_at), m.last_error or "")
    console.print(table)


@outbox_app.command("retry")
def outbox_retry(message_id: int = typer.Argument(..., metavar="ID")) -> None:
    """Put a dead message back in the queue with all its tries."""
    from mediation.engine import utcnow
    from mediation.outbox import retry_message

    try:
        retry_message(Database(), message_id, now=utcnow())
    except MediationError as error:
        _fail(error.detail)
    console.print(f"outbox message {message_id} is pending again")


@webhooks_app.command("add")
def webhooks_add(
    url: str,
    secret: str = typer.Option(..., prompt=True, hide_input=True, help="Shared secret for the HMAC signature"),
    topic: list[str] = typer.Option([], help="Only this topic; repeat for several (default: every topic)"),
) -> None:
    """Register an http(s) endpoint."""
    from mediation.webhooks import add_webhook

    try:
        webhook_id = add_webhook(Database(), url=url, secret=secret, topics=topic)
    except MediationError as error:
        _fail(error.detail, code=2)
    console.print(f"webhook {webhook_id} added: {url} ({', '.join(sorted(set(topic))) or 'every topic'})")


@webhooks_app.command("list")
def webhooks_list() -> None:
    """List endpoints (secrets are not shown)."""
    from mediation.webhooks import ENV_URL, env_endpoint, list_webhooks

    table = Table(title="Webhooks")
    for column in ("id", "url", "topics", "active", "created"):
        table.add_column(column, justify="right" if column == "id" else "left")
    for hook in list_webhooks(Database()):
        table.add_row(str(hook.id), hook.url, " ".join(hook.topics) or "(every topic)", "yes" if hook.active else "no",
                      _when(hook.created_at))
    try:
        default = env_endpoint()
    except MediationError as error:
        _fail(error.detail, code=2)
    if default:
        table.add_row("0", default.url, "(every topic)", "yes", f"(from {ENV_URL})")
    console.print(table)


@webhooks_app.command("disable")
def webhooks_disable(webhook_id: int = typer.Argument(..., metavar="ID")) -> None:
    """Stop delivering to an endpoint."""
    from mediation.webhooks import set_active

    try:
        set_active(Database(), webhook_id, False)
    except MediationError as error:
        _fail(error.detail)
    console.print(f"webhook {webhook_id} disabled")


def _viewer(database: Database, username: Optional[str]):
    """The user a document is rendered for (numbers masked as they would see them); the system when none."""
    from mediation.access import SYSTEM
    from mediation.directory import actor_for

    return actor_for(database, username) if username else SYSTEM


@app.command()
def render(
    case: int = typer.Argument(..., help="Case id"),
    kind: str = typer.Argument(..., help="case_file|agreement|referral|judicial_application|return_visit"),
    output: Path = typer.Option(..., "-o", "--output", help="PDF file to write"),
    as_user: Optional[str] = typer.Option(None, "--as", help="Render for this user (masked as they see it)"),
    archival: bool = typer.Option(False, "--archival", help="PDF/A-3b archival copy"),
    lang: str = typer.Option("zh", help="zh or en"),
) -> None:
    """Render one document of a case to a PDF file."""
    from mediation.documents import DocumentRequest, document_bytes, prepare_document

    database = Database()
    try:
        prepared = prepare_document(database, _viewer(database, as_user), case, DocumentRequest(kind, lang, archival))
        size = output.write_bytes(document_bytes(prepared))
    except MediationError as error:
        _fail(error.detail)
    console.print(f"{output}: {prepared.file_name}, {size / 1024:.0f} KiB")


@app.command("export-pdfs")
def export_pdfs(
    unit: str = typer.Option(..., help="Cases of this unit and the units below it"),
    state: Optional[str] = typer.Option(None, help="Only cases in this state, e.g. closed.resolved"),
    output: Path = typer.Option(..., "-o", "--output", help="Folder to write the PDF files into"),
    processes: int = typer.Option(os.cpu_count() or 1, min=1, help="Rendering processes (default: every core)"),
    kind: str = typer.Option("case_file", help="Which document of each case"),
    as_user: Optional[str] = typer.Option(None, "--as", help="Render for this user (masked as they see it)"),
    archival: bool = typer.Option(False, "--archival", help="PDF/A-3b archival copies"),
) -> None:
    """Render a document of every matching case into a folder, on every core, with a progress bar."""
    from rich.progress import MofNCompleteColumn

    from mediation.documents import DocumentRequest, RenderPool, cases_to_export, export_documents

    database = Database()
    try:
        actor, request = _viewer(database, as_user), DocumentRequest(kind, archival=archival)
        ids = cases_to_export(database, actor, unit=unit, state=state)
    except MediationError as error:
        _fail(error.detail)
    with RenderPool(processes) as pool, Progress(*Progress.get_default_columns(), MofNCompleteColumn(),
                                                 console=console) as progress:
        task = progress.add_task(f"rendering {kind} on {processes} processes", total=len(ids))
        report = export_documents(database, actor, ids, output, pool=pool, request=request,
                                  on_done=lambda _case: progress.advance(task))
    for case_id, why in report.skipped:
        errors.print(f"[yellow]case {case_id} skipped:[/] {why}")
    console.print(f"{len(report.written)} of {len(ids)} cases written to {output}")
