"""Deadlines over a year the calendar package lacks: marked as estimated, and counted anew
through the engine when the State Council's arrangement is entered in holidays.yaml.

The case: an on-scene session adjourned on Thu 4 Feb 2027, 10:00 China time, so the second
session is due within 7 working days (police_second_session). On the estimate (除夕 Fri 5 Feb to
初三 Mon 8 Feb off, no 调休) that is the end of Wed 17 Feb. The arrangement the tests enter
(invented for them: 5–11 Feb off, Sun 14 Feb worked) puts it at the end of Fri 19 Feb.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediation import jsontext
from mediation.cases.audit import verify_case
from mediation.cases.case_detail import case_detail
from mediation.cli import app
from mediation.db import Database, parse_timestamp
from mediation.db.models import Case, Deadline, Event
from mediation.deadlines.loop import WorkerLoop
from mediation.deadlines.recount import recount
from mediation.demo.case_paths import TRIAGED, drive_to
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for
from mediation.workflows.calendar import arrangements
from tests.calendar_years import package_lacks

pytest_plugins = ["sample_databases"]

COUNTY = SampleCounty()
ADJOURNED = datetime(2027, 2, 4, 2, 0)  # Thu 4 Feb 2027, 10:00 China time
ON_ESTIMATE = datetime(2027, 2, 15, 16, 0)  # 24:00 China time of Mon 15 Feb (13–14 Feb: possible make-up days)
ON_ARRANGEMENT = datetime(2027, 2, 19, 16, 0)  # 24:00 China time of Fri 19 Feb
ARRANGEMENT = "years:\n  2027:\n    holidays: [2027-01-01, 2027-02-05..2027-02-11]\n    workdays: [2027-02-14]\n"
SAME_AS_ESTIMATE = ("years:\n  2027:\n    holidays: [2027-01-01, 2027-02-05..2027-02-08]\n"
                    "    workdays: [2027-02-13, 2027-02-14]\n")
NO_YEARS = "years: {}\n"


@pytest.fixture
def holidays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The holidays file, without 2027 to start with, and chinesecalendar without 2027; `enter(text)` rewrites it."""
    path = tmp_path / "holidays.yaml"
    path.write_text(NO_YEARS, encoding="utf-8")
    monkeypatch.setenv("MEDIATION_HOLIDAYS_FILE", str(path))
    arrangements.cache_clear()

    def enter(text: str) -> None:
        path.write_text(text, encoding="utf-8")

    with package_lacks(2027):
        yield enter
    monkeypatch.delenv("MEDIATION_HOLIDAYS_FILE")
    arrangements.cache_clear()


def adjourned_case(db: Database) -> int:
    return drive_to(db, state="mediation.assigned", county=COUNTY, now=ADJOURNED,
                    route=(*TRIAGED, "mediate_on_scene", "adjourn"), step=timedelta(0))


def second_session(db: Database, case_id: int) -> Any:
    with db.read() as connection:
        return connection.execute(sa.select(Deadline).where(
            Deadline.case_id == case_id, Deadline.kind == "police_second_session", Deadline.status == "pending",
        )).one()


def recounts(db: Database, case_id: int) -> list[Any]:
    with db.read() as connection:
        return list(connection.execute(sa.select(Event).where(
            Event.case_id == case_id, Event.trigger == "recompute_deadlines").order_by(Event.seq)).all())


def version(db: Database, case_id: int) -> tuple[str, int]:
    with db.read() as connection:
        return tuple(connection.execute(sa.select(Case.state, Case.version).where(Case.id == case_id)).one())


def test_a_deadline_over_an_estimated_year_says_so(county_db: Database, holidays: Any) -> None:
    case_id = adjourned_case(county_db)
    deadline = second_session(county_db, case_id)
    assert (parse_timestamp(deadline.due_at), deadline.estimated) == (ON_ESTIMATE, True)
    view = case_detail(county_db, actor_for(county_db, "police1"), case_id)
    assert {d.kind: d.estimated for d in view.deadlines} == {"police_second_session": True,
                                                             "people_mediation_term": False}  # calendar days


def test_a_deadline_within_a_published_year_does_not(county_db: Database) -> None:
    case_id = drive_to(county_db, state="mediation.assigned", county=COUNTY, now=datetime(2026, 4, 27, 2),
                       route=(*TRIAGED, "mediate_on_scene", "adjourn"), step=timedelta(0))
    assert second_session(county_db, case_id).estimated is False


