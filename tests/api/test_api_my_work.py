"""GET /api/v1/me/work: each role's own queue (mediation.cases.my_work), on the shared API server.

Other test modules add cases to the same database, so these tests check what must hold of any
queue (open cases only, in reach, sorted by urgency) and the presence, reason and order of the
cases they drive themselves.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from api_support import Api, assert_error

from mediation.clock import utcnow

URGENCY_RANK = {"overdue": 0, "due_soon": 1, "rest": 2}


def queue(api: Api, username: str, **query: Any) -> list[dict[str, Any]]:
    """Every item of the user's queue, read a page of 200 at a time."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = api.as_user(username).get("/api/v1/me/work", params={**query, "page": page, "page_size": 200})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body["items"]
        if page * 200 >= body["total"]:
            assert len(items) == body["total"]
            return items
        page += 1


def by_id(items: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {item["id"]: item for item in items}


def sort_key(item: dict[str, Any]) -> tuple:
    due = item["deadline"]["due_at"] if item["deadline"] else None
    return URGENCY_RANK[item["urgency"]], due is None, due or ""


def due_in_a_day(api: Api, case_id: int) -> int:
    """The case, its pending deadline moved to a day from now. The court's 3 days end at 24:00 China time
    of their last day, moved past weekends and holidays (民事诉讼法 art. 85), so no moment of application
    leaves it due within DUE_SOON on every day of the year; the queue's order is what is tested here."""
    with api.db.write() as tx:
        tx.execute("UPDATE deadlines SET due_at = :due WHERE case_id = :id AND status = 'pending'",
                   {"due": tx.timestamp(utcnow() + timedelta(days=1)), "id": case_id})
    return case_id


@pytest.fixture(scope="module")
def cases(api: Api) -> dict[str, int]:
    """Cases this module drives, at moments that make their deadlines overdue, due soon or far off."""
    now = utcnow()
    county = api.county
    return {
        "court_overdue": api.new_case("court.applied", now=now - timedelta(days=10)),
        "court_due_soon": due_in_a_day(api, api.new_case("court.applied", now=now - timedelta(days=2))),
        "court_rest": api.new_case("court.applied"),
        "assigned_overdue": api.new_case("mediation.assigned", now=now - timedelta(days=40)),
        "assigned_rest": api.new_case("mediation.assigned"),
        "withdrawn": api.new_case("closed.withdrawn"),
        "unassigned": api.new_case("screening.reported"),
        "referred": api.new_case("joint.referred"),
        "high_risk": api.new_case("screening.reported", route=(("raise_risk", {"risk_level": "high"}),)),
        "tracking": api.new_case("follow_up.tracking"),
        "qiaotou_unassigned": api.new_case("screening.reported", unit=county.village_grid),
        "key_case": api.new_case("mediation.assigned", unit=county.village_grid,
                                 route=("triage", "designate_key_case", "assign_mediator")),  # mediator2 owns the order
    }


def test_a_mediator_sees_their_cases_and_the_unassigned_ones_of_their_unit(api: Api, cases: dict[str, int]) -> None:
    items = by_id(queue(api, "mediator1"))
    assert items[cases["assigned_overdue"]]["reason"] == "assigned"
    assert items[cases["assigned_overdue"]]["urgency"] == "overdue"
    assert items[cases["assigned_overdue"]]["deadline"]["kind"] == "people_mediation_term"
    assert items[cases["assigned_overdue"]]["deadline"]["label"] == "人民调解期限"
    assert items[cases["assigned_overdue"]]["deadline"]["due_at"].endswith("Z")
    assert items[cases["assigned_rest"]]["urgency"] == "rest"
    assert items[cases["unassigned"]]["reason"] == "awaiting_me"
    assert items[cases["unassigned"]]["state_label"] == "已登记"
    assert items[cases["court_rest"]]["reason"] == "assigned"  # waiting on the court, still theirs
    for absent in ("withdrawn", "referred", "qiaotou_unassigned"):
        assert cases[absent] not in items, absent


def test_police_of_the_unit_see_its_unassigned_cases_too(api: Api, cases: dict[str, int]) -> None:
    items = by_id(queue(api, "police1"))
    assert items[cases["unassigned"]]["reason"] == "awaiting_me"
    assert cases["assigned_rest"] not in items


def test_the_court_sees_referrals_awaiting_it_most_urgent_first(api: Api, cases: dict[str, int]) -> None:
    items = queue(api, "court1")
    ids = [item["id"] for item in items]
    order = [ids.index(cases[name]) for name in ("court_overdue", "court_due_soon", "court_rest")]
    assert order == sorted(order)
    found = by_id(items)
    assert [found[cases[n]]["urgency"] for n in ("court_overdue", "court_due_soon", "court_rest")] == [
        "overdue", "due_soon", "rest"]
    assert {item["reason"] for item in items} == {"awaiting_me"}
    assert {item["state"] for item in items} <= {"court.applied", "court.under_review"}
    assert cases["referred"] not in found


def test_the_department_sees_its_referrals(api: Api, cases: dict[str, int]) -> None:
    items = by_id(queue(api, "dept_sj"))
    assert items[cases["referred"]]["reason"] == "awaiting_me"
    assert items[cases["referred"]]["deadline"]["kind"] == "department_acknowledgement"
    assert cases["court_rest"] not in items and cases["unassigned"] not in items


def test_a_supervisor_sees_overdue_and_high_risk_cases_of_their_subtree(api: Api, cases: dict[str, int]) -> None:
    items = by_id(queue(api, "supervisor1"))
    assert items[cases["assigned_overdue"]]["reason"] == "awaiting_me"
    assert items[cases["high_risk"]]["reason"] == "awaiting_me"
    assert cases["assigned_rest"] not in items and cases["qiaotou_unassigned"] not in items


def test_a_grid_worker_sees_the_return_visits_of_cases_they_filed(api: Api, cases: dict[str, int]) -> None:
    items = by_id(queue(api, "grid1"))
    assert items[cases["tracking"]]["reason"] == "awaiting_me"
    assert items[cases["tracking"]]["deadline"]["kind"].startswith("return_visit_")
    assert cases["unassigned"] not in items
    assert cases["tracking"] not in by_id(queue(api, "grid2"))


@pytest.mark.parametrize("username", ["mediator1", "police1", "court1", "dept_sj", "supervisor1", "county_sup", "grid1"])
def test_every_queue_is_open_cases_in_reach_sorted_by_urgency(api: Api, cases: dict[str, int], username: str) -> None:
    items = queue(api, username)
    assert items, username
    assert all(item["stage"] != "closed" for item in items)
    assert [sort_key(item) for item in items] == sorted(sort_key(item) for item in items)
    client = api.as_user(username)
    for item in items[:20]:
        assert client.get(f"/api/v1/cases/{item['id']}").status_code == 200


def test_the_owner_of_a_key_case_order_sees_it(api: Api, cases: dict[str, int]) -> None:
    item = by_id(queue(api, "mediator2"))[cases["key_case"]]
    assert item["reasons"] == ["assigned", "order_owner"] and item["key_case"] is True
    assert cases["key_case"] in by_id(queue(api, "mediator2", kind="assigned"))
    assert cases["key_case"] not in by_id(queue(api, "mediator1"))


def test_admin_has_an_empty_queue(api: Api) -> None:
    assert api.as_user("admin").get("/api/v1/me/work").json()["total"] == 0


@pytest.mark.parametrize("kind", ["assigned", "awaiting_me", "due_soon", "overdue"])
def test_the_kind_filter_keeps_what_it_names(api: Api, cases: dict[str, int], kind: str) -> None:
    everything = queue(api, "supervisor1") + queue(api, "mediator1")
    kept = queue(api, "supervisor1", kind=kind) + queue(api, "mediator1", kind=kind)
    assert kept
    expected = [item["id"] for item in everything if (
        kind in item["reasons"] or item["urgency"] == kind or (kind == "assigned" and "order_owner" in item["reasons"]))]
    assert [item["id"] for item in kept] == expected


@pytest.mark.parametrize("query, field", [
    ({"kind": "mine"}, "kind"), ({"kind": ""}, "kind"), ({"page_size": 201}, "page_size"),
    ({"page_size": 0}, "page_size"), ({"page": 0}, "page"), ({"page": "x"}, "page"),
])
def test_bad_filters_are_refused_naming_the_parameter(api: Api, query: dict[str, Any], field: str) -> None:
    answer = api.as_user("mediator1").get("/api/v1/me/work", params=query)
    body = assert_error(answer, 400)
    assert field in answer.text, body


def test_pages_cut_the_same_queue(api: Api, cases: dict[str, int]) -> None:
    whole = [item["id"] for item in queue(api, "mediator1")]
    client = api.as_user("mediator1")
    paged = []
    for page in range(1, len(whole) + 1):
        body = client.get("/api/v1/me/work", params={"page": page, "page_size": 1}).json()
        assert body["total"] == len(whole) and body["page_size"] == 1
        paged += [item["id"] for item in body["items"]]
    assert paged == whole


def test_the_queue_needs_a_login(api: Api) -> None:
    assert api.anonymous().get("/api/v1/me/work").status_code == 401
