"""The databases the at-scale benchmarks read: a SQLite file of N cases and its PostgreSQL copy.

`sqlite_database` builds N cases as the web benchmark does (``benchmarks.web.prepare_database``: the
240 demo cases copied in bulk), or copies a file built before (``--database``: a million cases take
tens of minutes to build), brings it to the current schema (the migrations fill the search index and
the kept figures of the cases already there; a fresh build recounts its figures itself), indexes the
text of cases the bulk copies wrote around the search index, and analyses it. `postgresql_copy` loads it into a
throwaway PostgreSQL with `mediation db copy` and analyses that.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path
from typing import Iterator

from benchmarks.web import prepare_database

FIGURES_REVISION, BEFORE_FIGURES = "e9f3a7b5c2d4", "d8e2f6a4b1c3"


def sqlite_database(workdir: Path, cases: int, database: Path | None) -> Path:
    """A SQLite file of `cases` cases (or a copy of `database`) at the current schema, indexed and counted."""
    from mediation.db import search_index
    from mediation.db.schema import upgrade_database

    path = workdir / "at-scale.db"
    if database is not None:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        target = sqlite3.connect(path)
        try:
            source.backup(target)  # the WAL's pages too, whatever state the source is in
        finally:
            source.close()
            target.close()
    else:
        prepare_database(path, cases)
    _unstamp_empty_figures(path)
    upgrade_database(f"sqlite:///{path}")
    connection = sqlite3.connect(path, isolation_level=None)
    try:  # the bulk copies were written around the search index: index what has no text yet
        connection.execute("BEGIN")
        search_index.fill(connection, True)
        connection.execute("COMMIT")
    finally:
        connection.close()
    connection = sqlite3.connect(path)
    try:
        connection.execute("ANALYZE")
    finally:
        connection.close()
    return path


def _unstamp_empty_figures(path: Path) -> None:
    """A database migrated while the figures' revision was still empty is stamped back: it runs again."""
    connection = sqlite3.connect(path)
    try:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "figure_created" not in tables and "alembic_version" in tables:
            with connection:
                connection.execute("UPDATE alembic_version SET version_num = ? WHERE version_num = ?",
                                   (BEFORE_FIGURES, FIGURES_REVISION))
    finally:
        connection.close()


@contextlib.contextmanager
def postgresql_copy(path: Path) -> Iterator[str]:
    """The SQLite file copied into a database of a throwaway PostgreSQL cluster (its URL), analysed."""
    import sqlalchemy as sa

    from benchmarks.worker import postgres_database, postgres_server
    from mediation.db.copy import copy_database

    with postgres_server() as server, postgres_database(server) as url:
        started = time.perf_counter()
        copy_database(f"sqlite:///{path}", url)
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        finally:
            engine.dispose()
        print(f"PostgreSQL copy ready in {time.perf_counter() - started:.0f} s", flush=True)
        yield url


def case_count(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute("SELECT count(*) FROM cases").fetchone()[0]
