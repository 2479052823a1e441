"""Weak checks made strict, from outside (issue 11 item 8, DESIGN §9.1 and §9.9), on a real server.

- An unknown filter value is 400 naming the parameter and the value, never an empty 200.
- ID numbers are checked at intake (18 characters, birth date, GB 11643 check character), and one
  person cannot be applicant and respondent of one case.
- The next session, the performance deadline and a key case's order deadline are refused in the past.
Every refusal changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from api_support import Api, assert_error

from mediation.workflows.loader import current_definition

pytestmark = pytest.mark.usefixtures("no_server_errors")

CHINA = timezone(timedelta(hours=8))
APPLICANT = {"name": "王某某", "role": "applicant", "id_number": "330324199001031234", "phone": "13812345678"}
RESPONDENT = {"name": "李某某", "role": "respondent"}
INTAKE: dict[str, Any] = {
    "title": "楼上装修噪音扰民纠纷", "description": "网格员排查发现居民反映夜间装修噪音。", "channel": "grid_screening",
    "unit": "330324001001-G1", "category": "neighbour", "parties": [APPLICANT, RESPONDENT],
}


def _extra_and_detail(body: dict[str, Any]) -> str:
    return body["detail"] + json.dumps(body["extra"], ensure_ascii=False)


# --------------------------------------------------------------------------- unknown filter values


@pytest.mark.parametrize(("parameter", "value"), [
    ("state", "nope"), ("state", "screening"), ("stage", "nope"), ("stage", "screening.reported"),
    ("channel", "carrier_pigeon"), ("category", "gossip"), ("risk_level", "HIGH"), ("unit", "NOPE"),
])
def test_an_unknown_case_filter_value_is_400_naming_the_parameter_and_the_value(
        api: Api, parameter: str, value: str) -> None:
    response = api.as_user("supervisor1").get("/api/v1/cases", params={parameter: value})
    body = assert_error(response, 400)
    assert body["extra"]["field"] == parameter and body["extra"]["value"] == value, body
    assert parameter in body["detail"] and value in body["detail"], body


def test_known_filter_values_still_filter(api: Api) -> None:
    client = api.as_user("supervisor1")
    for params in ({"state": "mediation.in_session"}, {"stage": "mediation"}, {"channel": "grid_screening"},
                   {"category": "neighbour"}, {"risk_level": "low"}, {"unit": api.county.grid}):
        response = client.get("/api/v1/cases", params=params)
        assert response.status_code == 200, (params, response.text)
        items = response.json()["items"]
        assert items, params
        for name, value in params.items():
            if name != "unit":
                assert all(item[name] == value for item in items), (params, items)


def test_the_openapi_document_lists_the_values_each_filter_takes(api: Api) -> None:
    document = api.anonymous().get("/schema/openapi.json").json()
    parameters = {p["name"]: p["schema"] for p in document["paths"]["/api/v1/cases"]["get"]["parameters"]}
    definition = current_definition()
    assert parameters["state"]["enum"] == list(definition.states)
    assert parameters["stage"]["enum"] == list(definition.stage_labels)
    assert parameters["channel"]["enum"] == list(definition.policy["channels"])
    assert parameters["category"]["enum"] == list(definition.policy["categories"])
    assert parameters["risk_level"]["enum"] == list(definition.risk_levels)


@pytest.mark.parametrize("parameter", ["overdue", "due_soon"])
def test_an_order_filter_that_is_not_true_or_false_is_400_naming_it(api: Api, parameter: str) -> None:
    body = assert_error(api.as_user("supervisor1").get("/api/v1/orders", params={parameter: "maybe"}), 400)
    assert parameter in _extra_and_detail(body) and "maybe" in _extra_and_detail(body), body
    assert api.as_user("supervisor1").get("/api/v1/orders", params={parameter: "true"}).status_code == 200


# --------------------------------------------------------------------------- ID numbers and one person


@pytest.fixture
def no_new_case(api: Api) -> Iterator[None]:
    before = api.case_count()
    yield
    assert api.case_count() == before


@pytest.mark.usefixtures("no_new_case")
@pytest.mark.parametrize(("id_number", "reason"), [
    ("330324198013411234", "birth date"),  # month 13: the example
    ("330324199001011234", "check digit"),  # the right check character is 3
    ("330324209901011230", "future"),
])
def test_intake_refuses_an_id_number_that_cannot_be(api: Api, id_number: str, reason: str) -> None:
    parties = [{**APPLICANT, "id_number": id_number}, RESPONDENT]
    body = assert_error(api.as_user("grid1").post("/api/v1/cases", json={**INTAKE, "parties": parties}), 422)
    assert body["extra"]["field"] == "parties[0].id_number" and reason in body["extra"]["reason"], body


@pytest.mark.usefixtures("no_new_case")
def test_an_id_number_of_the_wrong_shape_is_refused_by_the_schema(api: Api) -> None:
    parties = [{**APPLICANT, "id_number": "33032419900103123"}, RESPONDENT]
    body = assert_error(api.as_user("grid1").post("/api/v1/cases", json={**INTAKE, "parties": parties}), 400)
    assert "parties[0].id_number" in _extra_and_detail(body), body


@pytest.mark.usefixtures("no_new_case")
def test_intake_refuses_one_person_as_applicant_and_respondent(api: Api) -> None:
    client = api.as_user("grid1")
    same_number = [APPLICANT, {**RESPONDENT, "id_number": APPLICANT["id_number"]}]
    body = assert_error(client.post("/api/v1/cases", json={**INTAKE, "parties": same_number}), 422)
    assert body["extra"]["field"] == "parties[1].id_number", body
    same_name = [{"name": "王某某", "role": "applicant"}, {"name": "王某某", "role": "respondent"}]
    body = assert_error(client.post("/api/v1/cases", json={**INTAKE, "parties": same_name}), 422)
    assert body["extra"]["field"] == "parties[1].name", body


def test_two_people_of_one_name_are_told_apart_by_their_id_numbers(api: Api) -> None:
    parties = [APPLICANT, {**RESPONDENT, "name": APPLICANT["name"], "id_number": "330324198805281234"}]
    response = api.as_user("grid1").post("/api/v1/cases", json={**INTAKE, "parties": parties})
    assert response.status_code == 201, response.text
    assert [p["name"] for p in response.json()["parties"]] == ["王某某", "王某某"]


# --------------------------------------------------------------------------- dates that must lie ahead


def _fire(api: Api, case_id: int, trigger: str, data: dict[str, Any], user: str = "mediator1"):
    body = {"trigger": trigger, "expected_version": api.version(case_id), "data": data}
    return api.as_user(user).post(f"/api/v1/cases/{case_id}/transitions", json=body)


def _refused_and_unchanged(api: Api, case_id: int, trigger: str, data: dict[str, Any], field: str,
                           user: str = "mediator1") -> None:
    before = (api.version(case_id), api.event_count(case_id))
    body = assert_error(_fire(api, case_id, trigger, data, user), 422)
    assert body["extra"]["field"] == f"data.{field}", body
    assert (api.version(case_id), api.event_count(case_id)) == before


def test_a_next_session_in_the_past_is_refused(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    for past in ("1999-05-01T09:30", (datetime.now(CHINA) - timedelta(minutes=5)).isoformat(timespec="minutes")):
        _refused_and_unchanged(api, case_id, "adjourn", {"next_session_at": past, "reason": "改期"}, "next_session_at")
    ahead = (datetime.now(CHINA) + timedelta(days=2)).replace(hour=9, minute=30, second=0, microsecond=0)
    response = _fire(api, case_id, "adjourn", {"next_session_at": ahead.strftime("%Y-%m-%dT%H:%M"), "reason": "改期"})
    assert response.status_code == 200, response.text
    events = api.as_user("mediator1").get(f"/api/v1/cases/{case_id}/events").json()
    assert events[-1]["data"]["next_session_at"] == ahead.isoformat()  # China time, with its offset


def test_a_performance_deadline_in_the_past_is_refused(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    yesterday = (datetime.now(CHINA) - timedelta(days=1)).date().isoformat()
    for past in ("2001-06-30", yesterday):
        _refused_and_unchanged(api, case_id, "draft_agreement", {"terms": "赔偿三千元", "performance_deadline": past},
                               "performance_deadline")
    today = datetime.now(CHINA).date().isoformat()
    response = _fire(api, case_id, "draft_agreement", {"terms": "赔偿三千元", "performance_deadline": today})
    assert response.status_code == 200, response.text


def test_a_key_case_deadline_in_the_past_is_refused(api: Api) -> None:
    case_id = api.new_case("screening.triaged")
    yesterday = (datetime.now(CHINA) - timedelta(days=1)).date().isoformat()
    _refused_and_unchanged(api, case_id, "designate_key_case", {"owner": "mediator1", "deadline": yesterday},
                           "deadline", user="supervisor1")
    ahead = (datetime.now(CHINA) + timedelta(days=30)).date().isoformat()
    response = _fire(api, case_id, "designate_key_case", {"owner": "mediator1", "deadline": ahead}, "supervisor1")
    assert response.status_code == 200, response.text
