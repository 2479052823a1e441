"""What the API and the web workspace share in a running server: the database, tokens, actors, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from litestar import Request

from mediation.clock import utcnow
from mediation.db import Database
from mediation.directory.identity import ActorCache
from mediation.directory.tokens import TokenService


@dataclass
class Services:
    db: Database
    tokens: TokenService
    actors: ActorCache
    clock: Callable = utcnow


def services_of(request: Request) -> Services:
    return request.app.state.services
