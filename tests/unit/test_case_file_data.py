"""The case file's data types (DESIGN §9.2), checked without a database: objects and lists of objects,
a party's particulars, times that must not lie ahead, and the masking of addresses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from mediation.cases.masking import mask_address, masked_data
from mediation.errors import InvalidData
from mediation.workflows.definition import FieldSpec, TriggerSpec
from mediation.workflows.loader import current_definition
from mediation.workflows.particulars import ETHNICITIES, PARTICULAR_FIELDS
from mediation.workflows.trigger_data import clean_fields, clean_trigger_data

DEFINITION = current_definition()
POLICY = DEFINITION.policy
NOW = datetime(2026, 3, 2, 2, 0)  # 10:00 China time


def clean(trigger: str, data: Any) -> dict[str, Any]:
    return clean_trigger_data(DEFINITION.triggers[trigger], data, POLICY, DEFINITION.risk_levels, now=NOW)


def refused_field(trigger: str, data: Any) -> str:
    with pytest.raises(InvalidData) as caught:
        clean(trigger, data)
    return caught.value.field


SESSION = {"held_at": "2026-03-02T09:30", "place": " 调解室 ", "outcome": "agreed"}


def test_a_session_record_takes_lists_of_objects_trimmed() -> None:
    cleaned = clean("record_session", {**SESSION, "participants": [{"name": " 王某 ", "role": "申请人"}],
                                       "statements": [{"party_id": 11, "text": " 要求赔偿 "}]})
    assert cleaned == {"held_at": "2026-03-02T09:30:00+08:00", "place": "调解室", "outcome": "agreed",
                       "participants": [{"name": "王某", "role": "申请人"}],
                       "statements": [{"party_id": 11, "text": "要求赔偿"}]}


@pytest.mark.parametrize(("change", "field"), [
    ({"held_at": "2026-03-02T10:30"}, "data.held_at"),  # half an hour ahead of now (China time)
    ({"statements": {"party_id": 11}}, "data.statements"),
    ({"statements": [{"party_id": 11}]}, "data.statements[0].text"),
    ({"statements": [{"party_id": True, "text": "x"}]}, "data.statements[0].party_id"),
    ({"statements": [["x"]]}, "data.statements[0]"),
    ({"statements": [{"party_id": 11, "text": "x"}] * 51}, "data.statements"),
    ({"participants": [{"name": "王某", "role": "r", "x": 1}]}, "data.participants[0].x"),
    ({"outcome": "agreed\x00"}, "data.outcome"),
])
def test_a_wrong_session_record_names_the_field(change: dict[str, Any], field: str) -> None:
    assert refused_field("record_session", {**SESSION, **change}) == field


def test_a_session_held_a_few_minutes_ahead_of_the_server_clock_is_taken() -> None:
    assert clean("record_session", {**SESSION, "held_at": "2026-03-02T10:05"})["held_at"].startswith("2026-03-02T10:05")


PARTY = {"name": "艾力·买买提", "role": "respondent", "reason": "追加"}


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("ethnicity", "维吾尔族", "维吾尔族"),
    ("gender", "female", "female"),
    ("birth_date", "1988-05-02", "1988-05-02"),
    ("id_number", "11010519491231002x", "11010519491231002X"),
    ("phone", "0577-67212345", "0577-67212345"),
    ("organisation", {"name": " 某某公司 ", "legal_representative": "陈某"}, {"name": "某某公司",
                                                                          "legal_representative": "陈某"}),
    ("needs_interpreter", True, True),
])
def test_a_party_takes_its_particulars(field: str, value: Any, expected: Any) -> None:
    assert clean("add_party", {**PARTY, field: value})[field] == expected


@pytest.mark.parametrize(("field", "value"), [
    ("ethnicity", "汉"), ("ethnicity", "Uyghur"), ("gender", "男"), ("birth_date", "2026-03-03"),
    ("birth_date", "1988-02-30"), ("id_number", "110105194912310021"), ("phone", "1380000"),
    ("organisation", "某某公司"), ("organisation", {"name": ""}), ("needs_interpreter", "yes"),
])
def test_a_wrong_particular_is_refused_naming_it(field: str, value: Any) -> None:
    assert refused_field("add_party", {**PARTY, field: value}).startswith(f"data.{field}")


def test_the_56_nationalities_by_name() -> None:
    assert len(set(ETHNICITIES)) == 56 and {"汉族", "维吾尔族", "畲族", "基诺族"} <= set(ETHNICITIES)
    assert all(name.endswith("族") for name in ETHNICITIES)


def test_intake_particulars_are_named_under_the_party() -> None:
    with pytest.raises(InvalidData) as caught:
        clean_fields(PARTICULAR_FIELDS, {"organisation": {"legal_representative": "陈"}}, POLICY, now=NOW,
                     where="parties[1]")
    assert caught.value.field == "parties[1].organisation.name"
    assert clean_fields(PARTICULAR_FIELDS, {"language": " 维吾尔语 "}, POLICY, now=NOW, where="p") == {
        "language": "维吾尔语"}


def test_an_object_field_needs_its_fields_and_a_type_it_knows() -> None:
    probe = TriggerSpec(name="probe", labels={}, roles=("mediator",), effects=(), transitions=(), fields=(
        FieldSpec("box", "object", fields=(FieldSpec("n", "integer", required=True),)),))
    assert clean_trigger_data(probe, {"box": {"n": 0}}, POLICY, ()) == {"box": {"n": 0}}
    with pytest.raises(InvalidData) as caught:
        clean_trigger_data(probe, {"box": {"n": -1}}, POLICY, ())
    assert caught.value.field == "data.box.n"


def test_every_case_file_trigger_keeps_the_state_and_add_note_and_attach_reach_closed_cases() -> None:
    for name in ("attach", "record_session", "record_investigation", "add_note", "correct_facts", "add_party",
                 "correct_party", "add_participant", "notify_rights", "report_outcome"):
        trigger = DEFINITION.triggers[name]
        assert all(spec.dest is None for spec in trigger.transitions), name
        assert set(DEFINITION.open_states) <= set(trigger.sources), name
        closed = set(DEFINITION.closed_states) & set(trigger.sources)
        assert closed == (set(DEFINITION.closed_states) if name in ("attach", "add_note") else set()), name
        assert trigger.labels["zh"] and trigger.labels["en"], name
    assert DEFINITION.triggers["attach"].via == "attachments"
    assert POLICY["attachments"]["max_bytes"] == 20 * 1024 * 1024


@pytest.mark.parametrize(("address", "masked"), [
    ("永嘉县瓯北街道锦绣花园3幢201室", "永嘉县瓯北街****"), ("瓯北街道", "瓯北****"), ("", ""), (None, None),
])
def test_an_address_is_masked_like_a_phone_number(address: str | None, masked: str | None) -> None:
    assert mask_address(address) == masked


def test_event_data_is_masked_in_it_and_in_the_values_it_replaced() -> None:
    data = {"party_id": 3, "address": "永嘉县瓯北街道锦绣花园3幢201室", "reason": "补充",
            "previous": {"phone": "13812345678", "id_number": "330324199001031234", "address": None}}
    assert masked_data(data) == {"party_id": 3, "address": "永嘉县瓯北街****", "reason": "补充",
                                 "previous": {"phone": "138****5678", "id_number": "330324********1234",
                                              "address": None}}
    plain = {"text": "备注"}
    assert masked_data(plain) is plain


@pytest.mark.parametrize(("field", "limit"), [("name", 100), ("occupation", 100), ("language", 40)])
def test_a_party_field_is_no_longer_than_its_column(field: str, limit: int) -> None:
    assert clean("add_party", {**PARTY, field: "字" * limit})[field] == "字" * limit
    assert refused_field("add_party", {**PARTY, field: "字" * (limit + 1)}) == f"data.{field}"
