"""GET /api/v1/metrics: supervisors' figures for the caller's reach."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from mediation.api.auth import AUTHENTICATED
from mediation.api.openapi_docs import BEARER, errors
from mediation.directory.actors import Actor
from mediation.metrics.figures import case_metrics
from mediation.metrics.report import Metrics
from mediation.services import services_of


@get("/api/v1/metrics", sync_to_thread=False, tags=["metrics"],
     dependencies=AUTHENTICATED, security=BEARER, responses=errors(400, 401, 422),
     summary="Counts, resolution rate, time to resolve, overdue, recurrence, quotas, year-on-year")
def metrics_report(
    request: Request,
    actor: NamedDependency[Actor],
    date_from: Annotated[date | None, QueryParameter(name="from", description="first day, YYYY-MM-DD (UTC)")] = None,
    date_to: Annotated[date | None, QueryParameter(name="to", description="last day, YYYY-MM-DD (UTC)")] = None,
    unit: Annotated[str | None, QueryParameter(max_length=64, description="a unit code: only its subtree "
                                                                           "and the cases shared with its units")] = None,
    partner: Annotated[str | None, QueryParameter(max_length=64, description="a unit code: only the cases shared "
                                                                              "with that unit (co-mediation)")] = None,
) -> Metrics:
    """The figures of the cases in the caller's reach, for a period of days, a unit's subtree and a partner."""
    services = services_of(request)
    return case_metrics(services.db, actor, date_from=date_from, date_to=date_to, unit=unit, partner=partner,
                        now=services.clock())
