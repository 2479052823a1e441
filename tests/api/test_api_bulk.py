"""POST /api/v1/cases/bulk: one trigger on many cases, each its own transaction and event, an answer per case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from api_support import Api, assert_error

pytestmark = pytest.mark.usefixtures("no_server_errors")

BULK = "/api/v1/cases/bulk"


def _number(api: Api, case_id: int) -> str:
    return api.as_user("supervisor1").get(f"/api/v1/cases/{case_id}").json()["number"]


def _designation() -> dict:
    return {"owner": "mediator1", "deadline": (date.today() + timedelta(days=30)).isoformat()}


def test_mixed_outcomes_answer_per_case_and_change_only_the_fine_ones(api: Api) -> None:
    fine, by_number, stale, already_key = (api.new_case("mediation.assigned") for _ in range(4))
    supervisor = api.as_user("supervisor1")
    first = supervisor.post(BULK, json={"trigger": "designate_key_case", "case_ids": [already_key],
                                        "data": _designation()})
    assert first.status_code == 200 and first.json()["results"][0]["status"] == 200, first.text
    out_of_reach = api.cases["matrix_other"]  # 鹿城区: outside supervisor1's reach
    events = {case: api.event_count(case) for case in (fine, by_number, stale, already_key, out_of_reach)}
    stale_version = api.version(stale) - 1
    number = _number(api, by_number)

    response = supervisor.post(BULK, json={
        "trigger": "designate_key_case", "data": _designation(),
        "case_ids": [fine, out_of_reach, stale, already_key, number],
        "expected_versions": {str(stale): stale_version}})

    assert response.status_code == 200, response.text
    body = response.json()
    results = body["results"]
    assert [r["status"] for r in results] == [200, 404, 409, 422, 200]
    assert (body["succeeded"], body["failed"]) == (2, 3)
    assert results[0]["case_id"] == fine and results[0]["state"] == "mediation.assigned"
    assert results[0]["version"] == api.version(fine)
    assert results[4] == {"case": number, "case_id": by_number, "number": number, "status": 200,
                          "version": api.version(by_number), "state": "mediation.assigned"}
    assert "number" not in results[1] and results[1]["error"]["code"] == "not_found"
    assert results[2]["error"]["code"] == "stale" and results[2]["error"]["current_version"] == stale_version + 1
    assert results[3]["error"]["code"] not in (None, "", "refused") and results[3]["number"] == _number(api, already_key)
    assert api.event_count(fine) == events[fine] + 1 and api.event_count(by_number) == events[by_number] + 1
    for unchanged in (stale, already_key, out_of_reach):
        assert api.event_count(unchanged) == events[unchanged]


def test_roles_the_trigger_does_not_list_are_refused_per_case(api: Api) -> None:
    case = api.new_case("mediation.assigned")
    response = api.as_user("mediator1").post(BULK, json={"trigger": "replace_mediator", "case_ids": [case],
                                                         "data": {"mediator": "police1", "mechanism": "joint",
                                                                  "resolver": "grassroots"}})
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == 403
    assert response.json()["results"][0]["error"]["code"] == "forbidden"


def test_a_retry_with_the_same_key_replays_and_changes_nothing(api: Api) -> None:
    cases = [api.new_case("screening.reported") for _ in range(2)]
    client = api.as_user("mediator1")
    request = {"trigger": "add_note", "case_ids": cases, "data": {"text": "已电话联系双方。"}}
    headers = {"Idempotency-Key": "bulk-note-retry-1"}
    first = client.post(BULK, json=request, headers=headers)
    assert first.status_code == 200 and first.json()["succeeded"] == 2, first.text
    counts = [api.event_count(case) for case in cases]

    again = client.post(BULK, json=request, headers=headers)

    assert again.status_code == 200, again.text
    assert again.json()["results"] == first.json()["results"]
    assert [api.event_count(case) for case in cases] == counts
    other = client.post(BULK, json={**request, "data": {"text": "另一条备注"}}, headers=headers)
    assert [r["error"]["code"] for r in other.json()["results"]] == ["idempotency_conflict"] * 2
    assert [api.event_count(case) for case in cases] == counts


@pytest.mark.parametrize("body,field", [
    ({"trigger": "add_note", "case_ids": list(range(1, 202)), "data": {"text": "x"}}, "case_ids"),
    ({"trigger": "add_note", "case_ids": [], "data": {"text": "x"}}, "case_ids"),
    ({"trigger": "add_note", "case_ids": [1, 2, 1], "data": {"text": "x"}}, "case_ids[2]"),
    ({"trigger": "no_such_trigger", "case_ids": [1], "data": {}}, "trigger"),
    ({"trigger": "notify_rights", "case_ids": [1], "data": {"party_id": 1, "method": "written"}}, "trigger"),
    ({"trigger": "attach", "case_ids": [1], "data": {"kind": "other"}}, "trigger"),
], ids=["too-many", "none", "duplicate", "unknown-trigger", "per-case-data", "attach"])
def test_a_request_that_cannot_run_is_refused_whole(api: Api, body: dict, field: str) -> None:
    before = api.event_count(api.cases["own_triaged"])
    refused = assert_error(api.as_user("supervisor1").post(BULK, json=body), 422)
    assert refused["extra"]["field"] == field
    assert api.event_count(api.cases["own_triaged"]) == before


def test_bad_bodies_are_400_and_the_routes_do_not_clash(api: Api) -> None:
    client = api.as_user("supervisor1")
    assert_error(client.post(BULK, json={"trigger": "add_note", "case_ids": [1.5]}), 400)
    nothing = client.post(BULK, json={"trigger": "add_note", "case_ids": [0, "", "x" * 500, 2**62], "data": {"text": "x"}})
    assert [r["status"] for r in nothing.json()["results"]] == [404] * 4, nothing.text
    assert_error(client.post(BULK, json={"trigger": "add_note", "case_ids": [1], "extra": 1}), 400)
    assert client.get(BULK).status_code == 405
    assert client.get(f"/api/v1/cases/{api.cases['own_triaged']}").status_code == 200
    assert_error(api.anonymous().post(BULK, json={"trigger": "add_note", "case_ids": [1]}), 401)
