"""Canonical JSON text: the one serialization used for stored documents and hashes."""

from __future__ import annotations

from typing import Any

import orjson

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def dumps(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text kept as is (Chinese stays readable)."""
    return orjson.dumps(value, option=_OPTIONS, default=_default).decode()


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)
