"""Scale-out benchmark: what a second API process and a second worker add, on one PostgreSQL.

``python -m benchmarks scale [--quick]`` starts a throwaway PostgreSQL cluster (``scripts/pg``; or
uses the server of ``MEDIATION_DATABASE_URL`` when it is PostgreSQL) with the durability a deployment
runs with (``fsync``, ``synchronous_commit`` and ``full_page_writes`` on: the test cluster turns them
off) and measures, each on one prepared database:

(a) POST transitions/s through one ``mediation serve`` process, and through two on two ports with the
    load spread over both (one wrk per port, the cases split between them; the same connections in
    all). A case is never in flight twice (benchmarks/api.lua), so nearly every POST succeeds;
(b) due deadlines fired/s by one worker process, and by two racing ones (``FOR UPDATE SKIP LOCKED``),
    on the judicial-confirmation windows of benchmarks/workloads.py.

The POSTed cases were filed a day apart, as cases in flight are: the supervisors' figures are counts kept
per unit and filing day in the transaction that changes a case (mediation/cases/figure_rows.py), and
transitions of cases filed the same day in one unit queue on those rows until each commits.

What bounds a POST: a `serve` process runs a transition on its event loop, so with fsync on it waits
idle for its commit to reach the disk; a second process overlaps that wait with its own work (and
PostgreSQL flushes both commits together). On a 2-core host the database, wrk and the servers share
the cores, so the gain also depends on what else runs. What bounds the workers: every deadline fired
moves the kept counts of its unit and due moment; a batch holds those rows until it commits, so two
workers firing deadlines of one unit due at one moment take turns on them.

One and two take turns in ABBA order, so a change in the host's load touches both sides alike; each
rate is the median of its rounds. The last line is ``post_2_vs_1=R1 deadlines_2_vs_1=R2`` (with the
rates beside). ``scale_out_figures(quick)`` gives the rows and figures to a caller that prints more.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from benchmarks.report import Row, print_kv, print_table

CASES = 200
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


@dataclass(frozen=True)
class Settings:
    post_seconds: int   # each wrk measurement
    post_rounds: int    # of one server and of two, in ABBA order
    warmup: int
    deadlines: int      # due deadlines in all, split evenly over the rounds
    deadline_rounds: int
    connections: int = 32


QUICK = Settings(post_seconds=4, post_rounds=2, warmup=2, deadlines=4_000, deadline_rounds=4)
FULL = Settings(post_seconds=10, post_rounds=4, warmup=3, deadlines=24_000, deadline_rounds=8)


def abba(rounds: int) -> list[int]:
    """1, 2, 2, 1, 1, 2, … : which side (1 or 2 processes) runs in each of 2 × `rounds` turns."""
    return [side for n in range(rounds) for side in ((1, 2) if n % 2 == 0 else (2, 1))]


@contextlib.contextmanager
def durable(server: str) -> Iterator[None]:
    """The server with a deployment's durability while the block runs (put back afterwards); the
