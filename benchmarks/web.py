"""Web workspace benchmark: server time of the case board and the case page against the API's list.

``python -m benchmarks web [--quick] [--cases N]`` builds a SQLite database of 100,000 cases
(10,000 with ``--quick``): 240 demo cases driven through the engine (``mediation.demo.dataset``), each
then copied in bulk with its text, parties, events, deadlines and order (the copies' hash chains are
not meant to verify). It serves the database with ``mediation serve --workers 1`` on loopback and
times, as the county supervisor (every case in reach), one request at a time over one keep-alive
connection, in interleaved rounds:

a. ``GET /api/v1/cases?page_size=25``: the API's list, at the board's page size (like with like;
   the API's default page of 50 is timed too, for reference),
b. ``GET /``: the case board (25 rows, a count that stops at 10,001 matches ("10,000+"), next
   deadlines, filters),
c. ``GET /cases/{id}``: the case page, across copies of demo cases with a typical history
   (the median event count),
d. as mediator1 (江北社区): ``GET /work``, 我的工作 (25 rows, the tab counts); the same user's
   ``GET /api/v1/cases?page_size=25`` is timed for reference. The copies of 江北社区's cases are first moved to 40 made-up
   communities of the same town, and the copies' mediators (and key-case order owners) spread over 400
   made-up mediators, so mediator1's queue is a realistic one: the demo cases they work, plus the
   unassigned screening cases of their own community (one mediator does not work 100,000 cases).

The notices table gets 100,000 rows over the users, 2,000 of them mediator1's (a quarter unread);
the unread count (``mediation.notifications.inbox.unread_count``) is timed in-process on the served
database, as the page header asks for it.

Server time is the time to the full response on loopback (the client's share is the same on
every side). ``GET /api/v1/ping``, the trivial answer, is timed over the same connection: no page can
take less, so ``ping_vs_api`` is the least any ratio to the API's list can be.

The last line is ``board_vs_api=R1 casepage_ms=M mywork_vs_api=R2 notification_count_ms=N ping_vs_api=P``:
R1 = median board time / median API time (a), M = the case page's median in milliseconds, R2 = median
my-work time (d) / median API time (a), N = the unread count's median in milliseconds, P = median ping
time / median API time (a).
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from benchmarks.api import Server, percentile
from benchmarks.report import Row, print_kv, print_table

USERNAME = "county_sup"
MEDIATOR = "mediator1"  # whose my-work page and unread notices are timed
SPREAD_MEDIATORS = 400  # made-up mediators the copies' cases are assigned to
COMMUNITIES = 40  # made-up communities the copies of 江北社区's cases are filed in
NOTIFICATIONS = 100_000
OWN_NOTIFICATIONS = 2_000
TEMPLATES = 240
NOW = datetime(2026, 3, 2, 9, 0)
PAGE_SIZE = 25  # the board's page (mediation.web.board.PAGE_SIZE)
QUICK = {"cases": 10_000, "rounds": 3, "requests": 20}
FULL = {"cases": 100_000, "rounds": 5, "requests": 40}


# --- preparation -----------------------------------------------------------------------------


def prepare_database(path: Path, cases: int) -> list[int]:
    """A migrated database with the sample county and `cases` cases; ids of cases with a typical history."""
    from mediation.db import Database
    from mediation.db.schema import upgrade_database
    from mediation.demo.dataset import load_demo

    url = f"sqlite:///{path}"
    upgrade_database(url)
    db = Database(url)
    try:
        load_demo(db, cases=TEMPLATES, seed=7, now=NOW)
    finally:
        db.dispose()
    connection = sqlite3.connect(path)
    try:
        if connection.execute("SELECT min(id), max(id) FROM cases").fetchone() != (1, TEMPLATES):
            raise RuntimeError("the demo cases are expected to be numbered 1..TEMPLATES")
        with connection:
            copies = copy_cases(connection, copies=max(0, -(-cases // TEMPLATES) - 1))
            connection.execute("DELETE FROM cases WHERE id > ?", (cases,))
            for table in ("case_texts", "parties", "events", "deadlines", "orders"):
                connection.execute(f"DELETE FROM {table} WHERE case_id > ?", (cases,))
            spread_communities(connection)
            spread_mediators(connection)
            fill_notifications(connection)
        connection.execute("ANALYZE")
        counts = dict(connection.execute("SELECT event_count, count(*) FROM cases GROUP BY event_count"))
        typical = statistics.median_low([n for n, k in counts.items() for _ in range(k)])
        ids = [row[0] for row in connection.execute(
            "SELECT id FROM cases WHERE event_count = ? ORDER BY id", (typical,))]
    finally:
        connection.close()
    recount_figures(url)
    if copies and len(ids) < 2:
        raise RuntimeError("no cases with a typical history")
    return ids[:: max(1, len(ids) // 100)]


def recount_figures(url: str) -> None:
    """The supervisors' kept figures counted anew: the bulk copies were written around them."""
    from mediation.cases import figure_recount
    from mediation.db import Database

    db = Database(url)
    try:
        with db.write() as tx:
            figure_recount.recount(tx)
    finally:
        db.dispose()


