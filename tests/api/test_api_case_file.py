"""The case file over HTTP (DESIGN §9.2): each new trigger, its refusals naming the field, old values kept in
the event, particulars at intake, addresses masked for a reader who may not see them, the closing gate.

A refused request changes nothing: the case's version stays where it was.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_support import Api, assert_error

pytestmark = pytest.mark.usefixtures("no_server_errors")

ADDRESS = "永嘉县瓯北街道锦绣花园3幢201室"
ADDRESS_MASKED = "永嘉县瓯北街****"


def _fire(api: Api, case_id: int, trigger: str, data: dict[str, Any], user: str = "mediator1") -> httpx.Response:
    return api.as_user(user).post(f"/api/v1/cases/{case_id}/transitions",
                                  json={"trigger": trigger, "expected_version": api.version(case_id), "data": data})


def _parties(api: Api, case_id: int, user: str = "mediator1") -> list[dict[str, Any]]:
    return api.as_user(user).get(f"/api/v1/cases/{case_id}").json()["parties"]


def _events(api: Api, case_id: int, user: str = "mediator1") -> list[dict[str, Any]]:
    return api.as_user(user).get(f"/api/v1/cases/{case_id}/events").json()


def _refused(api: Api, case_id: int, trigger: str, data: dict[str, Any], status: int) -> dict[str, Any]:
    version = api.version(case_id)
    body = assert_error(_fire(api, case_id, trigger, data), status)
    assert api.version(case_id) == version
    return body


# ------------------------------------------------------------------ records

SESSION = {"held_at": "2026-03-02T09:30", "place": "江北社区人民调解委员会调解室", "outcome": "partial",
           "participants": [{"name": "王某某", "role": "申请人"}], "findings": "双方对事实无争议。"}


def test_a_session_record_keeps_statements_and_counts_in_progress(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    first, second = (party["id"] for party in _parties(api, case_id))
    statements = [{"party_id": first, "text": "要求赔偿三千元"}, {"party_id": second, "text": "只同意赔偿一千元"}]
    answer = _fire(api, case_id, "record_session", {**SESSION, "statements": statements})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["state"], answer.json()["progress"]["session_records"]) == ("mediation.in_session", 1)
    event = _events(api, case_id)[-1]
    assert event["trigger"] == "record_session"
    assert event["data"]["statements"] == statements and event["data"]["held_at"] == "2026-03-02T09:30:00+08:00"


@pytest.mark.parametrize(("change", "field"), [
    ({"held_at": None}, "data.held_at"),
    ({"held_at": "2099-01-01T09:00"}, "data.held_at"),
    ({"held_at": "昨天"}, "data.held_at"),
    ({"place": "  "}, "data.place"),
    ({"outcome": "won"}, "data.outcome"),
    ({"participants": [{"name": "王某某"}]}, "data.participants[0].role"),
    ({"participants": [{"name": "王某某", "role": "申请人", "age": 40}]}, "data.participants[0].age"),
    ({"participants": "王某某"}, "data.participants"),
    ({"statements": [{"party_id": 2_000_000_000, "text": "x"}]}, "data.statements[0].party_id"),
    ({"statements": [{"party_id": "one", "text": "x"}]}, "data.statements[0].party_id"),
])
def test_a_wrong_session_record_is_refused_naming_the_field(api: Api, change: dict[str, Any], field: str) -> None:
    case_id = api.new_case("mediation.in_session")
    data = {key: value for key, value in {**SESSION, **change}.items() if value is not None}
    body = _refused(api, case_id, "record_session", data, 422)
    assert body["extra"]["field"] == field, body


def test_an_investigation_and_a_note_are_recorded_and_a_note_goes_on_a_closed_case(api: Api) -> None:
    case_id = api.new_case("screening.triaged")
    investigation = {"held_at": "2026-03-01T15:00", "interviewee": "物业经理", "content": "物业确认装修时段。"}
    assert _fire(api, case_id, "record_investigation", investigation).json()["progress"]["investigation_records"] == 1
    assert_error(_fire(api, case_id, "record_investigation", {**investigation, "content": ""}), 422)
    closed = api.new_case("closed.not_accepted")
    assert _fire(api, closed, "add_note", {"text": "当事人来电，已解释不予受理的理由。"}).status_code == 200
    assert _events(api, closed)[-1]["data"] == {"text": "当事人来电，已解释不予受理的理由。"}
    assert _refused(api, closed, "add_note", {}, 422)["extra"]["field"] == "data.text"
    assert _refused(api, closed, "record_investigation", investigation, 409)["extra"]["state"] == "closed.not_accepted"


def test_attach_is_not_fired_through_transitions(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    body = _refused(api, case_id, "attach", {"kind": "photo", "attachment_id": 1}, 422)
    assert "/attachments" in body["detail"]


# ------------------------------------------------------------------ corrections

def test_correct_facts_changes_the_case_and_keeps_the_old_values_in_the_event(api: Api) -> None:
    case_id = api.new_case("screening.triaged")
    before = api.as_user("mediator1").get(f"/api/v1/cases/{case_id}").json()
    answer = _fire(api, case_id, "correct_facts", {"title": "楼上装修噪音纠纷（更正）", "category": "property_management",
                                                    "reason": "受理时纠纷类型登记有误"})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["title"], answer.json()["category"]) == ("楼上装修噪音纠纷（更正）", "property_management")
    assert answer.json()["description"] == before["description"]
    event = _events(api, case_id)[-1]
    assert event["data"]["previous"] == {"title": before["title"], "category": before["category"]}
    assert event["reason"] == "受理时纠纷类型登记有误"


@pytest.mark.parametrize(("data", "status", "field"), [
    ({"title": "新标题"}, 422, "data.reason"),
    ({"reason": "笔误"}, 422, None),  # nothing to correct: the guard's refusal
    ({"category": "quarrel", "reason": "笔误"}, 422, "data.category"),
    ({"title": "x" * 201, "reason": "笔误"}, 422, "data.title"),
])
def test_a_wrong_correction_of_the_facts_is_refused(api: Api, data: dict[str, Any], status: int,
                                                    field: str | None) -> None:
    case_id = api.new_case("screening.triaged")
    body = _refused(api, case_id, "correct_facts", data, status)
    if field is None:
        assert body["extra"]["code"] == "nothing_to_correct" and body["extra"]["reasons"]["zh"]
    else:
        assert body["extra"]["field"] == field


def test_a_party_added_and_corrected_shows_its_particulars_and_the_event_keeps_the_old_ones(api: Api) -> None:
    case_id = api.new_case("mediation.assigned")
    added = _fire(api, case_id, "add_party", {
        "name": "永嘉县某某建材有限公司", "role": "third_party", "phone": "0577-67212345",
        "address": ADDRESS, "organisation": {"name": "永嘉县某某建材有限公司", "legal_representative": "陈某某"},
        "reason": "调查发现建材公司为装修施工方"})
    assert added.status_code == 200, added.text
    party = _parties(api, case_id)[-1]
    assert party["organisation"] == {"name": "永嘉县某某建材有限公司", "legal_representative": "陈某某"}
    assert (party["role"], party["address"]) == ("third_party", ADDRESS)
    assert _events(api, case_id)[-1]["data"]["party_id"] == party["id"]
    corrected = _fire(api, case_id, "correct_party", {"party_id": party["id"], "address": "瓯北街道江北路8号",
                                                      "reason": "营业执照地址为准"})
    assert corrected.status_code == 200, corrected.text
    assert _parties(api, case_id)[-1]["address"] == "瓯北街道江北路8号"
    assert _events(api, case_id)[-1]["data"]["previous"] == {"address": ADDRESS}


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "王五", "role": "witness", "reason": "r"}, "data.role"),
    ({"name": "王五", "role": "third_party", "ethnicity": "火星族", "reason": "r"}, "data.ethnicity"),
    ({"name": "王五", "role": "third_party", "gender": "x", "reason": "r"}, "data.gender"),
    ({"name": "王五", "role": "third_party", "birth_date": "2099-01-01", "reason": "r"}, "data.birth_date"),
    ({"name": "王五", "role": "third_party", "id_number": "330324199001031235", "reason": "r"}, "data.id_number"),
    ({"name": "王五", "role": "third_party", "phone": "12345", "reason": "r"}, "data.phone"),
    ({"name": "王五", "role": "third_party", "organisation": {"legal_representative": "陈"}, "reason": "r"},
     "data.organisation.name"),
    ({"name": "王五", "role": "third_party"}, "data.reason"),
    ({"role": "third_party", "reason": "r"}, "data.name"),
])
def test_a_wrong_new_party_is_refused_naming_the_field(api: Api, data: dict[str, Any], field: str) -> None:
    case_id = api.new_case("mediation.assigned")
    parties = len(_parties(api, case_id))
    assert _refused(api, case_id, "add_party", data, 422)["extra"]["field"] == field
    assert len(_parties(api, case_id)) == parties


def test_a_correction_of_someone_not_a_party_or_of_nothing_is_refused(api: Api) -> None:
    case_id = api.new_case("mediation.assigned")
    stranger = _refused(api, case_id, "correct_party", {"party_id": 2_000_000_000, "phone": "13800001111",
                                                        "reason": "r"}, 422)
    assert stranger["extra"]["field"] == "data.party_id"
    party_id = _parties(api, case_id)[0]["id"]
    nothing = _refused(api, case_id, "correct_party", {"party_id": party_id, "reason": "r"}, 422)
    assert nothing["extra"]["code"] == "nothing_to_correct"


# ------------------------------------------------------------------ particulars and masking

def _intake_body(api: Api, **party: Any) -> dict[str, Any]:
    return {"title": "房屋租赁纠纷", "description": "承租人拖欠房租。", "channel": "walk_in", "unit": api.county.grid,
            "category": "contract", "parties": [{"name": "张建国", "role": "applicant"},
                                                {"name": "艾力·买买提", "role": "respondent", **party}]}


def test_intake_takes_the_particulars_and_masks_the_address_for_a_grid_worker(api: Api) -> None:
    particulars = {"gender": "male", "ethnicity": "维吾尔族", "birth_date": "1988-05-02", "occupation": "个体工商户",
                   "address": ADDRESS, "language": "维吾尔语", "needs_interpreter": True}
    answer = api.as_user("mediator1").post("/api/v1/cases", json=_intake_body(api, **particulars))
    assert answer.status_code == 201, answer.text
    case_id = answer.json()["id"]
    assert answer.json()["progress"]["interpreter_needed"] == [answer.json()["parties"][1]["id"]]
    seen_by_supervisor = _parties(api, case_id, "supervisor1")[1]
    assert {key: seen_by_supervisor[key] for key in particulars} == particulars
    seen_by_grid_worker = _parties(api, case_id, "grid1")[1]
    assert seen_by_grid_worker["address"] == ADDRESS_MASKED and seen_by_grid_worker["ethnicity"] == "维吾尔族"


def test_an_address_in_the_event_trail_is_masked_for_a_reader_who_may_not_see_it(api: Api) -> None:
    case_id = api.new_case("mediation.assigned")
    party_id = _parties(api, case_id)[1]["id"]
    assert _fire(api, case_id, "correct_party", {"party_id": party_id, "address": ADDRESS, "phone": "13905770000",
                                                 "reason": "补充住址"}).status_code == 200
    assert _events(api, case_id, "mediator1")[-1]["data"]["address"] == ADDRESS
    masked = _events(api, case_id, "grid1")[-1]["data"]
    assert (masked["address"], masked["phone"]) == (ADDRESS_MASKED, "139****0000")
    assert ADDRESS not in api.as_user("grid1").get(f"/api/v1/cases/{case_id}/events").text


@pytest.mark.parametrize(("party", "status", "key"), [
    ({"ethnicity": "火星族"}, 422, "parties[1].ethnicity"),
    ({"birth_date": "2099-01-01"}, 422, "parties[1].birth_date"),
    ({"gender": "unknown"}, 400, "parties[1].gender"),
    ({"needs_interpreter": "yes"}, 400, "parties[1].needs_interpreter"),
    ({"organisation": {"legal_representative": "陈某某"}}, 400, "parties[1].organisation"),
])
def test_intake_refuses_wrong_particulars_naming_the_field(api: Api, party: dict[str, Any], status: int,
                                                           key: str) -> None:
    cases = api.case_count()
    body = assert_error(api.as_user("mediator1").post("/api/v1/cases", json=_intake_body(api, **party)), status)
    named = body["extra"]["field"] if status == 422 else body["extra"][0]["key"]
    assert named.startswith(key), body
    assert api.case_count() == cases


# ------------------------------------------------------------------ rights, interpreter and the closing gate

def test_start_session_waits_for_the_rights_notice_and_an_interpreter(api: Api) -> None:
    answer = api.as_user("mediator1").post("/api/v1/cases", json=_intake_body(api, language="维吾尔语",
                                                                             needs_interpreter=True))
    case_id = answer.json()["id"]
    parties = [party["id"] for party in answer.json()["parties"]]
    assert _fire(api, case_id, "triage", {"risk_level": "low"}).status_code == 200
    assert _fire(api, case_id, "assign_mediator", {"mediator": "mediator1", "mechanism": "joint",
                                                   "resolver": "grassroots"}).status_code == 200
    for party_id in parties:
        assert _fire(api, case_id, "record_consent", {"party_id": party_id}).status_code == 200
    rights = _refused(api, case_id, "start_session", {}, 422)
    assert (rights["extra"]["code"], rights["extra"]["party_ids"]) == ("rights_notice_missing", parties)
    assert "权利义务告知" in rights["extra"]["reasons"]["zh"]
    for party_id in parties:
        assert _fire(api, case_id, "notify_rights", {"party_id": party_id, "method": "written"}).status_code == 200
    assert _refused(api, case_id, "notify_rights", {"party_id": parties[0], "method": "email"}, 422)["extra"][
        "field"] == "data.method"
    interpreter = _refused(api, case_id, "start_session", {}, 422)
    assert interpreter["extra"]["code"] == "interpreter_missing" and "翻译" in interpreter["extra"]["reasons"]["zh"]
    assert _refused(api, case_id, "add_participant", {"name": "阿依古丽", "role": "translator"}, 422)["extra"][
        "field"] == "data.role"
    assert _fire(api, case_id, "add_participant", {"name": "阿依古丽", "role": "interpreter",
                                                   "language": "维吾尔语"}).status_code == 200
    started = _fire(api, case_id, "start_session", {})
    assert started.status_code == 200 and started.json()["state"] == "mediation.in_session"
    assert started.json()["progress"]["participants"] == [
        {"name": "阿依古丽", "role": "interpreter", "language": "维吾尔语"}]


def test_verify_closure_names_what_the_case_file_lacks(api: Api) -> None:
    case_id = api.new_case("follow_up.tracking", route=(
        "triage", "mediate_on_scene", "record_oral_agreement", "record_return_visit", "record_return_visit"))
    body = _refused(api, case_id, "verify_closure", {}, 422)
    assert body["extra"]["code"] == "closure_items_missing"
    assert body["extra"]["missing"] == ["rights_notice", "session_record"]
    assert body["extra"]["reasons"]["zh"] == "卷宗材料不全，尚缺：权利义务告知、调解记录"
    assert "session record" in body["detail"]
