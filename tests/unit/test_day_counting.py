"""Periods in days counted as the law counts them (民事诉讼法 art. 85, DESIGN §9.1, policy `count`).

The day a period starts on in China is not counted; it ends at 24:00 China time (16:00 UTC) of its
last day; with `count: civil_procedure` a last day that is a weekend or a statutory holiday gives way
to the end of the first working day after it. Expected moments are written out by hand from the 2026
State Council holiday notice (Qingming 4–6 April, Labour Day 1–5 May, National Day 1–7 October).
"""

from __future__ import annotations

import copy
from datetime import date, datetime

import pytest

from mediation.cases.list_export import china_due_time
from mediation.workflows.calendar import after, closing_day, extended
from mediation.workflows.checker import check_definition
from mediation.workflows.definition import parse_definition
from mediation.workflows.loader import (
    POLICY_FILE,
    WORKFLOW_DIR,
    current_definition,
    read_yaml,
    workflow_files,
)

LAW = {"count": "civil_procedure"}
WHOLE = {"count": "whole_days"}


def end_of_china_day(day: str) -> datetime:
    """24:00 China time of `day`, as stored (naive UTC)."""
    return datetime.fromisoformat(f"{day}T16:00")


PERIODS = [
    # start (naive UTC), duration, the day by whose end (China time) it ends, why
    ("2026-03-02T01:26", {"days": 30, **LAW}, "2026-04-01", "09:26 in China on 2 March: days 3 March … 1 April"),
    ("2026-03-02T15:59", {"days": 30, **LAW}, "2026-04-01", "23:59 in China is still 2 March"),
    ("2026-03-02T16:00", {"days": 30, **LAW}, "2026-04-02", "00:00 of 3 March in China: 3 March is not counted"),
    ("2026-03-01T23:00", {"days": 30, **LAW}, "2026-04-01", "23:00 UTC on 1 March is 07:00 of 2 March in China"),
    ("2026-03-02T02:00", {"days": 3, **LAW}, "2026-03-05", "Monday: Tuesday, Wednesday, Thursday"),
    ("2026-03-04T02:00", {"days": 3, **LAW}, "2026-03-09", "day 3 is a Saturday: the end of Monday"),
    ("2026-03-05T02:00", {"days": 30, **LAW}, "2026-04-07", "day 30 is 4 April, in the Qingming holiday"),
    ("2026-09-01T02:00", {"days": 30, **LAW}, "2026-10-08", "day 30 is National Day: the end of 8 October"),
    ("2026-04-14T02:00", {"days": 15, **LAW}, "2026-04-29", "no holiday: Wednesday 29 April"),
    ("2026-09-24T02:00", {"days": 7, **WHOLE}, "2026-10-01", "the policy's own days keep a holiday last day"),
    ("2026-03-04T02:00", {"days": 3, **WHOLE}, "2026-03-07", "and a Saturday"),
    ("2026-03-04T02:00", {"days": 3}, "2026-03-07", "a period without a count is counted in whole days"),
]


@pytest.mark.parametrize(("start", "duration", "last_day", "why"), PERIODS, ids=[f"{p[0]}+{p[1]}" for p in PERIODS])
def test_a_period_in_days_ends_at_2400_china_time_of_its_last_day(start: str, duration: dict, last_day: str,
                                                                  why: str) -> None:
    due = after(datetime.fromisoformat(start), duration)
    assert due == end_of_china_day(last_day), why
    assert closing_day(due) == date.fromisoformat(last_day)


def test_working_days_and_hours_are_counted_as_before() -> None:
    assert after(datetime(2026, 9, 30, 7, 0), {"working_days": 1}) == end_of_china_day("2026-10-08")
    assert after(datetime(2026, 3, 2, 1, 26), {"hours": 24}) == datetime(2026, 3, 3, 1, 26)


def test_an_extension_counts_on_from_the_last_day_of_the_period() -> None:
    """The ruling's day 15 is 17 March; ten more days end with 27 March, not 28."""
    due = after(datetime(2026, 3, 2, 9, 0), {"days": 15, **LAW})
    assert due == end_of_china_day("2026-03-17")
    assert extended(due, {"days": 10, **LAW}) == end_of_china_day("2026-03-27")
    assert extended(end_of_china_day("2026-10-08"), {"days": 10, **LAW}) == end_of_china_day("2026-10-19")
    assert extended(end_of_china_day("2026-03-06"), {"working_days": 1}) == end_of_china_day("2026-03-09")


def test_the_shipped_policy_says_how_each_period_in_days_is_counted() -> None:
    policy = current_definition().policy
    laws = {name for name, rule in policy["deadlines"].items() if rule["after"].get("count") == "civil_procedure"}
    assert laws == {"court_acceptance", "court_ruling", "judicial_confirmation_window", "people_mediation_term"}
    assert policy["deadlines"]["court_ruling"]["extension"]["count"] == "civil_procedure"
    assert policy["judicial_confirmation"]["window"] == {"days": 30, "count": "civil_procedure"}
    assert {entry["count"] for entry in policy["return_visits"]["schedule"]} == {"whole_days"}
    assert all("count" not in rule["after"] for rule in policy["deadlines"].values() if "days" not in rule["after"])


def test_the_checker_asks_every_period_in_days_how_it_is_counted() -> None:
    workflow = read_yaml(workflow_files()["mediation"])
    policy = copy.deepcopy(read_yaml(WORKFLOW_DIR / POLICY_FILE))
    del policy["deadlines"]["court_acceptance"]["after"]["count"]
    policy["deadlines"]["court_ruling"]["extension"]["count"] = "lunar_days"
    policy["deadlines"]["department_acknowledgement"]["after"]["count"] = "whole_days"
    policy["return_visits"]["schedule"][1] = {"days": 30}
    policy["judicial_confirmation"]["window"]["count"] = "hours"
    problems = check_definition(parse_definition(workflow, policy))
    assert sorted(problems) == sorted([
        "policy deadline 'court_acceptance' after needs count: civil_procedure or whole_days beside days, not None",
        "policy deadline 'court_ruling' extension needs count: civil_procedure or whole_days beside days, "
        "not 'lunar_days'",
        "policy deadline 'department_acknowledgement' after has a count but no days",
        "policy return_visits.schedule[1] needs count: civil_procedure or whole_days beside days, not None",
        "policy judicial_confirmation.window needs count: civil_procedure or whole_days beside days, not 'hours'",
    ])


def test_a_due_moment_that_ends_a_day_reads_as_its_2400() -> None:
    """Pages and exports write the last day of a period as a clerk does: 4月1日24时, not 4月2日0时."""
    assert china_due_time(end_of_china_day("2026-04-01")) == "2026-04-01 24:00"
    assert china_due_time("2026-04-01T16:00:00Z") == "2026-04-01 24:00"
    assert china_due_time(datetime(2026, 4, 1, 15, 59)) == "2026-04-01 23:59"
    assert china_due_time(datetime(2026, 3, 3, 1, 26)) == "2026-03-03 09:26"  # an old 24-hour deadline
    assert china_due_time(None) == ""