def copy_cases(connection: sqlite3.Connection, *, copies: int) -> int:
    """Append `copies` copies of every case (with its text, parties, events, deadlines, order).

    Copy k of a row with id i gets id i + k * (the table's largest id), so every reference
    between copied rows is the same arithmetic; party ids inside JSON are moved alike.
    """
    if copies == 0:
        return 0
    top = {table: connection.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0
           for table in ("cases", "parties", "events", "deadlines", "orders")}
    connection.execute("CREATE TEMP TABLE copy_number (k INTEGER PRIMARY KEY)")
    connection.executemany("INSERT INTO copy_number VALUES (?)", [(k,) for k in range(1, copies + 1)])
    offsets = {"m": top["cases"], "p": top["parties"], "e": top["events"], "d": top["deadlines"],
               "o": top["orders"]}

    def copy(table: str, key_sql: str, renamed: dict[str, str], where: str = "") -> None:
        columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        selected = ", ".join(renamed.get(column, f"t.{column}") for column in columns)
        connection.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {selected} "
            f"FROM copy_number n CROSS JOIN {table} t {where} ORDER BY n.k, {key_sql}", offsets)

    copy("cases", "t.id", {"id": "t.id + :m * n.k", "number": "t.number || '-' || n.k"})
    copy("case_texts", "t.case_id", {"case_id": "t.case_id + :m * n.k"})
    copy("parties", "t.id", {"id": "t.id + :p * n.k", "case_id": "t.case_id + :m * n.k"})
    copy("events", "t.id", {"id": "t.id + :e * n.k", "case_id": "t.case_id + :m * n.k"})
    copy("deadlines", "t.id", {"id": "t.id + :d * n.k", "case_id": "t.case_id + :m * n.k"})
    copy("orders", "t.id", {"id": "t.id + :o * n.k", "case_id": "t.case_id + :m * n.k"})
    _move_references(connection, top["cases"], top["parties"], top["events"], copies)
    return copies


def _move_references(connection: sqlite3.Connection, cases: int, parties: int, events: int, copies: int) -> None:
    """Party ids in the copies' party_ids and progress (consents, applicants) point at their own
    parties, and their event_ids at their own events."""
    templates = connection.execute("SELECT id, party_ids, progress, event_ids FROM cases WHERE id <= ?",
                                   (cases,)).fetchall()
    updates = []
    for case_id, party_ids, progress, event_ids in templates:
        ids, state = json.loads(party_ids), json.loads(progress)
        event_list = [int(text) for text in event_ids.split(",") if text]
        for k in range(1, copies + 1):
            moved = {key: [p + parties * k for p in value] if key in ("consents", "applicants") else value
                     for key, value in state.items()}
            updates.append((json.dumps([p + parties * k for p in ids]), json.dumps(moved, ensure_ascii=False),
                            ",".join(str(e + events * k) for e in event_list), case_id + cases * k))
    connection.executemany("UPDATE cases SET party_ids = ?, progress = ?, event_ids = ? WHERE id = ?", updates)


def spread_communities(connection: sqlite3.Connection) -> None:
    """Move the copies of 江北社区's cases (and its grids') to COMMUNITIES made-up communities of the same town:
    a county's 100,000 cases come from many communities, not one (copy k goes to community k mod COMMUNITIES)."""
    town, community = "/330324/330324001/", "/330324/330324001/330324001001/"
    connection.executemany(
        "INSERT INTO units (code, name, kind, parent_id, path, created_at) "
        "SELECT ?, ?, 'community', id, ?, created_at FROM units WHERE path = ?",
        [(f"330324001B{j:02d}", f"测试社区{j:02d}", f"{town}330324001B{j:02d}/", town) for j in range(COMMUNITIES)])
    connection.execute(
        "UPDATE cases SET unit_path = (SELECT path FROM units WHERE code = '330324001B' || "
        "substr('0' || ((cases.id - 1) / ? % ?), -2)), unit_id = (SELECT id FROM units WHERE code = '330324001B' || "
        "substr('0' || ((cases.id - 1) / ? % ?), -2)) WHERE id > ? AND unit_path LIKE ?",
        (TEMPLATES, COMMUNITIES, TEMPLATES, COMMUNITIES, TEMPLATES, community + "%"))


