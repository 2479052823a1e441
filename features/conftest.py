"""Acceptance fixtures: every scenario runs on its own copy of a database holding the sample county.

The database fixtures are those of `tests/conftest.py` (a copy of a template per test, on
SQLite or PostgreSQL); the template they copy is replaced by one that also holds the sample
county. The step library lives in the package (`mediation/authoring/steps/`, what `workflows publish`
runs an author's scenarios with) and is imported here so that every feature sees it; test-only
steps live in `features/steps/`.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from mediation.authoring.steps.library import *  # noqa: F403  (every step of the library)
from mediation.authoring.steps.story import Story
from mediation.db import Database
from mediation.demo.sample_county import SampleCounty, build_sample_county
from tests import conftest as test_databases
from tests.database_copies import run_admin

# tests/conftest.py gives each test a copy of `template_database`; here that template also
# holds the sample county (its password hashes are too slow to build per scenario).
migrated_template = pytest.fixture(scope="session", name="migrated_template")(
    test_databases.template_database.__wrapped__
)
database_url = test_databases.database_url
db = test_databases.db

STATUTE_TAGS = ("art17", "art23", "art26", "art28", "art29", "art31", "art33")


def pytest_configure(config: pytest.Config) -> None:
    for article in STATUTE_TAGS:
        config.addinivalue_line("markers", f"{article}: covers People's Mediation Law article {article[3:]}")
    for number in range(1, 9):
        config.addinivalue_line("markers", f"scenario{number}: DOMAIN.md §5 example scenario {number}")
    config.addinivalue_line("markers", "roles: role and jurisdiction checks (DESIGN §5)")
    config.addinivalue_line("markers", "calendar: deadlines on the Chinese working-day calendar")
    config.addinivalue_line("markers", "policy: a rule of policy.yaml as its author states it")


@pytest.fixture(scope="session")
def template_database(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The migrated template plus the sample county: what each scenario's database copies."""
    if test_databases.ON_POSTGRES:
        name = f"mediation_county_{uuid.uuid4().hex[:8]}"
        run_admin(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_template}"')
        _build_county(sa.make_url(test_databases.SERVER_URL).set(database=name)
                      .render_as_string(hide_password=False))
        yield name
        run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path_factory.mktemp("county") / "county.db"
        shutil.copyfile(migrated_template, path)
        _build_county(f"sqlite:///{path}")
        yield str(path)


def _build_county(url: str) -> None:
    database = Database(url)
    try:
        build_sample_county(database)
    finally:
        database.dispose()


@pytest.fixture
def story(db: Database) -> Story:
    """The scenario's world: the database, the clock, the case in hand and the last refusal."""
    world = Story(db=db, county=SampleCounty())
    yield world
    world.assert_no_pending_refusal()


def pytest_bdd_before_step_call(request, feature, scenario, step, step_func, step_func_args) -> None:
    """When steps keep a refusal for a Then step to check; Given steps must succeed."""
    request.getfixturevalue("story").phase = step.type
