"""The connection pools' figures for /metrics: size, connections in use, overflow (DESIGN §9.7).

Kept up to date by the pools' own events, so that every process's figures add up in a scrape:
a request sees one process, its pools are the sum over all of them.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from mediation.db.connections import Database
from mediation.observability import pool_gauges


def watch_pools(db: Database) -> None:
    """Count this database's pools in the figures: PostgreSQL's one ("main"), SQLite's "write" and "read"."""
    if db.read_engine is db.engine:
        _watch("main", db.engine)
    else:
        _watch("write", db.engine)
        _watch("read", db.read_engine)


def _watch(name: str, engine: Engine) -> None:
    size_gauge, in_use, overflow_gauge = pool_gauges(name)
    size = getattr(engine.pool, "size", lambda: 0)()
    size_gauge.inc(size)
    lock = threading.Lock()
    state = {"open": 0, "overflow": 0}

    def opened_or_closed(change: int) -> None:
        with lock:
            state["open"] += change
            overflow = max(0, state["open"] - size)
            if overflow != state["overflow"]:
                overflow_gauge.inc(overflow - state["overflow"])
                state["overflow"] = overflow

    def on_connect(*_: Any) -> None:
        opened_or_closed(1)

    def on_close(*_: Any) -> None:
        opened_or_closed(-1)

    event.listen(engine, "checkout", lambda *_: in_use.inc())
    event.listen(engine, "checkin", lambda *_: in_use.dec())
    event.listen(engine, "connect", on_connect)
    event.listen(engine, "close", on_close)
    event.listen(engine, "close_detached", on_close)
