"""Resident ID numbers (居民身份证号) are checked wherever they enter, and one person is one party (DESIGN §9.1).

An ID number has 18 characters, a real birth date (characters 7–14) that is not in the future, and
the GB 11643 check character (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11 → "10X98765432").
The applicant cannot also be the respondent: the same ID number, or the same name without two
different ID numbers to tell the two apart, is refused on the later party.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from mediation.cases.intake import CaseInput, PartyInput, case_problems, open_case
from mediation.db import Database
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.directory.accounts import actor_for
from mediation.errors import InvalidData
from mediation.workflows.loader import current_definition
from mediation.workflows.trigger_data import checked_id_number, id_check_character

DEFINITION = current_definition()
TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 1, 0)  # 09:00 in China on TODAY
VALID = "330324199001031234"  # born 1990-01-03, check character 4
VALID_X = "11010519491231002X"  # the standard's own example: check character X
OTHER_VALID = "330324198805281234"


def refusal(value: object, today: date = TODAY) -> tuple[str, str]:
    with pytest.raises(InvalidData) as caught:
        checked_id_number("id_number", value, today)
    return caught.value.field, caught.value.reason


def test_the_check_character_follows_gb_11643() -> None:
    assert id_check_character(VALID[:17]) == "4"
    assert id_check_character(VALID_X[:17]) == "X"
    assert id_check_character("33032419650512001") == "8"


@pytest.mark.parametrize("number", [VALID, VALID_X, OTHER_VALID, "330324200002290014"])
def test_well_formed_numbers_pass(number: str) -> None:
    assert checked_id_number("id_number", number, TODAY) == number


def test_a_lower_case_x_and_spaces_around_are_taken_as_the_number() -> None:
    assert checked_id_number("id_number", " 11010519491231002x ", TODAY) == VALID_X


@pytest.mark.parametrize(("number", "reason"), [
    ("330324198013411234", "has no valid birth date (characters 7 to 14)"),  # month 13 (the example)
    ("330324199002301234", "has no valid birth date (characters 7 to 14)"),  # 30 February
    ("330324190002290011", "has no valid birth date (characters 7 to 14)"),  # 1900 was not a leap year
    ("330324189912310012", "has no valid birth date (characters 7 to 14)"),  # before 1900
    ("330324202603030010", "has a birth date in the future"),
    ("330324199001011234", "has a wrong check digit (GB 11643)"),
    ("330324199001031235", "has a wrong check digit (GB 11643)"),
    ("33032419900103123", "must be an 18-character resident ID number"),
    ("3303241990010312345", "must be an 18-character resident ID number"),
    ("33032419900103123Y", "must be an 18-character resident ID number"),
    ("３３０３２４１９９００１０３１２３４", "must be an 18-character resident ID number"),  # full-width digits
    ("٣٣٠٣٢٤١٩٩٠٠١٠٣١٢٣٤", "must be an 18-character resident ID number"),  # another script's digits
    (330324199001031234, "must be an 18-character resident ID number"),
])
def test_numbers_that_cannot_be_are_refused_with_the_reason(number: object, reason: str) -> None:
    assert refusal(number) == ("id_number", reason)


def test_a_birth_date_today_passes_and_tomorrow_does_not() -> None:
    born_today = "33032420260302001"
    assert checked_id_number("id_number", born_today + id_check_character(born_today), TODAY)
    born_tomorrow = "33032420260303001"
    assert refusal(born_tomorrow + id_check_character(born_tomorrow))[1] == "has a birth date in the future"


# --------------------------------------------------------------------------- intake


def case_with(*parties: PartyInput) -> CaseInput:
    return CaseInput(title="邻里噪音纠纷", description="楼上夜间装修，噪音扰民。", channel="grid_screening",
                     unit=SampleCounty.grid, category="neighbour", parties=list(parties))


def problems(case: CaseInput) -> list[tuple[str, str]]:
    return [(p.field, p.reason) for p in case_problems(case, DEFINITION.policy, DEFINITION.risk_levels, now=NOW)]


@pytest.mark.parametrize("number", ["330324198013411234", "330324199001011234", "330324202701010015"])
def test_intake_refuses_an_id_number_that_cannot_be(number: str) -> None:
    found = problems(case_with(PartyInput("张某某", "applicant", VALID), PartyInput("李某某", "respondent", number)))
    assert [field for field, _ in found] == ["parties[1].id_number"]


def test_the_same_id_number_on_applicant_and_respondent_is_one_person() -> None:
    found = problems(case_with(PartyInput("张某某", "applicant", VALID), PartyInput("张某", "respondent", VALID)))
    assert found == [("parties[1].id_number", "is the ID number of another party: one person is one party")]
    lower_x = problems(case_with(PartyInput("王某", "applicant", VALID_X),
                                 PartyInput("王某某", "third_party", VALID_X.lower())))
    assert [field for field, _ in lower_x] == ["parties[1].id_number"]


def test_the_same_name_on_both_sides_needs_two_different_id_numbers() -> None:
    same_name = "applicant and respondent have the same name: give both ID numbers to tell them apart"
    assert problems(case_with(PartyInput("张建国", "applicant"), PartyInput(" 张建国 ", "respondent"))) == [
        ("parties[1].name", same_name)]
    assert problems(case_with(PartyInput("张建国", "respondent", VALID), PartyInput("张建国", "applicant"))) == [
        ("parties[1].name", same_name)]
    # Two different ID numbers tell two people of one name apart; a third party may share a name.
    assert problems(case_with(PartyInput("张建国", "applicant", VALID),
                              PartyInput("张建国", "respondent", OTHER_VALID))) == []
    assert problems(case_with(PartyInput("张建国", "applicant"), PartyInput("李秀英", "respondent"),
                              PartyInput("张建国", "third_party"))) == []


def test_open_case_refuses_one_person_on_both_sides_and_files_nothing(db: Database) -> None:
    build_sample_county(db)
    grid1 = actor_for(db, "grid1")
    for case in (case_with(PartyInput("张某某", "applicant", VALID), PartyInput("李某某", "respondent", VALID)),
                 case_with(PartyInput("张某某", "applicant", "330324198013411234"), PartyInput("李某", "respondent"))):
        with pytest.raises(InvalidData) as caught:
            open_case(db, actor=grid1, case=case)
        assert caught.value.field.endswith(".id_number")
    with db.snapshot() as tx:
        assert tx.one("SELECT count(*) FROM cases")[0] == 0
        assert tx.one("SELECT count(*) FROM parties")[0] == 0
    good = case_with(PartyInput("张某某", "applicant", " 11010519491231002x"), PartyInput("李某某", "respondent"))
    case_id = open_case(db, actor=grid1, case=replace(good))
    with db.snapshot() as tx:
        assert tx.one("SELECT id_number FROM parties WHERE case_id = :id ORDER BY id", {"id": case_id})[0] == VALID_X
