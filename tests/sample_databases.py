"""Databases that already hold the sample county, copied per test (or per Hypothesis example).

Building the county hashes a dozen passwords with argon2 (seconds), so it is built once per
session into a template and copied: a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on
PostgreSQL. Test modules import the fixtures below by name.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

from mediation.db import Database
from mediation.directory import actor_for
from mediation.intake import CaseInput, PartyInput, open_case
from mediation.sample_county import SampleCounty, build_sample_county

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
    """What `copy_database` takes for the database at `url`."""
    parsed = sa.make_url(url)
    return str(parsed.database)


def _admin(statement: str) -> None:
    engine = sa.create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def county_template(template_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database holding the sample county, never opened by a test."""
    url = copy_database(template_database, tmp_path_factory.mktemp("county"))
    database = Database(url)
    build_sample_county(database)
    database.dispose()
    yield source_of(url)
    drop_database(url)


@pytest.fixture
def county_url(county_template: str, tmp_path: Path) -> Iterator[str]:
    url = copy_database(county_template, tmp_path)
    yield url
    drop_database(url)


@pytest.fixture
def county_db(county_url: str) -> Iterator[Database]:
    database = Database(county_url)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def module_county_db(county_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One county database for a whole module, for tests that each work on cases of their own."""
    url = copy_database(county_template, tmp_path_factory.mktemp("module"))
    database = Database(url)
    yield database
    database.dispose()
    drop_database(url)


def open_dispute(db: Database, *, by: str = "mediator1", unit: str = SampleCounty.community, parties: int = 2,
                 category: str | None = "neighbour", risk_level: str = "low") -> int:
    """File a neighbour dispute with `parties` parties; returns the case id."""
    people = [PartyInput(name=name, role=role) for name, role in
              (("王某", "applicant"), ("李某", "respondent"), ("张某", "third_party"))][:parties]
    return open_case(db, actor=actor_for(db, by), case=CaseInput(
        title="邻里噪音纠纷", description="楼上装修噪音影响休息", channel="grid_screening", unit=unit,
        parties=people, category=category, risk_level=risk_level,
    ))
