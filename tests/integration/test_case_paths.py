"""`drive_to` takes a new case to every state of the workflow through the engine, by every route."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from mediation.cases.audit import verify_case
from mediation.cases.intake import CaseInput, PartyInput
from mediation.db import Database
from mediation.demo.case_paths import (
    PATHS,
    ROUTES,
    ActorBook,
    actor_for_trigger,
    drive_to,
    route_triggers,
)
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.workflows.loader import current_definition

DEFINITION = current_definition()
NOW = datetime(2026, 3, 2, 9, 0)


def case_row(db: Database, case_id: int) -> dict:
    with db.read() as connection:
        return dict(connection.execute(
            sa.text("SELECT state, version, event_count FROM cases WHERE id = :id"), {"id": case_id}
        ).mappings().one())


def events_of(db: Database, case_id: int) -> list[dict]:
    with db.read() as connection:
        return [dict(row) for row in connection.execute(
            sa.text("SELECT seq, trigger, actor, at, to_state FROM events WHERE case_id = :id ORDER BY seq"),
            {"id": case_id},
        ).mappings()]


def village_case() -> CaseInput:
    county = SampleCounty()
    return CaseInput(
        title="周桂兰与周建国赡养纠纷", description="周桂兰年逾八旬，其子周建国拒绝承担赡养费。",
        channel="grid_screening", unit=county.village_grid, category="maintenance",
        parties=[PartyInput("周桂兰", "applicant"), PartyInput("周建国", "respondent", phone="13705771234")],
    )


def test_every_state_of_the_definition_has_a_path() -> None:
    assert list(PATHS) == list(DEFINITION.states)


def test_the_routes_fire_every_trigger_of_the_definition() -> None:
    fired = {trigger for routes in ROUTES.values() for route in routes for trigger in route_triggers(route)}
    # `attach` is fired by the attachments service with a stored file (tests/api/test_api_attachments.py),
    # `recompute_deadlines` by the recount after holidays.yaml changes (tests/integration/test_holiday_recount.py).
    through_others = {name for name, trigger in DEFINITION.triggers.items() if trigger.via}
    assert set(DEFINITION.triggers) - fired == through_others == {"attach", "recompute_deadlines"}


def test_each_trigger_is_fired_by_a_role_that_may_fire_it() -> None:
    roles = {"grid1": "grid_worker", "mediator1": "mediator", "police1": "police", "dept_sj": "department",
             "court1": "court", "supervisor1": "supervisor"}
    for name, trigger in DEFINITION.triggers.items():
        if trigger.roles != ("system",):  # a trigger only the system fires is no route's
            assert roles[actor_for_trigger(name)] in trigger.roles, name


@pytest.mark.parametrize("state", list(DEFINITION.states))
def test_drive_to_reaches_the_state_with_a_verified_chain(db: Database, state: str) -> None:
    county = build_sample_county(db)
    case_id = drive_to(db, state=state, county=county, now=NOW)
    row = case_row(db, case_id)
    assert row["state"] == state
    assert row["version"] == row["event_count"] == len(events_of(db, case_id))
    assert verify_case(db, case_id) is None


def test_every_route_reaches_its_state(db: Database) -> None:
    county = build_sample_county(db)
    actors = ActorBook(db)
    for state, routes in ROUTES.items():
        for index in range(len(routes)):
            case_id = drive_to(db, state=state, county=county, now=NOW, route=index, actors=actors)
            assert case_row(db, case_id)["state"] == state, (state, index)
            assert verify_case(db, case_id) is None, (state, index)


def test_time_advances_one_step_per_transition(db: Database) -> None:
    county = build_sample_county(db)
    step = timedelta(days=2)
    case_id = drive_to(db, state="court.under_review", county=county, now=NOW, step=step)
    stamps = [event["at"] for event in events_of(db, case_id)]
    as_datetimes = [stamp if isinstance(stamp, datetime) else datetime.fromisoformat(stamp) for stamp in stamps]
    assert as_datetimes == [NOW + step * seq for seq in range(len(stamps))]


def test_a_village_case_is_worked_by_the_village_crew(db: Database) -> None:
    county = build_sample_county(db)
    case_id = drive_to(db, state="closed.enforcement", county=county, now=NOW, case_input=village_case())
    actors = {event["actor"] for event in events_of(db, case_id)}
    assert actors == {"grid2", "mediator2", "court1"}
    assert verify_case(db, case_id) is None


def test_a_duplicate_names_the_case_it_duplicates(db: Database) -> None:
    county = build_sample_county(db)
    first = drive_to(db, state="mediation.assigned", county=county, now=NOW)
    duplicate = drive_to(db, state="closed.duplicate", county=county, now=NOW, duplicate_of=first)
    with db.read() as connection:
        data = connection.execute(
            sa.text("SELECT data FROM events WHERE case_id = :id AND trigger = 'mark_duplicate'"), {"id": duplicate}
        ).scalar_one()
    assert json.loads(data)["duplicate_of"] == first
