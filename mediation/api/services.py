"""What request handlers share: the database, tokens, actors, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from litestar import Request
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException

from mediation.access import Actor
from mediation.api.identity import ActorCache
from mediation.api.tokens import TokenService
from mediation.db import Database
from mediation.engine import utcnow


@dataclass
class Services:
    db: Database
    tokens: TokenService
    actors: ActorCache
    clock: Callable = utcnow


def services_of(request: Request) -> Services:
    return request.app.state.services


def current_actor(request: Request) -> Actor:
    """The actor behind the bearer token; 401 when it is missing, forged or expired."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException("a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    services = services_of(request)
    claims = services.tokens.verify(token.strip())
    actor = services.actors.get(*claims) if claims is not None else None
    if actor is None:
        raise NotAuthorizedException("the token is invalid or expired", headers={"WWW-Authenticate": "Bearer"})
    return actor


# The dependency every authenticated handler declares.
AUTHENTICATED = {"actor": Provide(current_actor, sync_to_thread=False)}
