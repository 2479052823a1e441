"""Timer-worker benchmark: due deadlines fired through the engine per second.

``python -m benchmarks worker [--quick]`` (quick: 10,000 deadlines; full: 100,000) measures,
in one run:

(a) the engine alone: ``start_follow_up`` on cases in mediation.agreement_effective, one
    commit per transition, on SQLite (the same transition the worker fires);
(b) one worker over N due judicial-confirmation windows on SQLite, each firing
    ``start_follow_up`` as the system actor (batches of 200, one savepoint per deadline);
(c) the same N on PostgreSQL by one worker process, and by two racing worker processes
    (``FOR UPDATE SKIP LOCKED``). ``MEDIATION_DATABASE_URL`` pointing at PostgreSQL is used
    for throwaway databases; otherwise a throwaway cluster is started with ``scripts/pg``
    and stopped afterwards;
(d) N open cases, each with a working-day deadline resting on estimated holidays, recounted
    through the engine after holidays.yaml gains their year (``benchmarks/recount.py``), on SQLite.

Preparation (a case driven through the engine, copied in bulk) is not timed. The deadlines
fall due in rounds (3 quick, 5 full): (a) and (b) take turns on SQLite, one and two workers
take turns on PostgreSQL, and each rate is the median over its rounds, so that a change in
the host's load touches the sides it compares alike. The last line is
``deadlines_per_s_sqlite=N1 deadlines_per_s_pg2=N2 vs_engine=R recompute_100k_s=S recompute_vs_engine=Q``
with R = (b) / (a), S the seconds (d) took and Q = (d)'s cases per second / (a)
(``recompute_10k_s`` with --quick).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from benchmarks.report import Row, print_kv, print_table

QUICK = {"deadlines": 10_000, "engine": 3_000}
FULL = {"deadlines": 100_000, "engine": 20_000}
ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server URL: MEDIATION_DATABASE_URL's, or a throwaway cluster's (stopped after)."""
    url = os.environ.get("MEDIATION_DATABASE_URL", "")
    if url.startswith("postgresql"):
        yield url
        return
    with tempfile.NamedTemporaryFile(prefix="mediation-pg-dir.", delete=False) as handle:
        dir_file = handle.name
    try:
        started = subprocess.run(["bash", str(ROOT / "scripts" / "pg"), "start"], check=True, capture_output=True,
                                 text=True, env={**os.environ, "MEDIATION_PG_DIR_FILE": dir_file})
        yield started.stdout.strip().splitlines()[-1]
    finally:
        cluster = Path(dir_file).read_text().strip() if Path(dir_file).exists() else ""
        if cluster:
            subprocess.run(["bash", str(ROOT / "scripts" / "pg"), "stop", cluster], check=False,
                           capture_output=True)
        Path(dir_file).unlink(missing_ok=True)


@contextlib.contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A new empty database on the server, dropped afterwards."""
    name = f"mediation_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    from benchmarks.recount import recount_seconds
    from benchmarks.workloads import WorkerPool, engine_follow_up_rate, prepare_window_cases
    from mediation.db import Database

    parser = argparse.ArgumentParser(prog="python -m benchmarks worker", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 deadlines (a minute or so)")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (medians are kept)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    n, engine_n = sizes["deadlines"], sizes["engine"]
    rounds = args.rounds or (3 if args.quick else 5)
    rates: dict[str, list[float]] = {name: [] for name in ("engine", "sqlite", "pg1", "pg2")}
    wall = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="mediation-bench-") as tmp:
        # One SQLite database: the engine moves the spare cases by hand (before their windows
        # fall due), the worker fires the windows of the other n; the two take turns.
        url = f"sqlite:///{Path(tmp) / 'worker.db'}"
        print(f"preparing {n + engine_n:,} cases on SQLite …", flush=True)
        spare = prepare_window_cases(url, n, rounds=rounds, spare=engine_n)[n:]
        db = Database(url)
        with WorkerPool(url, workers=1) as pool:
            for number in range(rounds):
                count, seconds = engine_follow_up_rate(db, _share(spare, number, rounds))
                rates["engine"].append(count / seconds)
                rates["sqlite"].append(_fired(pool, number, n, rounds, "SQLite"))
        db.dispose()
        recount_s = recount_seconds(f"sqlite:///{Path(tmp) / 'recount.db'}", n, Path(tmp))

    with postgres_server() as server, postgres_database(server) as one_url, postgres_database(server) as two_url:
        for pg_url in (one_url, two_url):
            print(f"preparing {n:,} cases on PostgreSQL …", flush=True)
            prepare_window_cases(pg_url, n, rounds=rounds)
        with WorkerPool(one_url, workers=1) as one, WorkerPool(two_url, workers=2) as two:
            for number in range(rounds):  # one worker and two take turns
                rates["pg1"].append(_fired(one, number, n, rounds, "PostgreSQL ×1"))
                rates["pg2"].append(_fired(two, number, n, rounds, "PostgreSQL ×2"))

    rate = {name: statistics.median(values) for name, values in rates.items()}
    labels = {"engine": ("engine, SQLite", engine_n), "sqlite": ("worker ×1, SQLite", n),
              "pg1": ("worker ×1, PostgreSQL", n), "pg2": ("workers ×2, PostgreSQL", n)}
    rows = [Row(label, count, count / rate[name], rate[name] / rate["engine"],
                note=f"median of {rounds}: " + ", ".join(f"{r:,.0f}" for r in rates[name]))
            for name, (label, count) in labels.items()]
    mode = "quick" if args.quick else "full"
    recount_ratio = n / recount_s / rate["engine"]
    rows.append(Row("recount after holidays.yaml, SQLite", n, recount_s, recount_ratio,
                    note="recompute_deadlines by the system, 500 a transaction"))
    print_table(rows, title=f"worker benchmark ({mode}; rates/s, ratio = rate / engine rate)")
    print("engine: start_follow_up by a mediator, one commit each; worker: the judicial-confirmation "
          "window fires start_follow_up as the system, 200 a transaction; ×2: SKIP LOCKED")
    print(f"pg2_vs_pg1={rate['pg2'] / rate['pg1']:.3f}; total wall time {time.perf_counter() - wall:.1f}s")
    print_kv(deadlines_per_s_sqlite=round(rate["sqlite"]), deadlines_per_s_pg2=round(rate["pg2"]),
             vs_engine=rate["sqlite"] / rate["engine"],
             **{f"recompute_{n // 1000}k_s": round(recount_s, 1)}, recompute_vs_engine=recount_ratio)
    return 0


def _share(items: list[int], number: int, rounds: int) -> list[int]:
    """Round `number`'s share of the items."""
    return items[len(items) * number // rounds:len(items) * (number + 1) // rounds]


def _fired(pool, number: int, n: int, rounds: int, where: str) -> float:
    """Run the pool on round `number`'s windows; their rate. Every one must fire once, and only those."""
    from benchmarks.workloads import round_due

    expected = n * (number + 1) // rounds - n * number // rounds
    fired, seconds, outcomes = pool.run(round_due(number))
    if fired != expected or set(outcomes) != {"fired"}:
        raise SystemExit(f"{where}, round {number}: expected {expected} deadlines fired, got {outcomes}")
    return fired / seconds