preparation, which is not measured, runs without."""
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            before = {name: connection.execute(sa.text(f"SHOW {name}")).scalar() for name in DURABLE}
            _set(connection, DURABLE)
        yield
    finally:
        with admin.connect() as connection:
            _set(connection, before)
        admin.dispose()


def _set(connection: sa.Connection, values: dict[str, str]) -> None:
    for name, value in values.items():
        connection.execute(sa.text(f"ALTER SYSTEM SET {name} = '{value}'"))
    connection.execute(sa.text("SELECT pg_reload_conf()"))
    time.sleep(0.5)  # the backends take the new settings at their next command


# --------------------------------------------------------------------------- (a) POST through 1 and 2 servers
def _prepare_cases(url: str) -> dict[int, int]:
    from benchmarks.workloads import _cases_in_session
    from mediation.db import Database
    from mediation.db.schema import upgrade_database

    upgrade_database(url)
    db = Database(url)
    try:
        return _cases_in_session(db, CASES, days_apart=1)
    finally:
        db.dispose()


def _post_rate(bases: list[str], token: str, versions: dict[int, int], settings: Settings, seconds: int) -> float:
    """2xx POSTs/s with wrk on each base at once, the cases and connections split evenly between them."""
    from concurrent.futures import ThreadPoolExecutor

    from benchmarks.api import Settings as WrkSettings
    from benchmarks.api import run_wrk

    share = WrkSettings(seconds=seconds, rounds=1, warmup=0, fixed_seconds=0, threads=2 // len(bases),
                        connections=settings.connections // len(bases))
    case_ids = list(versions)
    parts = [{case_id: versions[case_id] for case_id in case_ids[n::len(bases)]} for n in range(len(bases))]
    with ThreadPoolExecutor(len(bases)) as pool:
        results = list(pool.map(lambda n: run_wrk(bases[n], "post", token, parts[n], share, seconds),
                                range(len(bases))))
    return sum(result.ok for result in results) / max(result.seconds for result in results)


def post_figures(server: str, settings: Settings, workdir: Path) -> dict[int, list[float]]:
    """POST transitions/s through one server process and through two: side -> rate of each round."""
    from benchmarks.api import Server, _current_versions, login
    from benchmarks.worker import postgres_database

    rates: dict[int, list[float]] = {1: [], 2: []}
    with postgres_database(server) as url:
        print(f"preparing {CASES} cases in session on PostgreSQL …", flush=True)
        versions = _prepare_cases(url)
        servers = [Server(url, workdir, workers=1, name=f"serve{n}") for n in range(2)]
        try:
            for process in servers:
                process.wait_healthy()
            bases = [process.base for process in servers]
            token = login(bases[0])
            with durable(server):
                for side in (1, 2):  # warm each process's caches (token, actor, statements, machine)
                    versions = _current_versions(bases[0], token, list(versions))
                    _post_rate(bases[:side], token, versions, settings, settings.warmup)
                for side in abba(settings.post_rounds):
                    versions = _current_versions(bases[0], token, list(versions))
                    rates[side].append(_post_rate(bases[:side], token, versions, settings, settings.post_seconds))
        except BaseException:
            for process in servers:
                print(f"{process.log_path.name} (tail):\n{process.log_tail()}", file=sys.stderr)
            raise
        finally:
            for process in servers:
                process.stop()
    return rates


# --------------------------------------------------------------------------- (b) deadlines by 1 and 2 workers
def deadline_figures(server: str, settings: Settings) -> dict[int, list[float]]:
    """Due deadlines fired/s by one worker process and by two: side -> rate of each round."""
    from benchmarks.worker import _fired, postgres_database
    from benchmarks.workloads import WorkerPool, prepare_window_cases

    turns = abba(settings.deadline_rounds)
    rates: dict[int, list[float]] = {1: [], 2: []}
    with postgres_database(server) as url:
        print(f"preparing {settings.deadlines:,} due deadlines on PostgreSQL …", flush=True)
        prepare_window_cases(url, settings.deadlines, rounds=len(turns))
        with WorkerPool(url, workers=1) as one, WorkerPool(url, workers=2) as two, durable(server):
            for number, side in enumerate(turns):
                rates[side].append(_fired(one if side == 1 else two, number, settings.deadlines, len(turns),
                                          f"PostgreSQL ×{side}"))
    return rates


# --------------------------------------------------------------------------- the figures
def scale_out_figures(quick: bool) -> tuple[list[Row], dict[str, float]]:
    """Rows for the table and the key figures: POSTs and deadlines with two processes vs one."""
    from benchmarks.worker import postgres_server

    settings = QUICK if quick else FULL
    with postgres_server() as server, tempfile.TemporaryDirectory(prefix="mediation-bench-scale-") as tmp:
        posts = post_figures(server, settings, Path(tmp))
        deadlines = deadline_figures(server, settings)
    rate = {(what, side): statistics.median(values)
            for what, by_side in (("post", posts), ("deadlines", deadlines)) for side, values in by_side.items()}
    rows = []
    for what, label, by_side in (("post", "POST transition", posts), ("deadlines", "due deadline fired", deadlines)):
        for side in (1, 2):
            who = ("serve" if what == "post" else "worker") + (" process" if side == 1 else " processes")
            rows.append(Row(f"{label}, {side} {who}", None, None, rate[what, side] / rate[what, 1],
                            note=f"{rate[what, side]:,.0f}/s, median of {len(by_side[side])}: "
                                 + ", ".join(f"{r:,.0f}" for r in by_side[side])))
    figures = {"post_2_vs_1": rate["post", 2] / rate["post", 1],
               "deadlines_2_vs_1": rate["deadlines", 2] / rate["deadlines", 1],
               "post_per_s_1": round(rate["post", 1]), "post_per_s_2": round(rate["post", 2]),
               "deadlines_per_s_1": round(rate["deadlines", 1]), "deadlines_per_s_2": round(rate["deadlines", 2])}
    return rows, figures


def at_scale_figures(quick: bool, database: Path | None, *, postgresql: bool) -> tuple[list[Row], dict[str, float]]:
    """The lists (benchmarks/million.py) and the dashboard figures (benchmarks/figures_at_scale.py) timed on
    one database of many cases, and on its PostgreSQL copy."""
    from benchmarks import million
    from benchmarks.figures_at_scale import figures_timings
    from benchmarks.million_database import case_count, postgresql_copy, sqlite_database

    rows: list[Row] = []
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="mediation-bench-at-scale-") as tmp:
        workdir = Path(tmp)
        path = sqlite_database(workdir, million.QUICK if quick else million.FULL, database)
        figures["cases"] = case_count(path)
        targets = [("sqlite", path)]
        with contextlib.ExitStack() as stack:
            if postgresql:
                targets.append(("postgresql", stack.enter_context(postgresql_copy(path))))
            for name, target in targets:
                million.timed_on(target, workdir, name, million.ROUNDS, rows, figures)
                timings = figures_timings(target if name == "postgresql" else f"sqlite:///{target}")
                suffix = "sqlite" if name == "sqlite" else "pg"
                rows.append(Row(f"{'SQLite' if name == 'sqlite' else 'PostgreSQL'}: dashboard figures (slowest)",
                                None, None, None, f"{timings['figures_ms']:.1f} ms"))
                figures[f"figures_ms_{suffix}"] = timings["figures_ms"]
    return rows, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short rounds (about a minute and a half)")
    parser.add_argument("--at-scale", action="store_true",
                        help="also time the lists, searches, my work, orders and dashboard figures at 1,000,000 "
                             "cases (100,000 with --quick) on SQLite and PostgreSQL")
    parser.add_argument("--database", type=Path,
                        help="with --at-scale: a SQLite database of many cases to copy instead of building one")
    parser.add_argument("--no-postgresql", action="store_true", help="with --at-scale: SQLite only")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("scale: wrk not found; install it (apt-get install -y wrk, or scripts/setup)")
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))  # still stop servers and cluster
    started = time.perf_counter()
    rows, figures = scale_out_figures(args.quick)
    if args.at_scale:
        more_rows, more_figures = at_scale_figures(args.quick, args.database, postgresql=not args.no_postgresql)
        rows += more_rows
        figures.update(more_figures)
    settings = QUICK if args.quick else FULL
    print_table(rows, title=f"scale-out benchmark ({'quick' if args.quick else 'full'}; ratio = rate / one process's)")
    print(f"PostgreSQL with fsync, synchronous_commit and full_page_writes on; POST: {CASES} cases in session, "
          f"wrk {settings.connections} connections in all for {settings.post_seconds}s a round; deadlines: "
          f"{settings.deadlines:,} judicial-confirmation windows, 200 a transaction; one and two in ABBA turns; "
          f"total wall time {time.perf_counter() - started:.1f}s")
    print_kv(**figures)
    return 0
