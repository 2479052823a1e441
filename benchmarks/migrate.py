"""`workflows migrate` benchmark: dry run and apply of N in-flight cases vs the engine's transition rate.

``python -m benchmarks migrate [--cases N]`` (default 100,000) measures on SQLite, in one run:

(a) the engine alone: adjourn / start_session, one commit per transition (``benchmarks/workloads.py``),
    measured before the dry run, between it and the apply, and after: each phase is compared with the
    mean of the two measurements around it, so that a change in the host's load touches both sides;
(b) the dry run of N cases on version 1 to a version 2 that shortens the people's-mediation term
    (those deadlines recomputed), adds a deadline to follow-up (added, counted from when each case
    entered it) and renames court.rejected (mapped): cases per second;
(c) its apply: each case moved through the engine's `migrate` in its own transaction: cases per second;
(d) the peak of the Python heap (tracemalloc) during (b) and (c), at N and at N/10, in a second,
    untimed pass over a copy of the same cases (and, from the timed pass, the growth of RssAnon).

Preparation is not timed: one case per route to every open state is driven through the engine, then
copied in bulk with its pending deadlines (copies share their template's events by reference). The last
line is ``engine_per_s=E dry_run_per_s=D apply_per_s=A dry_run_vs_engine=D/E apply_vs_engine=A/E
memory_ratio=M`` with M = the larger of dry run's and apply's heap peak at N over that at N/10
(targets: apply ≥ 0.5, dry run ≥ 5, memory ≈ 1).
"""

from __future__ import annotations

import argparse
import copy
import shutil
import tempfile
import threading
import time
import tracemalloc
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Callable, Iterator

import sqlalchemy as sa

from benchmarks.report import Row, print_kv, print_table

RENAMED = ("court.rejected", "court.not_confirmed")
ENGINE_N = 3000  # transitions of each engine measurement


def _rss() -> int:
    """Resident anonymous memory (the heap; not SQLite's memory-mapped database file, which grows with it)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("RssAnon:"))
    return int(line.split()[1]) * 1024


@contextmanager
def peak_growth() -> Iterator[list[int]]:
    """The peak growth of resident memory over the block (sampled every 5 ms), in bytes: `[growth]`."""
    start, peak, done = _rss(), [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.005):
            peak[0] = max(peak[0], _rss() - start)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()
        peak[0] = max(peak[0], _rss() - start)


def second_version():
    """Version 2: the people's-mediation term 20 days, a follow-up check at +60 days, court.rejected renamed."""
    from mediation.workflows.definition import parse_definition
    from mediation.workflows.loader import load_definition

    source = copy.deepcopy(load_definition("mediation").source)
    workflow, policy = source["workflow"], source["policy"]
    policy["deadlines"]["people_mediation_term"]["after"] = {"days": 20, "count": "civil_procedure"}
    policy["deadlines"]["follow_up_check"] = {"state": "follow_up.tracking", "action": "remind",
                                              "after": {"days": 60, "count": "whole_days"}}
    states = workflow["stages"]["court"]["states"]
    states["not_confirmed"] = states.pop("rejected")
    for body in workflow["triggers"].values():
        for entry in body.get("transitions") or ():
            for end in ("from", "to"):
                if entry.get(end) == RENAMED[0]:
                    entry[end] = RENAMED[1]
    return parse_definition(workflow, policy)


def prepare(url: str, count: int) -> None:
    """A migrated database at `url` with `count` open cases spread over every route to every open state."""
    from mediation.db import Database
    from mediation.db.models import Case
    from mediation.db.schema import upgrade_database
    from mediation.demo.case_paths import ROUTES, drive_to
    from mediation.demo.sample_county import build_sample_county

    upgrade_database(url)
    db = Database(url)
    try:
        county = build_sample_county(db)
        routes = [(s, i) for s, r in ROUTES.items() if not s.startswith("closed.") for i in range(len(r))]
        templates = [drive_to(db, state=s, county=county, route=i, step=timedelta(minutes=5)) for s, i in routes]
        columns = [c.name for c in Case.__table__.columns if c.name not in ("id", "number")]
        listed, selected = ", ".join(columns), ", ".join(f"c.{column}" for column in columns)
        with db.begin() as connection:
            for n, template in enumerate(templates):
                copies = count * (n + 1) // len(templates) - count * n // len(templates) - 1
                first = connection.execute(sa.text("SELECT max(id) FROM cases")).scalar() + 1
                connection.execute(sa.text(
                    f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
                    f"INSERT INTO cases (number, {listed}) SELECT c.number || '-' || n.i, {selected} "
                    f"FROM cases c CROSS JOIN n WHERE c.id = :template ORDER BY n.i"),
                    {"count": copies, "template": template})
                connection.execute(sa.text(
                    "INSERT INTO deadlines (case_id, kind, state, due_at, action, status, created_at, estimated) "
                    "SELECT c.id, d.kind, d.state, d.due_at, d.action, d.status, d.created_at, d.estimated "
                    "FROM cases c JOIN deadlines d ON d.case_id = :template AND d.status = 'pending' "
                    "WHERE c.id >= :first ORDER BY c.id, d.id"), {"template": template, "first": first})
            connection.execute(sa.text("ANALYZE"))
        db.workflows.ensure_stored(second_version())
    finally:
        db.dispose()


