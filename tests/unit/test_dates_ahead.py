"""Dates that must lie ahead are refused in the past (DESIGN §9.1): the next session, the agreement's
performance deadline and a key case's order deadline, marked `future` in mediation.yaml.

`now` is the transition's moment (naive UTC). A date is China's: today or later passes. A date-time
without an offset is China time and must be later than now; it is kept with its offset (+08:00).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from mediation.errors import InvalidData
from mediation.workflows.loader import current_definition
from mediation.workflows.trigger_data import clean_trigger_data

DEFINITION = current_definition()
NOW = datetime(2026, 3, 1, 17, 0)  # 2026-03-02 01:00 in China: China's today is already 2 March
AHEAD = {"adjourn": "next_session_at", "draft_agreement": "performance_deadline", "designate_key_case": "deadline"}
OTHER_DATA: dict[str, dict[str, Any]] = {
    "adjourn": {}, "draft_agreement": {"terms": "赔偿500元"}, "designate_key_case": {"owner": "mediator1"}}


def clean(trigger: str, value: str, now: datetime | None = NOW) -> dict[str, Any]:
    data = {**OTHER_DATA[trigger], AHEAD[trigger]: value}
    return clean_trigger_data(DEFINITION.triggers[trigger], data, DEFINITION.policy, DEFINITION.risk_levels, now=now)


def refused(trigger: str, value: str) -> tuple[str, str]:
    with pytest.raises(InvalidData) as caught:
        clean(trigger, value)
    return caught.value.field, caught.value.reason


def test_the_workflow_marks_the_three_fields_that_must_lie_ahead() -> None:
    marked = {(trigger.name, spec.name) for trigger in DEFINITION.triggers.values() for spec in trigger.fields
              if spec.future}
    assert marked == set(AHEAD.items())


@pytest.mark.parametrize(("trigger", "value"), [
    ("adjourn", "1999-05-01T09:30"), ("draft_agreement", "2001-06-30"), ("designate_key_case", "2026-01-15"),
])
def test_the_issues_past_dates_are_refused_naming_the_field(trigger: str, value: str) -> None:
    field, reason = refused(trigger, value)
    assert field == f"data.{AHEAD[trigger]}"
    assert reason in ("must be today or later", "must be later than now")


@pytest.mark.parametrize("trigger", ["draft_agreement", "designate_key_case"])
def test_a_date_is_chinas_today_or_later(trigger: str) -> None:
    assert refused(trigger, "2026-03-01") == (f"data.{AHEAD[trigger]}", "must be today or later")  # UTC's today
    assert clean(trigger, "2026-03-02")[AHEAD[trigger]] == "2026-03-02"
    assert clean(trigger, "2027-12-31")[AHEAD[trigger]] == "2027-12-31"


def test_a_session_time_without_offset_is_china_time_and_must_be_later_than_now() -> None:
    assert refused("adjourn", "2026-03-02T01:00") == ("data.next_session_at", "must be later than now")
    assert refused("adjourn", "2026-03-01T17:00:00Z") == ("data.next_session_at", "must be later than now")
    assert clean("adjourn", "2026-03-02T01:01")["next_session_at"] == "2026-03-02T01:01:00+08:00"
    # The same moment given in UTC is kept as China time; an hour ago in UTC is refused.
    assert clean("adjourn", "2026-03-01T17:01:00Z")["next_session_at"] == "2026-03-02T01:01:00+08:00"
    assert refused("adjourn", "2026-03-01T16:00:00+00:00")[0] == "data.next_session_at"


def test_without_a_moment_the_data_is_only_typed() -> None:
    assert clean("draft_agreement", "2001-06-30", now=None)["performance_deadline"] == "2001-06-30"
