"""How the papers word what events hold, without a database: the outcome told to the complainant
(`report_outcome`, issue 14), terms one by one, codes as the workflow's words, numbers masked."""

from __future__ import annotations

from datetime import datetime

import pytest

from mediation.documents._history import term_items
from mediation.documents._names import Names, event_details
from mediation.documents._records import outcome_report, participants, rights_notices
from mediation.documents._volume import numeral
from mediation.workflows.loader import current_definition

AT = datetime(2026, 3, 2, 1, 30)  # stored UTC: 09:30 in Beijing


def names(masked: bool = False, lang: str = "zh") -> Names:
    return Names(lang, current_definition(), {"mediator1": "林调解"}, {}, {7: "王某某", 8: "李某某"}, masked=masked)


def event(trigger: str, data: dict, actor: str = "mediator1") -> dict:
    return {"seq": 1, "trigger": trigger, "actor": actor, "at": AT, "from_state": "x", "to_state": "x",
            "data": data, "reason": None, "hash": "0" * 64}


def test_the_latest_outcome_report_is_the_one_printed() -> None:
    events = [event("report_outcome", {"party_id": 7, "method": "phone", "summary": "已电话告知调解结果。"}),
              event("report_outcome", {"party_id": 7, "method": "visit", "summary": "上门告知，当事人表示满意。"})]
    report = outcome_report(names(), events)
    assert report == {"party": "王某某", "method": "上门", "summary": "上门告知，当事人表示满意。",
                      "at": "2026年03月02日 09:30", "by": "林调解"}
    assert outcome_report(names(), []) is None


def test_rights_notices_and_participants_in_words() -> None:
    events = [event("notify_rights", {"party_id": 7, "method": "in_person"}),
              event("add_participant", {"name": "阿依古丽", "role": "interpreter", "language": "维吾尔语"})]
    assert rights_notices(names(), events) == {7: {"method": "当面告知", "at": "2026年03月02日 09:30", "by": "林调解"}}
    assert participants(names(), events) == [{"name": "阿依古丽", "role": "翻译人员", "role_code": "interpreter",
                                              "details": "维吾尔语"}]


@pytest.mark.parametrize(("terms", "items"), [
    ("一、甲付款三千元；二、乙赔礼道歉。", ["一、甲付款三千元；", "二、乙赔礼道歉。"]),
    ("1. 付款\n2. 道歉", ["1. 付款", "2. 道歉"]),
    ("双方当场和解，互不追究。", ["双方当场和解，互不追究。"]),
    ("甲于2026-07-01前付款3.5万元。", ["甲于2026-07-01前付款3.5万元。"]),
])
def test_terms_are_printed_one_by_one(terms: str, items: list[str]) -> None:
    assert term_items(terms) == items


def test_a_correction_prints_old_values_masked_for_a_masked_reader() -> None:
    correction = event("correct_party", {"party_id": 7, "phone": "13912345678",
                                         "address": "浙江省温州市永嘉县江北路18号", "reason": "更正联系电话。",
                                         "previous": {"phone": "13812345678", "gender": "male"}})
    correction["reason"] = "更正联系电话。"
    masked = event_details(names(masked=True), correction)
    assert "139****5678" in masked and "138****5678" in masked and "13812345678" not in masked
    assert "江北路" not in masked and "原内容" in masked and "性别：男" in masked
    clear = event_details(names(), correction)
    assert "13812345678" in clear and "浙江省温州市永嘉县江北路18号" in clear


def test_an_identity_document_is_not_named_to_a_masked_reader() -> None:
    attached = event("attach", {"kind": "id_document", "attachment_id": 3, "file_name": "身份证.jpeg",
                                "content_type": "image/jpeg", "size_bytes": 2048, "sha256": "a" * 64})
    assert "身份证.jpeg" not in event_details(names(masked=True), attached)
    shown = event_details(names(), attached)
    assert "身份证.jpeg" in shown and "2.0 KB" in shown and "image/jpeg" not in shown
    assert "3" not in shown  # the attachment's database id is storage, not the record


def test_papers_are_numbered_in_chinese_and_in_english() -> None:
    assert [numeral(n, "zh") for n in (1, 9, 10, 11, 12)] == ["一、", "九、", "十、", "十一、", "十二、"]
    assert numeral(3, "en") == "3. "
