"""`calendar`: where each year's working days come from, and `calendar recompute`."""

from __future__ import annotations

import typer

from mediation.cli._app import DATABASE_ERRORS, _unusable, app, console, counted_progress, errors

calendar_app = typer.Typer(help="The working-day calendar deadlines are counted on.")
app.add_typer(calendar_app, name="calendar")


@calendar_app.callback(invoke_without_command=True)
def calendar(ctx: typer.Context,
             ahead: int = typer.Option(1, min=0, max=10, help="Years after this one to show")) -> None:
    """Where each year's working days come from (chinesecalendar, holidays.yaml, or an estimate), and how
    many open deadlines rest on an estimate."""
    if ctx.invoked_subcommand is not None:
        return
    from datetime import date

    from rich.table import Table

    from mediation.workflows.calendar import coverage, holidays_file

    meaning = {
        "chinesecalendar": "the chinesecalendar package (statutory holidays and make-up working days)",
        "holidays.yaml": f"the administrator's entry in {holidays_file()}",
        "estimate": "ESTIMATE: Monday to Friday without the statutory holidays of the rules in force "
                    f"(no make-up working days); enter the State Council's arrangement in {holidays_file()}",
    }
    table = Table("year", "working days from")
    this_year = date.today().year
    for year in range(this_year, this_year + ahead + 1):
        source = coverage(year)
        table.add_row(str(year), f"[yellow]{meaning[source]}[/]" if source == "estimate" else meaning[source])
    console.print(table)
    try:
        count = _estimated_count()
    except (OSError, *DATABASE_ERRORS) as error:  # the calendar itself needs no database
        errors.print(f"open deadlines resting on an estimate: not counted ({_unusable(error)})", soft_wrap=True)
        return
    console.print(f"open deadlines resting on an estimate: {count}"
                  + ("; `mediation calendar recompute` once the arrangement is entered" if count else ""))


def _estimated_count() -> int:
    from mediation.db import Database
    from mediation.deadlines.recount import estimated_open_deadlines

    database = Database()
    try:
        return estimated_open_deadlines(database)
    finally:
        database.dispose()


@calendar_app.command("recompute")
def recompute() -> None:
    """Count every open deadline that rests on an estimate anew on today's calendar; each one that moves
    is an event on its case."""
    from mediation.clock import utcnow
    from mediation.db import Database
    from mediation.deadlines.recount import (
        estimated_open_deadlines,
        holidays_digest,
        recount,
        remember_holidays,
    )

    database = Database()
    try:
        digest, total = holidays_digest(), estimated_open_deadlines(database)
        with counted_progress() as bar:
            task = bar.add_task("recounting deadlines", total=total)
            report = recount(database, now=utcnow(), progress=lambda n: bar.advance(task, n))
        remember_holidays(database, digest)  # the worker need not recount the same file again
    finally:
        database.dispose()
    console.print(f"cases changed: {report.cases}; deadlines moved: {report.moved}; unchanged: {report.unchanged}"
                  + (f"; refused: {report.refused}" if report.refused else ""))
