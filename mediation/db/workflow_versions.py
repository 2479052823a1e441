"""Workflow versions in the database, and the machine of each built once per process."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import sqlalchemy as sa

from mediation import jsontext
from mediation.db.models import WorkflowVersion
from mediation.workflows.definition import WorkflowDefinition, parse_definition
from mediation.workflows.loader import current_definition
from mediation.workflows.machine import WorkflowMachine

_versions = WorkflowVersion.__table__


class WorkflowRegistry:
    """Stores each definition version once (by content hash) and caches its machine."""

    def __init__(self, database) -> None:
        self._database = database
        self._machines: dict[int, WorkflowMachine] = {}
        self._current_id: int | None = None
        self._lock = threading.Lock()

    def current_version_id(self) -> int:
        """The id of the shipped definition's version, stored on first use."""
        if self._current_id is None:
            with self._lock:
                if self._current_id is None:
                    definition = current_definition()
                    version_id = self.ensure_stored(definition)
                    self._machines[version_id] = WorkflowMachine(definition)
                    self._current_id = version_id
        return self._current_id

    def ensure_stored(self, definition: WorkflowDefinition) -> int:
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
