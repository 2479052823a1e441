"""The caller's saved filters: GET/POST /api/v1/me/filters, DELETE /api/v1/me/filters/{id}."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, QueryParameter
from msgspec import Meta

from mediation.api.auth import AUTHENTICATED
from mediation.api.openapi_docs import BEARER, body_documented_as, errors, strict_body
from mediation.cases.saved_filters import (
    LISTS,
    MAX_NAME,
    MAX_QUERY,
    SavedFilterView,
    delete_filter,
    save_filter,
    saved_filters,
)
from mediation.directory.actors import Actor
from mediation.services import services_of


class SavedFilterRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A list's filters to keep under a name (the same name again replaces them)."""

    list: Annotated[str, Meta(min_length=1, max_length=32, examples=["cases"],
                              description=f"one of {sorted(LISTS)}")]
    name: Annotated[str, Meta(min_length=1, max_length=MAX_NAME, examples=["本周超期的邻里纠纷"])]
    query: Annotated[str, Meta(max_length=MAX_QUERY, examples=["category=neighbour&overdue=true"],
                               description="the list's query string, as GET /api/v1/cases takes it")]


REPLACED = ResponseSpec(data_container=SavedFilterView, generate_examples=False,
                        description="the caller's filter of that name, its query replaced")


class SavedFilterController(Controller):
    path = "/api/v1/me/filters"
    tags = ["me"]
    dependencies = AUTHENTICATED
    security = BEARER

    @get("/", sync_to_thread=False, summary="The caller's saved filters", responses=errors(400, 401, 422))
    def index(self, request: Request, actor: NamedDependency[Actor],
              list_name: Annotated[str | None, QueryParameter(name="list", max_length=32)] = None,
              ) -> list[SavedFilterView]:
        return saved_filters(services_of(request).db, actor=actor, list_name=list_name)

    @post("/", summary="Save a list's filters under a name (201; 200 when it replaced one of that name)",
          responses={**errors(400, 401, 422), 200: REPLACED}, dependencies=body_documented_as(SavedFilterRequest))
    async def create(self, request: Request, actor: NamedDependency[Actor]) -> Response[SavedFilterView]:
        body = strict_body(await request.body(), SavedFilterRequest)
        services = services_of(request)
        saved, new = save_filter(services.db, actor=actor, list_name=body.list, name=body.name, query=body.query,
                                 now=services.clock())
        return Response(saved, status_code=201 if new else 200)

    @delete("/{filter_id:int}", sync_to_thread=False, status_code=204, summary="Delete one of the caller's filters",
            responses=errors(400, 401, 404))
    def remove(self, request: Request, actor: NamedDependency[Actor], filter_id: FromPath[int]) -> None:
        delete_filter(services_of(request).db, actor=actor, filter_id=filter_id)
