"""The `mediation` command and what its commands share."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress

app = typer.Typer(help="Community dispute mediation: workflows, cases, documents.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    errors.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def counted_progress(*, transient: bool = False) -> Progress:
    """A progress bar that also shows done / total (long runs: export, import, bulk render)."""
    return Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=console, transient=transient)
