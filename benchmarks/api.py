"""HTTP API benchmark: reads and transitions per second against a trivial endpoint of the same app.

``python -m benchmarks api [--quick]`` prepares a fresh SQLite database (sample county, ~200 cases
in ``mediation.in_session``), serves it with ``mediation serve --workers 2`` on loopback and measures,
with the same server for every figure:

a. ``GET /api/v1/ping`` (the trivial JSON reference) with wrk,
b. ``GET /api/v1/cases/{id}`` across the prepared cases with wrk,
c. ``POST /api/v1/cases/{id}/transitions`` with wrk, cycling every case through adjourn /
   start_session; a case is never in flight twice and its version is tracked from the ETag,
   so nearly every request succeeds (the non-2xx count is reported),
d. the latency of the same POSTs sent at a fixed rate of half of (c)'s rate by an open-loop
   asyncio client (latency counted from the scheduled send time, so a late client or a queue
   in the server both show).

Full mode measures (a)–(c) in three interleaved rounds and keeps each one's best (the machine may
be shared); quick mode runs one short round. It prints a table and, as its last line, ``get_vs_trivial=R1 post_vs_trivial=R2 p99_post_ms=M``.
``--profile DIR`` also records each worker with py-spy during (a)–(d) (figures then carry the
sampling overhead). wrk comes from Debian (``apt-get install wrk``; ``scripts/setup`` installs it).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.report import Row, print_kv, print_table

LUA_SCRIPT = Path(__file__).with_name("api.lua")
CASES = 200
WORKERS = 2
USERNAME, PASSWORD = "mediator1", "mediation-demo"
ADJOURN = {"trigger": "adjourn", "data": {"next_session_at": "2099-03-05T09:00:00"}}  # ahead of any run
START_SESSION = {"trigger": "start_session", "data": {}}
IN_SESSION = "mediation.in_session"


@dataclass(frozen=True)
class Settings:
    seconds: int          # each wrk measurement
    rounds: int           # ping, GET, POST measured this many times, interleaved; the best round counts
    warmup: int           # each wrk warm-up, per endpoint
    fixed_seconds: float  # the fixed-rate POST run
    threads: int = 2
    connections: int = 32


QUICK = Settings(seconds=4, rounds=1, warmup=1, fixed_seconds=5)
FULL = Settings(seconds=10, rounds=3, warmup=3, fixed_seconds=10)


# --- preparation -----------------------------------------------------------------------------


def prepare_database(path: Path, cases: int) -> dict[int, int]:
    """Migrate a fresh SQLite database, build the sample county, bring `cases` cases to in_session."""
    from benchmarks.workloads import _cases_in_session
    from mediation.db import Database
    from mediation.db.schema import upgrade_database

    url = f"sqlite:///{path}"
    upgrade_database(url)
    db = Database(url)
    try:
        return _cases_in_session(db, cases)
    finally:
        db.dispose()


# --- the server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mediation_command() -> list[str]:
    script = Path(sys.executable).with_name("mediation")
    if script.exists():
        return [str(script)]
    found = shutil.which("mediation")
    if found:
        return [found]
    return ["uv", "run", "mediation"]


class Server:
    """`mediation serve` in its own process group, stopped (group-wide) on exit."""

    def __init__(self, database: Path | str, workdir: Path, workers: int, name: str = "server") -> None:
        """`database`: a SQLite file, or a database URL."""
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"{name}.log"
        url = database if isinstance(database, str) else f"sqlite:///{database}"
        env = dict(os.environ, MEDIATION_DATABASE_URL=url)
        command = _mediation_command() + ["serve", "--host", "127.0.0.1", "--port", str(self.port),
                                          "--workers", str(workers)]
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not healthy after {timeout:.0f}s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        pids = []
        for pid in map(int, children):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"resource_tracker" not in cmdline:
                pids.append(pid)
        return pids

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=5)
        else:  # the supervisor is gone; make sure no worker outlived it
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self._log.close()


def login(base: str) -> str:
    body = json.dumps({"username": USERNAME, "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/token", data=body,
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["access_token"]


# --- wrk -------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    raw: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return self.requests - self.non_2xx


def run_wrk(base: str, mode: str, token: str, versions: dict[int, int], settings: Settings,
            seconds: int) -> WrkResult:
    cases = ",".join(f"{case_id}:{version}" for case_id, version in versions.items())
    command = ["wrk", f"-t{settings.threads}", f"-c{settings.connections}", f"-d{seconds}s", "--timeout", "5s",
               "-s", str(LUA_SCRIPT), base, "--", mode, token, str(settings.threads), cases]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK_RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk {mode} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = {key: float(value) for key, value in (item.split("=") for item in line.split()[1:])}
    socket_errors = int(raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"])
    # wrk counts status >= 400; the post script also counts every non-2xx it saw.
    non_2xx = int(max(raw["status_errors"], raw["post_failed"]))
    return WrkResult(
        requests=int(raw["requests"]), seconds=raw["duration_us"] / 1e6, non_2xx=non_2xx,
        socket_errors=socket_errors, p50_ms=raw["lat_p50"] / 1e3, p99_ms=raw["lat_p99"] / 1e3,
        mean_ms=raw["lat_mean"] / 1e3, raw=raw,
    )


# --- the fixed-rate POST client --------------------------------------------------------------


class HttpConnection:
    """One keep-alive HTTP/1.1 connection, one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.last_used = time.monotonic()

    @classmethod
    async def open(cls, port: int) -> HttpConnection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> tuple[int, dict[str, str], bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" not in headers:
            raise RuntimeError(f"response without content-length: {head!r}")
        body = await self.reader.readexactly(int(headers["content-length"]))
        self.last_used = time.monotonic()
        return status, headers, body

    def close(self) -> None:
        self.writer.close()


def _request(method: str, path: str, port: int, token: str, body: bytes = b"", if_match: int | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Authorization: Bearer {token}"]
    if if_match is not None:
        lines.append(f'If-Match: "{if_match}"')
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class FixedRateResult:
    rate: float
    sent: int
    seconds: float
    statuses: Counter
    latencies_ms: list[float]   # from the scheduled send time
    service_ms: list[float]     # from the actual send time
    max_in_flight: int

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)  # nearest rank
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


async def fixed_rate_posts(port: int, token: str, states: dict[int, tuple[int, bool]], rate: float,
                           seconds: float, connections: int = 16) -> FixedRateResult:
    """Open loop: the n-th POST goes at t0 + n/rate whatever the earlier ones are doing.

    `states` is case id -> (version, in_session); each case is in flight at most once.
    """
    loop = asyncio.get_running_loop()
    idle = [await HttpConnection.open(port) for _ in range(connections)]
    state = dict(states)
    case_ids = list(state)
    bodies = {True: json.dumps(ADJOURN).encode(), False: json.dumps(START_SESSION).encode()}
    free_cases = deque(case_ids)
    case_freed = asyncio.Event()
    statuses: Counter = Counter()
    latencies: list[float] = []
    service: list[float] = []
    in_flight = 0
    max_in_flight = 0

    async def connection_for_request() -> HttpConnection:
        # uvicorn drops keep-alive connections idle for 5 s: never reuse one idle for 2 s.
        while idle:
            connection = idle.pop()
            if time.monotonic() - connection.last_used < 2.0:
                return connection
            connection.close()
        return await HttpConnection.open(port)

    async def one(due: float, case_id: int) -> None:
        nonlocal in_flight, max_in_flight
        connection = await connection_for_request()
        version, in_session = state[case_id]
        path = f"/api/v1/cases/{case_id}/transitions"
        request = _request("POST", path, port, token, bodies[in_session], version)
        in_flight += 1
        max_in_flight = max(max_in_flight, in_flight)
        sent = loop.time()
        try:
            status, headers, body = await connection.exchange(request)
        except (OSError, asyncio.IncompleteReadError):
            # Counted as a failure (status 0); re-read the case before it is used again.
            connection.close()
            statuses[0] += 1
            fresh = await HttpConnection.open(port)
            status, headers, body = await fresh.exchange(_request("GET", f"/api/v1/cases/{case_id}", port, token))
            state[case_id] = (int(headers["etag"].strip('W/"')), json.loads(body)["state"] == IN_SESSION)
            idle.append(fresh)
            free_cases.append(case_id)
            case_freed.set()
            return
        finally:
            in_flight -= 1
        finished = loop.time()
        statuses[status] += 1
        latencies.append((finished - due) * 1e3)
        service.append((finished - sent) * 1e3)
        if 200 <= status < 300:
            state[case_id] = (int(headers["etag"].strip('W/"')), json.loads(body)["state"] == IN_SESSION)
        elif status == 409 and b"current_version" in body:
            state[case_id] = (json.loads(body)["extra"]["current_version"], in_session)
        idle.append(connection)
        free_cases.append(case_id)
        case_freed.set()

    total = max(1, int(rate * seconds))
    tasks: list[asyncio.Task] = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = loop.time() + 0.05
        for n in range(total):
            due = start + n / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            while not free_cases:  # every case busy: the server is far behind; the wait counts
                case_freed.clear()
                await case_freed.wait()
            tasks.append(asyncio.create_task(one(due, free_cases.popleft())))
        await asyncio.gather(*tasks)  # raises what any request raised
        elapsed = loop.time() - start
    finally:
        if gc_was_enabled:
            gc.enable()
        for connection in idle:
            connection.close()
    return FixedRateResult(rate, total, elapsed, statuses, latencies, service, max_in_flight)


# --- profiling (optional) --------------------------------------------------------------------


class Profiler:
    """py-spy record of every worker while one phase runs (raw collapsed stacks, one file per worker)."""

    def __init__(self, directory: Path | None, server: Server) -> None:
        self.directory = directory
        self.server = server
        self.running: list[subprocess.Popen] = []
        self.py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            if not Path(self.py_spy).exists():
                raise RuntimeError("--profile needs py-spy: uv pip install py-spy")

    def start(self, phase: str, seconds: float) -> None:
        if self.directory is None:
            return
        for pid in self.server.worker_pids():
            out = self.directory / f"{phase}-{pid}.txt"
            self.running.append(subprocess.Popen(
                [self.py_spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "100", "--threads",
                 "--duration", str(int(seconds)), "--output", str(out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def finish(self) -> None:
        for process in self.running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()


# --- main ------------------------------------------------------------------------------------


def _latency_note(p50: float, p99: float, non_2xx: int) -> str:
    return f"p50 {p50:.1f} p99 {p99:.1f} ms; non-2xx {non_2xx}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks api", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short runs (under a minute in total)")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="record the workers with py-spy (raw stacks per phase) into DIR")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    mode = "quick" if args.quick else "full"

    if shutil.which("wrk") is None:
        print("api: wrk not found; install it (apt-get install -y wrk, or scripts/setup)")
        print_kv(get_vs_trivial="n/a", post_vs_trivial="n/a", p99_post_ms="n/a")
        return 1

    # A plain `kill` should still stop the server and remove the temp dir (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mediation-bench-api-") as tmp:
        workdir = Path(tmp)
        versions = prepare_database(workdir / "api.db", CASES)
        prepared = time.perf_counter() - started
        server = Server(workdir / "api.db", workdir, WORKERS)
        try:
            server.wait_healthy()
            token = login(server.base)
            profiler = Profiler(args.profile, server)
            # Warm every worker's caches (token, actor, statements) on each endpoint.
            for phase in ("ping", "get", "post"):
                run_wrk(server.base, phase, token, versions, settings, settings.warmup)

            # Interleaved rounds, best of each: other load on the machine hits every endpoint alike.
            results: dict[str, WrkResult] = {}
            for round_number in range(settings.rounds):
                for phase in ("ping", "get", "post"):
                    if phase == "post":
                        versions = _current_versions(server.base, token, list(versions))
                    profiler.start(f"{phase}{round_number}", settings.seconds)
                    result = run_wrk(server.base, phase, token, versions, settings, settings.seconds)
                    profiler.finish()
                    if phase not in results or result.ok / result.seconds > results[phase].ok / results[phase].seconds:
                        results[phase] = result

            post = results["post"]
            target = max(1.0, post.ok / post.seconds / 2)
            states = settled_states(server.base, token, list(versions))
            profiler.start("fixed", settings.fixed_seconds + 1)
            fixed = asyncio.run(fixed_rate_posts(server.port, token, states, target, settings.fixed_seconds))
            profiler.finish()
        except BaseException:
            print(f"server log (tail):\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            server.stop()

    ping, get = results["ping"], results["get"]
    ping_rate = ping.ok / ping.seconds
    fixed_p99 = percentile(fixed.latencies_ms, 99)
    rows = [
        Row("ping (trivial)", ping.ok, ping.seconds, 1.0, _latency_note(ping.p50_ms, ping.p99_ms, ping.non_2xx)),
        Row("GET case", get.ok, get.seconds, None, _latency_note(get.p50_ms, get.p99_ms, get.non_2xx)),
        Row("POST transition", post.ok, post.seconds, None, _latency_note(post.p50_ms, post.p99_ms, post.non_2xx)),
        Row(f"POST @{fixed.rate:,.0f}/s", fixed.sent - fixed.non_2xx, fixed.seconds, None,
            _latency_note(percentile(fixed.latencies_ms, 50), fixed_p99, fixed.non_2xx)),
    ]
    rows[1].ratio = rows[1].rate / ping_rate
    rows[2].ratio = rows[2].rate / ping_rate
    socket_errors = ping.socket_errors + get.socket_errors + post.socket_errors
    print_table(rows, title=f"api benchmark ({mode}; ratio = rate / trivial rate)")
    print(f"server: mediation serve --workers {WORKERS}, SQLite, {CASES} cases in session; "
          f"wrk -t{settings.threads} -c{settings.connections} -d{settings.seconds}s on loopback, "
          f"best of {settings.rounds} interleaved round(s)")
    print(f"POST transition (wrk): 409 {int(post.raw['post_conflicts'])}, unattributed answers "
          f"{int(post.raw['post_lost'])}, socket errors/timeouts {socket_errors}")
    print(f"POST @{fixed.rate:,.0f}/s = half the max 2xx rate, open loop for {settings.fixed_seconds:g}s: "
          f"latency from scheduled send p50 {percentile(fixed.latencies_ms, 50):.2f} ms, "
          f"p99 {fixed_p99:.2f} ms, max {max(fixed.latencies_ms, default=float('nan')):.2f} ms; "
          f"from actual send p99 {percentile(fixed.service_ms, 99):.2f} ms; max in flight {fixed.max_in_flight}; "
          f"statuses {dict(sorted(fixed.statuses.items()))}")
    if args.profile:
        print(f"py-spy raw stacks in {args.profile} (figures include sampling overhead)")
    print(f"preparation {prepared:.1f}s; total wall time {time.perf_counter() - started:.1f}s")
    print_kv(get_vs_trivial=rows[1].ratio, post_vs_trivial=rows[2].ratio, p99_post_ms=fixed_p99)
    return 0


def _case_states(base: str, token: str, case_ids: list[int]) -> dict[int, tuple[int, bool]]:
    """Case id -> (version, in_session), read over HTTP."""
    states: dict[int, tuple[int, bool]] = {}
    for case_id in case_ids:
        request = urllib.request.Request(f"{base}/api/v1/cases/{case_id}",
                                         headers={"authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            detail = json.load(answer)
            states[case_id] = (int(answer.headers["etag"].strip('W/"')), detail["state"] == IN_SESSION)
    return states


def settled_states(base: str, token: str, case_ids: list[int], timeout: float = 30.0) -> dict[int, tuple[int, bool]]:
    """The cases' states once the server has finished what a stopped load generator left queued.

    wrk stops with requests still queued in the workers' thread pools; they still commit, so read
    until two passes in a row agree.
    """
    deadline = time.monotonic() + timeout
    states = _case_states(base, token, case_ids)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        again = _case_states(base, token, case_ids)
        if again == states:
            return states
        states = again
    raise RuntimeError(f"case versions still changing after {timeout:.0f}s")


def _current_versions(base: str, token: str, case_ids: list[int]) -> dict[int, int]:
    """Case id -> version once settled, every case put back in mediation.in_session first."""
    versions: dict[int, int] = {}
    for case_id, (version, in_session) in settled_states(base, token, case_ids).items():
        versions[case_id] = version if in_session else _fire(base, token, case_id, version, START_SESSION)
    return versions


def _fire(base: str, token: str, case_id: int, version: int, body: dict) -> int:
    request = urllib.request.Request(
        f"{base}/api/v1/cases/{case_id}/transitions", data=json.dumps(body).encode(),
        headers={"authorization": f"Bearer {token}", "content-type": "application/json",
                 "if-match": f'"{version}"'})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(answer.headers["etag"].strip('W/"'))
