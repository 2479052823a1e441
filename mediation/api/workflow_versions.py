"""The stored versions of a workflow, what each holds, and what changed between two (DESIGN §9.6), for
administrators and supervisors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from mediation.api.auth import AUTHENTICATED
from mediation.api.openapi_docs import BEARER, errors
from mediation.cases.workflow_history import version_diff, version_rows, version_summary
from mediation.db import Database
from mediation.directory.actors import Actor
from mediation.errors import Forbidden
from mediation.services import services_of
from mediation.workflows.diff_text import render

READERS = ("admin", "supervisor")


class VersionItem(msgspec.Struct):
    version: int
    stored_at: datetime
    content_hash: str
    open_cases: int
    closed_cases: int
    current: bool  # the version new cases start on (the latest stored)


class Labelled(msgspec.Struct):
    code: str
    labels: dict[str, str]


class TriggerItem(msgspec.Struct):
    code: str
    labels: dict[str, str]
    roles: list[str]


class DeadlineItem(msgspec.Struct):
    code: str
    labels: dict[str, str]
    after: dict[str, Any]
    action: str | None
    states: list[str]


class RungItem(msgspec.Struct):
    code: str
    labels: dict[str, str]
    attempts: int | None


class VersionDetail(msgspec.Struct):
    name: str
    version: int
    content_hash: str
    stored_at: datetime
    current: bool
    labels: dict[str, str]
    open_cases: int
    closed_cases: int
    states: list[Labelled]
    triggers: list[TriggerItem]
    deadlines: list[DeadlineItem]
    ladder: list[RungItem]


class ChangeItem(msgspec.Struct):
    section: str  # states, triggers, roles, fields, transitions, guards, effects, deadlines, ladder, limits, policy
    kind: str  # added, removed, changed
    code: str
    label: dict[str, str]
    before: Any
    after: Any
    aspect: str | None  # what of the thing changed (label, roles, type, after, count, action, states, …)
    within: str | None  # the trigger (or trigger@state) the thing belongs to
    within_label: dict[str, str] | None


class VersionDiff(msgspec.Struct):
    name: str
    from_version: int
    to_version: int
    changes: list[ChangeItem]
    text: dict[str, list[str]]  # the changes as lines, in zh and en


def _database(request: Request, actor: Actor) -> Database:
    """The database, for an administrator or a supervisor; 403 for anyone else."""
    if not set(READERS) & set(actor.roles):
        raise Forbidden("only administrators and supervisors read the workflow's versions", field="role")
    return services_of(request).db


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


class WorkflowVersionController(Controller):
    path = "/api/v1/workflows/{name:str}/versions"
    tags = ["workflows"]
    dependencies = AUTHENTICATED
    security = BEARER

    @get("/", sync_to_thread=False, summary="Stored versions, with the open and closed cases on each",
         responses=errors(400, 401, 403, 404))
    def index(self, request: Request, actor: NamedDependency[Actor], name: FromPath[str]) -> list[VersionItem]:
        rows = version_rows(_database(request, actor), name)
        return [VersionItem(row.version, _utc(row.stored_at), row.content_hash, row.open_cases, row.closed_cases,
                            row.current) for row in rows]

    @get("/{version:int}", sync_to_thread=False, summary="One version: states, triggers and roles, deadlines, ladder",
         responses=errors(400, 401, 403, 404))
    def show(self, request: Request, actor: NamedDependency[Actor], name: FromPath[str],
             version: FromPath[int]) -> VersionDetail:
        summary = version_summary(_database(request, actor), name, version)
        return msgspec.convert({**summary, "stored_at": _utc(summary["stored_at"])}, VersionDetail)

    @get("/{version:int}/diff/{other:int}", sync_to_thread=False, responses=errors(400, 401, 403, 404),
         summary="What changed from one version to another, by section, with labels")
    def diff(self, request: Request, actor: NamedDependency[Actor], name: FromPath[str], version: FromPath[int],
             other: FromPath[int]) -> VersionDiff:
        old, new, changes = version_diff(_database(request, actor), name, version, other)
        text = {lang: render(changes, lang, old=old, new=new) for lang in ("zh", "en")}
        return VersionDiff(name, version, other, [ChangeItem(**change.as_dict()) for change in changes], text)
