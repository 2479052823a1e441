"""The bodies of `workflows publish` and `workflows steps`: what they print, in the author's language."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from mediation.cli._app import console, errors

WORDS = {
    "zh": {"passed": "通过", "failed": "失败", "no_such_step": "没有这样的步骤：{step}",
           "hint": "（运行 mediation workflows steps --lang zh 查看可用的步骤）", "step": "失败的步骤：{step}"},
    "en": {"passed": "passed", "failed": "failed", "no_such_step": "no such step: {step}",
           "hint": "(run `mediation workflows steps --lang en` for the steps there are)", "step": "failing step: {step}"},
}


def print_scenario(outcome, *, verbose: bool) -> None:
    """One scenario's line as it ends (the progress of the run), with why it failed."""
    words = WORDS["zh" if outcome.chinese else "en"]
    mark = f"[green]{words['passed']}[/]" if outcome.passed else f"[red]{words['failed']}[/]"
    console.print(f"  {escape(outcome.feature)}: {escape(outcome.name)} … {mark}", soft_wrap=True)
    if outcome.passed:
        return
    if outcome.no_such_step:
        _detail(f"      {escape(words['no_such_step'].format(step=outcome.step))}")
        _detail(f"      {escape(words['hint'])}")
    else:
        if outcome.step:
            _detail(f"      {escape(words['step'].format(step=outcome.step))}")
        for line in (outcome.reason or "").splitlines()[:2]:
            _detail(f"      {escape(line)}")
    if verbose and outcome.details:
        console.print(escape(outcome.details))


def _detail(text: str) -> None:
    console.print(text, soft_wrap=True)


def run_publish(directory: Path, features: Path | None, name: str, verbose: bool) -> None:
    """Check, run the scenarios, store; exit 1 with nothing stored when anything failed."""
    from mediation.authoring import publish

    result = publish(directory, features=features, name=name,
                     on_start=lambda count: _detail(f"{name}: ok; running the scenarios of {count} "
                                                    "feature file(s) on a scratch database …"),
                     on_scenario=lambda outcome: print_scenario(outcome, verbose=verbose))
    for problem in result.problems:
        errors.print(f"[red]{escape(name)}:[/] {escape(problem)}")
    if not result.published:
        failed = sum(not outcome.passed for outcome in result.outcomes)
        if result.outcomes:
            errors.print(f"{failed} of {len(result.outcomes)} scenarios failed; nothing was stored")
        else:
            errors.print("nothing was stored")
        raise typer.Exit(1)
    passed = len(result.outcomes)
    _warn_if_not_the_deployment_folder(directory)
    if result.already_stored:
        console.print(f"{passed} scenarios passed; {name} is already stored as version {result.version}")
    else:
        console.print(f"{passed} scenarios passed; published {name} version {result.version}")


def _warn_if_not_the_deployment_folder(directory: Path) -> None:
    """A server stores its own folder's definition when it starts, if that is new: a version published
    from another folder stays current only until that folder changes (an upgrade, an edit)."""
    from mediation.workflows.loader import FOLDER_VARIABLE, workflow_dir

    if directory.resolve() != workflow_dir().resolve():
        errors.print(f"note: {directory} is not this deployment's folder ({workflow_dir()}); set {FOLDER_VARIABLE}="
                     f"{directory.resolve()} for the servers, or a change to their folder will be stored over it")


def print_steps(lang: str | None) -> None:
    from mediation.authoring import render

    if lang not in (None, "zh", "en"):
        errors.print("--lang is zh or en")
        raise typer.Exit(2)
    typer.echo(render(lang))
