"""GET /api/v1/me/work: the caller's own queue, most urgent first (rules in `mediation.cases.my_work`)."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from mediation.api.auth import AUTHENTICATED
from mediation.api.openapi_docs import BEARER, errors
from mediation.cases.my_work import KINDS, MAX_PAGE_SIZE, WorkPage, work_queue
from mediation.directory.actors import Actor
from mediation.services import services_of

KIND_CHOICES = {"type": "string", "one_of": None, "enum": list(KINDS)}


@get("/api/v1/me/work", sync_to_thread=False, tags=["me"], dependencies=AUTHENTICATED, security=BEARER,
     responses=errors(400, 401, 422), summary="My work: open cases assigned to me or awaiting my action, urgent first")
def my_work(
    request: Request,
    actor: NamedDependency[Actor],
    kind: Annotated[str | None, QueryParameter(
        max_length=32, schema_extra=KIND_CHOICES,
        description="assigned (mine or my key-case orders), awaiting_me (an action my role can take), "
                    "due_soon, overdue")] = None,
    page: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> WorkPage:
    """Each item says why it is in the queue (`reason`), its next deadline and its `urgency`."""
    services = services_of(request)
    workflows = services.db.workflows
    definition = workflows.machine(workflows.current_version_id()).definition
    with services.db.snapshot() as tx:
        return work_queue(tx=tx, definition=definition, actor=actor, now=services.clock(),
                          kind=kind, page=page, page_size=page_size)
