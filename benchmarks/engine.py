"""Engine benchmark: case-state transitions per second, compared with two references.

``python -m benchmarks engine [--quick]`` prints a table and, as its last line,
``engine_vs_sqlite=R1 engine_vs_spiff=R2`` (engine rate divided by each reference rate).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import traceback

from benchmarks.references import raw_sqlite_rate, spiff_rate
from benchmarks.report import Row, print_kv, print_table

QUICK = {"sqlite": 3_000, "engine": 3_000, "spiff": 300}
FULL = {"sqlite": 20_000, "engine": 20_000, "spiff": 2_000}


def engine_rate(n: int, path: str | os.PathLike[str]) -> tuple[int, float]:
    from mediation.benchmarking import engine_transition_rate

    ops, seconds = engine_transition_rate(n=n, database_path=path)
    return ops, seconds


def _measure(fn, n: int, tmp: str, filename: str) -> tuple[int, float]:
    """Brief warm-up run on its own database, then the timed run on a fresh one."""
    fn(max(10, n // 20), os.path.join(tmp, f"warmup-{filename}"))
    return fn(n, os.path.join(tmp, filename))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks engine", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small counts (under a minute)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mediation-bench-") as tmp:
        sq_ops, sq_s = _measure(raw_sqlite_rate, sizes["sqlite"], tmp, "sqlite.db")
        sp_ops, sp_s = _measure(spiff_rate, sizes["spiff"], tmp, "spiff.db")
        engine_error: str | None = None
        try:
            en_ops, en_s = _measure(engine_rate, sizes["engine"], tmp, "engine.db")
        except ImportError as exc:
            engine_error = f"not available (ImportError: {exc})"
        except Exception as exc:  # noqa: BLE001 - keep the reference figures visible
            traceback.print_exc()
            engine_error = f"failed ({type(exc).__name__}: {exc})"

    sqlite_row = Row("raw sqlite3 (update+event/txn)", sq_ops, sq_s, 1.0)
    spiff_row = Row("SpiffWorkflow (task+json/txn)", sp_ops, sp_s, sq_s / sq_ops * sp_ops / sp_s)
    rows = [sqlite_row, spiff_row]
    summary: dict[str, float | str] = {}
    if engine_error is None:
        engine_row = Row("mediation engine (transition)", en_ops, en_s)
        engine_row.ratio = engine_row.rate / sqlite_row.rate
        rows.append(engine_row)
        summary = {
            "engine_vs_sqlite": engine_row.rate / sqlite_row.rate,
            "engine_vs_spiff": engine_row.rate / spiff_row.rate,
        }
    else:
        print(f"engine: {engine_error}")

    mode = "quick" if args.quick else "full"
    print_table(rows, title=f"engine benchmark ({mode}; ratio = rate / raw sqlite3 rate)")
    print(f"total wall time {time.perf_counter() - started:.1f}s")
    if summary:
        print_kv(**summary)
    else:
        print_kv(engine_vs_sqlite="n/a", engine_vs_spiff="n/a")
    return 0
