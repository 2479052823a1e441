"""`workflows migrate --from V1 --to V2 [--map OLD=NEW …] --dry-run|--apply --plan HASH`."""

from __future__ import annotations

from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from mediation.cli._app import _fail, console, counted_progress
from mediation.cli.workflows import workflows_app
from mediation.db import Database


def _state_map(pairs: list[str]) -> dict[str, str]:
    state_map = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            _fail(f"--map: '{pair}' is not OLD=NEW (two state names, e.g. joint.referred=joint.in_progress)", 2)
        state_map[old.strip()] = new.strip()
    return state_map


@workflows_app.command("migrate")
def workflows_migrate(
    from_number: int = typer.Option(..., "--from", help="Version number the cases are on"),
    to_number: int = typer.Option(..., "--to", help="Version number to move them to"),
    state_map: list[str] = typer.Option([], "--map", help="OLD=NEW: a state of the old version and its new name"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan and report; change nothing"),
    apply: bool = typer.Option(False, "--apply", help="Move the cases of a plan (with --plan)"),
    plan: Optional[str] = typer.Option(None, "--plan", help="The hash the dry run printed"),
    name: str = typer.Option("mediation", "--name", help="Workflow name"),
    every: bool = typer.Option(False, "--list", help="List every case, not only those that cannot move"),
    actor: Optional[str] = typer.Option(None, "--as", help="Admin user recorded on each move (default: the first)"),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Move at most this many cases, then stop"),
) -> None:
    """Move in-flight cases to another version of the workflow: dry run first, then apply its plan."""
    from mediation.cases.migration_runs import UnknownVersion, open_migration

    if dry_run == apply:
        _fail("give exactly one of --dry-run and --apply", 2)
    if from_number == to_number:
        _fail(f"--from and --to are the same version ({from_number}): nothing to move", 2)
    if apply and not plan:
        _fail("--apply needs --plan HASH (the last line of the dry run)", 2)
    database = Database()
    try:
        migration = open_migration(database, name=name, from_number=from_number, to_number=to_number,
                                   state_map=_state_map(state_map))
    except UnknownVersion as error:
        _fail(str(error), 2)
    if dry_run:
        _dry_run(database, migration, every)
    else:
        _apply(database, migration, plan or "", actor, limit)


def _dry_run(database: Database, migration, every: bool) -> None:
    from mediation.cases.migration import REASONS
    from mediation.cases.migration_runs import dry_run, refused_cases

    summary = dry_run(database, migration)
    table = Table(title=f"{migration.name}: version {migration.from_number} → {migration.to_number}")
    outcomes = sorted(summary.totals["by_outcome"])
    for column in ("state", *outcomes):
        table.add_column(column, justify="left" if column == "state" else "right")
    for state, counts in summary.totals["by_state"].items():
        table.add_row(state, *(str(counts.get(outcome, 0)) for outcome in outcomes))
    console.print(table)
    console.print(f"cases: {summary.totals['cases']}  " + "  ".join(
        f"{outcome}: {count}" for outcome, count in sorted(summary.totals["by_outcome"].items())))
    console.print("deadlines: " + ("  ".join(f"{change}: {count}" for change, count
                                             in sorted(summary.totals["deadlines"].items())) or "none change"))
    if summary.totals.get("ladder_rungs_moved"):
        console.print(f"ladder: {summary.totals['ladder_rungs_moved']} cases keep their rung at its new place")
    for number, state, outcome, detail, to_state, changes in refused_cases(database, summary.plan_id, every=every):
        words = REASONS.get(outcome)
        said = f"{words['zh']} / {words['en']}" if words else f"→ {to_state}"
        named = f" ({detail})" if detail else ""
        console.print(escape(f"{number}  {state}  {said}{named} [{outcome}]  {changes if every else ''}".rstrip()),
                      soft_wrap=True)
    console.print(f"plan: {summary.hash}")


def _apply(database: Database, migration, plan: str, username: str | None, limit: int | None) -> None:
    from mediation.cases.migration_apply import PlanNotFound, apply_plan, find_plan, migrating_admin
    from mediation.errors import NotFound

    try:
        admin = migrating_admin(database, username)
        _, waiting = find_plan(database, migration, plan)
    except PlanNotFound as error:
        _fail(f"{error}: run --dry-run again and apply the plan it prints", 1)
    except (NotFound, PermissionError) as error:
        _fail(str(error), 2)
    with counted_progress(transient=True) as progress:
        task = progress.add_task("moving cases", total=min(waiting, limit or waiting))
        totals = apply_plan(database, migration, plan, actor=admin, limit=limit,
                            advance=lambda: progress.advance(task))
    console.print(f"moved: {totals.moved}  changed: {len(totals.changed)}  busy: {len(totals.busy)}  "
                  f"refused: {totals.refused}  skipped: {totals.skipped}")
    if totals.changed:
        console.print("changed since the dry run (not moved): " + ", ".join(totals.changed), soft_wrap=True)
    if totals.busy:
        console.print("busy now (run --apply again to move them): " + ", ".join(totals.busy), soft_wrap=True)
