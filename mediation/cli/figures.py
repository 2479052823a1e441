"""`metrics recount [--check]`: the supervisors' kept figures against the cases (issue 16).

The dashboard sums counts kept beside the cases (mediation/cases/figure_rows.py). Every writer of
cases keeps them; after a bulk load that bypassed them (a generator, a hand-edited database) or to
check them, `--check` compares them with a recount and names what differs (exit 1), and without it
they are rebuilt from the cases in one transaction.
"""

from __future__ import annotations

import typer

from mediation.cli._app import _fail, app, console
from mediation.db import Database

metrics_app = typer.Typer(help="The supervisors' figures.", no_args_is_help=True)
app.add_typer(metrics_app, name="metrics")


@metrics_app.command("recount")
def recount_command(
    check: bool = typer.Option(False, "--check", help="Only compare the kept figures with a recount"),
) -> None:
    """Rebuild the kept figures from the cases (or, with --check, say where they differ)."""
    from mediation.cases import figure_recount

    db = Database()
    try:
        if check:
            with db.snapshot() as tx:
                found = figure_recount.differences(tx)
            if found:
                for table, wrong in found.items():
                    console.print(f"{table}: {len(wrong)} counts differ, e.g. {wrong[0][0]}: "
                                  f"kept {wrong[0][1]}, recounted {wrong[0][2]}")
                _fail("the kept figures differ from a recount; run 'mediation metrics recount' to rebuild them")
            console.print("the kept figures equal a recount")
            return
        with db.write() as tx:
            written = figure_recount.recount(tx)
        console.print("figures recounted: " + ", ".join(f"{table} {rows} rows" for table, rows in written.items()))
    finally:
        db.dispose()