def spread_mediators(connection: sqlite3.Connection) -> None:
    """Give the copies' cases and orders to SPREAD_MEDIATORS made-up mediators of the template's unit
    (a county has many mediators: one person does not work every copy)."""
    connection.execute(
        "INSERT INTO users (username, display_name, password_hash, roles, unit_id, active, created_at, token_key) "
        "SELECT 'bench_mediator_' || n.k, display_name, password_hash, roles, unit_id, active, created_at, token_key "
        "FROM users CROSS JOIN (WITH RECURSIVE k(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM k WHERE k < ?) "
        "SELECT k FROM k) n WHERE username = ?", (SPREAD_MEDIATORS - 1, MEDIATOR))
    pool = "(SELECT id FROM users WHERE username = 'bench_mediator_' || ({column} % {n}))"
    connection.execute(f"UPDATE cases SET mediator_id = {pool.format(column='cases.id', n=SPREAD_MEDIATORS)} "
                       "WHERE id > ? AND mediator_id IS NOT NULL", (TEMPLATES,))
    connection.execute(f"UPDATE orders SET owner_id = {pool.format(column='orders.case_id', n=SPREAD_MEDIATORS)} "
                       "WHERE case_id > ?", (TEMPLATES,))


def fill_notifications(connection: sqlite3.Connection) -> None:
    """NOTIFICATIONS notices over every user, OWN_NOTIFICATIONS of them the measured mediator's, a quarter unread."""
    users = [row[0] for row in connection.execute("SELECT id FROM users WHERE username <> ? ORDER BY id", (MEDIATOR,))]
    own = connection.execute("SELECT id FROM users WHERE username = ?", (MEDIATOR,)).fetchone()[0]
    at = NOW.isoformat(sep=" ")
    rows = [(own if i < OWN_NOTIFICATIONS else users[i % len(users)], 1 + i % TEMPLATES, "case_assigned", "{}", at,
             None if i % 4 == 0 else at) for i in range(NOTIFICATIONS)]
    connection.executemany("INSERT INTO notifications (user_id, case_id, topic, payload, created_at, read_at) "
                           "VALUES (?, ?, ?, ?, ?, ?)", rows)


# --- timing ----------------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP/1.1 connection; `get` returns the seconds to the full response."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = headers
        self.last_used = 0.0

    def get(self, path: str) -> float:
        if time.monotonic() - self.last_used > 2.0:  # uvicorn drops connections idle for 5 s
            self.connection.close()
            self.connection.connect()
        started = time.perf_counter()
        self.connection.request("GET", path, headers=self.headers)
        answer = self.connection.getresponse()
        body = answer.read()
        elapsed = time.perf_counter() - started
        self.last_used = time.monotonic()
        if answer.status != 200:
            raise RuntimeError(f"GET {path}: {answer.status} {body[:300]!r}")
        return elapsed

    def close(self) -> None:
        self.connection.close()


