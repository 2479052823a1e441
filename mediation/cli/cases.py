"""`demo`, `summary`, `verify`."""

from __future__ import annotations

from typing import Optional

import typer
from rich.progress import Progress
from rich.table import Table

from mediation.cli._app import _fail, app, case_id_given, console, errors
from mediation.db import Database


@app.command()
def demo(
    cases: int = typer.Option(240, help="How many cases to create"),
    seed: int = typer.Option(7, help="Random seed"),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when cases exist already"),
) -> None:
    """Load a realistic demo county with cases in every state."""
    from mediation.db.schema import upgrade_database
    from mediation.demo.dataset import demo_summary, load_demo

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
    from mediation.demo.dataset import demo_summary

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



@app.command()
def verify(
    case: Optional[str] = typer.Option(None, "--case", help="Check one case only: its id or its number"),
    expected_hash: Optional[str] = typer.Option(None, "--hash", help="Head hash printed on a paper copy"),
) -> None:
    """Recompute every case's event hash chain and re-hash its files; exit 1 naming the case and event on a mismatch."""
    from mediation.cases.audit import case_head_hash, case_ids, check_case, verify_all

    database = Database()
    if case is not None:
        case = case_id_given(database, case)
        head = case_head_hash(database, case)
        if head is None:
            _fail(f"no case {case}")
        found = check_case(database, case)
        for broken in found:
            errors.print(f"[red]case {broken.case_id} event {broken.seq}:[/] {broken.problem}")
        if found:
            raise typer.Exit(1)
        if expected_hash and expected_hash != head:
            _fail(f"case {case}: head hash is {head}, the paper copy says {expected_hash}")
        console.print(f"case {case}: chain verifies, its files match their attach events, head {head}")
        return
    ids = case_ids(database)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("verifying hash chains and files", total=len(ids))
        broken_chains = list(verify_all(database, on_case=lambda _: progress.advance(task)))
    for broken in broken_chains:
        errors.print(f"[red]case {broken.case_id} event {broken.seq}:[/] {broken.problem}")
    if broken_chains:
        raise typer.Exit(1)
    console.print(f"{len(ids)} cases: every hash chain verifies, every stored file matches its attach event")
