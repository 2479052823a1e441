"""Bad input gets its 4xx in Litestar's JSON error shape, names the field, and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from api_support import Api, assert_error

pytestmark = pytest.mark.usefixtures("no_server_errors")

JSON = {"content-type": "application/json"}
PARTY = {"name": "王某某", "role": "applicant", "id_number": "330324199001031234", "phone": "13812345678"}
INTAKE: dict[str, Any] = {
    "title": "楼上装修噪音扰民纠纷", "description": "网格员排查发现居民反映夜间装修噪音。", "channel": "grid_screening",
    "unit": "330324001001-G1", "category": "neighbour", "parties": [PARTY, {"name": "李某某", "role": "respondent"}],
}
ADJOURN = {"next_session_at": "2030-01-15T09:30", "reason": "改期再调。"}


@pytest.fixture
def case_id(api: Api) -> int:
    """A new case of mediator1's (assigned, in session) that no bad request may change."""
    return api.new_case("mediation.in_session")


@pytest.fixture
def unchanged(api: Api, case_id: int) -> Iterator[None]:
    """The case's version, its events and the number of cases are the same after the test."""
    before = (api.version(case_id), api.event_count(case_id), api.case_count())
    yield
    assert (api.version(case_id), api.event_count(case_id), api.case_count()) == before


def _names(body: dict[str, Any], field: str) -> bool:
    return field in body["detail"] or field in json.dumps(body["extra"], ensure_ascii=False)


def _transition(api: Api, case_id: int, content: bytes | str, user: str = "mediator1", **headers: str):
    return api.as_user(user).post(f"/api/v1/cases/{case_id}/transitions", content=content,
                                  headers={**JSON, **headers})


def _transition_body(api: Api, case_id: int, **changes: Any) -> dict[str, Any]:
    return {"trigger": "adjourn", "expected_version": api.version(case_id), "data": ADJOURN, **changes}


# --------------------------------------------------------------------------- malformed bodies

MALFORMED = ['{"trigger": "adjourn"', "{trigger: adjourn}", "", "nul", "{'a': 1}", '{"trigger": "adjourn",}',
             "\x00\x01", '{"trigger": "\\ud800"}', "[" * 10_000]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("text", MALFORMED, ids=range(len(MALFORMED)))
@pytest.mark.parametrize("path", ["/api/v1/cases/{case}/transitions", "/api/v1/cases", "/api/v1/auth/token"])
def test_malformed_json_is_400(api: Api, case_id: int, path: str, text: str) -> None:
    response = api.as_user("mediator1").post(path.format(case=case_id), content=text, headers=JSON)
    assert_error(response, 400)


def test_invalid_utf8_is_400(api: Api, case_id: int, unchanged: None) -> None:
    assert_error(_transition(api, case_id, b'{"trigger": "\xff\xfe"}'), 400)


# --------------------------------------------------------------------------- wrong types and unknown fields

WRONG_TRANSITIONS = [
    ("trigger", {"trigger": 5}),
    ("trigger", {"trigger": None}),
    ("trigger", {"trigger": ["adjourn"]}),
    ("expected_version", {"expected_version": "6"}),
    ("expected_version", {"expected_version": 6.5}),
    ("expected_version", {"expected_version": True}),
    ("expected_version", {"expected_version": 0}),
    ("expected_version", {"expected_version": -3}),
    ("expected_version", {"expected_version": 2**63}),
    ("data", {"data": []}),
    ("data", {"data": "next week"}),
    ("data", {"data": None}),
    ("color", {"color": "red"}),  # an unknown field
]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("field,change", WRONG_TRANSITIONS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(WRONG_TRANSITIONS)])
def test_wrong_types_and_unknown_fields_of_a_transition_are_400(api: Api, case_id: int, field: str,
                                                                change: dict[str, Any]) -> None:
    body = assert_error(_transition(api, case_id, json.dumps(_transition_body(api, case_id, **change))), 400)
    assert _names(body, field), body


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("body", [[], "adjourn", 5, None, [{"trigger": "adjourn"}]], ids=range(5))
def test_a_transition_must_be_an_object(api: Api, case_id: int, body: Any) -> None:
    assert_error(_transition(api, case_id, json.dumps(body)), 400)


