"""`workflows check` and `workflows graph`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mediation.cli._app import _fail, app, console, errors

workflows_app = typer.Typer(help="Workflow definitions.", no_args_is_help=True)
app.add_typer(workflows_app, name="workflows")


@workflows_app.command("check")
def workflows_check(
    directory: Optional[Path] = typer.Option(None, help="Folder of workflow YAML files (default: the deployment's)"),
) -> None:
    """Check every workflow definition and the policy; exit 1 on any problem."""
    from mediation.workflows.checker import check_definition
    from mediation.workflows.loader import load_definition, workflow_dir, workflow_files

    folder = directory or workflow_dir()
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
    failed = _check_holidays() or failed
    if failed:
        raise typer.Exit(1)


def _check_holidays() -> bool:
    """The holidays file reads; True (and a message) when it does not."""
    from mediation.workflows.calendar import holidays_file, read_arrangements

    try:
        read_arrangements(holidays_file())
    except (OSError, ValueError) as error:
        errors.print(f"[red]holidays:[/] {error}")
        return True
    console.print(f"{holidays_file().name}: ok")
    return False


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


@workflows_app.command("publish")
def workflows_publish(
    directory: Path = typer.Argument(..., help="Folder holding the workflow and policy YAML to publish"),
    features: Optional[Path] = typer.Option(None, help="Folder of the author's .feature files (default: DIR/features)"),
    name: str = typer.Option("mediation", help="The workflow to publish"),
    verbose: bool = typer.Option(False, "--verbose", help="Show the Python traceback of a failed step"),
) -> None:
    """Check a folder's workflow, run its scenarios on a scratch database, and store it if all pass."""
    from mediation.cli.workflows_publish import run_publish

    run_publish(directory, features, name, verbose)


@workflows_app.command("steps")
def workflows_steps(lang: Optional[str] = typer.Option(None, help="zh or en (default: both)")) -> None:
    """Print every step the scenarios of `workflows publish` may use, with an example of each."""
    from mediation.cli.workflows_publish import print_steps

    print_steps(lang)
