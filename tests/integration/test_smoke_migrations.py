import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from mediation.cases.audit import verify_all
from mediation.cases.case_detail import case_detail, case_events
from mediation.db import Database
from mediation.db.schema import MIGRATIONS
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import USERS, build_sample_county
from mediation.directory.accounts import actor_for

BEFORE_APPEND_ONLY_EVENTS = "3e5f82c8cb4e"


def _alembic(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    return config


def test_migrated_database_takes_the_sample_county(db):
    build_sample_county(db)
    with db.read() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM users")).scalar()
    assert count == len(USERS)


def test_events_and_facts_survive_the_storage_changes_both_ways(database_url):
    """Down to events clustered by (case_id, seq) and descriptions in the case row, and up
    again: every chain still verifies, every timeline and description reads the same, and the
    engine goes on appending."""
    db = Database(database_url)
    try:
        county = build_sample_county(db)
        cases = [drive_to(db, state=state, county=county)
                 for state in ("mediation.in_session", "court.under_review", "screening.triaged")]
        supervisor = actor_for(db, "county_sup")
        before = {case_id: case_events(db, supervisor, case_id) for case_id in cases}
        facts = {case_id: case_detail(db, supervisor, case_id).description for case_id in cases}
    finally:
        db.dispose()
    command.downgrade(_alembic(database_url), BEFORE_APPEND_ONLY_EVENTS)
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        columns = {column["name"] for column in sa.inspect(connection).get_columns("cases")}
        stored = connection.execute(sa.text("SELECT count(*) FROM events")).scalar()
    engine.dispose()
    assert "event_ids" not in columns
    assert stored == sum(len(events) for events in before.values())  # nothing lost on the way down
    command.upgrade(_alembic(database_url), "head")
    db = Database(database_url)
    try:
        assert list(verify_all(db)) == []
        assert {case_id: case_events(db, supervisor, case_id) for case_id in cases} == before
        assert {case_id: case_detail(db, supervisor, case_id).description for case_id in cases} == facts
        assert all(facts.values())
        moved = drive_to(db, state="mediation.assigned", county=county)
        assert list(verify_all(db)) == []
        assert [event.trigger for event in case_events(db, supervisor, moved)][-1] == "assign_mediator"
    finally:
        db.dispose()
