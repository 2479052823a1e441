"""The server's and the worker's Prometheus figures, through `prometheus-client` in multi-process mode.

With `PROMETHEUS_MULTIPROC_DIR` set, every process (each `serve` worker, each `worker`) writes its
figures to files in that folder and a scrape adds them up; without it they live in this process.
The library picks its mode when first imported, so it is imported on first use, after `serve`
has set the folder up (`prepare_metrics_dir`).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_LIVE_FILE = re.compile(r"gauge_live\w*?_(\d+)\.db$")


class _Figures:
    """The metric families, made once per process on first use."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        self.requests = Counter("mediation_http_requests", "HTTP requests answered, by route template and status",
                                ["method", "route", "status"])
        self.latency = Histogram("mediation_http_request_duration_seconds",
                                 "Time to answer an HTTP request, by route template", ["method", "route"],
                                 buckets=LATENCY_BUCKETS)
        self.transitions = Counter("mediation_transitions", "Case events committed, by trigger (intake included)",
                                   ["trigger"])
        self.deadlines = Counter("mediation_deadlines_fired", "Due deadlines the worker handled, by kind and outcome",
                                 ["kind", "outcome"])
        pool = ["engine"]
        self.pool_size = Gauge("mediation_db_pool_size", "Connections a pool keeps (its pool_size)", pool,
                               multiprocess_mode="livesum")
        self.pool_checked_out = Gauge("mediation_db_pool_checked_out", "Pooled connections in use", pool,
                                      multiprocess_mode="livesum")
        self.pool_overflow = Gauge("mediation_db_pool_overflow", "Open connections beyond the pool size", pool,
                                   multiprocess_mode="livesum")
        self.request_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.transition_children: dict[str, Any] = {}


_figures: _Figures | None = None


def figures() -> _Figures:
    global _figures
    if _figures is None:
        _figures = _Figures()
    return _figures


def count_request(method: str, route: str, status: int, seconds: float) -> None:
    """One answered HTTP request (route: the template, e.g. /api/v1/cases/{case_id})."""
    found = figures()
    key = (method, route, status)
    children = found.request_children.get(key)
    if children is None:  # labels() costs a few microseconds: look each combination up once
        children = (found.requests.labels(method, route, str(status)), found.latency.labels(method, route))
        found.request_children[key] = children
    children[0].inc()
    children[1].observe(seconds)


def count_transition(trigger: str) -> None:
    """A case event committed under `trigger`."""
    found = figures()
    child = found.transition_children.get(trigger)
    if child is None:  # looked up once per trigger, like the requests' (labels() costs a few microseconds)
        child = found.transition_children[trigger] = found.transitions.labels(trigger)
    child.inc()


def count_deadlines(outcomes: Iterable[tuple[tuple[str, str], int]]) -> None:
    """Deadlines handled in a committed batch: ((kind, outcome), count) pairs."""
    counter = figures().deadlines
    for (kind, outcome), count in outcomes:
        counter.labels(kind, outcome).inc(count)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_VARIABLE) or None


def exposition(extra: Callable[[], Iterable[Any]] = lambda: ()) -> tuple[bytes, str]:
    """The text a scrape reads (every process's figures added up, then `extra`'s families) and its type."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    figures()  # the families are listed (at zero) before anything happened
    folder = multiprocess_dir()
    if folder:
        forget_dead_processes(folder)
        source = CollectorRegistry()
        MultiProcessCollector(source, path=folder)
    else:
        source = REGISTRY
    return generate_latest(_Joined(source, extra)), CONTENT_TYPE_LATEST


class _Joined:
    """A registry's families followed by those computed at scrape time."""

    def __init__(self, source: Any, extra: Callable[[], Iterable[Any]]) -> None:
        self.source, self.extra = source, extra

    def collect(self) -> Iterable[Any]:
        yield from self.source.collect()
        yield from self.extra()


def gauge(name: str, documentation: str, value: float) -> Any:
    """A gauge family computed at scrape time."""
    from prometheus_client.core import GaugeMetricFamily

    return GaugeMetricFamily(name, documentation, value=value)


def forget_dead_processes(folder: str) -> None:
    """Drop the live gauges of processes on this host that have ended (a restarted `serve` worker)."""
    from prometheus_client import multiprocess

    for name in os.listdir(folder):
        found = _LIVE_FILE.search(name)
        if found and not _alive(int(found.group(1))):
            multiprocess.mark_process_dead(int(found.group(1)), folder)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prepare_metrics_dir() -> Callable[[], None]:
    """Before `serve` starts its processes: a fresh folder of its own unless PROMETHEUS_MULTIPROC_DIR names
    one (shared with other processes on this host); returns what removes it afterwards."""
    folder = multiprocess_dir()
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        forget_dead_processes(folder)
        return lambda: None
    own = tempfile.mkdtemp(prefix="mediation-metrics-")
    os.environ[MULTIPROC_VARIABLE] = own
    return lambda: shutil.rmtree(own, ignore_errors=True)


def pool_gauges(engine: str) -> tuple[Any, Any, Any]:
    """The size, checked-out and overflow gauges of one connection pool ("main", or SQLite's "write"/"read")."""
    found = figures()
    return (found.pool_size.labels(engine), found.pool_checked_out.labels(engine),
            found.pool_overflow.labels(engine))
