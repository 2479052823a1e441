"""Request ids, JSON log lines and the multi-process folder of /metrics (DESIGN §9.7), without a server."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

from mediation.observability import (
    REQUEST_ID,
    JsonFormatter,
    forget_dead_processes,
    request_id_from,
)


@pytest.mark.parametrize("given", ["abc", "trace-42.a_b", "A" * 64, "0123456789abcdef0123456789abcdef"])
def test_a_sane_request_id_is_kept(given: str) -> None:
    assert request_id_from(given) == given
    assert request_id_from(given.encode()) == given


@pytest.mark.parametrize("given", [None, "", "A" * 65, "has space", "semi;colon", "line\nbreak", "trail\n",
                                   "中文", "quote\"d", "<script>", b"\xff\xfe"])
def test_anything_else_gets_a_new_uuid4_hex(given: str | bytes | None) -> None:
    made = request_id_from(given)
    assert made != given and len(made) == 32 and int(made, 16) >= 0
    assert request_id_from(given) != made  # a new one each time


def _record(message: str, *args: object, exc_info: object = None, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("mediation.api", logging.WARNING, __file__, 1, message, args, exc_info)
    record.__dict__.update(extra)
    return record


def test_a_json_line_carries_time_level_logger_message_and_the_request_id() -> None:
    token = REQUEST_ID.set("req-1")
    try:
        line = json.loads(JsonFormatter().format(_record("数据库 %s unavailable", "甲")))
    finally:
        REQUEST_ID.reset(token)
    assert line["level"] == "WARNING" and line["logger"] == "mediation.api"
    assert line["message"] == "数据库 甲 unavailable" and line["request_id"] == "req-1"
    assert line["time"].endswith("Z") and line["time"][10] == "T"


def test_outside_a_request_there_is_no_request_id_and_the_access_fields_come_from_extra() -> None:
    line = json.loads(JsonFormatter().format(_record("GET /health 200", method="GET", path="/health", status=200,
                                                     duration_ms=1.5)))
    assert "request_id" not in line
    assert (line["method"], line["path"], line["status"], line["duration_ms"]) == ("GET", "/health", 200, 1.5)


def test_an_exception_stays_inside_its_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        text = JsonFormatter().format(_record("unhandled error", exc_info=sys.exc_info()))
    assert "\n" not in text
    line = json.loads(text)
    assert "Traceback" in line["exception"] and "ValueError: boom" in line["exception"]


def test_the_live_gauges_of_ended_processes_are_dropped(tmp_path) -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    dead_pid = int(ended.stdout)
    for name in (f"gauge_livesum_{dead_pid}.db", f"gauge_livesum_{os.getpid()}.db", f"counter_{dead_pid}.db"):
        (tmp_path / name).write_bytes(b"")
    forget_dead_processes(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"counter_{dead_pid}.db",
                                                                  f"gauge_livesum_{os.getpid()}.db"])


def test_a_scrape_that_cannot_reach_the_database_says_so_and_still_answers() -> None:
    from mediation.api.monitoring import _database_figures
    from mediation.db import Database
    from mediation.observability import exposition

    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/nothing?connect_timeout=2")
    try:
        text, content_type = exposition(lambda: _database_figures(db))
    finally:
        db.dispose()
    assert content_type.startswith("text/plain")
    assert "mediation_database_reachable 0.0" in text.decode() and "mediation_outbox_backlog" not in text.decode()
