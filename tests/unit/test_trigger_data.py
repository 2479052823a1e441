"""Trigger data is typed, trimmed and checked against the trigger's field specs."""

from __future__ import annotations

from typing import Any

import pytest

from mediation.errors import InvalidData
from mediation.workflows.definition import FieldSpec, TriggerSpec
from mediation.workflows.loader import current_definition
from mediation.workflows.trigger_data import clean_trigger_data

DEFINITION = current_definition()
POLICY = DEFINITION.policy
TEXT_LIMIT = POLICY["limits"]["text_max_length"]
SHORT_LIMIT = POLICY["limits"]["short_text_max_length"]


def clean(trigger: str, data: Any) -> dict[str, Any]:
    return clean_trigger_data(DEFINITION.triggers[trigger], data, POLICY, DEFINITION.risk_levels)


def refused(trigger: str, data: Any) -> InvalidData:
    with pytest.raises(InvalidData) as caught:
        clean(trigger, data)
    return caught.value


def one_field(**spec: Any) -> TriggerSpec:
    return TriggerSpec(name="probe", labels={}, roles=("mediator",), fields=(FieldSpec(name="value", **spec),),
                       effects=(), transitions=())


def clean_one(value: Any, **spec: Any) -> Any:
    return clean_trigger_data(one_field(**spec), {"value": value}, POLICY, DEFINITION.risk_levels)["value"]


def test_valid_data_is_typed_and_trimmed() -> None:
    assert clean("draft_agreement", {"terms": "  赔偿500元 ", "performance_deadline": "2026-04-01",
                                     "subject_matters": ["debt"]}) == {
        "terms": "赔偿500元", "performance_deadline": "2026-04-01", "subject_matters": ["debt"]}
    assert clean("adjourn", {"next_session_at": "2026-03-05T14:00:00"}) == {
        "next_session_at": "2026-03-05T14:00:00+08:00"}  # China time, with its offset
    assert clean("triage", {"category": "neighbour", "risk_level": "elevated", "other_party_unknown": False}) == {
        "category": "neighbour", "risk_level": "elevated", "other_party_unknown": False}
    assert clean("apply_judicial_confirmation", {"court": "330324-FT", "applicants": [3, 4]}) == {
        "court": "330324-FT", "applicants": [3, 4]}


def test_no_data_is_an_empty_object() -> None:
    assert clean("start_session", None) == {}
    assert clean("start_session", {}) == {}


@pytest.mark.parametrize("data", [[], "reason", 3, ["reason", "x"]])
def test_data_must_be_an_object(data: Any) -> None:
    assert refused("decline", data).field == "data"


def test_optional_fields_left_out_or_null_are_dropped() -> None:
    assert clean("revise_agreement", {}) == {}
    assert clean("revise_agreement", {"reason": None}) == {}


@pytest.mark.parametrize(("trigger", "data", "field"), [
    ("decline", {}, "data.reason"),
    ("decline", {"reason": None}, "data.reason"),
    ("assign_mediator", {"mediator": "mediator1", "mechanism": "joint"}, "data.resolver"),
    ("confirm", {}, "data.ruling_number"),
    ("draft_agreement", {"terms": "x"}, "data.performance_deadline"),
])
def test_required_fields(trigger: str, data: dict, field: str) -> None:
    error = refused(trigger, data)
    assert (error.field, error.reason) == (field, "is required")


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_a_required_text_must_not_be_blank(blank: str) -> None:
    error = refused("decline", {"reason": blank})
    assert (error.field, error.reason) == ("data.reason", "must not be empty")


def test_unknown_field_is_named() -> None:
    error = refused("decline", {"reason": "重复来访", "reasn": "typo"})
    assert error.field == "data.reasn"
    assert "decline" in error.reason


def test_a_trigger_without_data_takes_no_fields() -> None:
    assert refused("start_session", {"note": "x"}).field == "data.note"


def test_text_length_limits() -> None:
    assert clean("decline", {"reason": "字" * TEXT_LIMIT})["reason"] == "字" * TEXT_LIMIT
    error = refused("decline", {"reason": "字" * (TEXT_LIMIT + 1)})
    assert error.field == "data.reason"
    assert str(TEXT_LIMIT) in error.reason


def test_short_text_length_limit_on_usernames_and_unit_codes() -> None:
    assert refused("refer_department", {"department": "x" * (SHORT_LIMIT + 1), "reason": "r"}).field == "data.department"
    assert refused("designate_key_case", {"owner": "u" * (SHORT_LIMIT + 1), "deadline": "2026-05-01"}).field == "data.owner"


