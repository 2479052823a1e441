"""Masking of parties' ID and phone numbers in JSON (DESIGN §5): who sees them whole, who masked."""

from __future__ import annotations

import pytest
from api_support import (
    ID_MASKED,
    ID_NUMBER,
    OTHER_PHONE,
    OTHER_PHONE_MASKED,
    PHONE,
    PHONE_MASKED,
    Api,
)

pytestmark = pytest.mark.usefixtures("no_server_errors")

FULL, MASKED, HIDDEN = "full", "masked", "404"
FULL_NUMBERS = (ID_NUMBER, PHONE, OTHER_PHONE)

# case name -> {username: what they see}
EXPECTED = {
    # 江北社区, assigned to mediator1.
    "own_in_session": {"mediator1": FULL, "supervisor1": FULL, "county_sup": FULL, "grid1": MASKED,
                       "police1": MASKED, "station1": HIDDEN, "admin": MASKED, "mediator2": HIDDEN,
                       "grid2": HIDDEN, "dept_sj": HIDDEN, "court1": HIDDEN},
    # 江北社区, triaged, nobody assigned.
    "own_triaged": {"mediator1": MASKED, "police1": MASKED, "grid1": MASKED, "supervisor1": FULL,
                    "county_sup": FULL, "mediator2": HIDDEN, "dept_sj": HIDDEN, "court1": HIDDEN},
    # Referred to 市场监管: the department liaison sees it, masked.
    "referred_sj": {"dept_sj": MASKED, "mediator1": MASKED, "supervisor1": FULL, "court1": HIDDEN,
                    "mediator2": HIDDEN},
    # Applied to 瓯北共享法庭: court staff see the numbers; mediator1 is the assigned mediator.
    "applied_ft": {"court1": FULL, "mediator1": FULL, "grid1": MASKED, "police1": MASKED, "supervisor1": FULL,
                   "dept_sj": HIDDEN, "mediator2": HIDDEN},
    # 桥头镇, mediator1 assigned after a recusal: the mediator of the other town sees it whole.
    "qiaotou_mediator1": {"mediator1": FULL, "mediator2": MASKED, "grid2": MASKED, "county_sup": FULL,
                          "supervisor1": HIDDEN, "police1": HIDDEN, "grid1": HIDDEN},
    # 桥头镇, assigned to mediator2.
    "qiaotou": {"mediator2": FULL, "grid2": MASKED, "county_sup": FULL, "mediator1": HIDDEN,
                "supervisor1": HIDDEN, "court1": HIDDEN},
}
CELLS = [(case, user, seen) for case, users in EXPECTED.items() for user, seen in users.items()]


def _parties(body: dict) -> dict[str, dict]:
    return {party["name"]: party for party in body["parties"]}


def assert_seen(body: dict, seen: str) -> None:
    parties = _parties(body)
    applicant, respondent = parties["王某某"], parties["李某某"]
    if seen == FULL:
        assert (applicant["id_number"], applicant["phone"], respondent["phone"]) == (ID_NUMBER, PHONE, OTHER_PHONE)
    else:
        assert (applicant["id_number"], applicant["phone"]) == (ID_MASKED, PHONE_MASKED)
        assert respondent["phone"] == OTHER_PHONE_MASKED
        assert respondent["id_number"] is None


@pytest.mark.parametrize("case,user,seen", CELLS, ids=[f"{c}-{u}" for c, u, _ in CELLS])
def test_case_detail_masks_numbers_per_viewer(api: Api, case: str, user: str, seen: str) -> None:
    case_id = api.cases[case]
    response = api.as_user(user).get(f"/api/v1/cases/{case_id}")
    events = api.as_user(user).get(f"/api/v1/cases/{case_id}/events")
    if seen == HIDDEN:
        assert response.status_code == 404, response.text
        assert events.status_code == 404, events.text
        return
    assert response.status_code == 200, response.text
    assert_seen(response.json(), seen)
    if seen == MASKED:
        for number in FULL_NUMBERS:
            assert number not in response.text
            assert number not in events.text  # the audit trail does not leak them either


@pytest.mark.parametrize("user", ["grid1", "mediator1", "police1", "supervisor1", "county_sup", "dept_sj",
                                  "court1", "admin", "mediator2"])
def test_list_never_returns_full_numbers(api: Api, user: str) -> None:
    client = api.as_user(user)
    for params in ({}, {"page_size": 200}, {"q": "王某某"}, {"q": "1234"}, {"q": ID_NUMBER}, {"q": PHONE}):
        response = client.get("/api/v1/cases", params=params)
        assert response.status_code == 200, response.text
        for number in FULL_NUMBERS + (ID_NUMBER[6:], "12345678"):
            assert number not in response.text, (params, number)
    everything = client.get("/api/v1/cases", params={"page_size": 200}).json()
    assert everything["total"] >= len(everything["items"])


def test_search_by_number_does_not_reveal_who_has_it(api: Api) -> None:
    """A viewer who sees numbers masked must not find cases by the full number either."""
    by_number = api.as_user("grid1").get("/api/v1/cases", params={"q": ID_NUMBER}).json()
    assert by_number["total"] == 0


@pytest.mark.parametrize("user,seen", [("grid1", MASKED), ("police1", MASKED), ("supervisor1", FULL)])
def test_transition_answer_is_masked_for_the_caller(api: Api, user: str, seen: str) -> None:
    case_id = api.new_case("screening.triaged")
    response = api.as_user(user).post(f"/api/v1/cases/{case_id}/transitions", json={
        "trigger": "raise_risk", "expected_version": api.version(case_id),
        "data": {"risk_level": "elevated", "reason": "当事人情绪激动。"}})
    assert response.status_code == 200, response.text
    assert_seen(response.json(), seen)


@pytest.mark.parametrize("user,seen", [("grid1", MASKED), ("mediator1", MASKED), ("supervisor1", FULL)])
def test_intake_answer_is_masked_for_the_filer(api: Api, user: str, seen: str) -> None:
    response = api.as_user(user).post("/api/v1/cases", json={
        "title": "楼上装修噪音扰民纠纷", "description": "双方多次争执。", "channel": "grid_screening",
        "unit": api.county.grid, "category": "neighbour",
        "parties": [{"name": "王某某", "role": "applicant", "id_number": ID_NUMBER, "phone": PHONE},
                    {"name": "李某某", "role": "respondent", "phone": OTHER_PHONE}]})
    assert response.status_code == 201, response.text
    assert_seen(response.json(), seen)
