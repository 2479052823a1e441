"""`worker` and `serve`: the long-running processes."""

from __future__ import annotations

import logging
from typing import Optional

import typer

from mediation.cli._app import _fail, app, console
from mediation.db import Database
from mediation.errors import MediationError
from mediation.observability import (
    configure_json_logs,
    json_logs,
    logging_config,
    prepare_metrics_dir,
)


@app.command()
def worker(
    once: bool = typer.Option(False, "--once", help="Process what is due now, then exit"),
    now: Optional[str] = typer.Option(None, "--now", help="With --once: the moment to process, ISO date-time"),
    batch_size: int = typer.Option(200, min=1, max=10_000, help="Deadlines per transaction"),
    idle_seconds: float = typer.Option(1.0, min=0.05, help="Sleep when nothing is due"),
) -> None:
    """Fire due deadlines through the engine as the system actor (and deliver notifications)."""
    from datetime import datetime, timezone

    from mediation.db.pool_watch import watch_pools
    from mediation.deadlines.loop import WorkerLoop

    moment = None
    if now is not None:
        try:
            moment = datetime.fromisoformat(now)
            if moment.tzinfo is not None:  # an explicit offset: the same instant in naive UTC
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        except ValueError:
            _fail(f"--now must be an ISO date-time like 2026-03-02T09:00:00, not {now!r}", code=2)
    from mediation.db.schema import upgrade_database
    from mediation.notifications.outbox import deliverer

    if json_logs():
        configure_json_logs()
    database = Database()
    watch_pools(database)
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
        _say(f"processed {report.claimed} due deadlines: {dict(sorted(report.outcomes.items()))}; "
             f"{delivered} notifications delivered")
        return
    loop.install_signal_handlers()
    _say("worker running; SIGTERM or Ctrl-C stops it after the current batch")
    total = loop.run()
    _say(f"worker stopped: {dict(sorted(total.outcomes.items()))}")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port"),
    workers: int = typer.Option(1, min=1, help="Worker processes"),
    access_log: bool = typer.Option(False, help="Log every request"),
    with_worker: bool = typer.Option(False, "--with-worker", help="Run the deadline worker in this process too"),
) -> None:
    """Serve the API (and web workspace) with uvicorn."""
    import uvicorn

    from mediation.db.schema import upgrade_database

    json_lines = json_logs()
    if json_lines:
        configure_json_logs(access_log=access_log)
    remove_metrics_dir = prepare_metrics_dir()  # before any process counts anything (multi-process mode)
    try:
        upgrade_database(Database().url)
        _check_workflow_folder()
        if with_worker:
            _start_worker_thread()
        _say(f"serving on http://{host}:{port} with {workers} worker(s); API docs at /schema")
        logs = {"log_config": logging_config(access_log=access_log), "access_log": False} if json_lines else {}
        uvicorn.run("mediation.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level="warning", **{"access_log": access_log, **logs})
    finally:
        remove_metrics_dir()


def _start_worker_thread() -> None:
    """`serve --with-worker`: the deadline worker beside the server, in this process."""
    import threading

    from mediation.db.pool_watch import watch_pools
    from mediation.deadlines.loop import WorkerLoop
    from mediation.notifications.outbox import deliverer

    database = Database()
    watch_pools(database)
    try:
        loop = WorkerLoop(database, deliver=deliverer(database))
    except MediationError as error:
        _fail(error.detail, code=2)
    threading.Thread(target=loop.run, name="deadline-worker", daemon=True).start()


def _say(text: str) -> None:
    """A line for the operator: a JSON log line under MEDIATION_LOG_FORMAT=json, else on the console."""
    if json_logs():
        logging.getLogger("mediation.cli").info(text)
    else:
        console.print(text)


def _check_workflow_folder() -> None:
    """Refuse to start on a workflow folder `workflows check` finds problems in, naming each."""
    from mediation.db.workflow_versions import DefinitionProblems

    database = Database()
    try:
        database.workflows.current_version_id()
    except DefinitionProblems as error:
        _fail(f"{error.args[0]}; run `mediation workflows check`")
    except (ValueError, KeyError, OSError) as error:
        _fail(f"the workflow folder cannot be read: {error}")
    finally:
        database.dispose()
