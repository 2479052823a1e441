"""Fixtures: databases that already hold the sample county (and, for worker tests, its deadlines
falling due: tests/due_deadlines.py), copied per test or per module.

Building the county hashes passwords and writes a dozen units and users, so it is built once
per session into a template that tests copy (`database_copies`). Test modules load this file
with `pytest_plugins = ["sample_databases"]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from database_copies import database_copy, filled_template, opened
from due_deadlines import COUNTY, FIRST, RACED, SECOND, TOTAL

from mediation.db import Database
from mediation.demo.case_paths import ActorBook, drive_to
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


@pytest.fixture(scope="session")
def due_template(county_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample county with TOTAL cases referred to a department: RACED due at FIRST_DUE, all at SECOND_DUE."""
    def refer_all(database: Database) -> None:
        actors = ActorBook(database)
        for number in range(TOTAL):
            drive_to(database, state="joint.referred", county=COUNTY, now=FIRST if number < RACED else SECOND,
                     step=timedelta(0), actors=actors)

    with filled_template(county_template, tmp_path_factory.mktemp("due"), refer_all) as template:
        yield template


@pytest.fixture
def due_url(due_template: str, tmp_path: Path) -> Iterator[str]:
    with database_copy(due_template, tmp_path) as url:
        yield url


@pytest.fixture
def due_db(due_url: str) -> Iterator[Database]:
    with opened(due_url) as database:
        yield database
