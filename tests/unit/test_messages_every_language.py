"""Every guard refusal and every data rule's reason, rendered in Chinese and in English (DESIGN §9.1).

The Chinese names no code (no Latin word at all: no state, trigger, guard or field code), no database
id and leaves no placeholder unfilled; the English has no Chinese but the parties' names and the
examples a rule quotes; every reason has a stable code of the table, none falls through to "invalid".
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from test_guards import REFUSING, case

from mediation.cases.intake import CaseInput, PartyInput, case_problems
from mediation.control_characters import NUL_REASON
from mediation.errors import InvalidData
from mediation.workflows.definition import FieldSpec, TriggerSpec
from mediation.workflows.guards import GUARDS
from mediation.workflows.loader import current_definition
from mediation.workflows.reasons import REASONS, UNKNOWN, reason_words
from mediation.workflows.refusals import render_refusal
from mediation.workflows.trigger_data import clean_trigger_data

DEFINITION = current_definition()
NAMES = {11: "张三", 12: "李四"}
LATIN = re.compile(r"[A-Za-z]")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
NOW = datetime(2026, 3, 2, 9, 30)
# Chinese the English quotes on purpose: the nationalities' names and the form of a ruling number.
QUOTED_IN_ENGLISH = ("汉族", "维吾尔族", "浙0324民特123号", "永嘉调〔2026〕00123号")


def _rendered(guard: str, fields: dict[str, Any]) -> tuple[str, str, Any]:
    refusal = GUARDS[guard](case(**fields))
    return (render_refusal(DEFINITION, guard, refusal, "zh", NAMES),
            render_refusal(DEFINITION, guard, refusal, "en", NAMES), refusal)


def _assert_chinese(text: str) -> None:
    assert text and not LATIN.search(text), text
    assert "{" not in text and "}" not in text, text


@pytest.mark.parametrize(("guard", "fields", "code"), REFUSING, ids=[code for *_, code in REFUSING])
def test_every_guard_refusal_reads_in_both_languages(guard: str, fields: dict[str, Any], code: str) -> None:
    zh, en, refusal = _rendered(guard, fields)
    _assert_chinese(zh)
    assert not re.search(r"(?<!\d)1[12](?!\d)", zh + en), (zh, en)  # the parties' ids: never shown
    assert "{" not in en and not CJK.search(_without(en, NAMES.values())), en
    for party in refusal.values.get("parties") or refusal.values.get("party_ids") or []:
        assert NAMES[party] in zh and NAMES[party] in en


def test_the_parties_are_named_by_name_in_their_order() -> None:
    zh, en, _ = _rendered("all_parties_consented", {})
    assert (zh, en) == ("当事人张三、李四尚未同意调解", "张三, 李四 have not consented to mediation")
    zh, en, _ = _rendered("not_signed_yet", {"data": {"party_id": 12}, "progress": {"signatures": [12]}})
    assert (zh, en) == ("当事人李四已签名", "李四 has already signed")


def test_labels_dates_and_amounts_in_the_readers_words() -> None:
    zh, en, _ = _rendered("risk_goes_down", {"risk_level": "elevated", "data": {"risk_level": "high"}})
    assert (zh, en) == ("新的风险等级“高”不低于当前的“较高”", "risk High is not below the current Elevated")
    zh, en, _ = _rendered("ladder_exhausted", {"ladder_level": 1})
    assert "社区（村）" in zh and "Community" in en
    zh, en, _ = _rendered("case_file_complete", {"progress": {}})
    assert zh.startswith("卷宗材料不全，尚缺：权利义务告知、调解记录")
    zh, _, _ = _rendered("visits_complete_and_stable", {"progress": {"tracking_since": NOW.isoformat()}})
    assert "2026年3月8日" in zh


def _without(text: str, words: Any) -> str:
    for word in words:
        text = text.replace(word, "")
    return text


# --------------------------------------------------------------------------- data rules

BAD_VALUES: dict[str, list[Any]] = {
    "text": [5, "", "x" * 20001, "a\x01b"],
    "short_text": ["x" * 201],
    "enum": ["nonsense"],
    "category": ["nonsense"],
    "risk_level": ["nonsense"],
    "boolean": ["yes"],
    "party_id": [0, "7"],
    "party_ids": [[], "7"],
    "id": [-1],
    "integer": [-1],
    "date": ["31/12/2026", "2020-01-01"],
    "datetime": ["tomorrow", "2020-01-01T09:00:00"],
    "ruling_number": ["R-123"],
    "id_number": ["123", "330324199013451234", "330324209901011234", "330324199001011230"],
    "phone": ["12"],
    "ethnicity": ["火星族"],
    "sha256": ["ABC"],
    "list": ["one", ["x" * 201], ["a"] * 51],
    "object": ["x", {"nonsense": 1}],
    "objects": ["x", ["x"]],
}


def _reasons_of_trigger_data() -> set[str]:
    """Every reason the trigger data rules give for the bad values of each field of each trigger."""
    found: set[str] = set()
    for trigger in DEFINITION.triggers.values():
        for spec in trigger.fields:
            if spec.required:
                found.add(_refusal_of(trigger, {}))
            for value in BAD_VALUES.get(spec.type, []):
                found.add(_refusal_of(trigger, {spec.name: value}, required_filled=True))
    found.add(_refusal_of(DEFINITION.triggers["triage"], {"nonsense": 1}))
    found.add(_refusal_of(TriggerSpec("t", {}, ("mediator",), (FieldSpec("f", "list", values=("a",)),), (), ()),
                          {"f": ["b"]}))
    return found - {""}


def _refusal_of(trigger: TriggerSpec, data: dict[str, Any], *, required_filled: bool = False) -> str:
    if required_filled:
        filled = {spec.name: _good(spec) for spec in trigger.fields if spec.required and spec.name not in data}
        data = {**filled, **data}
    try:
        clean_trigger_data(trigger, data, DEFINITION.policy, DEFINITION.risk_levels, now=NOW)
    except InvalidData as problem:
        return problem.reason
    return ""


def _good(spec: FieldSpec) -> Any:
    return {"text": "理由", "short_text": "某", "enum": spec.values[0] if spec.values else "x", "party_id": 11,
            "party_ids": [11], "boolean": True, "date": "2026-12-31", "datetime": "2026-12-31T09:00:00",
            "username": "mediator1", "unit_code": "330324", "category": "family",
            "risk_level": "low"}.get(spec.type, "x")


def _reasons_of_intake() -> set[str]:
    party = PartyInput(name="张三", role="applicant")
    cases = [
        CaseInput(title="", description="案情", channel="nonsense", unit="330324", parties=[]),
        CaseInput(title="标题", description="案情", channel="walk_in", unit="330324", category="nonsense",
                  risk_level="nonsense", parties=[party] * 51),
        CaseInput(title="标题", description="案情", channel="walk_in", unit="330324", parties=[
            PartyInput(name="张三", role="applicant", id_number="11010519491231002X", phone="1"),
            PartyInput(name="李四", role="nobody", id_number="11010519491231002X", is_minor="no"),
            PartyInput(name="张三", role="respondent")]),
        CaseInput(title="标题", description="案情", channel="walk_in", unit="330324", parties=[
            PartyInput(name="张三", role="applicant", id_number="11010519491231002X"),
            PartyInput(name="张三丰", role="respondent", id_number="11010519491231002X")]),
        CaseInput(title="标题", description="案情", channel="walk_in", unit="330324", parties=[party],
                  referred_by="350722-LM"),  # only a referral_in case names the unit that referred it
    ]
    return {problem.reason for one in cases
            for problem in case_problems(one, DEFINITION.policy, DEFINITION.risk_levels, now=NOW)}


# What the engine's look-ups, intake's unit and duplicate checks and the upload say (they need the database
# or a request; their words are the table's all the same).
LOOKUP_REASONS = {
    NUL_REASON, "is empty",  # a NUL in a posted form; an empty file
    "no active user 'nobody'", "user 'grid1' holds none of the roles ['mediator']", "no unit '999'",
    "unit '330324' is a county, not a court", "parties [99] are not parties to this case",
    "party 99 is not a party to this case", "no case 12345", "unit '330324002' is outside your jurisdiction",
    "case 永嘉调〔2026〕00123号 is already present", "must be at most 200 characters",
    "the same title, description and parties as case 永嘉调〔2026〕00123号, which is already present",
    "the file name must not contain control characters", "attachments are added through /attachments",
    "unknown value '42'; must be one of ['open']", "must be between 1 and 200", "must be 1 or more",
    "must be on or before 'to' (2026-03-02 > 2026-03-01)",
}
ALL_REASONS = sorted(_reasons_of_trigger_data() | _reasons_of_intake() | LOOKUP_REASONS)


@pytest.mark.parametrize("reason", ALL_REASONS)
def test_every_data_rule_reads_in_both_languages(reason: str) -> None:
    code, zh = reason_words(reason)
    assert code != UNKNOWN, reason
    _assert_chinese(zh)
    assert not CJK.search(_without(reason, QUOTED_IN_ENGLISH)), reason


def test_the_rules_give_many_reasons_and_each_code_is_one_row() -> None:
    exercised = {reason_words(reason)[0] for reason in ALL_REASONS}
    assert {row.code for row in REASONS} - exercised == {"not_a_count", "sha256_format", "unsupported_type"}
    assert len({row.code for row in REASONS}) == len(REASONS)
    assert reason_words("longer than 200 characters") == ("too_long", "超过长度上限（200个字）")
