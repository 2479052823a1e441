"""Input no person types is refused before the database, naming the field: never a 500 (issue 11 item 6).

A NUL reached PostgreSQL and was a 500 with a traceback (intake `unit`, the login `username`,
which needs no login to send). Every string of every JSON body is checked where bodies are
decoded, and every web form where it is read: NUL nowhere, no control character in a code or a
name; free text keeps its tabs and line breaks.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_support import ID_NUMBER, Api, assert_error
from web_session import anonymous_browser, csrf_of, signed_in

from mediation.demo.sample_county import PASSWORD

pytestmark = pytest.mark.usefixtures("no_server_errors")

PARTY = {"name": "王某某", "role": "applicant", "id_number": ID_NUMBER, "phone": "13812345678"}
INTAKE: dict[str, Any] = {
    "title": "楼上装修噪音扰民纠纷", "description": "网格员排查发现居民反映夜间装修噪音。", "channel": "grid_screening",
    "unit": "330324001001-G1", "category": "neighbour", "parties": [PARTY, {"name": "李某某", "role": "respondent"}],
}


def _with(body: dict[str, Any], path: str, value: str) -> dict[str, Any]:
    """A deep copy of `body` with the field at `path` ("parties[0].name", "data.reason") set to `value`."""
    copy = json.loads(json.dumps(body))
    target: Any = copy
    steps = path.replace("[", ".").replace("]", "").split(".")
    for step in steps[:-1]:
        target = target[int(step)] if step.isdigit() else target[step]
    target[int(steps[-1]) if steps[-1].isdigit() else steps[-1]] = value
    return copy


def _names(body: dict[str, Any], field: str) -> bool:
    """The error names the field by its code in `extra`."""
    return field in json.dumps(body["extra"], ensure_ascii=False)


def refused(answer: Any) -> dict[str, Any]:
    """A 4xx in the API's error shape: 422 where a data rule refuses a value (our checks, like the engine's),
    400 where the body's schema does (Litestar's own reading: a pattern, a type)."""
    assert answer.status_code in (400, 422), f"{answer.status_code} {answer.text}"
    return assert_error(answer, answer.status_code)


def _unchanged(api: Api, case_id: int) -> tuple[int, int, int]:
    return api.version(case_id), api.event_count(case_id), api.case_count()


# --------------------------------------------------------------------------- the API

INTAKE_NUL = [("unit", "330324001001-G1\x00"), ("title", "楼上\x00装修"), ("description", "夜间装修\x00"),
              ("channel", "walk_in\x00"), ("category", "\x00"), ("parties[0].name", "王\x00某某"),
              ("parties[0].id_number", "33032419900101123\x00"), ("parties[1].name", "\x00"),
              ("parties[0].phone", "1381234567\x00")]


@pytest.mark.parametrize(("field", "value"), INTAKE_NUL)
def test_nul_in_an_intake_field_is_refused_naming_it(api: Api, field: str, value: str) -> None:
    before = api.case_count()
    body = refused(api.as_user("grid1").post("/api/v1/cases", json=_with(INTAKE, field, value)))
    assert _names(body, field), body
    assert api.case_count() == before


@pytest.mark.parametrize(("field", "value"), [("unit", "330324001001-G1\x01"), ("title", "楼上\t装修"),
                                              ("parties[0].name", "王\x1b某某"), ("channel", "walk_in\n"),
                                              ("category", "neighbour\x7f"), ("parties[0].name", "王\x85某")])
def test_a_control_character_in_a_code_or_a_name_is_refused_naming_it(api: Api, field: str, value: str) -> None:
    before = api.case_count()
    body = refused(api.as_user("grid1").post("/api/v1/cases", json=_with(INTAKE, field, value)))
    assert _names(body, field), body
    assert api.case_count() == before


def test_free_text_keeps_its_tabs_and_line_breaks(api: Api) -> None:
    description = "第一段：\t双方争执。\r\n第二段：网格员到场劝解。"
    answer = api.as_user("grid1").post("/api/v1/cases", json={**INTAKE, "description": description})
    assert answer.status_code == 201, answer.text
    assert answer.json()["description"] == description


@pytest.mark.parametrize(("field", "credentials"), [("username", {"username": "mediator1\x00", "password": PASSWORD}),
                                                    ("username", {"username": "\x00", "password": "x"}),
                                                    ("username", {"username": "mediator1\x01", "password": PASSWORD}),
                                                    ("password", {"username": "mediator1", "password": "p\x00"})])
def test_nul_in_the_login_is_refused_naming_the_field_without_a_login(api: Api, field: str,
                                                                   credentials: dict[str, str]) -> None:
    body = refused(api.anonymous().post("/api/v1/auth/token", json=credentials))
    assert _names(body, field), body


@pytest.mark.parametrize(("field", "value"), [("data.reason", "改期\x00再调"), ("trigger", "adjourn\x00"),
                                              ("data.next_session_at", "2030-01-15T09:30\x00"),
                                              ("trigger", "adjourn\x02")])
def test_nul_in_a_transition_is_refused_naming_the_field(api: Api, field: str, value: str) -> None:
    case_id = api.new_case("mediation.in_session")
    before = _unchanged(api, case_id)
    request = {"trigger": "adjourn", "expected_version": api.version(case_id),
               "data": {"next_session_at": "2030-01-15T09:30", "reason": "改期再调。"}}
    body = refused(api.as_user("mediator1").post(f"/api/v1/cases/{case_id}/transitions",
                                                 json=_with(request, field, value)))
    assert _names(body, field), body
    assert _unchanged(api, case_id) == before


def test_nul_in_a_field_name_is_refused(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    before = _unchanged(api, case_id)
    request = {"trigger": "add_note", "expected_version": api.version(case_id), "data": {"text\x00": "备注"}}
    body = refused(api.as_user("mediator1").post(f"/api/v1/cases/{case_id}/transitions", json=request))
    assert _names(body, "data"), body
    assert _unchanged(api, case_id) == before


# --------------------------------------------------------------------------- the web forms


@pytest.mark.parametrize("username", ["mediator1\x00", "\x00", "med\x01iator1"])
def test_nul_in_the_login_form_is_refused_naming_the_username(api: Api, username: str) -> None:
    with anonymous_browser(api) as browser:
        answer = browser.post("/login", data={"csrf_token": csrf_of(browser, "/login"), "username": username,
                                              "password": PASSWORD, "next": "/"})
        assert answer.status_code == 422, answer.text
        assert "用户名：不能含有" in answer.text
        assert "mediation_session" not in answer.headers.get("set-cookie", "")


@pytest.mark.parametrize(("field", "value"), [("unit", "330324001001-G1\x00"), ("title", "噪音\x00纠纷"),
                                              ("description", "夜间\x00装修"), ("parties[0].name", "王\x07某某"),
                                              ("channel", "grid_screening\x00")])
def test_nul_in_the_intake_form_is_refused_beside_the_field(api: Api, field: str, value: str) -> None:
    form = {"title": "楼上装修噪音扰民纠纷", "description": "网格员排查发现居民反映夜间装修噪音。",
            "channel": "grid_screening", "category": "neighbour", "risk_level": "low", "unit": "330324001001-G1",
            "parties[0].name": "王某某", "parties[0].role": "applicant", "parties[1].name": "李某某",
            "parties[1].role": "respondent"}
    before = api.case_count()
    with signed_in(api, "grid1") as browser:
        answer = browser.post("/cases/new", data={**form, field: value, "csrf_token": csrf_of(browser, "/cases/new")})
    assert answer.status_code == 422, answer.text
    assert "不能含有" in answer.text
    input_id = field if not field.startswith("parties") else "party-0-name"
    assert f'href="#{input_id}"' in answer.text  # the error summary links to the field
    assert api.case_count() == before


@pytest.mark.parametrize(("trigger", "field", "value"), [("adjourn", "data.reason", "改期\x00再调"),
                                                         ("adjourn", "data.next_session_at", "2030-01-15T09:30\x00"),
                                                         ("escalate", "data.reason", "\x00")])
def test_nul_in_a_trigger_form_is_refused_beside_the_field(api: Api, trigger: str, field: str, value: str) -> None:
    case_id = api.new_case("mediation.in_session")
    before = _unchanged(api, case_id)
    form = {"trigger": trigger, "expected_version": str(api.version(case_id)), "data.reason": "改期再调。",
            "data.next_session_at": "2030-01-15T09:30", field: value}
    with signed_in(api, "mediator1") as browser:
        answer = browser.post(f"/cases/{case_id}/fire", data={**form, "csrf_token": csrf_of(browser, f"/cases/{case_id}")})
    assert answer.status_code == 422, answer.text
    assert "不能含有" in answer.text
    assert _unchanged(api, case_id) == before


# --------------------------------------------------------------------------- what the trail cannot hold


def _nested(depth: int) -> Any:
    value: Any = "改期再调。"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(("field", "value"), [("data.party_id", 2**70), ("data.reason", -(2**64)),
                                              ("data.reason", _nested(300)), ("data.reason", _nested(40))])
def test_an_integer_beyond_64_bits_or_a_value_nested_too_deep_is_refused(api: Api, field: str, value: Any) -> None:
    """The idempotency digest and the event trail's JSON cannot hold them: a 500 before."""
    case_id = api.new_case("mediation.in_session")
    before = _unchanged(api, case_id)
    request = {"trigger": "adjourn", "expected_version": api.version(case_id), "data": {}}
    answer = api.as_user("mediator1").post(f"/api/v1/cases/{case_id}/transitions", json=_with(request, field, value),
                                           headers={"Idempotency-Key": f"deep-{case_id}"})
    assert _names(refused(answer), field.split("[")[0])
    assert _unchanged(api, case_id) == before