BAD_DATA = [
    ("data.next_session_at", {"next_session_at": "tomorrow"}),
    ("data.next_session_at", {"next_session_at": 20300115}),
    ("data.next_session_at", {"reason": "改期"}),  # missing
    ("data.reason", {**ADJOURN, "reason": 42}),
    ("data.reason", {**ADJOURN, "reason": "x" * 100_000}),
    ("data.reason", {**ADJOURN, "reason": "改期\x00再调"}),
    ("data.colour", {**ADJOURN, "colour": "red"}),
]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("field,data", BAD_DATA, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_DATA)])
def test_bad_trigger_data_is_422_naming_the_field(api: Api, case_id: int, field: str, data: dict) -> None:
    body = assert_error(_transition(api, case_id, json.dumps(_transition_body(api, case_id, data=data))), 422)
    assert body["extra"]["field"] == field, body


WRONG_INTAKE = [
    ("title", {"title": 5}),
    ("title", {"title": "纠" * 201}),  # over-long
    ("title", {"title": ""}),
    ("description", {"description": "纠" * 20_001}),
    ("parties", {"parties": "王某某"}),
    ("parties", {"parties": []}),
    ("parties", {"parties": [PARTY] * 51}),
    ("role", {"parties": [{**PARTY, "role": "judge"}]}),
    ("id_number", {"parties": [{**PARTY, "id_number": "33032419900101123"}]}),
    ("phone", {"parties": [{**PARTY, "phone": "12345"}]}),
    ("name", {"parties": [{**PARTY, "name": "王" * 101}]}),
    ("is_minor", {"parties": [{**PARTY, "is_minor": "perhaps"}]}),
    ("nickname", {"parties": [{**PARTY, "nickname": "老王"}]}),  # unknown party field
    ("risk_level", {"risk_level": "apocalyptic"}),
    ("priority", {"priority": "urgent"}),  # unknown field
]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("field,change", WRONG_INTAKE, ids=[f"{f}-{i}" for i, (f, _) in enumerate(WRONG_INTAKE)])
def test_bad_intake_is_400_naming_the_field(api: Api, field: str, change: dict[str, Any]) -> None:
    response = api.as_user("mediator1").post("/api/v1/cases", json={**INTAKE, **change})
    body = assert_error(response, 400)
    assert _names(body, field), body


BAD_INTAKE_VALUES = [
    ("channel", {"channel": "carrier_pigeon"}, 422),
    ("category", {"category": "alien_abduction"}, 422),
    ("unit", {"unit": "no-such-unit"}, 422),
    ("unit", {"unit": "330324002001"}, 422),  # 桥头镇: outside mediator1's jurisdiction
    ("title", {"title": "纠纷\x07标题"}, 422),
]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("field,change,status", BAD_INTAKE_VALUES, ids=[f for f, _, _ in BAD_INTAKE_VALUES])
def test_intake_values_are_checked(api: Api, field: str, change: dict[str, Any], status: int) -> None:
    body = assert_error(api.as_user("mediator1").post("/api/v1/cases", json={**INTAKE, **change}), status)
    assert _names(body, field), body


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("user", ["dept_sj", "court1", "admin"])
def test_roles_that_may_not_file_get_403(api: Api, user: str) -> None:
    body = {**INTAKE, "unit": {"dept_sj": "330324-SJ", "court1": "330324-FT", "admin": INTAKE["unit"]}[user]}
    assert_error(api.as_user(user).post("/api/v1/cases", json=body), 403)


