"""A department hands a referral back over HTTP: its own change takes the case out of its reach.

The change is applied once and answered with the case's receipt (200), never 404; with an
Idempotency-Key a retry replays that receipt byte for byte and adds nothing; a refused request
stores nothing under its key, so the corrected request under the same key is applied.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from api_support import Api, assert_error

pytestmark = pytest.mark.usefixtures("no_server_errors")

DEPARTMENT = "dept_sj"
# Users who still see the case after the department hands it back (the referring mediator's town).
WATCHERS = ("supervisor1", "mediator1")
REASON = "不属于本部门职责范围，予以退回。"
RECEIPT_FIELDS = {"id", "number", "state", "stage", "version", "in_reach"}


def _return(version: int, **data: Any) -> dict[str, Any]:
    return {"trigger": "return_referral", "expected_version": version, "data": data}


def _post(client: httpx.Client, case_id: int, body: dict[str, Any], key: str | None = None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(f"/api/v1/cases/{case_id}/transitions", json=body, headers=headers)


def _events(api: Api, case_id: int, username: str = "supervisor1") -> list[dict[str, Any]]:
    response = api.as_user(username).get(f"/api/v1/cases/{case_id}/events")
    assert response.status_code == 200, response.text
    return response.json()


def _referred_case(api: Api) -> tuple[int, int, str, list[dict[str, Any]]]:
    """A new case referred to 市场监管 (dept_sj): its id, version, number and events as a watcher sees them."""
    case_id = api.new_case("joint.referred")
    department = api.as_user(DEPARTMENT).get(f"/api/v1/cases/{case_id}")
    assert department.status_code == 200, department.text  # the department reaches it before
    detail = department.json()
    assert detail["state"] == "joint.referred"
    assert "return_referral" in detail["available_triggers"]
    assert detail["department"]["code"] == api.county.market_department
    return case_id, detail["version"], detail["number"], _events(api, case_id)


def _assert_receipt(response: httpx.Response, case_id: int, number: str, version: int) -> dict[str, Any]:
    assert response.status_code == 200, f"{response.status_code} {response.text}"
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == RECEIPT_FIELDS, body  # a receipt: nothing of the case the department no longer sees
    assert body["id"] == case_id
    assert body["number"] == number
    assert body["state"] == "screening.triaged"
    assert body["stage"] == "screening"
    assert body["version"] == version + 1
    assert body["in_reach"] is False
    assert response.headers["etag"].strip('"') == str(version + 1)
    return body


def _assert_one_return_event(api: Api, case_id: int, before: list[dict[str, Any]]) -> None:
    for watcher in WATCHERS:
        after = _events(api, case_id, watcher)
        assert len(after) == len(before) + 1, [e["trigger"] for e in after]
        assert after[: len(before)] == before
        event = after[-1]
        assert event["trigger"] == "return_referral"
        assert event["actor"] == DEPARTMENT
        assert (event["from_state"], event["to_state"]) == ("joint.referred", "screening.triaged")
        assert event["reason"] == REASON
        assert event["prev_hash"] == before[-1]["hash"]
    assert api.event_count(case_id) == len(before) + 1


def _assert_out_of_reach(api: Api, case_id: int) -> None:
    department = api.as_user(DEPARTMENT)
    assert_error(department.get(f"/api/v1/cases/{case_id}"), 404)
    assert_error(department.get(f"/api/v1/cases/{case_id}/events"), 404)
    watcher = api.as_user("supervisor1").get(f"/api/v1/cases/{case_id}")
    assert watcher.status_code == 200 and watcher.json()["state"] == "screening.triaged"


def test_department_returns_a_referral_without_a_key(api: Api) -> None:
    case_id, version, number, before = _referred_case(api)
    response = _post(api.as_user(DEPARTMENT), case_id, _return(version, reason=REASON))
    _assert_receipt(response, case_id, number, version)
    assert response.headers.get("idempotent-replayed") is None
    assert api.version(case_id) == version + 1
    _assert_one_return_event(api, case_id, before)
    _assert_out_of_reach(api, case_id)


def test_department_returns_a_referral_with_a_key_and_the_retry_is_replayed(api: Api) -> None:
    case_id, version, number, before = _referred_case(api)
    client, key = api.as_user(DEPARTMENT), str(uuid.uuid4())
    body = _return(version, reason=REASON)
    first = _post(client, case_id, body, key)
    _assert_receipt(first, case_id, number, version)
    assert first.headers.get("idempotent-replayed") is None  # applied now, not replayed
    assert api.version(case_id) == version + 1
    _assert_one_return_event(api, case_id, before)
    for _ in range(2):
        again = _post(client, case_id, body, key)
        assert again.status_code == 200, again.text  # out of reach now, yet the retry is answered, not 404
        assert again.content == first.content
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.headers.get("etag") == first.headers.get("etag")
    assert api.version(case_id) == version + 1
    _assert_one_return_event(api, case_id, before)
    _assert_out_of_reach(api, case_id)


def test_a_refused_return_stores_nothing_under_its_key(api: Api) -> None:
    """The refused request changed nothing and stored nothing: the corrected one under the same key is applied."""
    case_id, version, number, before = _referred_case(api)
    client, key = api.as_user(DEPARTMENT), str(uuid.uuid4())
    refused_body = _return(version)  # no reason: required by the workflow
    for _ in range(2):
        refused = assert_error(_post(client, case_id, refused_body, key), 422)
        assert "reason" in refused["detail"] + str(refused["extra"])
        assert api.version(case_id) == version
        assert _events(api, case_id) == before
    # The department still has the case in reach: nothing happened.
    assert client.get(f"/api/v1/cases/{case_id}").json()["state"] == "joint.referred"

    corrected = _post(client, case_id, _return(version, reason=REASON), key)
    _assert_receipt(corrected, case_id, number, version)
    assert corrected.headers.get("idempotent-replayed") is None
    _assert_one_return_event(api, case_id, before)

    replay = _post(client, case_id, _return(version, reason=REASON), key)
    assert replay.status_code == 200 and replay.content == corrected.content
    assert replay.headers.get("idempotent-replayed") == "true"
    # The key now belongs to the corrected request: the refused body under it is another request.
    conflict = assert_error(_post(client, case_id, refused_body, key), 422)
    assert "Idempotency-Key" in conflict["detail"] + str(conflict["extra"])
    assert api.version(case_id) == version + 1
    _assert_one_return_event(api, case_id, before)
    _assert_out_of_reach(api, case_id)
