"""Copies of a migrated database, made and dropped outside pytest fixtures (per Hypothesis example).

A copy is a file copy on SQLite and `CREATE DATABASE … TEMPLATE` on PostgreSQL (when
`MEDIATION_DATABASE_URL` points at a server, as in tests/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from mediation.db import Database

SERVER_URL = os.environ.get("MEDIATION_DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith("postgresql")


def copy_database(source: str, directory: Path) -> str:
    """A new database copied from `source` (a SQLite path or a PostgreSQL database name); its URL."""
    if not ON_POSTGRES:
        path = directory / f"mediation-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(source, path)
        return f"sqlite:///{path}"
    name = f"mediation_test_{uuid.uuid4().hex[:12]}"
    run_admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return sa.make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Remove a database made by `copy_database`."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database or "").unlink(missing_ok=True)
    else:
        run_admin(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def source_of(url: str) -> str:
    """What `copy_database` takes to copy the database at `url`."""
    return str(sa.make_url(url).database)


def run_admin(statement: str) -> None:
    """Run one statement on the PostgreSQL server outside a transaction (CREATE/DROP DATABASE)."""
    engine = sa.create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
    finally:
        engine.dispose()


@contextmanager
def filled_template(source: str, directory: Path, fill: Callable[[Database], object]) -> Iterator[str]:
    """A copy of `source` filled once by `fill`, for tests to copy in turn; dropped afterwards."""
    url = copy_database(source, directory)
    database = Database(url)
    try:
        fill(database)
    finally:
        database.dispose()
    try:
        yield source_of(url)
    finally:
        drop_database(url)


@contextmanager
def database_copy(source: str, directory: Path) -> Iterator[str]:
    """The URL of a fresh copy of `source`, dropped afterwards."""
    url = copy_database(source, directory)
    try:
        yield url
    finally:
        drop_database(url)


@contextmanager
def opened(url: str) -> Iterator[Database]:
    database = Database(url)
    try:
        yield database
    finally:
        database.dispose()
