"""Workflow versions in the database, and the machine of each built once per process.

The current version of a workflow, the one new cases start on, is its latest stored version.
On first use the deployment's folder is checked and, when its content is new, stored as the
next version (so an upgraded package or an edited folder takes effect on start);
`mediation workflows publish` stores a version only after its scenarios pass. A process
looks again every few seconds, so a version published elsewhere reaches every server.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from mediation import jsontext
from mediation.db.models import WorkflowVersion
from mediation.workflows.definition import WorkflowDefinition, parse_definition
from mediation.workflows.loader import current_definition
from mediation.workflows.machine import WorkflowMachine

_versions = WorkflowVersion.__table__
RECHECK_SECONDS = 5.0  # how soon a process starts new cases on a version published by another


class DefinitionProblems(ValueError):
    """The deployment's workflow folder does not pass `workflows check`."""

    def __init__(self, folder: str, problems: list[str]) -> None:
        super().__init__(f"the workflow folder {folder} has problems: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class StoredVersion:
    """One stored version of a workflow: its id, number, content hash and when it was stored."""

    id: int
    name: str
    version: int
    content_hash: str
    created_at: datetime


class WorkflowRegistry:
    """Stores each definition version once (by content hash) and caches its machine."""

    def __init__(self, database) -> None:
        self._database = database
        self._machines: dict[int, WorkflowMachine] = {}
        self._labels: dict[tuple, tuple[dict[str, dict], dict[str, dict]]] = {}
        self._current_id: int | None = None
        self._name: str | None = None
        self._looked_at = 0.0
        self._lock = threading.Lock()

    def current_version_id(self) -> int:
        """The id of the workflow's latest stored version (the folder's stored first, if new)."""
        if self._current_id is None:
            with self._lock:
                if self._current_id is None:
                    definition = checked(current_definition())
                    version_id = self.ensure_stored(definition)
                    self._machines[version_id] = WorkflowMachine(definition)
                    self._name = definition.name
                    self._current_id = self._latest_id(definition.name) or version_id
                    self._looked_at = time.monotonic()
        elif time.monotonic() - self._looked_at > RECHECK_SECONDS:
            self._looked_at = time.monotonic()
            self._current_id = self._latest_id(self._name) or self._current_id
        return self._current_id

    def _latest_id(self, name: str | None) -> int | None:
        with self._database.read() as connection:
            return connection.execute(
                sa.select(_versions.c.id).where(_versions.c.name == name)
                .order_by(_versions.c.version.desc()).limit(1)
            ).scalar()

    def forget_current(self) -> None:
        """Look for the latest version on next use (after this process published one)."""
        self._looked_at = 0.0

    def versions(self, name: str) -> list[StoredVersion]:
        """Every stored version of a workflow, oldest first."""
        with self._database.read() as connection:
            rows = connection.execute(
                sa.select(_versions.c.id, _versions.c.name, _versions.c.version, _versions.c.content_hash,
                          _versions.c.created_at).where(_versions.c.name == name).order_by(_versions.c.version)
            ).all()
        return [StoredVersion(*row) for row in rows]

    def version_id(self, name: str, number: int) -> int | None:
        """The id of version `number` of a workflow, or None when there is no such version."""
        with self._database.read() as connection:
            return connection.execute(
                sa.select(_versions.c.id).where(_versions.c.name == name, _versions.c.version == number)
            ).scalar()

    def definition(self, version_id: int) -> WorkflowDefinition:
        """The stored definition of a version (its machine built once)."""
        return self.machine(version_id).definition

    def labels_over_versions(self, definition: WorkflowDefinition) -> tuple[dict[str, dict], dict[str, dict]]:
        """State and trigger labels of every stored version of the definition's workflow, the given
        definition's own winning: a case's history names states and triggers a later version renamed
        or removed (after a migration) by their words, not their codes."""
        key = (definition.name, self.current_version_id(), id(definition))
        found = self._labels.get(key)
        if found is None:
            states: dict[str, dict] = {}
            triggers: dict[str, dict] = {}
            for stored in self.versions(definition.name):
                older = self.definition(stored.id)
                states.update(older.states)
                triggers.update({name: spec.labels for name, spec in older.triggers.items()})
            states.update(definition.states)
            triggers.update({name: spec.labels for name, spec in definition.triggers.items()})
            found = self._labels[key] = (states, triggers)
        return found

    def ensure_stored(self, definition: WorkflowDefinition) -> int:
        """The id of the version holding this definition, stored as the next version when new."""
        digest = definition.content_hash()
        with self._database.begin() as connection:
            found = connection.execute(
                sa.select(_versions.c.id).where(_versions.c.content_hash == digest)
            ).scalar()
            if found is not None:
                return found
            latest = connection.execute(
                sa.select(sa.func.max(_versions.c.version)).where(_versions.c.name == definition.name)
            ).scalar()
            return connection.execute(
                _versions.insert().returning(_versions.c.id),
                {
                    "name": definition.name,
                    "version": (latest or 0) + 1,
                    "content_hash": digest,
                    "definition": jsontext.dumps(definition.source),
                    "created_at": datetime.now(timezone.utc).replace(tzinfo=None),
                },
            ).scalar_one()

    def machine(self, version_id: int) -> WorkflowMachine:
        """The machine for a stored version; built from its stored definition on first use."""
        machine = self._machines.get(version_id)
        if machine is None:
            with self._lock:
                machine = self._machines.get(version_id)
                if machine is None:
                    machine = self._machines[version_id] = WorkflowMachine(self._load(version_id))
        return machine

    def _load(self, version_id: int) -> WorkflowDefinition:
        with self._database.read() as connection:
            text = connection.execute(
                sa.select(_versions.c.definition).where(_versions.c.id == version_id)
            ).scalar_one()
        source = jsontext.loads(text)
        return parse_definition(source["workflow"], source["policy"])


def checked(definition: WorkflowDefinition) -> WorkflowDefinition:
    """The definition, if `workflows check` finds no problem in it; DefinitionProblems otherwise."""
    from mediation.workflows.checker import check_definition
    from mediation.workflows.loader import workflow_dir

    problems = check_definition(definition)
    if problems:
        raise DefinitionProblems(str(workflow_dir()), problems)
    return definition
