"""Optimistic concurrency (ETag, If-Match, expected_version) and Idempotency-Key semantics over HTTP."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from api_support import Api, assert_error

pytestmark = pytest.mark.usefixtures("no_server_errors")

ADJOURN_DATA = {"next_session_at": "2030-01-15T09:30", "reason": "一方当事人需要时间筹措款项，改期再调。"}
CONCURRENCY = 12
ROUNDS = 5  # races are won by timing: several bursts make a lost race show up every run


def _adjourn(version: int | None, **data) -> dict:
    body = {"trigger": "adjourn", "data": {**ADJOURN_DATA, **data}}
    if version is not None:
        body["expected_version"] = version
    return body


def _post(client: httpx.Client, case_id: int, body: dict, key: str | None = None, **headers) -> httpx.Response:
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(f"/api/v1/cases/{case_id}/transitions", json=body, headers=headers)


def test_etag_is_the_version(api: Api) -> None:
    for name in ("own_in_session", "applied_ft", "referred_sj"):
        response = api.as_user("supervisor1").get(f"/api/v1/cases/{api.cases[name]}")
        assert response.status_code == 200
        version = response.json()["version"]
        assert version == api.version(api.cases[name])
        assert response.headers["etag"].strip('"').removeprefix("W/").strip('"') == str(version)


def test_transition_answer_carries_the_new_etag(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    version = api.version(case_id)
    response = _post(api.as_user("mediator1"), case_id, _adjourn(version))
    assert response.status_code == 200, response.text
    assert response.json()["version"] == version + 1
    assert response.headers["etag"].strip('"') == str(version + 1)


def test_if_match_alone_is_enough(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    client = api.as_user("mediator1")
    etag = client.get(f"/api/v1/cases/{case_id}").headers["etag"]
    response = _post(client, case_id, _adjourn(None), **{"If-Match": etag})
    assert response.status_code == 200, response.text
    assert api.version(case_id) == int(etag.strip('"')) + 1


def test_428_without_if_match_or_expected_version(api: Api) -> None:
    case_id = api.cases["own_in_session"]
    before = api.version(case_id)
    body = assert_error(_post(api.as_user("mediator1"), case_id, _adjourn(None)), 428)
    assert "expected_version" in body["detail"] + str(body["extra"])
    assert api.version(case_id) == before


def test_409_on_a_stale_version_names_the_current_one(api: Api) -> None:
    case_id = api.cases["own_in_session"]
    current = api.version(case_id)
    client = api.as_user("mediator1")
    for response in (_post(client, case_id, _adjourn(current - 1)),
                     _post(client, case_id, _adjourn(None), **{"If-Match": f'"{current - 1}"'})):
        body = assert_error(response, 409)
        assert body["extra"]["current_version"] == current
    assert api.version(case_id) == current


def test_if_match_and_expected_version_must_agree(api: Api) -> None:
    case_id = api.cases["own_in_session"]
    current = api.version(case_id)
    response = _post(api.as_user("mediator1"), case_id, _adjourn(current), **{"If-Match": f'"{current + 1}"'})
    assert 400 <= response.status_code < 500 and response.status_code != 404
    assert_error(response, response.status_code)
    assert api.version(case_id) == current


def test_replay_is_byte_identical_and_changes_nothing(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    version, events = api.version(case_id), api.event_count(case_id)
    client, key = api.as_user("mediator1"), str(uuid.uuid4())
    first = _post(client, case_id, _adjourn(version), key)
    assert first.status_code == 200, first.text
    assert api.version(case_id) == version + 1
    for _ in range(3):
        again = _post(client, case_id, _adjourn(version), key)
        assert again.status_code == first.status_code
        assert again.content == first.content
        assert again.headers.get("etag") == first.headers.get("etag")
    assert api.version(case_id) == version + 1
    assert api.event_count(case_id) == events + 1


def test_same_key_with_another_body_is_422(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    version = api.version(case_id)
    client, key = api.as_user("mediator1"), str(uuid.uuid4())
    assert _post(client, case_id, _adjourn(version), key).status_code == 200
    other_case = api.new_case("mediation.in_session")
    for case, body in ((case_id, _adjourn(version, next_session_at="2030-02-01T09:30")),
                       (case_id, {"trigger": "escalate", "expected_version": version, "data": {"reason": "分歧较大。"}}),
                       (other_case, _adjourn(api.version(other_case)))):
        before = api.version(case)
        body = assert_error(_post(client, case, body, key), 422)
        assert "Idempotency-Key" in body["detail"] + str(body["extra"])
        assert api.version(case) == before
    assert api.version(case_id) == version + 1


def test_keys_belong_to_their_user(api: Api) -> None:
    """Another user's identical request with the same key is not answered with the first user's reply."""
    case_id = api.new_case("mediation.in_session")
    version = api.version(case_id)
    key = str(uuid.uuid4())
    first = _post(api.as_user("mediator1"), case_id, _adjourn(version), key)
    assert first.status_code == 200
    second = _post(api.as_user("police1"), case_id, _adjourn(version), key)
    assert second.content != first.content
    assert_error(second, 409)  # police1's own request, at a stale version
    assert api.version(case_id) == version + 1


def test_a_refused_request_with_a_key_is_refused_again(api: Api) -> None:
    case_id = api.new_case("mediation.assigned")  # no consents yet: start_session's guard refuses
    version = api.version(case_id)
    client, key = api.as_user("mediator1"), str(uuid.uuid4())
    body = {"trigger": "start_session", "expected_version": version, "data": {}}
    first = assert_error(_post(client, case_id, body, key), 422)
    second = assert_error(_post(client, case_id, body, key), 422)
    assert first == second
    assert api.version(case_id) == version


@pytest.mark.parametrize("key", ["", "k" * 256, "k" * 10_000])
def test_unusable_keys_are_4xx(api: Api, key: str) -> None:
    case_id = api.cases["own_in_session"]
    version = api.version(case_id)
    response = _post(api.as_user("mediator1"), case_id, _adjourn(version), key)
    assert 400 <= response.status_code < 500, response.text
    assert_error(response, response.status_code)
    assert api.version(case_id) == version


def _race(api: Api, case_id: int, body: dict, keys: list[str | None]) -> list[httpx.Response]:
    start = threading.Barrier(len(keys))
    token = api.token("mediator1")

    def one(key: str | None) -> httpx.Response:
        with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            client.get("/health")  # connect before the barrier
            start.wait()
            return _post(client, case_id, body, key)

    with ThreadPoolExecutor(len(keys)) as pool:
        return list(pool.map(one, keys))


@pytest.mark.parametrize("burst", range(ROUNDS))
def test_concurrent_duplicates_with_one_key_apply_once(api: Api, burst: int) -> None:
    case_id = api.new_case("mediation.in_session")
    version, events = api.version(case_id), api.event_count(case_id)
    key = str(uuid.uuid4())
    responses = _race(api, case_id, _adjourn(version), [key] * CONCURRENCY)
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {200, 409}, [(r.status_code, r.text) for r in responses]
    applied = [r for r in responses if r.status_code == 200]
    assert applied, statuses
    assert len({r.content for r in applied}) == 1  # the one answer, replayed byte for byte
    for refused in (r for r in responses if r.status_code == 409):
        assert_error(refused, 409)
    assert api.version(case_id) == version + 1
    assert api.event_count(case_id) == events + 1
    # Once settled, a retry gets the stored answer.
    retry = _post(api.as_user("mediator1"), case_id, _adjourn(version), key)
    assert retry.status_code == 200 and retry.content == applied[0].content


def test_concurrent_writers_without_keys_one_wins(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    version = api.version(case_id)
    responses = _race(api, case_id, _adjourn(version), [None] * CONCURRENCY)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (CONCURRENCY - 1), [(r.status_code, r.text) for r in responses]
    for loser in responses:
        if loser.status_code == 409:
            assert assert_error(loser, 409)["extra"]["current_version"] == version + 1
    assert api.version(case_id) == version + 1


INTAKE = {
    "title": "楼上装修噪音扰民纠纷", "description": "网格员排查发现居民反映夜间装修噪音。", "channel": "grid_screening",
    "unit": "330324001001-G1", "category": "neighbour",
    "parties": [{"name": "王某某", "role": "applicant", "phone": "13812345678"},
                {"name": "李某某", "role": "respondent"}],
}


def test_intake_replay_files_one_case(api: Api) -> None:
    client, key = api.as_user("grid1"), str(uuid.uuid4())
    before = api.case_count()
    first = client.post("/api/v1/cases", json=INTAKE, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/cases", json=INTAKE, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.content == first.content
    assert api.case_count() == before + 1
    changed = client.post("/api/v1/cases", json={**INTAKE, "title": "另一起纠纷"}, headers={"Idempotency-Key": key})
    assert_error(changed, 422)
    assert api.case_count() == before + 1


@pytest.mark.parametrize("burst", range(ROUNDS))
def test_concurrent_intake_with_one_key_files_one_case(api: Api, burst: int) -> None:
    before = api.case_count()
    key = str(uuid.uuid4())
    token = api.token("grid1")
    start = threading.Barrier(CONCURRENCY)

    def one(_: int) -> httpx.Response:
        with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            client.get("/health")
            start.wait()
            return client.post("/api/v1/cases", json=INTAKE, headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        responses = list(pool.map(one, range(CONCURRENCY)))
    assert {r.status_code for r in responses} <= {201, 409}, [(r.status_code, r.text) for r in responses]
    assert len({r.content for r in responses if r.status_code == 201}) == 1
    assert api.case_count() == before + 1