# --------------------------------------------------------------------------- sizes and limits


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("path", ["/api/v1/cases/{case}/transitions", "/api/v1/cases", "/api/v1/auth/token"])
def test_a_huge_body_is_413(api: Api, case_id: int, path: str) -> None:
    huge = json.dumps({"trigger": "adjourn", "expected_version": 1, "data": {"reason": "纠" * 100_000}})
    assert len(huge.encode()) > 256 * 1024
    response = api.as_user("mediator1").post(path.format(case=case_id), content=huge, headers=JSON)
    assert_error(response, 413)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("params,field", [
    ({"page_size": 201}, "page_size"), ({"page_size": 0}, "page_size"), ({"page_size": "many"}, "page_size"),
    ({"page": 0}, "page"), ({"page": -1}, "page"), ({"page": "first"}, "page"), ({"overdue": "perhaps"}, "overdue"),
    ({"q": "纠" * 101}, "q"), ({"page": 10**30}, "page"),
])
def test_bad_list_parameters_are_400_naming_them(api: Api, params: dict, field: str) -> None:
    body = assert_error(api.as_user("mediator1").get("/api/v1/cases", params=params), 400)
    assert _names(body, field), body


def test_page_size_200_is_allowed(api: Api) -> None:
    response = api.as_user("mediator1").get("/api/v1/cases", params={"page_size": 200})
    assert response.status_code == 200
    assert response.json()["page_size"] == 200


# --------------------------------------------------------------------------- reach, triggers, versions


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("case", ["qiaotou", "matrix_other", "matrix_referred_sj"])
def test_another_units_case_is_404_everywhere(api: Api, case: str) -> None:
    other = api.cases[case]
    version = api.version(other)
    client = api.as_user("mediator1")
    responses = [
        client.get(f"/api/v1/cases/{other}"),
        client.get(f"/api/v1/cases/{other}/events"),
        client.post(f"/api/v1/cases/{other}/transitions", json={"trigger": "adjourn", "expected_version": version,
                                                                  "data": ADJOURN}),
        client.post(f"/api/v1/cases/{other}/transitions", json={"trigger": "no_such_trigger",
                                                                  "expected_version": version}),
    ]
    for response in responses:
        assert_error(response, 404)
    # The same answer as for a case that does not exist at all (no existence leak).
    missing = client.get("/api/v1/cases/2000000000")
    assert_error(missing, 404)
    assert responses[0].json()["extra"].keys() == missing.json()["extra"].keys()
    assert api.version(other) == version


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("path_id", ["0", "-1", "2147483648", "99999999999999999999999"])
def test_impossible_case_ids_are_404(api: Api, path_id: str) -> None:
    client = api.as_user("mediator1")
    for response in (client.get(f"/api/v1/cases/{path_id}"), client.get(f"/api/v1/cases/{path_id}/events"),
                     client.post(f"/api/v1/cases/{path_id}/transitions",
                                 json={"trigger": "adjourn", "expected_version": 1, "data": ADJOURN})):
        assert 400 <= response.status_code < 500, response.text
        assert_error(response, response.status_code)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("trigger", ["no_such_trigger", "ADJOURN", "adjourn ", "__init__", "fire", "to_closed.resolved",
                                     "may_adjourn", "trigger", "state", "drop table cases"])
def test_unknown_trigger_is_409_listing_the_allowed_ones(api: Api, case_id: int, trigger: str) -> None:
    client = api.as_user("mediator1")
    detail = client.get(f"/api/v1/cases/{case_id}").json()
    body = assert_error(_transition(api, case_id, json.dumps(_transition_body(api, case_id, trigger=trigger, data={}))),
                        409)
    assert body["extra"]["allowed_triggers"] == detail["available_triggers"]
    assert "adjourn" in body["extra"]["allowed_triggers"]


@pytest.mark.usefixtures("unchanged")
def test_a_trigger_not_allowed_in_the_state_is_409(api: Api, case_id: int) -> None:
    body = assert_error(_transition(api, case_id, json.dumps(_transition_body(api, case_id, trigger="verify_closure",
                                                                              data={}))), 409)
    assert "verify_closure" not in body["extra"]["allowed_triggers"]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("if_match", ["abc", '"-1"', '"1.5"', '"99999999999"', "*", '"1", "2"'])
def test_bad_if_match_is_4xx(api: Api, case_id: int, if_match: str) -> None:
    body = _transition_body(api, case_id)
    del body["expected_version"]
    response = _transition(api, case_id, json.dumps(body), **{"If-Match": if_match})
    assert response.status_code in (400, 409, 412, 428), response.text
    assert_error(response, response.status_code)
