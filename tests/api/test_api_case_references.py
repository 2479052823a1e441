"""Headers and data that name a case or its version: refused as 4xx naming the field, never 500,
and a case out of reach is indistinguishable from one that does not exist (DESIGN §9.1)."""

from __future__ import annotations

import pytest
from api_support import Api, assert_error

pytestmark = pytest.mark.usefixtures("no_server_errors")

ADJOURN = {"trigger": "adjourn", "data": {"next_session_at": "2030-01-15T09:30"}}


def _header_bytes(text: str) -> bytes:
    """The header as a client sends it: one byte a character where Latin-1 has it (HTTP's own), else UTF-8."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode()


@pytest.mark.parametrize("if_match", ['"²"', '"¹"', '"³"', '"٣"', '"1²"', "²"])
def test_if_match_with_digits_that_are_not_ascii_is_400(api: Api, if_match: str) -> None:
    case_id = api.new_case("mediation.in_session")
    version = api.version(case_id)
    response = api.as_user("mediator1").post(f"/api/v1/cases/{case_id}/transitions", json=ADJOURN,
                                             headers={"If-Match": _header_bytes(if_match)})
    body = assert_error(response, 400)
    assert body["extra"]["field"] == "If-Match"
    assert api.version(case_id) == version


def _mark_duplicate(api: Api, case_id: int, duplicate_of: int):
    body = {"trigger": "mark_duplicate", "expected_version": api.version(case_id),
            "data": {"duplicate_of": duplicate_of}}
    return api.as_user("mediator1").post(f"/api/v1/cases/{case_id}/transitions", json=body)


def test_a_duplicate_of_a_case_out_of_reach_reads_as_no_such_case(api: Api) -> None:
    unknown = 2_000_000_000
    out_of_reach = api.cases["matrix_other"]  # another county's case: mediator1 gets 404 for it
    assert api.as_user("mediator1").get(f"/api/v1/cases/{out_of_reach}").status_code == 404
    answers = {}
    for name, target in (("unknown", unknown), ("out_of_reach", out_of_reach)):
        case_id = api.new_case("screening.reported")
        version = api.version(case_id)
        response = _mark_duplicate(api, case_id, target)
        answers[name] = assert_error(response, 422)
        assert api.version(case_id) == version  # nothing linked
    assert answers["unknown"]["extra"]["field"] == answers["out_of_reach"]["extra"]["field"] == "data.duplicate_of"
    # The same words, but for the number itself.
    same = {name: body["detail"].replace(str(target), "N") for (name, body), target in
            zip(answers.items(), (unknown, out_of_reach))}
    assert same["unknown"] == same["out_of_reach"]


def test_a_duplicate_of_a_case_in_reach_is_linked(api: Api) -> None:
    original = api.new_case("screening.reported")
    case_id = api.new_case("screening.reported")
    response = _mark_duplicate(api, case_id, original)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "closed.duplicate"
