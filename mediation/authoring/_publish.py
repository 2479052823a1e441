"""`workflows publish`: check a folder's definition, run its author's scenarios, then store it.

Nothing is stored unless the check finds no problem and every scenario passes; then the
definition becomes the workflow's next version in the deployment's database (or, when its
content is already stored, nothing changes and the stored version is named).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mediation.authoring._scenarios import ScenarioOutcome, feature_files, run_scenarios
from mediation.db import Database
from mediation.workflows.checker import check_definition
from mediation.workflows.definition import WorkflowDefinition
from mediation.workflows.loader import load_definition


@dataclass
class PublishResult:
    """What publishing did: the check's problems, each scenario's outcome, the version stored."""

    problems: list[str] = field(default_factory=list)
    outcomes: list[ScenarioOutcome] = field(default_factory=list)
    version: int | None = None
    already_stored: bool = False

    @property
    def published(self) -> bool:
        return self.version is not None


def publish(directory: Path, *, features: Path | None = None, name: str = "mediation",
            database: Database | None = None,
            on_scenario: Callable[[ScenarioOutcome], None] = lambda outcome: None,
            on_start: Callable[[int], None] = lambda count: None) -> PublishResult:
    """Check, run the scenarios (`on_start` hears how many feature files), and store when all pass."""
    definition, problems = _checked(directory, name)
    if problems:
        return PublishResult(problems=problems)
    features = features or directory / "features"
    files = feature_files(features) if features.exists() else []
    if not files:
        return PublishResult(problems=[f"no scenarios: {features} holds no .feature file"])
    on_start(len(files))
    outcomes = run_scenarios(definition, features, on_scenario=on_scenario)
    result = PublishResult(outcomes=outcomes)
    if outcomes and all(outcome.passed for outcome in outcomes):
        result.version, result.already_stored = store(definition, database)
    return result


def _checked(directory: Path, name: str) -> tuple[WorkflowDefinition | None, list[str]]:
    """The folder's definition and what `workflows check` finds wrong with it."""
    try:
        definition = load_definition(name, directory)
        return definition, check_definition(definition)
    except (OSError, ValueError, KeyError, TypeError) as error:
        return None, [f"{name} cannot be read: {error}"]


def store(definition: WorkflowDefinition, database: Database | None = None) -> tuple[int, bool]:
    """Store the definition as the next version (number, False), or name its stored version (number, True)."""
    database = database or Database()
    known = {stored.content_hash: stored.version for stored in database.workflows.versions(definition.name)}
    stored_before = known.get(definition.content_hash())
    version_id = database.workflows.ensure_stored(definition)
    database.workflows.forget_current()
    if stored_before is not None:
        return stored_before, True
    number = next(stored.version for stored in database.workflows.versions(definition.name)
                  if stored.id == version_id)
    return number, False
