"""Health and workflow definitions."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from mediation import jsontext
from mediation.api.auth import AUTHENTICATED
from mediation.api.openapi_docs import BEARER, errors
from mediation.api.schemas import Health, WorkflowDetail, WorkflowSummary
from mediation.db.models import WorkflowVersion
from mediation.directory.actors import Actor
from mediation.errors import NotFound
from mediation.services import services_of
from mediation.workflows.definition import parse_definition
from mediation.workflows.graph import mermaid

_versions = WorkflowVersion.__table__


@get("/health", sync_to_thread=False, tags=["health"], summary="Liveness and database reachability")
def health(request: Request) -> Response[Health]:
    try:
        with services_of(request).db.snapshot() as tx:
            tx.one("SELECT 1")
    except Exception:  # noqa: BLE001 — any database failure means "unreachable"
        return Response(Health(status="degraded", database="unreachable"), status_code=503)
    return Response(Health(status="ok", database="reachable"))


def _latest_versions(request: Request) -> list:
    db = services_of(request).db
    db.workflows.current_version_id()
    with db.read() as connection:
        rows = connection.execute(sa.select(_versions).order_by(_versions.c.name, _versions.c.version)).all()
    latest = {}
    for row in rows:
        latest[row.name] = row
    return list(latest.values())


@get("/api/v1/workflows", sync_to_thread=False, tags=["workflows"], dependencies=AUTHENTICATED, security=BEARER,
     responses=errors(401),
     summary="Workflow definitions, latest version of each")
def list_workflows(request: Request, actor: NamedDependency[Actor]) -> list[WorkflowSummary]:
    summaries = []
    for row in _latest_versions(request):
        source = jsontext.loads(row.definition)
        definition = parse_definition(source["workflow"], source["policy"])
        summaries.append(WorkflowSummary(row.name, row.version, row.content_hash, definition.labels,
                                         len(definition.states), len(definition.triggers)))
    return summaries


@get("/api/v1/workflows/{name:str}", sync_to_thread=False, tags=["workflows"], dependencies=AUTHENTICATED,
     security=BEARER, responses=errors(400, 401, 404),
     summary="One workflow: states, triggers with roles and data, policy, Mermaid diagram")
def show_workflow(request: Request, name: FromPath[str], actor: NamedDependency[Actor]) -> WorkflowDetail:
    for row in _latest_versions(request):
        if row.name == name:
            source = jsontext.loads(row.definition)
            definition = parse_definition(source["workflow"], source["policy"])
            return WorkflowDetail(row.name, row.version, row.content_hash, definition.labels, definition.states,
                                  source["workflow"]["triggers"], definition.policy, mermaid(definition))
    raise NotFound(f"no workflow named '{name}'")
