"""Lists and search at a million cases: the board, every list filter, text search, my work and the orders.

``python -m benchmarks million [--quick] [--database PATH] [--no-postgresql]`` builds a SQLite database of
1,000,000 cases (100,000 with ``--quick``) as the web benchmark does (``benchmarks.web.prepare_database``:
the 240 demo cases copied in bulk, spread over 40 communities and 400 mediators), or copies the one given
with ``--database`` (never changed) and brings the copy to the current schema (the search index of the
existing cases is filled then). It serves the database with ``mediation serve --workers 1`` on loopback and
times, one request at a time over one keep-alive connection, the median of ROUNDS requests (after one
warm-up each) of:

- as the county supervisor (every case in reach): the board ``GET /`` (first page and its capped count),
  ``GET /api/v1/cases?page_size=25`` alone and with each filter (overdue, a community, a state, a stage)
  and a text search (``q``: one Chinese character 张, a two-character name 家豪, a fragment of a case
  number 00136, a phrase of the facts), my work (``GET /api/v1/me/work`` and the web ``/work``) and the
  orders list (``GET /api/v1/orders``, due soon and overdue);
- as mediator1 (a community's mediator, some two hundred cases in reach): the board, the API's list, a text
  search, my work (API and web) and the month's calendar.

Then the same on PostgreSQL: ``mediation db copy`` of the SQLite file into a database of a throwaway
``scripts/pg`` cluster (or of MEDIATION_DATABASE_URL's server), served and timed alike.

The last line: ``lists_max_ms_sqlite=… search_ms_sqlite=… mywork_ms_sqlite=… orders_ms_sqlite=…
lists_max_ms_pg=… search_ms_pg=… cases=N``: the slowest median of the lists (board, filters, my work,
orders), the slowest median of the searches, per database, in milliseconds (target: each < 100).
``lists_figures(quick, database)`` gives the rows and these figures to ``benchmarks scale``.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from benchmarks.api import Server
from benchmarks.million_database import case_count, postgresql_copy, sqlite_database
from benchmarks.report import Row, print_kv, print_table
from benchmarks.web import MEDIATOR, USERNAME, Client, api_token

FULL, QUICK = 1_000_000, 100_000
ROUNDS = 5
PAGE = "page_size=25"
COMMUNITY = "330324001B07"  # one of the 40 made-up communities of prepare_database

# (name, user, kind, path): kind "api" (bearer token) or "web" (session cookie); "search" rows are searches.
REQUESTS = [
    ("board GET /", USERNAME, "web", "/"),
    ("board GET /?q=张", USERNAME, "web", "/?q=" + quote("张")),
    ("API cases", USERNAME, "api", f"/api/v1/cases?{PAGE}"),
    ("API cases overdue=true", USERNAME, "api", f"/api/v1/cases?{PAGE}&overdue=true"),
    ("API cases overdue=false", USERNAME, "api", f"/api/v1/cases?{PAGE}&overdue=false"),
    ("API cases unit (a community)", USERNAME, "api", f"/api/v1/cases?{PAGE}&unit={COMMUNITY}"),
    ("API cases state=mediation.in_session", USERNAME, "api", f"/api/v1/cases?{PAGE}&state=mediation.in_session"),
    ("API cases stage=court", USERNAME, "api", f"/api/v1/cases?{PAGE}&stage=court"),
    ("API cases unit + overdue", USERNAME, "api", f"/api/v1/cases?{PAGE}&unit={COMMUNITY}&overdue=true"),
    ("search q=张", USERNAME, "api", f"/api/v1/cases?{PAGE}&q=" + quote("张")),
    ("search q=家豪 (a name)", USERNAME, "api", f"/api/v1/cases?{PAGE}&q=" + quote("家豪")),
    ("search q=00136 (a number)", USERNAME, "api", f"/api/v1/cases?{PAGE}&q=00136"),
    ("search q=酒后纠纷 (facts)", USERNAME, "api", f"/api/v1/cases?{PAGE}&q=" + quote("酒后纠纷")),
    ("search q=张 + overdue", USERNAME, "api", f"/api/v1/cases?{PAGE}&overdue=true&q=" + quote("张")),
    ("my work API", USERNAME, "api", f"/api/v1/me/work?{PAGE}"),
    ("my work API due_soon", USERNAME, "api", f"/api/v1/me/work?{PAGE}&kind=due_soon"),
    ("my work web /work", USERNAME, "web", "/work"),
    (f"board GET / as {MEDIATOR}", MEDIATOR, "web", "/"),
    (f"API cases as {MEDIATOR}", MEDIATOR, "api", f"/api/v1/cases?{PAGE}"),
    (f"search q=张 as {MEDIATOR}", MEDIATOR, "api", f"/api/v1/cases?{PAGE}&q=" + quote("张")),
    (f"my work API as {MEDIATOR}", MEDIATOR, "api", f"/api/v1/me/work?{PAGE}"),
    (f"my work web /work as {MEDIATOR}", MEDIATOR, "web", "/work"),
    (f"calendar web /calendar as {MEDIATOR}", MEDIATOR, "web", "/calendar"),
    ("orders API", USERNAME, "api", f"/api/v1/orders?{PAGE}"),
    ("orders API due_soon=true", USERNAME, "api", f"/api/v1/orders?{PAGE}&due_soon=true"),
    ("orders API overdue=true", USERNAME, "api", f"/api/v1/orders?{PAGE}&overdue=true"),
]


def time_requests(url_or_path: Path | str, workdir: Path, name: str, rounds: int) -> dict[str, list[float]]:
    """Seconds per request of every REQUESTS entry, served from the database."""
    from mediation.web.session import SESSION_COOKIE

    server = Server(url_or_path, workdir, workers=1, name=name)
    try:
        server.wait_healthy(timeout=120)
        tokens = {user: api_token(server.base, user) for user in {user for _, user, _, _ in REQUESTS}}
        clients: dict[tuple[str, str], Client] = {}
        for user, token in tokens.items():
            clients[user, "api"] = Client(server.port, {"Authorization": f"Bearer {token}"})
            clients[user, "web"] = Client(server.port, {"Cookie": f"{SESSION_COOKIE}={token}", "Accept-Language": "zh"})
        times: dict[str, list[float]] = {label: [] for label, *_ in REQUESTS}
        try:
            for label, user, kind, path in REQUESTS:
                clients[user, kind].get(path)  # warm-up
            for _ in range(rounds):
                for label, user, kind, path in REQUESTS:
                    times[label].append(clients[user, kind].get(path))
        finally:
            for client in clients.values():
                client.close()
        return times
    except BaseException:
        print(f"server log (tail):\n{server.log_tail()}", file=sys.stderr)
        raise
    finally:
        server.stop()


def _figures(times: dict[str, list[float]], suffix: str) -> dict[str, float]:
    medians = {label: statistics.median(seconds) * 1e3 for label, seconds in times.items()}
    search = [ms for label, ms in medians.items() if "q=" in label]
    lists = [ms for label, ms in medians.items() if "q=" not in label]
    return {f"lists_max_ms_{suffix}": max(lists), f"search_ms_{suffix}": max(search),
            f"mywork_ms_{suffix}": max(ms for label, ms in medians.items() if "my work" in label),
            f"orders_ms_{suffix}": max(ms for label, ms in medians.items() if "orders" in label)}


def _rows(times: dict[str, list[float]], database: str) -> list[Row]:
    return [Row(f"{database}: {label}", len(seconds), sum(seconds), None,
                f"median {statistics.median(seconds) * 1e3:.1f} ms, max {max(seconds) * 1e3:.1f} ms")
            for label, seconds in times.items()]


def lists_figures(quick: bool, database: Path | None, *, postgresql: bool = True,
                  rounds: int = ROUNDS) -> tuple[list[Row], dict[str, float]]:
    """Rows of every timed request on SQLite (and PostgreSQL) and the key figures (see the module's doc)."""
    cases = QUICK if quick else FULL
    rows: list[Row] = []
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="mediation-bench-million-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        path = sqlite_database(workdir, cases, database)
        cases = case_count(path)
        print(f"SQLite database of {cases:,} cases ready in {time.perf_counter() - started:.0f} s", flush=True)
        timed_on(path, workdir, "sqlite", rounds, rows, figures)
        if postgresql:
            with postgresql_copy(path) as url:
                timed_on(url, workdir, "postgresql", rounds, rows, figures)
    figures["cases"] = float(cases)
    return rows, figures


def timed_on(target: Path | str, workdir: Path, database: str, rounds: int, rows: list[Row],
             figures: dict[str, float]) -> None:
    """Every request timed on a SQLite file or a PostgreSQL URL (`database` "sqlite" or "postgresql");
    its rows and key figures added to `rows` and `figures`."""
    times = time_requests(target, workdir, database, rounds)
    rows += _rows(times, "SQLite" if database == "sqlite" else "PostgreSQL")
    figures.update(_figures(times, "sqlite" if database == "sqlite" else "pg"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks million", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 cases")
    parser.add_argument("--database", type=Path, help="a SQLite database to copy instead of building one")
    parser.add_argument("--no-postgresql", action="store_true", help="SQLite only")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"timed requests of each kind (default {ROUNDS})")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    started = time.perf_counter()
    rows, figures = lists_figures(args.quick, args.database, postgresql=not args.no_postgresql,
                                  rounds=max(3, args.rounds))
    print_table(rows, title=f"lists and search at {int(figures['cases']):,} cases (median of {max(3, args.rounds)}, "
                            "one request at a time, county supervisor unless named)")
    for row in rows:  # one line each, whatever the terminal's width
        print(f"{row.name:<60} {row.note}")
    print(f"total wall time {time.perf_counter() - started:.0f} s")
    print_kv(**{key: value for key, value in figures.items() if key != "cases"}, cases=int(figures["cases"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

