"""Support for the scale-out test: `mediation serve` and `mediation worker` processes on one database,
and a desk that sends a user's requests to either server, retrying with the same Idempotency-Key.

Every process runs the project's `mediation` entry point of this virtual environment, in its own
process group, with one PROMETHEUS_MULTIPROC_DIR shared by all (as README "Running on several
machines / processes" says), and is stopped with SIGTERM (SIGKILL only if it hangs).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

MEDIATION = str(Path(sys.executable).with_name("mediation"))
STARTUP_TIMEOUT = 90.0  # seconds; only against a hung process, nothing is asserted on time
REQUEST_TIMEOUT = 60.0
RETRIES = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """One `mediation` command in its own process group, its output in a log file."""

    def __init__(self, args: list[str], *, url: str, log_path: Path, metrics_dir: Path) -> None:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("MEDIATION_WEBHOOK") and key != "MEDIATION_JWT_SECRET"}
        env.update(MEDIATION_DATABASE_URL=url, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), PYTHONUNBUFFERED="1",
                   MEDIATION_PDF_PROCESSES="1", COLUMNS="500",  # a wide console: one line per message
                   PYTHONFAULTHANDLER="1")  # a hung process shows where it hangs (see stop)
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 — open while the process runs
        self.process = subprocess.Popen([MEDIATION, *args], env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int | None:
        """SIGTERM to the group, then wait; its exit status (None when it had to be killed: its log then ends
        with every thread's stack, written by the fault handler on SIGABRT)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGABRT)
                time.sleep(2)
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
                self._log.close()
                return None
        self._log.close()
        return self.process.returncode


class Server(Process):
    """`mediation serve` on a free port of loopback."""

    def __init__(self, *, url: str, log_path: Path, metrics_dir: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        super().__init__(["serve", "--port", str(self.port), "--workers", "1"], url=url, log_path=log_path,
                         metrics_dir=metrics_dir)

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited ({self.process.returncode}):\n{self.log()[-4000:]}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"serve did not come up in {STARTUP_TIMEOUT:.0f} s:\n{self.log()[-4000:]}")


def login(base_url: str, username: str, password: str) -> str:
    response = httpx.post(f"{base_url}/api/v1/auth/token", json={"username": username, "password": password},
                          timeout=REQUEST_TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@dataclass
class Ledger:
    """What the servers acknowledged (2xx), and what they refused, from every client thread."""

    intakes: dict[str, int] = field(default_factory=dict)               # idempotency key -> case id
    changes: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # key -> (case id, version, trigger)
    refused_notes: list[tuple[int, str]] = field(default_factory=list)  # (case id, note text) answered 409
    statuses: dict[int, int] = field(default_factory=dict)              # status -> answers seen
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, status: int) -> None:
        with self._lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def intake(self, key: str, case_id: int) -> None:
        with self._lock:
            assert self.intakes.setdefault(key, case_id) == case_id, (key, case_id)

    def change(self, key: str, case_id: int, version: int, trigger: str) -> None:
        with self._lock:
            assert self.changes.setdefault(key, (case_id, version, trigger)) == (case_id, version, trigger), key

    def refused_note(self, case_id: int, text: str) -> None:
        with self._lock:
            self.refused_notes.append((case_id, text))


class Desk:
    """One user's requests, each sent to the server it names; a lost connection or a 503 is sent
    again with the same Idempotency-Key, to the other server."""

    def __init__(self, base_urls: list[str], token: str, ledger: Ledger) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        self.clients = [httpx.Client(base_url=base, headers=headers, timeout=REQUEST_TIMEOUT) for base in base_urls]
        self.ledger = ledger

    def send(self, method: str, path: str, *, server: int, **options: Any) -> httpx.Response:
        for attempt in range(RETRIES):
            client = self.clients[(server + attempt) % len(self.clients)]
            try:
                response = client.request(method, path, **options)
            except httpx.TransportError:
                time.sleep(0.2)
                continue
            self.ledger.saw(response.status_code)
            if response.status_code != 503:
                return response
            time.sleep(0.2)
        raise AssertionError(f"{method} {path}: no answer after {RETRIES} tries")

    def post(self, path: str, body: dict[str, Any], *, server: int, key: str,
             version: int | None = None) -> httpx.Response:
        headers = {"Idempotency-Key": key}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return self.send("POST", path, server=server, json=body, headers=headers)

    def close(self) -> None:
        for client in self.clients:
            client.close()