def api_token(base: str, username: str = USERNAME) -> str:
    """A bearer token; the same token is what the web session cookie holds (mediation.web.session)."""
    import urllib.request

    from mediation.demo.sample_county import PASSWORD

    request = urllib.request.Request(f"{base}/api/v1/auth/token",
                                     data=json.dumps({"username": username, "password": PASSWORD}).encode(),
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["access_token"]


def measure(server: Server, case_ids: list[int], settings: dict[str, int]) -> dict[str, list[float]]:
    """Interleaved rounds of sequential requests; seconds per request, by subject."""

    from mediation.web.session import SESSION_COOKIE

    token, mediator_token = api_token(server.base), api_token(server.base, MEDIATOR)
    api = Client(server.port, {"Authorization": f"Bearer {token}"})
    web = Client(server.port, {"Cookie": f"{SESSION_COOKIE}={token}", "Accept-Language": "zh"})
    mediator_api = Client(server.port, {"Authorization": f"Bearer {mediator_token}"})
    mediator_web = Client(server.port, {"Cookie": f"{SESSION_COOKIE}={mediator_token}", "Accept-Language": "zh"})
    pages = {
        "ping": (api, lambda i: "/api/v1/ping"),
        "api": (api, lambda i: f"/api/v1/cases?page_size={PAGE_SIZE}"),
        "api50": (api, lambda i: "/api/v1/cases"),
        "board": (web, lambda i: "/"),
        "case": (web, lambda i: f"/cases/{case_ids[i % len(case_ids)]}"),
        "mediator_api": (mediator_api, lambda i: f"/api/v1/cases?page_size={PAGE_SIZE}"),
        "mywork": (mediator_web, lambda i: "/work"),
    }
    times: dict[str, list[float]] = {name: [] for name in pages}
    try:
        for name, (client, path) in pages.items():  # warm-up: caches, statements, templates
            for i in range(5):
                client.get(path(i))
        for _ in range(settings["rounds"]):
            for name, (client, path) in pages.items():
                times[name] += [client.get(path(i)) for i in range(settings["requests"])]
    finally:
        for client in (api, web, mediator_api, mediator_web):
            client.close()
    return times


def time_unread_count(path: Path, repeats: int = 200) -> list[float]:
    """Seconds per unread count of the measured mediator's notices, each in its own read transaction."""
    from mediation.db import Database
    from mediation.notifications.inbox import unread_count

    db = Database(f"sqlite:///{path}")
    try:
        with db.snapshot() as tx:
            user_id = tx.one("SELECT id FROM users WHERE username = :u", {"u": MEDIATOR})[0]
            if unread_count(tx=tx, user_id=user_id) < OWN_NOTIFICATIONS // 4:  # the demo's own notices come on top
                raise RuntimeError("the measured user's unread notices are fewer than fill_notifications wrote")
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            with db.snapshot() as tx:
                unread_count(tx=tx, user_id=user_id)
            seconds.append(time.perf_counter() - started)
        return seconds
    finally:
        db.dispose()


# --- main ------------------------------------------------------------------------------------


def _row(name: str, seconds: list[float], reference: float | None = None) -> Row:
    median = statistics.median(seconds)
    return Row(name, len(seconds), sum(seconds), median / reference if reference else None,
               f"median {median * 1e3:.2f} ms, p95 {percentile(seconds, 95) * 1e3:.2f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks web", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 cases, fewer requests")
    parser.add_argument("--cases", type=int, help="number of cases (default 100,000; 10,000 with --quick)")
    args = parser.parse_args(argv)
    settings = dict(QUICK if args.quick else FULL)
    if args.cases:
        settings["cases"] = args.cases

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mediation-bench-web-") as tmp:
        workdir = Path(tmp)
        case_ids = prepare_database(workdir / "web.db", settings["cases"])
        prepared = time.perf_counter() - started
        server = Server(workdir / "web.db", workdir, workers=1)
        try:
            server.wait_healthy()
            times = measure(server, case_ids, settings)
            times["notification_count"] = time_unread_count(workdir / "web.db")
        except BaseException:
            print(f"server log (tail):\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            server.stop()

    api = statistics.median(times["api"])
    rows = [
        _row("API GET /api/v1/ping (a trivial answer: the least any request takes)", times["ping"], api),
        _row(f"API GET /api/v1/cases?page_size={PAGE_SIZE}", times["api"], api),
        _row("API GET /api/v1/cases (default 50)", times["api50"], api),
        _row(f"board GET / ({PAGE_SIZE} rows)", times["board"], api),
        _row("case page GET /cases/{id}", times["case"], api),
        _row(f"API GET /api/v1/cases?page_size={PAGE_SIZE} as {MEDIATOR}", times["mediator_api"], api),
        _row(f"my work GET /work as {MEDIATOR}", times["mywork"], api),
        _row(f"unread notice count ({OWN_NOTIFICATIONS:,} notices of {NOTIFICATIONS:,}), in-process",
             times["notification_count"], api),
    ]
    mode = "quick" if args.quick else "full"
    print_table(rows, title=f"web benchmark ({mode}; {settings['cases']:,} cases; ratio = median / API median)")
    print(f"server: mediation serve --workers 1, SQLite; user {USERNAME} (every case in reach); one keep-alive "
          f"connection, sequential; {settings['rounds']} interleaved rounds of {settings['requests']} requests each; "
          f"case page over {len(case_ids)} cases with the median event history")
    print(f"preparation {prepared:.1f}s; total wall time {time.perf_counter() - started:.1f}s")
    print(f"my work as {MEDIATOR}, against the API list (a), as board_vs_api; {MEDIATOR}'s own API list is shown for reference")
    milliseconds = {name: statistics.median(seconds) * 1e3 for name, seconds in times.items()}
    print("medians (ms): " + ", ".join(f"{name} {milliseconds[name]:.3f}" for name in
                                       ("ping", "api", "board", "case", "mediator_api", "mywork")))
    print_kv(board_vs_api=milliseconds["board"] / milliseconds["api"],
             casepage_ms=milliseconds["case"],
             mywork_vs_api=milliseconds["mywork"] / milliseconds["api"],
             notification_count_ms=milliseconds["notification_count"],
             ping_vs_api=milliseconds["ping"] / milliseconds["api"])
    return 0
