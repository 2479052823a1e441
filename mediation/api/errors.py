"""One place maps domain errors to HTTP: JSON {status_code, detail, extra}, never a trace."""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException

from mediation.errors import MediationError

log = logging.getLogger("mediation.api")


def domain_error(_request: Request, error: MediationError) -> Response:
    status = error.status_code if error.status_code < 500 else 500
    return Response(
        {"status_code": status, "detail": error.detail, "extra": error.extra or None},
        status_code=status,
        media_type=MediaType.JSON,
    )


def unexpected_error(request: Request, error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return Response(
            {"status_code": error.status_code, "detail": error.detail, "extra": error.extra or None},
            status_code=error.status_code,
            media_type=MediaType.JSON,
            headers=error.headers,
        )
    if isinstance(error, (RecursionError, UnicodeDecodeError)):  # a hostile body the JSON decoder choked on
        return Response({"status_code": 400, "detail": "the request body is not valid JSON", "extra": None},
                        status_code=400, media_type=MediaType.JSON)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response(
        {"status_code": 500, "detail": "Internal Server Error", "extra": None},
        status_code=500,
        media_type=MediaType.JSON,
    )


EXCEPTION_HANDLERS = {MediationError: domain_error, Exception: unexpected_error}
