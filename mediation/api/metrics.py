"""GET /api/v1/metrics: supervisors' figures for the caller's reach."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Request, get
from litestar.di import Provide
from litestar.params import Parameter

from mediation.access import Actor
from mediation.api.services import current_actor, services_of
from mediation.metrics import Metrics, case_metrics


@get("/api/v1/metrics", sync_to_thread=False, tags=["metrics"],
     dependencies={"actor": Provide(current_actor, sync_to_thread=False)},
     summary="Counts, resolution rate, time to resolve, overdue, recurrence, quotas, year-on-year")
def metrics_report(
    request: Request,
    actor: Actor,
    date_from: Annotated[date | None, Parameter(query="from", description="first day, YYYY-MM-DD (UTC)")] = None,
    date_to: Annotated[date | None, Parameter(query="to", description="last day, YYYY-MM-DD (UTC)")] = None,
    unit: Annotated[str | None, Parameter(max_length=64, description="a unit code: only its subtree")] = None,
) -> Metrics:
    """The figures of the cases in the caller's reach, for a period of days and a unit's subtree."""
    services = services_of(request)
    return case_metrics(services.db, actor, date_from=date_from, date_to=date_to, unit=unit, now=services.clock())
