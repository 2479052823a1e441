"""Intake names every problem of a case at once (`case_problems`), in the order of the fields;
`open_case` refuses with the first of them, before it looks at the unit."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mediation.cases.intake import CaseInput, PartyInput, case_problems, open_case
from mediation.db import Database
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.directory.accounts import actor_for
from mediation.errors import InvalidData
from mediation.workflows.loader import current_definition

DEFINITION = current_definition()
POLICY = DEFINITION.policy
MOBILE, ID_NUMBER = "13812345678", "330324198805281234"  # a valid GB 11643 number


def good_case(**change) -> CaseInput:
    case = CaseInput(title="邻里噪音纠纷", description="楼上夜间装修，噪音扰民。", channel="grid_screening",
                     unit=SampleCounty.grid, category="neighbour",
                     parties=[PartyInput("张某某", "applicant", ID_NUMBER, MOBILE), PartyInput("李某某", "respondent")])
    return replace(case, **change)


def problems(case: CaseInput) -> list[tuple[str, str]]:
    found = case_problems(case, POLICY, DEFINITION.risk_levels)
    assert all(isinstance(problem, InvalidData) for problem in found)
    return [(problem.field, problem.reason) for problem in found]


def test_a_good_case_has_no_problem() -> None:
    assert problems(good_case()) == []


def test_every_bad_field_is_named_at_once_in_the_form_order() -> None:
    case = good_case(title=" ", description="", channel="",
                     parties=[PartyInput("张某某", "applicant", phone="12345"), PartyInput("李某某", "respondent")])
    assert problems(case) == [
        ("title", "must not be empty"),
        ("description", "must not be empty"),
        ("channel", f"must be one of {list(POLICY['channels'])}"),
        ("parties[0].phone", "must be an 11-digit mobile or a landline number"),
    ]


def test_each_rule_of_each_field_in_order() -> None:
    short = POLICY["limits"]["short_text_max_length"]
    case = good_case(
        title="纠纷\x07标题", description="纠" * (POLICY["limits"]["text_max_length"] + 1), channel="carrier_pigeon",
        category="alien_abduction", risk_level="apocalyptic",
        parties=[PartyInput("", "judge", "33032419900101123", "12345", is_minor="perhaps")],  # type: ignore[arg-type]
    )
    assert [field for field, _ in problems(case)] == [
        "title", "description", "channel", "category", "risk_level",
        "parties[0].name", "parties[0].id_number", "parties[0].phone", "parties[0].role", "parties[0].is_minor",
    ]
    assert dict(problems(case))["title"] == "must not contain control characters"
    assert dict(problems(good_case(title="纠" * (short + 1))))["title"] == f"longer than {short} characters"


def test_party_problems_carry_the_row_index() -> None:
    case = good_case(parties=[
        PartyInput("张某某", "applicant", ID_NUMBER, MOBILE),
        PartyInput("李某某", "respondent", id_number="12345"),
        PartyInput("  ", "third_party", phone="0577-1234"),
        PartyInput("赵某某", "third_party", phone="0577-88776655"),
    ])
    assert [field for field, _ in problems(case)] == ["parties[1].id_number", "parties[2].name", "parties[2].phone"]


def test_no_party_and_too_many_parties() -> None:
    assert problems(good_case(parties=[], title="")) == [
        ("title", "must not be empty"), ("parties", "at least one party is required")]
    limit = POLICY["limits"]["parties_per_case"]
    # An oversized list is one problem; its rows (all nameless here) are not looked at.
    assert problems(good_case(parties=[PartyInput("", "applicant")] * (limit + 1))) == [
        ("parties", f"at most {limit} parties per case")]


def test_open_case_refuses_with_the_first_problem_and_files_nothing(db: Database) -> None:
    build_sample_county(db)
    grid1 = actor_for(db, "grid1")
    case = good_case(title="", channel="carrier_pigeon", unit="no-such-unit",
                     parties=[PartyInput("张某某", "applicant", phone="12345")])
    with pytest.raises(InvalidData) as caught:
        open_case(db, actor=grid1, case=case)
    assert (caught.value.field, caught.value.reason) == ("title", "must not be empty")
    with pytest.raises(InvalidData) as caught:  # the fields right: then the unit, which needs the database
        open_case(db, actor=grid1, case=good_case(unit="no-such-unit"))
    assert caught.value.field == "unit"
    assert case_problems(good_case(unit="no-such-unit"), POLICY, DEFINITION.risk_levels) == []
    with db.snapshot() as tx:
        assert tx.one("SELECT count(*) FROM cases")[0] == 0
    assert open_case(db, actor=grid1, case=good_case()) > 0
