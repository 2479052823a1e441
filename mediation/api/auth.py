"""POST /api/v1/auth/token: username and password for a bearer token."""

from __future__ import annotations

from litestar import Request, post
from litestar.params import JSONBody

from mediation.api.identity import check_password
from mediation.api.schemas import TokenRequest, TokenResponse
from mediation.api.services import services_of


@post("/api/v1/auth/token", status_code=200, sync_to_thread=True, tags=["auth"], summary="Log in")
def issue_token(request: Request, data: JSONBody[TokenRequest]) -> TokenResponse:
    """A bearer token for a right password; failed attempts are limited per user and address."""
    services = services_of(request)
    address = request.client.host if request.client else "unknown"
    user_id = check_password(services.db, username=data.username, password=data.password, address=address,
                             now=services.clock())
    token = services.tokens.issue(user_id, data.username)
    return TokenResponse(access_token=token, token_type="bearer", expires_in=services.tokens.lifetime)
