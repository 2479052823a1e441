"""Fixtures: databases that already hold the sample county, copied per test or per module.

Building the county hashes passwords and writes a dozen units and users, so it is built once
per session into a template that tests copy (`database_copies`). Test modules load this file
with `pytest_plugins = ["sample_databases"]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from database_copies import database_copy, filled_template, opened

from mediation.db import Database
from mediation.demo.sample_county import build_sample_county


@pytest.fixture(scope="session")
def county_template(template_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database holding the sample county, never opened by a test."""
    with filled_template(template_database, tmp_path_factory.mktemp("county"), build_sample_county) as template:
        yield template


@pytest.fixture
def county_url(county_template: str, tmp_path: Path) -> Iterator[str]:
    """The URL of this test's own copy of the county database."""
    with database_copy(county_template, tmp_path) as url:
        yield url


@pytest.fixture
def county_db(county_url: str) -> Iterator[Database]:
    with opened(county_url) as database:
        yield database


@pytest.fixture(scope="module")
def module_county_db(county_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One county database for a whole module, for tests that each work on cases of their own."""
    with database_copy(county_template, tmp_path_factory.mktemp("module")) as url, opened(url) as database:
        yield database
