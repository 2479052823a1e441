"""The calendar puts a deadline that ends a day (24:00 China time) on that day, not on the next.

Return visits are due by 24:00 China time of day +7 and +30 (policy `count: whole_days`), stored as
00:00 of the next day; the calendar shows each on the day it ends, in the month of that day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for
from mediation.notifications.calendar_entries import calendar_entries, calendar_person

pytest_plugins = ["sample_databases"]  # county_db: a copy of the sample county per test


def visits_on(db: Database, first: date, last: date, case_id: int) -> dict[str, date]:
    with db.snapshot() as tx:
        person = calendar_person(tx=tx, user_id=actor_for(db, "mediator1").user_id)
        entries = calendar_entries(tx=tx, person=person, first_day=first, last_day=last)
    return {e.detail: e.starts for e in entries if e.case_id == case_id and e.kind == "return_visit"}


def test_a_visit_due_by_the_end_of_the_last_day_of_a_month_is_on_that_day(county_db: Database) -> None:
    """Follow-up from Tuesday 24 March (17:00 in China): the first visit is due by 24:00 of 31 March."""
    case_id = drive_to(county_db, state="follow_up.tracking", county=SampleCounty(), now=datetime(2026, 3, 24, 9, 0),
                       step=timedelta(0))
    assert visits_on(county_db, date(2026, 3, 1), date(2026, 3, 31), case_id) == {"return_visit_1": date(2026, 3, 31)}
    assert visits_on(county_db, date(2026, 4, 1), date(2026, 4, 30), case_id) == {"return_visit_2": date(2026, 4, 23)}


def test_a_court_deadline_that_ends_a_day_is_on_that_day(county_db: Database) -> None:
    """Applied on Friday 27 March (17:00 in China): the court decides by 24:00 of Monday 30 March, on the
    calendar of 30 March and not of 31 March, though stored as 00:00 of 31 March."""
    case_id = drive_to(county_db, state="court.applied", county=SampleCounty(), now=datetime(2026, 3, 27, 9, 0),
                       step=timedelta(0))
    with county_db.snapshot() as tx:
        person = calendar_person(tx=tx, user_id=actor_for(county_db, "court1").user_id)
        [entry] = [e for e in calendar_entries(tx=tx, person=person, first_day=date(2026, 3, 30),
                                               last_day=date(2026, 3, 30)) if e.case_id == case_id]
        later = [e for e in calendar_entries(tx=tx, person=person, first_day=date(2026, 3, 31),
                                             last_day=date(2026, 4, 30)) if e.case_id == case_id]
    assert (entry.detail, entry.day, entry.all_day) == ("court_acceptance", date(2026, 3, 30), False)
    assert later == []
