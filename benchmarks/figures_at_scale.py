"""The supervisors' dashboard figures at a million cases (issue 16: 13 s at 1,000,000 cases on SQLite).

``python -m benchmarks figures [--quick] [--database PATH] [--no-postgresql] [--repeats N]`` builds a SQLite
database of 1,000,000 cases (100,000 with ``--quick``) as the web benchmark does
(``benchmarks.web.prepare_database``: the 240 demo cases copied in bulk over 40 communities, the kept
figures recounted after the copy), or copies the one given with ``--database`` (never changed) and brings
the copy to the current schema (the migration fills the kept figures from its cases). Then, as the county
supervisor (every case in reach), `figures_timings` times:

- in-process, ``case_metrics`` with the API's usual parameters (none: all time), this year so far (the
  dashboard's default period) and one community (``unit``);
- over HTTP against ``mediation serve --workers 1`` on loopback, one request at a time over one keep-alive
  connection: ``GET /api/v1/metrics``, ``…?from=…&to=…`` (this year), ``…?unit=…``, and the web
  dashboard ``GET /dashboard`` (Chinese) that shows them;

each the median of ``--repeats`` after one warm-up. Then the same on PostgreSQL (``mediation db copy`` of
the SQLite file into a database of a throwaway ``scripts/pg`` cluster, or of MEDIATION_DATABASE_URL's
server, then VACUUM ANALYZE).

The last line: ``figures_ms_sqlite=… figures_ms_pg=… cases=N``: per database the slowest median of the
HTTP requests, in milliseconds (targets: < 200 on SQLite, < 300 on PostgreSQL).
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.api import Server
from benchmarks.million_database import case_count, postgresql_copy, sqlite_database
from benchmarks.report import Row, print_kv, print_table
from benchmarks.web import USERNAME, Client, api_token

FULL, QUICK = 1_000_000, 100_000
REPEATS = 3
COMMUNITY = "330324001B07"  # one of the communities prepare_database spreads the copies over


def _this_year() -> tuple[date, date]:
    from mediation.clock import utcnow
    from mediation.workflows.calendar import china_today

    today = china_today(utcnow())
    return today.replace(month=1, day=1), today


def figures_timings(url: str, repeats: int = REPEATS) -> dict[str, float]:
    """Milliseconds (median of `repeats`, after a warm-up) of the dashboard figures for the county supervisor on
    the database at `url`: in-process (`inproc …`) and over HTTP (`http …`); `figures_ms` is the slowest HTTP one."""
    from mediation.clock import utcnow
    from mediation.db import Database
    from mediation.directory.accounts import actor_for
    from mediation.metrics.figures import case_metrics
    from mediation.web.session import SESSION_COOKIE

    first, today = _this_year()
    results: dict[str, float] = {}
    db = Database(url)
    try:
        actor = actor_for(db, USERNAME)
        calls = {
            "inproc all time": {},
            "inproc this year": {"date_from": first, "date_to": today},
            "inproc one community": {"unit": COMMUNITY},
        }
        for label, options in calls.items():
            case_metrics(db, actor, now=utcnow(), **options)
            seconds = []
            for _ in range(repeats):
                started = time.perf_counter()
                case_metrics(db, actor, now=utcnow(), **options)
                seconds.append(time.perf_counter() - started)
            results[label] = statistics.median(seconds) * 1e3
    finally:
        db.dispose()
    with tempfile.TemporaryDirectory(prefix="mediation-bench-figures-") as tmp:
        server = Server(url, Path(tmp), workers=1, name="figures")
        try:
            server.wait_healthy(timeout=120)
            token = api_token(server.base, USERNAME)
            api = Client(server.port, {"Authorization": f"Bearer {token}"})
            web = Client(server.port, {"Cookie": f"{SESSION_COOKIE}={token}", "Accept-Language": "zh"})
            requests = {
                "http GET /api/v1/metrics": (api, "/api/v1/metrics"),
                "http GET /api/v1/metrics this year": (api, f"/api/v1/metrics?from={first}&to={today}"),
                "http GET /api/v1/metrics?unit=(a community)": (api, f"/api/v1/metrics?unit={COMMUNITY}"),
                "http GET /dashboard (web, zh)": (web, "/dashboard"),
            }
            try:
                for label, (client, path) in requests.items():
                    client.get(path)
                    results[label] = statistics.median(client.get(path) for _ in range(repeats)) * 1e3
            finally:
                api.close()
                web.close()
        except BaseException:
            print(f"server log (tail):\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            server.stop()
    results["figures_ms"] = max(ms for label, ms in results.items() if label.startswith("http"))
    return results


def _rows(results: dict[str, float], database: str) -> list[Row]:
    return [Row(f"{database}: {label}", None, None, None, f"median {ms:.1f} ms")
            for label, ms in results.items() if label != "figures_ms"]


def figures_at_scale(quick: bool, database: Path | None, *, postgresql: bool = True,
                     repeats: int = REPEATS) -> tuple[list[Row], dict[str, float]]:
    """Rows of every timing on SQLite (and PostgreSQL) and the key figures (see the module's doc)."""
    cases = QUICK if quick else FULL
    rows: list[Row] = []
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="mediation-bench-figures-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        path = sqlite_database(workdir, cases, database)
        cases = case_count(path)
        print(f"SQLite database of {cases:,} cases ready in {time.perf_counter() - started:.0f} s", flush=True)
        results = figures_timings(f"sqlite:///{path}", repeats)
        rows += _rows(results, "SQLite")
        figures["figures_ms_sqlite"] = results["figures_ms"]
        for label, ms in results.items():  # now, in case the PostgreSQL half fails
            print(f"SQLite {label}: {ms:.1f} ms", flush=True)
        if postgresql:
            with postgresql_copy(path) as url:
                results = figures_timings(url, repeats)
                for label, ms in results.items():
                    print(f"PostgreSQL {label}: {ms:.1f} ms", flush=True)
                rows += _rows(results, "PostgreSQL")
                figures["figures_ms_pg"] = results["figures_ms"]
    figures["cases"] = float(cases)
    return rows, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks figures", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 cases")
    parser.add_argument("--database", type=Path, help="a SQLite database to copy instead of building one")
    parser.add_argument("--no-postgresql", action="store_true", help="SQLite only")
    parser.add_argument("--repeats", type=int, default=REPEATS, help=f"timed calls of each kind (default {REPEATS})")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    started = time.perf_counter()
    rows, figures = figures_at_scale(args.quick, args.database, postgresql=not args.no_postgresql,
                                     repeats=max(1, args.repeats))
    print_table(rows, title=f"dashboard figures at {int(figures['cases']):,} cases (median of {args.repeats}, "
                            f"as {USERNAME}, every case in reach)")
    print(f"total wall time {time.perf_counter() - started:.0f} s")
    print_kv(**{key: round(value, 1) for key, value in figures.items() if key != "cases"}, cases=int(figures["cases"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
