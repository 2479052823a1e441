"""Canonical JSON text: the one serialization used for stored documents and hashes."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def dumps(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text kept as is (Chinese stays readable)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


loads = json.loads
