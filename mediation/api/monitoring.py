"""`GET /metrics`: the Prometheus text of DESIGN §9.7, open like /health unless MEDIATION_METRICS_TOKEN is set."""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotAuthorizedException

from mediation.db import Database
from mediation.db.availability import database_unavailable
from mediation.notifications.outbox_backlog import outbox_backlog
from mediation.observability import exposition, gauge
from mediation.services import services_of

TOKEN_VARIABLE = "MEDIATION_METRICS_TOKEN"


@get("/metrics", sync_to_thread=True, include_in_schema=False)
def prometheus_metrics(request: Request) -> Response[bytes]:
    """Every process's figures added up, and the outbox backlog read now."""
    _check_token(request.headers.get("authorization"))
    db = services_of(request).db
    text, content_type = exposition(lambda: _database_figures(db))
    return Response(text, media_type=content_type, headers={"Cache-Control": "no-store"})


def _check_token(authorization: str | None) -> None:
    token = os.environ.get(TOKEN_VARIABLE)
    if not token:
        return
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise NotAuthorizedException(detail="GET /metrics needs the bearer token of MEDIATION_METRICS_TOKEN",
                                     headers={"WWW-Authenticate": "Bearer"})


def _database_figures(db: Database) -> Iterator[Any]:
    """The outbox backlog and dead letters (one indexed query); when the database cannot be reached, only that."""
    try:
        waiting, dead = outbox_backlog(db)
    except Exception as error:
        if not database_unavailable(error):
            raise
        yield gauge("mediation_database_reachable", "Whether this scrape reached the database", 0)
        return
    yield gauge("mediation_database_reachable", "Whether this scrape reached the database", 1)
    yield gauge("mediation_outbox_backlog", "Outbox messages waiting to be delivered", waiting)
    yield gauge("mediation_outbox_dead_letters", "Outbox messages given up on after every retry", dead)
