"""Authentication of the API: POST /api/v1/auth/token, and the actor behind a bearer token."""

from __future__ import annotations

from litestar import Request, post
from litestar.concurrency import sync_to_thread
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException, TooManyRequestsException

from mediation.api.openapi_docs import body_documented_as, errors, strict_body
from mediation.api.schemas import TokenRequest, TokenResponse
from mediation.directory.actors import Actor
from mediation.directory.identity import TooManyAttempts, check_password
from mediation.services import services_of


@post("/api/v1/auth/token", status_code=200, tags=["auth"], summary="Log in", responses=errors(400, 401, 422, 429),
      dependencies=body_documented_as(TokenRequest))
async def issue_token(request: Request) -> TokenResponse:
    """A bearer token for a right password. After wrong passwords a username waits, from that address
    only, longer after each failure (429 with `Retry-After`); so does an address with many failures."""
    credentials = strict_body(await request.body(), TokenRequest)
    address = request.client.host if request.client else "unknown"
    try:
        return await sync_to_thread(_issue, services_of(request), credentials, address)
    except TooManyAttempts as refused:
        raise TooManyRequestsException(refused.detail, extra=refused.extra,
                                       headers={"Retry-After": str(refused.retry_after)}) from None


def _issue(services, credentials: TokenRequest, address: str) -> TokenResponse:
    claims = check_password(services.db, username=credentials.username, password=credentials.password,
                            address=address, now=services.clock())
    token = services.tokens.issue(claims.user_id, credentials.username, claims.key)
    return TokenResponse(access_token=token, token_type="bearer", expires_in=services.tokens.lifetime)


def current_actor(request: Request) -> Actor:
    """The actor behind the bearer token; 401 when it is missing, forged or expired."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException("a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    services = services_of(request)
    claims = services.tokens.verify(token.strip())
    actor = services.actors.get(claims) if claims is not None else None
    if actor is None:
        raise NotAuthorizedException("the token is invalid or expired", headers={"WWW-Authenticate": "Bearer"})
    return actor


# The dependency every authenticated handler declares.
AUTHENTICATED = {"actor": Provide(current_actor, sync_to_thread=False)}
