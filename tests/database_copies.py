"""Copies of a migrated database, made and dropped outside pytest fixtures (per Hypothesis example).

A copy is a file copy on SQLite and `CREATE DATABASE … TEMPLATE` on PostgreSQL (when
`MEDIATION_DATABASE_URL` points at a server, as in tests/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import sqlalchemy as sa

SERVER_URL = os.environ.get("MEDIATION_DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith("postgresql")


def copy_database(source: str, directory: Path) -> str:
    """A new database copied from `source` (a SQLite path or a PostgreSQL database name); its URL."""
    if not ON_POSTGRES:
        path = directory / f"mediation-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(source, path)
        return f"sqlite:///{path}"
    name = f"mediation_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return sa.make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Remove a database made by `copy_database`."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database or "").unlink(missing_ok=True)
    else:
        _admin(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def source_of(url: str) -> str:
    """What `copy_database` takes to copy the database at `url`."""
    return str(sa.make_url(url).database)


def _admin(statement: str) -> None:
    engine = sa.create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
    finally:
        engine.dispose()
