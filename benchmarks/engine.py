"""Engine benchmark: case-state transitions per second, compared with two references.

``python -m benchmarks engine [--quick]`` prints a table and, as its last line,
``engine_vs_sqlite=R1 engine_vs_spiff=R2 replay_vs_sqlite=R3`` (engine rate divided by each reference
rate; R3 is the engine's own statements replayed by raw sqlite3, with no Python of the engine, divided
by the raw sqlite3 reference: the most `engine_vs_sqlite` could be while the engine writes what it writes).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from benchmarks.references import raw_sqlite_rate, spiff_rate
from benchmarks.report import Row, print_kv, print_table

QUICK = {"sqlite": 3_000, "engine": 3_000, "spiff": 300, "replay": 3_000}
FULL = {"sqlite": 20_000, "engine": 20_000, "spiff": 2_000, "replay": 20_000}


def engine_rate(n: int, path: str | os.PathLike[str]) -> tuple[int, float]:
    from benchmarks.workloads import engine_transition_rate

    ops, seconds = engine_transition_rate(n=n, database_path=path)
    return ops, seconds


def replay_rate(n: int, path: str | os.PathLike[str]) -> tuple[int, float]:
    from benchmarks.workloads import engine_replay_rate

    return engine_replay_rate(n=n, database_path=path)


MEASUREMENTS = (
    ("sqlite", "raw sqlite3 (update+event/txn)"),
    ("spiff", "SpiffWorkflow (task+json/txn)"),
    ("engine", "mediation engine (transition)"),
    ("replay", "the engine's statements, raw sqlite3"),
)


def _functions() -> dict:
    return {"sqlite": raw_sqlite_rate, "spiff": spiff_rate, "engine": engine_rate, "replay": replay_rate}


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks engine", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small counts (under a minute)")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (median is kept)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    rounds = args.rounds or (3 if args.quick else 5)
    functions = _functions()

    started = time.perf_counter()
    rates: dict[str, list[float]] = {name: [] for name, _ in MEASUREMENTS}
    counts: dict[str, tuple[int, float]] = {}
    with tempfile.TemporaryDirectory(prefix="mediation-bench-") as tmp:
        for name, _ in MEASUREMENTS:  # warm-up: imports, caches, first-run costs
            functions[name](max(10, sizes[name] // 20), os.path.join(tmp, f"warmup-{name}.db"))
        # The three measurements take turns, so a change in machine load touches them alike.
        for round_number in range(rounds):
            for name, _ in MEASUREMENTS:
                ops, seconds = functions[name](sizes[name], os.path.join(tmp, f"{name}-{round_number}.db"))
                rates[name].append(ops / seconds)
                counts[name] = (ops, seconds)

    rate = {name: _median(values) for name, values in rates.items()}
    rows = [
        Row(label, counts[name][0], counts[name][0] / rate[name], rate[name] / rate["sqlite"],
            note=f"median of {rounds}: " + ", ".join(f"{r:,.0f}" for r in rates[name]))
        for name, label in MEASUREMENTS
    ]
    mode = "quick" if args.quick else "full"
    print_table(rows, title=f"engine benchmark ({mode}; rates/s, ratio = rate / raw sqlite3 rate)")
    print(f"total wall time {time.perf_counter() - started:.1f}s")
    print(f"the engine's SQL: {1e6 / rate['replay']:.0f} µs of {1e6 / rate['engine']:.0f} µs per transition"
          f" (raw sqlite3 reference {1e6 / rate['sqlite']:.0f} µs)")
    print_kv(engine_vs_sqlite=rate["engine"] / rate["sqlite"], engine_vs_spiff=rate["engine"] / rate["spiff"],
             replay_vs_sqlite=rate["replay"] / rate["sqlite"])
    return 0
