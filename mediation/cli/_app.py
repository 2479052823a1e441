"""The `mediation` command and what its commands share."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(help="Community dispute mediation: workflows, cases, documents.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    errors.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)
