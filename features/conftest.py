"""Acceptance fixtures: every scenario runs on its own copy of a database holding the sample county.

The database fixtures are those of `tests/` (a migrated template, the sample county built
into it once per session, a copy per scenario, on SQLite or PostgreSQL). Steps live in
`features/steps/` and are imported here so that every feature sees them.
"""

from __future__ import annotations

import pytest

from features.steps.common import *  # noqa: F401,F403
from features.steps.court import *  # noqa: F401,F403
from features.steps.follow_up import *  # noqa: F401,F403
from features.steps.joint import *  # noqa: F401,F403
from features.steps.mediation import *  # noqa: F401,F403
from features.steps.screening import *  # noqa: F401,F403
from features.steps.story import Story
from mediation.db import Database
from mediation.sample_county import SampleCounty
from tests.conftest import template_database  # noqa: F401 (fixture)
from tests.sample_databases import county_db, county_template, county_url  # noqa: F401 (fixtures)

STATUTE_TAGS = ("art17", "art23", "art26", "art28", "art29", "art31", "art33")


def pytest_configure(config: pytest.Config) -> None:
    for article in STATUTE_TAGS:
        config.addinivalue_line("markers", f"{article}: covers People's Mediation Law article {article[3:]}")
    for number in range(1, 8):
        config.addinivalue_line("markers", f"scenario{number}: DOMAIN.md §5 example scenario {number}")
    config.addinivalue_line("markers", "roles: role and jurisdiction checks (DESIGN §5)")
    config.addinivalue_line("markers", "calendar: deadlines on the Chinese working-day calendar")


@pytest.fixture
def story(county_db: Database) -> Story:
    """The scenario's world: the database, the clock, the case in hand and the last refusal."""
    world = Story(db=county_db, county=SampleCounty())
    yield world
    world.assert_no_pending_refusal()


def pytest_bdd_before_step_call(request, feature, scenario, step, step_func, step_func_args) -> None:
    """When steps keep a refusal for a Then step to check; Given steps must succeed."""
    request.getfixturevalue("story").phase = step.type