def test_entering_the_arrangement_moves_the_deadline_through_the_engine_once(
    county_db: Database, holidays: Any
) -> None:
    case_id = adjourned_case(county_db)
    before = version(county_db, case_id)
    holidays(ARRANGEMENT)
    report = recount(county_db, now=datetime(2027, 2, 5, 1))
    assert (report.moved, report.cases, report.unchanged) == (1, 1, 0)
    deadline = second_session(county_db, case_id)
    assert (parse_timestamp(deadline.due_at), deadline.estimated) == (ON_ARRANGEMENT, False)
    (event,) = recounts(county_db, case_id)
    assert (event.actor, event.from_state, event.to_state) == ("system", "mediation.assigned", "mediation.assigned")
    assert jsontext.loads(event.data) == {
        "kind": "police_second_session", "previous_due": "2027-02-16T00:00:00+08:00",
        "new_due": "2027-02-20T00:00:00+08:00", "estimated": False}
    assert version(county_db, case_id) == (before[0], before[1] + 1)
    assert verify_case(county_db, case_id) is None
    # A second run finds nothing left to count.
    again = recount(county_db, now=datetime(2027, 2, 5, 2))
    assert (again.moved, again.unchanged) == (0, 0)
    assert len(recounts(county_db, case_id)) == 1


def test_an_arrangement_that_agrees_with_the_estimate_only_clears_the_mark(
    county_db: Database, holidays: Any
) -> None:
    case_id = adjourned_case(county_db)
    before = version(county_db, case_id)
    holidays(SAME_AS_ESTIMATE)
    report = recount(county_db, now=datetime(2027, 2, 5, 1))
    assert (report.moved, report.unchanged) == (0, 1)
    deadline = second_session(county_db, case_id)
    assert (parse_timestamp(deadline.due_at), deadline.estimated) == (ON_ESTIMATE, False)
    assert recounts(county_db, case_id) == [] and version(county_db, case_id) == before


def test_a_recount_before_the_arrangement_changes_nothing(county_db: Database, holidays: Any) -> None:
    case_id = adjourned_case(county_db)
    report = recount(county_db, now=datetime(2027, 2, 5, 1))
    assert (report.moved, report.unchanged) == (0, 1)
    assert second_session(county_db, case_id).estimated is True and recounts(county_db, case_id) == []


def test_the_worker_recounts_by_itself_when_the_holidays_file_changes(county_db: Database, holidays: Any) -> None:
    case_id = adjourned_case(county_db)
    loop = WorkerLoop(county_db)
    loop.once(datetime(2027, 2, 5, 1))  # starting: the file as it is is noted, nothing moves
    assert second_session(county_db, case_id).estimated is True
    holidays(ARRANGEMENT)
    loop.once(datetime(2027, 2, 5, 2))
    assert parse_timestamp(second_session(county_db, case_id).due_at) == ON_ARRANGEMENT
    assert loop.total.outcomes["recounted"] == 1
    WorkerLoop(county_db).once(datetime(2027, 2, 5, 3))  # another worker starting on the same file: nothing
    assert len(recounts(county_db, case_id)) == 1


def test_the_command_line_counts_and_recounts(county_db: Database, county_url: str, holidays: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = adjourned_case(county_db)
    monkeypatch.setenv("MEDIATION_DATABASE_URL", county_url)
    runner = CliRunner()
    shown = runner.invoke(app, ["calendar"])
    assert shown.exit_code == 0, shown.output
    assert "open deadlines resting on an estimate: 1" in shown.output
    holidays(ARRANGEMENT)
    done = runner.invoke(app, ["calendar", "recompute"])
    assert done.exit_code == 0, done.output
    assert "cases changed: 1; deadlines moved: 1; unchanged: 0" in done.output
    assert parse_timestamp(second_session(county_db, case_id).due_at) == ON_ARRANGEMENT
    assert "open deadlines resting on an estimate: 0" in runner.invoke(app, ["calendar"]).output
    assert "cases changed: 0; deadlines moved: 0; unchanged: 0" in runner.invoke(app, ["calendar", "recompute"]).output


def test_the_calendar_is_shown_without_a_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIATION_DATABASE_URL", f"sqlite:///{tmp_path / 'no-such-folder' / 'mediation.db'}")
    shown = CliRunner().invoke(app, ["calendar", "--ahead", "0"])
    assert shown.exit_code == 0, shown.output
    assert "working days from" in shown.output and "not counted" in shown.output
