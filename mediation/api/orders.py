"""GET /api/v1/orders: key-case orders (重点疑难) in the caller's reach."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from mediation.api.auth import AUTHENTICATED
from mediation.api.openapi_docs import BEARER, errors
from mediation.deadlines.orders import MAX_PAGE_SIZE, OrderPage, list_orders
from mediation.directory.actors import Actor
from mediation.services import services_of


@get("/api/v1/orders", sync_to_thread=False, tags=["orders"],
     dependencies=AUTHENTICATED, security=BEARER, responses=errors(400, 401, 422),
     summary="Key-case orders with their status now; overdue and due_soon filters")
def order_index(
    request: Request,
    actor: NamedDependency[Actor],
    overdue: Annotated[bool | None, QueryParameter(description="true: overdue orders; false: all but those")] = None,
    due_soon: Annotated[bool | None, QueryParameter(description="true: orders due soon; false: all but those")] = None,
    page: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> OrderPage:
    """Orders of cases in the caller's reach; true filters add up (overdue=true&due_soon=true: both)."""
    services = services_of(request)
    return list_orders(services.db, actor, overdue=overdue, due_soon=due_soon, now=services.clock(),
                       page=page, page_size=page_size)