def migrate_once(url: str, *, traced: bool = False,
                 engine: Callable[[], float] | None = None) -> tuple[int, float, float, int, int, list[float]]:
    """Dry run and apply version 1 → 2: cases, dry-run seconds, apply seconds, the peak memory of each
    (the Python heap's peak over it, tracemalloc, when `traced`; else the growth of RssAnon), and the
    engine's rate measured by `engine()` before, between and after them (the host's load changes)."""
    from mediation.cases.migration_apply import apply_plan, migrating_admin
    from mediation.cases.migration_runs import dry_run, open_migration
    from mediation.db import Database

    db = Database(url)
    measure, rates = (traced_peak if traced else peak_growth), []
    try:
        migration = open_migration(db, name="mediation", from_number=1, to_number=2,
                                   state_map={RENAMED[0]: RENAMED[1]})
        admin = migrating_admin(db, None)
        rates += [engine()] if engine else []
        with measure() as dry_memory:
            started = time.perf_counter()
            summary = dry_run(db, migration)
            dry_seconds = time.perf_counter() - started
        rates += [engine()] if engine else []
        with measure() as apply_memory:
            started = time.perf_counter()
            totals = apply_plan(db, migration, summary.hash, actor=admin)
            apply_seconds = time.perf_counter() - started
        rates += [engine()] if engine else []
    finally:
        db.dispose()
    cases = summary.totals["cases"]
    if totals.moved != cases:
        raise SystemExit(f"expected {cases} cases moved, got {totals}")
    return cases, dry_seconds, apply_seconds, dry_memory[0], apply_memory[0], rates


@contextmanager
def traced_peak() -> Iterator[list[int]]:
    """The peak of the Python heap over the block above where it started, in bytes: `[peak]`."""
    tracemalloc.start()
    start, peak = tracemalloc.get_traced_memory()[0], [0]
    try:
        yield peak
    finally:
        peak[0] = tracemalloc.get_traced_memory()[1] - start
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    from benchmarks.workloads import engine_transition_rate

    parser = argparse.ArgumentParser(prog="python -m benchmarks migrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000, help="in-flight cases to migrate (default 100,000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mediation-bench-") as tmp:
        runs = iter(range(1000))

        def engine() -> float:
            transitions, seconds = engine_transition_rate(n=ENGINE_N, database_path=Path(tmp) / f"engine-{next(runs)}.db")
            return transitions / seconds

        measured, traced = {}, {}
        for size in (args.cases // 10, args.cases):
            path = Path(tmp) / f"migrate-{size}.db"
            print(f"preparing {size:,} cases …", flush=True)
            prepare(f"sqlite:///{path}", size)
            shutil.copyfile(path, Path(tmp) / f"traced-{size}.db")  # the same cases again, for the memory pass
            measured[size] = migrate_once(f"sqlite:///{path}", engine=engine if size == args.cases else None)
            print(f"measuring memory at {size:,} cases (tracemalloc, not timed) …", flush=True)
            traced[size] = migrate_once(f"sqlite:///{Path(tmp) / f'traced-{size}.db'}", traced=True)
    _report(measured[args.cases], traced[args.cases], traced[args.cases // 10])
    return 0


def _report(measured: tuple, traced: tuple, small: tuple) -> None:
    """The table, and the last line of figures: rates against the engine around each phase, memory at N vs N/10."""
    cases, dry_s, apply_s, dry_rss, apply_rss, engine_rates = measured
    _, _, _, dry_mem, apply_mem, _ = traced
    dry_rate, apply_rate = cases / dry_s, cases / apply_s
    engine_rate = sum(engine_rates) / len(engine_rates)
    dry_engine, apply_engine = (engine_rates[0] + engine_rates[1]) / 2, (engine_rates[1] + engine_rates[2]) / 2
    memory_ratio = max(dry_mem / small[3], apply_mem / small[4])
    mib = 1024 * 1024
    print_table([
        Row("engine: adjourn / start_session", ENGINE_N * 3, ENGINE_N * 3 / engine_rate, 1.0,
            note="before, between and after: " + ", ".join(f"{rate:,.0f}" for rate in engine_rates)),
        Row("migrate --dry-run", cases, dry_s, dry_rate / dry_engine,
            note=f"heap peak {dry_mem / mib:.1f} MiB (N/10: {small[3] / mib:.1f}); RssAnon +{dry_rss / mib:.0f} MiB"),
        Row("migrate --apply", cases, apply_s, apply_rate / apply_engine,
            note=f"heap peak {apply_mem / mib:.1f} MiB (N/10: {small[4] / mib:.1f}); RssAnon +{apply_rss / mib:.0f} MiB"),
    ], title="migrate benchmark (SQLite; ratio = rate / engine rate)")
    print("RssAnon includes SQLite's page cache (up to 32 MiB a connection), which fills as more pages are read")
    print_kv(engine_per_s=round(engine_rate), dry_run_per_s=round(dry_rate), apply_per_s=round(apply_rate),
             dry_run_vs_engine=dry_rate / dry_engine, apply_vs_engine=apply_rate / apply_engine,
             memory_ratio=memory_ratio)
