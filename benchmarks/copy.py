"""`mediation db copy` from SQLite to PostgreSQL vs PostgreSQL's own COPY of the same rows.

A SQLite database is filled fast with N cases and their events (the demo's 240 cases copied
in bulk as the web benchmark does, each copy's hash chain recomputed for its own case id), then:

- reference: every table's rows written out as COPY text files (not timed), then loaded into a
  fresh migrated PostgreSQL database with `COPY … FROM STDIN` (timed: the load only);
- `db copy`: `copy_database` from the SQLite file into a fresh empty PostgreSQL database
  (migrations, the emptiness check, streaming and counting, sequences), then the hash-chain
  verification `mediation db copy` runs on the target (`verify_streamed`), each timed.

Last line: ``copy_vs_pg_copy=R cases=N seconds=S`` with R = COPY's seconds ÷ the seconds of the whole
`db copy` (the copy and the verification; ≥ 0.5: at most twice as long as PostgreSQL's own COPY) and
S = those seconds; the copy alone is shown beside.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import datetime
from pathlib import Path

import psycopg
import sqlalchemy as sa

from benchmarks.web import copy_cases
from benchmarks.worker import postgres_database, postgres_server

DEMO_CASES = 240
FULL, QUICK = 1_000_000, 50_000
UPDATE_BATCH = 50_000


def fill(path: Path, cases: int) -> int:
    """A SQLite database at `path` with at least `cases` cases, every chain valid; the number of cases."""
    from mediation.db import Database
    from mediation.db.schema import upgrade_database
    from mediation.demo.dataset import load_demo

    url = f"sqlite:///{path}"
    upgrade_database(url)
    db = Database(url)
    load_demo(db, cases=DEMO_CASES)
    db.dispose()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("BEGIN")
    copy_cases(connection, copies=max(0, -(-cases // DEMO_CASES) - 1))
    _rechain(connection)
    connection.execute("COMMIT")
    total = connection.execute("SELECT count(*) FROM cases").fetchone()[0]
    connection.close()
    return total


def _rechain(connection: sqlite3.Connection) -> None:
    """Recompute the hash chain of every copied case: an event's hash covers its case's id."""
    from mediation.cases.hashchain import GENESIS, chain_hash, event_document

    reader = connection.execute(
        "SELECT id, case_id, seq, trigger, actor, at, from_state, to_state, data, reason FROM events "
        "WHERE case_id > ? ORDER BY case_id, seq", (DEMO_CASES,))
    events, heads, current, previous = [], [], None, GENESIS
    while batch := reader.fetchmany(UPDATE_BATCH):
        for event_id, case_id, seq, trigger, actor, at, from_state, to_state, data, reason in batch:
            if case_id != current:
                if current is not None:
                    heads.append((previous, current))
                current, previous = case_id, GENESIS
            digest = chain_hash(previous, event_document(
                case_id=case_id, seq=seq, trigger=trigger, actor=actor, at=datetime.fromisoformat(at),
                from_state=from_state, to_state=to_state, data=data, reason=reason))
            events.append((previous, digest, event_id))
            previous = digest
    if current is not None:
        heads.append((previous, current))
    connection.executemany("UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?", events)
    connection.executemany("UPDATE cases SET last_event_hash = ? WHERE id = ?", heads)


def _copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    return (str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def write_copy_files(path: Path, tables: list[sa.Table], folder: Path) -> None:
    """Each table's rows as a COPY text file (tab-separated, \\N for NULL), in key order."""
    connection = sqlite3.connect(path)
    for table in tables:
        names = ", ".join(f'"{column.name}"' for column in table.columns)
        order = ", ".join(f'"{column.name}"' for column in table.primary_key.columns) or "1"
        with (folder / f"{table.name}.copy").open("w", encoding="utf-8") as out:
            cursor = connection.execute(f'SELECT {names} FROM "{table.name}" ORDER BY {order}')
            while batch := cursor.fetchmany(10_000):
                out.writelines("\t".join(map(_copy_text, row)) + "\n" for row in batch)
    connection.close()


def pg_copy_seconds(url: str, tables: list[sa.Table], folder: Path) -> float:
    """PostgreSQL's COPY of every table's file into the migrated database at `url`, in one transaction."""
    plain = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as connection:
        started = time.perf_counter()
        for table in tables:
            names = ", ".join(f'"{column.name}"' for column in table.columns)
            with connection.cursor().copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy, \
                    (folder / f"{table.name}.copy").open("rb") as source:
                while block := source.read(1 << 20):
                    copy.write(block)
        connection.commit()
        return time.perf_counter() - started


def _checkpoint(server: str) -> None:
    """Each timed load starts from a clean cluster: the previous load's dirty pages written out first."""
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("CHECKPOINT")
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    from mediation.cases.chain_scan import verify_streamed
    from mediation.db import Database
    from mediation.db.copy import copied_tables, copy_database
    from mediation.db.schema import upgrade_database

    parser = argparse.ArgumentParser(prog="python -m benchmarks copy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=FULL, help="cases to copy (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK:,} cases")
    args = parser.parse_args(argv)
    wanted = QUICK if args.quick else args.cases
    with tempfile.TemporaryDirectory(prefix="mediation-bench-copy-") as tmp:
        folder = Path(tmp)
        source = folder / "county.db"
        print(f"filling SQLite with {wanted:,} cases …", flush=True)
        started = time.perf_counter()
        cases = fill(source, wanted)
        fill_s = time.perf_counter() - started
        engine = sa.create_engine(f"sqlite:///{source}")
        tables = copied_tables(engine)
        with engine.connect() as connection:
            events = connection.exec_driver_sql("SELECT count(*) FROM events").scalar()
            rows = sum(connection.exec_driver_sql(f'SELECT count(*) FROM "{t.name}"').scalar() for t in tables)
        engine.dispose()
        write_copy_files(source, tables, folder)
        with postgres_server() as server:
            with postgres_database(server) as reference:
                upgrade_database(reference)
                _checkpoint(server)
                print("PostgreSQL COPY of the same rows …", flush=True)
                reference_s = pg_copy_seconds(reference, tables, folder)
            with postgres_database(server) as target:
                _checkpoint(server)
                print("mediation db copy …", flush=True)
                started = time.perf_counter()
                copy_database(f"sqlite:///{source}", target)
                copy_s = time.perf_counter() - started
                database = Database(target)
                started = time.perf_counter()
                broken = sum(1 for _ in verify_streamed(database))
                verify_s = time.perf_counter() - started
                database.dispose()
    whole_s = copy_s + verify_s  # what `mediation db copy` does: the copy, then the chains verified
    ratio = reference_s / whole_s
    figures = {"cases": cases, "events": events, "rows (all tables)": rows, "fill seconds": round(fill_s, 1),
               "PostgreSQL COPY seconds": round(reference_s, 1), "db copy seconds": round(copy_s, 1),
               "verify on target seconds": round(verify_s, 1), "chain problems": broken,
               "copy alone vs COPY": round(reference_s / copy_s, 3)}
    for name, value in figures.items():
        print(f"{name:>26}: {value}")
    print(f"copy_vs_pg_copy={ratio:.3f} cases={cases} seconds={whole_s:.1f}")
    return 0 if broken == 0 else 1
