"""Log lines as JSON objects when `MEDIATION_LOG_FORMAT=json`, each carrying its request's id.

The id comes from the request's `X-Request-ID` when that is a sane token, else it is made anew;
it lives in a context variable for the request's time, so every line logged while answering it
(in the event loop or in a worker thread) names it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

FORMAT_VARIABLE = "MEDIATION_LOG_FORMAT"
ACCESS_LOGGER = "mediation.access"
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# What a log call may add with `extra=` and the JSON line then carries.
_EXTRA_FIELDS = ("method", "path", "status", "duration_ms")


def json_logs() -> bool:
    """Whether MEDIATION_LOG_FORMAT asks for JSON lines (any other value, or none: human-readable)."""
    return os.environ.get(FORMAT_VARIABLE, "").strip().lower() == "json"


def request_id_from(header: str | bytes | None) -> str:
    """The caller's request id when it is ≤ 64 characters of letters, digits, `.`, `_` and `-`; else a new one."""
    if isinstance(header, bytes):
        header = header.decode("latin-1")
    if header and _SANE_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO-8601 UTC), level, logger, message, request_id, the access
    line's method, path, status and duration_ms, and the exception's text."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id:
            line["request_id"] = request_id
        for name in _EXTRA_FIELDS:
            if name in record.__dict__:
                line[name] = record.__dict__[name]
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(*, access_log: bool = False) -> dict[str, Any]:
    """A `logging.config.dictConfig` that writes every line, uvicorn's too, as JSON to stderr.

    The access lines are the server's own (`mediation.access`, with the request id and duration),
    shown with `--access-log`; uvicorn's are off.
    """
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "mediation.observability.JsonFormatter"}},
        "handlers": {"json": handler},
        "root": {"handlers": ["json"], "level": "WARNING"},
        "loggers": {
            "mediation": {"level": "INFO"},
            ACCESS_LOGGER: {"level": "INFO" if access_log else "WARNING"},
            "uvicorn": {"handlers": [], "level": "WARNING", "propagate": True},
            "uvicorn.error": {"handlers": [], "level": "WARNING", "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }


def configure_json_logs(*, access_log: bool = False) -> None:
    """Every line of this process as JSON (the `worker` command; `serve` hands the config to uvicorn)."""
    import logging.config

    logging.config.dictConfig(logging_config(access_log=access_log))
    logging.captureWarnings(True)
