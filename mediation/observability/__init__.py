"""What operators watch (DESIGN §9.7): Prometheus figures of every process, JSON log lines with request ids.

Below every room: the engine, the worker, the pools and the server record through it; the
`/metrics` route and the `serve`/`worker` commands set it up.
"""

from mediation.observability._logs import (
    ACCESS_LOGGER,
    REQUEST_ID,
    JsonFormatter,
    configure_json_logs,
    json_logs,
    logging_config,
    request_id_from,
)
from mediation.observability._metrics import (
    count_deadlines,
    count_request,
    count_transition,
    exposition,
    forget_dead_processes,
    gauge,
    multiprocess_dir,
    pool_gauges,
    prepare_metrics_dir,
)
from mediation.observability._requests import UNMATCHED, observe_requests

__all__ = [
    "ACCESS_LOGGER", "REQUEST_ID", "UNMATCHED", "JsonFormatter", "configure_json_logs", "count_deadlines",
    "count_request", "count_transition", "exposition", "forget_dead_processes", "gauge", "json_logs",
    "logging_config", "multiprocess_dir", "observe_requests", "pool_gauges", "prepare_metrics_dir",
    "request_id_from",
]
