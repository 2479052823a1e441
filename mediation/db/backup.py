"""`backup -o FILE`: a consistent copy of the database while the server writes (DESIGN §9.7).

SQLite: the online backup API, a few hundred pages a step, so writers wait only for one step;
what is copied is the database as of the moment the last step ran. PostgreSQL: `pg_dump -Fc`.
Restoring is `cp` of the SQLite file back, or `pg_restore -d URL FILE` into an empty database.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

PAGES_PER_STEP = 1_024


class BackupFailed(Exception):
    """The backup could not be made; the message says why, for a person."""


def backup_database(url: str, output: Path, *, on_pages: Callable[[int, int], None] | None = None) -> None:
    """Write a backup of the database at `url` to `output` (which must not exist yet).

    `on_pages(done, total)` is told after each step of a SQLite backup (progress by pages)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_backup(parsed.database or "", output, on_pages)
    else:
        _pg_dump(parsed, output)


def _sqlite_backup(path: str, output: Path, on_pages: Callable[[int, int], None] | None) -> None:
    if not path or path == ":memory:" or not Path(path).is_file():
        raise BackupFailed(f"no SQLite database file at {path or '(none)'}")
    source = sqlite3.connect(path)  # only read: the backup API copies its pages
    target = sqlite3.connect(output)
    try:
        source.backup(target, pages=PAGES_PER_STEP,
                      progress=(lambda _status, remaining, total: on_pages(total - remaining, total))
                      if on_pages else None)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        target.close()
        source.close()


def _pg_dump(parsed: sa.URL, output: Path) -> None:
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupFailed("pg_dump is not installed (it comes with the PostgreSQL client: "
                           "apt install postgresql-client); it makes PostgreSQL backups")
    plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    finished = subprocess.run([program, "-Fc", "--no-owner", "-f", str(output), "-d", plain],
                              capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        output.unlink(missing_ok=True)
        reason = (finished.stderr.strip().splitlines() or ["no reason given"])[-1]
        raise BackupFailed(f"pg_dump failed: {reason}")


def cases_in(url: str) -> int:
    """How many cases the database (or a SQLite backup file's URL) holds."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT count(*) FROM cases").scalar() or 0
    finally:
        engine.dispose()
