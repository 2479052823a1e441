"""The stored versions of a workflow as a policy author reads them: how many cases each carries, what
each holds, and what changed between two (`workflows versions|diff`, the API and the web page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from mediation.db import Database
from mediation.db.models import Case
from mediation.db.workflow_versions import DefinitionProblems, StoredVersion
from mediation.errors import NotFound
from mediation.workflows.deadline_labels import DEADLINE_LABELS
from mediation.workflows.definition import WorkflowDefinition
from mediation.workflows.diff import Change, diff_definitions
from mediation.workflows.loader import current_definition
from mediation.workflows.rule_labels import label_of

_cases = Case.__table__


@dataclass(frozen=True)
class VersionRow:
    """One stored version with the cases on it; `current`: the one new cases start on (the latest)."""

    name: str
    version: int
    stored_at: datetime
    content_hash: str
    open_cases: int
    closed_cases: int
    current: bool


def version_rows(database: Database, name: str) -> list[VersionRow]:
    """Every stored version of the workflow, oldest first; NotFound when none is stored."""
    stored = _stored(database, name)
    counts = cases_per_version(database, [version.id for version in stored])
    latest = stored[-1].version
    return [VersionRow(version.name, version.version, version.created_at, version.content_hash,
                       *counts[version.id], current=version.version == latest) for version in stored]


def stored_definition(database: Database, name: str, number: int) -> tuple[StoredVersion, WorkflowDefinition]:
    """Version `number` of the workflow and its definition; NotFound naming the known versions otherwise."""
    stored = _stored(database, name)
    for version in stored:
        if version.version == number:
            return version, database.workflows.definition(version.id)
    known = ", ".join(str(version.version) for version in stored)
    raise NotFound(f"workflow '{name}' has no version {number} (stored: {known})", field="version")


def version_diff(database: Database, name: str, before: int, after: int
                 ) -> tuple[WorkflowDefinition, WorkflowDefinition, list[Change]]:
    """The two versions' definitions and the changes from the first to the second."""
    _, old = stored_definition(database, name, before)
    _, new = stored_definition(database, name, after)
    return old, new, diff_definitions(old, new)


def version_summary(database: Database, name: str, number: int) -> dict[str, Any]:
    """What a version holds: states and triggers with labels (and roles), deadlines, the ladder, its cases."""
    version, definition = stored_definition(database, name, number)
    counts = cases_per_version(database, [version.id])[version.id]
    return {
        "name": name, "version": number, "content_hash": version.content_hash, "stored_at": version.created_at,
        "current": version.version == _stored(database, name)[-1].version,
        "labels": dict(definition.labels), "open_cases": counts[0], "closed_cases": counts[1],
        "states": [{"code": state, "labels": dict(labels)} for state, labels in definition.states.items()],
        "triggers": [{"code": trigger.name, "labels": dict(trigger.labels), "roles": list(trigger.roles)}
                     for trigger in definition.triggers.values()],
        "deadlines": [{"code": kind, "labels": label_of(DEADLINE_LABELS, kind), "after": rule.get("after") or {},
                       "action": rule.get("action"), "states": sorted(states)}
                      for kind, (rule, states) in definition.deadline_rules().items()],
        "ladder": [{"code": str(rung.get("level")), "labels": dict(rung.get("labels") or {}),
                    "attempts": rung.get("attempts")} for rung in definition.policy.get("escalation_ladder") or ()],
    }


def cases_per_version(database: Database, version_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Open and closed cases of each version id (every id given is in the answer, (0, 0) when it has none)."""
    closed = _cases.c.state.like("closed.%")
    counts = {version_id: (0, 0) for version_id in version_ids}
    if version_ids:
        with database.read() as connection:
            rows = connection.execute(
                sa.select(_cases.c.workflow_version_id, sa.func.count().filter(~closed),
                          sa.func.count().filter(closed))
                .where(_cases.c.workflow_version_id.in_(version_ids)).group_by(_cases.c.workflow_version_id)
            ).all()
        counts.update({version_id: (open_count, closed_count) for version_id, open_count, closed_count in rows})
    return counts


def _stored(database: Database, name: str) -> list[StoredVersion]:
    """The stored versions (the deployment's folder stored first when new); NotFound when there are none."""
    if name == current_definition().name:
        try:
            database.workflows.current_version_id()
        except DefinitionProblems:
            pass  # a broken folder stores nothing: the stored versions are still listed
    stored = database.workflows.versions(name)
    if not stored:
        raise NotFound(f"no workflow named '{name}'", field="name")
    return stored