@pytest.mark.parametrize(("field_type", "value"), [
    ("text", 5), ("text", ["a"]), ("username", 12), ("unit_code", {"code": "x"}),
    ("boolean", "true"), ("boolean", 1), ("party_id", "3"), ("party_id", 0), ("party_id", -2), ("party_id", True),
    ("party_id", 2.5), ("case_id", "12"), ("party_ids", []), ("party_ids", 3), ("party_ids", [1, "2"]),
    ("list", "debt"), ("list", [1]), ("list", ["x"] * 51), ("unit_codes", "330324-SJ"),
    ("date", 20260401), ("date", "2026-02-30"), ("date", "tomorrow"), ("datetime", "2026-03-05 25:00"),
    ("datetime", 1700000000), ("datetime", "9999-12-31T23:00:00-05:00"), ("category", "gossip"), ("risk_level", "severe"), ("risk_level", "HIGH"),
])
def test_ill_typed_values_are_refused(field_type: str, value: Any) -> None:
    with pytest.raises(InvalidData) as caught:
        clean_one(value, type=field_type)
    assert caught.value.field.startswith("data.value")


@pytest.mark.parametrize(("field_type", "value", "cleaned"), [
    ("text", " 有话好好说 ", "有话好好说"), ("boolean", True, True), ("party_id", 3, 3), ("case_id", 12, 12),
    ("party_ids", [2, 1], [2, 1]), ("list", [" a "], ["a"]), ("unit_codes", ["330324-SJ"], ["330324-SJ"]),
    ("date", "2026-04-01", "2026-04-01"), ("datetime", "2026-03-05T14:00", "2026-03-05T14:00:00+08:00"),
    ("category", "labour", "labour"), ("risk_level", "critical", "critical"),
])
def test_well_typed_values_are_kept(field_type: str, value: Any, cleaned: Any) -> None:
    assert clean_one(value, type=field_type) == cleaned


def test_unsupported_field_type_is_refused_not_crashed() -> None:
    with pytest.raises(InvalidData):
        clean_one("x", type="colour")


def test_enum_values() -> None:
    assert clean("submit_feedback", {"outcome": "resolved", "summary": "已赔付"})["outcome"] == "resolved"
    error = refused("submit_feedback", {"outcome": "fixed", "summary": "已赔付"})
    assert error.field == "data.outcome"
    assert "resolved" in error.reason and "unresolved" in error.reason
    assert refused("submit_feedback", {"outcome": ["resolved"], "summary": "s"}).field == "data.outcome"


def test_list_with_allowed_values() -> None:
    error = refused("draft_agreement", {"terms": "t", "performance_deadline": "2026-04-01",
                                        "subject_matters": ["debt", "gossip"]})
    assert error.field == "data.subject_matters"
    assert "gossip" in error.reason


def test_dates_are_normalised_and_checked() -> None:
    assert clean("designate_key_case", {"owner": "supervisor1", "deadline": "20260430"})["deadline"] == "2026-04-30"
    error = refused("designate_key_case", {"owner": "supervisor1", "deadline": "30/04/2026"})
    assert error.field == "data.deadline"
    assert "2026-12-31" in error.reason
    assert refused("adjourn", {"next_session_at": "next Tuesday"}).field == "data.next_session_at"


@pytest.mark.parametrize("number", ["(2026)浙0324民特123号", "（2026）浙0324民特7号", "(2025)浙03民特1号"])
def test_ruling_numbers_that_look_right(number: str) -> None:
    assert clean("confirm", {"ruling_number": number}) == {"ruling_number": number}


@pytest.mark.parametrize("number", ["2026浙0324民特123号", "(2026)浙0324民特123", "(26)浙0324民特1号",
                                    "(2026)浙0324民特号", "(2026)号", "ruling 123"])
def test_ruling_numbers_that_do_not(number: str) -> None:
    error = refused("confirm", {"ruling_number": number})
    assert error.field == "data.ruling_number"
    assert "(2026)浙0324民特123号" in error.reason


def test_the_first_bad_field_is_named_with_data_prefix() -> None:
    error = refused("raise_risk", {"risk_level": "extreme", "reason": "r"})
    assert str(error).startswith("data.risk_level: ")


@pytest.mark.parametrize("text", ["噪音\x00扰民", "\x1b[31m红色", "退格\x08", "删除\x7f"])
def test_control_characters_are_refused(text: str) -> None:
    """PostgreSQL cannot store NUL in text and terminals obey escapes: both backends refuse them alike."""
    error = refused("decline", {"reason": text})
    assert error.field == "data.reason"
    assert "control" in error.reason


def test_line_breaks_and_tabs_are_text() -> None:
    assert clean("decline", {"reason": "第一行\n第二行\r\n\t缩进"})["reason"] == "第一行\n第二行\r\n\t缩进"


@pytest.mark.parametrize("value", [2**31, 2**63, 2**70])
def test_ids_beyond_the_database_integer_are_refused(value: int) -> None:
    assert refused("mark_duplicate", {"duplicate_of": value}).field == "data.duplicate_of"
    assert refused("apply_judicial_confirmation", {"court": "330324-FT", "applicants": [1, value]}).field == \
        "data.applicants"


def test_the_largest_id_is_accepted() -> None:
    assert clean("record_consent", {"party_id": 2**31 - 1}) == {"party_id": 2**31 - 1}
