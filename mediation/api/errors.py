"""One place maps domain errors to HTTP: JSON {status_code, detail, extra}, never a trace.

A database that cannot be reached is 503 with Retry-After (DESIGN §9.1): the API's JSON error, and
for a web page a short page in Chinese.
"""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException

from mediation.db.availability import database_unavailable
from mediation.errors import InvalidData, MediationError
from mediation.workflows.field_labels import field_path_label
from mediation.workflows.reasons import reason_words

log = logging.getLogger("mediation.api")
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_DETAIL = "the database cannot be reached just now; nothing was changed: retry after Retry-After seconds"
UNAVAILABLE_PAGE = """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>暂时无法使用 · 矛盾纠纷多元化解工作台</title></head>
<body><main>
<h1>系统暂时无法使用</h1>
<p>数据库暂时无法连接，本次操作没有保存。请稍后（约 {seconds} 秒后）刷新页面或重新提交。</p>
<p lang="en">The database cannot be reached just now; nothing was saved. Please try again in a moment.</p>
</main></body>
</html>
"""


def domain_error(request: Request, error: MediationError) -> Response:
    """The error's JSON; `detail` in Chinese for a reader who prefers it (Accept-Language), else English.

    A refusal or a data rule carries its stable `code` and both languages (`reasons`) in `extra`; a data
    rule's Chinese `detail` names the field by its label, `extra.field` by its code (DESIGN §9.9); the
    English `detail` keeps the code, which is what an integrator writes."""
    status = min(500, error.status_code)
    extra = dict(error.extra or {})
    detail = error.detail
    if isinstance(error, InvalidData) and error.reason:
        code, zh = reason_words(error.reason)
        extra.setdefault("code", code)
        extra.setdefault("reasons", {"zh": zh, "en": error.reason})
        if prefers_chinese(request.headers.get("accept-language")):
            detail = f"{field_path_label(error.field, 'zh')}：{zh}"
    elif isinstance(extra.get("reasons"), dict) and prefers_chinese(request.headers.get("accept-language")):
        detail = extra["reasons"].get("zh") or detail
    return Response({"status_code": status, "detail": detail, "extra": extra or None}, status_code=status,
                    media_type=MediaType.JSON)


def prefers_chinese(accept_language: str | None) -> bool:
    """Whether the Accept-Language header ranks Chinese first (`zh-CN,zh;q=0.9,en;q=0.8`); no header: English."""
    best, best_weight = "", 0.0
    for item in (accept_language or "").split(","):
        language, _, parameters = item.strip().partition(";")
        weight = 1.0
        if parameters.strip().startswith("q="):
            try:
                weight = float(parameters.strip()[2:])
            except ValueError:
                weight = 0.0
        if weight > best_weight:
            best, best_weight = language.strip().lower(), weight
    return best.startswith("zh")


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
    if database_unavailable(error):
        return _unavailable(request, error)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response(
        {"status_code": 500, "detail": "Internal Server Error", "extra": None},
        status_code=500,
        media_type=MediaType.JSON,
    )


def _unavailable(request: Request, error: Exception) -> Response:
    """503 with Retry-After: the API's JSON error, or a short Chinese page for the web workspace."""
    reason = (str(error).strip().splitlines() or [""])[0]
    log.warning("database unavailable on %s %s: %s: %s", request.method, request.url.path, type(error).__name__, reason)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    path = request.url.path
    if path.startswith("/api/") or path in ("/health", "/metrics"):
        return Response({"status_code": 503, "detail": UNAVAILABLE_DETAIL, "extra": {"retry_after": RETRY_AFTER_SECONDS}},
                        status_code=503, media_type=MediaType.JSON, headers=headers)
    return Response(UNAVAILABLE_PAGE.format(seconds=RETRY_AFTER_SECONDS), status_code=503, media_type=MediaType.HTML,
                    headers=headers)


EXCEPTION_HANDLERS = {MediationError: domain_error, Exception: unexpected_error}
