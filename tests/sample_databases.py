"""Fixtures: databases that already hold the sample county, copied per test or per module.

Building the county hashes passwords and writes a dozen units and users, so it is built once
per session into a template that tests copy (`database_copies`). Test modules load this file
with `pytest_plugins = ["sample_databases"]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from database_copies import copy_database, drop_database, source_of

from mediation.db import Database
from mediation.sample_county import build_sample_county


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
    """The URL of this test's own copy of the county database."""
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
