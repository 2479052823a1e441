"""Fixtures: a fresh migrated database per test, on SQLite or on PostgreSQL.

`MEDIATION_DATABASE_URL` pointing at PostgreSQL makes every test use its own database
there (copied from a migrated template); otherwise each test gets a SQLite file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from mediation.db import Database
from mediation.db.schema import upgrade_database

SERVER_URL = os.environ.get("MEDIATION_DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith("postgresql")


def _admin_engine() -> sa.Engine:
    return sa.create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated empty database that each test copies."""
    if ON_POSTGRES:
        name = f"mediation_template_{uuid.uuid4().hex[:8]}"
        admin = _admin_engine()
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
        upgrade_database(url)
        yield name
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        upgrade_database(f"sqlite:///{path}")
        yield str(path)


@contextlib.contextmanager
def _fresh_database(template_database: str, folder: Path) -> Iterator[str]:
    """The URL of a fresh copy of the migrated template, dropped afterwards on PostgreSQL."""
    if ON_POSTGRES:
        name = f"mediation_test_{uuid.uuid4().hex[:12]}"
        admin = _admin_engine()
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
        yield sa.make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = folder / "mediation.db"
        shutil.copyfile(template_database, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> str:
    """The URL of a fresh, migrated, empty database for this test."""
    with _fresh_database(template_database, tmp_path) as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Database:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def module_db(template_database: str, tmp_path_factory: pytest.TempPathFactory) -> Database:
    """A fresh, migrated, empty database shared by the tests of one module (for data they only read)."""
    with _fresh_database(template_database, tmp_path_factory.mktemp("module")) as url:
        database = Database(url)
        yield database
        database.dispose()
