"""Every timestamp of an API answer carries its offset (DESIGN §9.1), read from a real server.

Storage stays naive UTC: each timestamp shown is the stored moment, marked as UTC. The event
trail shows `at` with its offset, and its hash chain still verifies: from the database, and
from the answer itself (the hash covers the stored, offset-free `at`). Dates stay dates.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from api_support import Api

from mediation import jsontext
from mediation.cases.audit import verify_case
from mediation.cases.hashchain import verify_events
from mediation.db import parse_timestamp

pytestmark = pytest.mark.usefixtures("no_server_errors")

WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
STAGE_COLUMNS = ("triaged_at", "mediation_at", "joint_at", "court_at", "follow_up_at", "closed_at")


def moment(text: str) -> datetime:
    """An answer's timestamp as naive UTC; fails unless it carries an offset."""
    assert isinstance(text, str) and WITH_OFFSET.match(text), text
    return datetime.fromisoformat(text).astimezone(timezone.utc).replace(tzinfo=None)


def stored(api: Api, sql: str, **params: Any) -> list[Any]:
    with api.db.read() as connection:
        return list(connection.execute(sa.text(sql), params).one())


def stored_case(api: Api, case_id: int) -> dict[str, datetime | None]:
    columns = ("created_at", "updated_at", *STAGE_COLUMNS)
    values = stored(api, f"SELECT {', '.join(columns)} FROM cases WHERE id = :id", id=case_id)
    return dict(zip(columns, (parse_timestamp(value) for value in values)))


def assert_case_times(api: Api, case_id: int, detail: dict[str, Any]) -> None:
    """The detail's timestamps are the stored ones, each with its offset."""
    times = stored_case(api, case_id)
    assert (moment(detail["created_at"]), moment(detail["updated_at"])) == (times["created_at"], times["updated_at"])
    for column in STAGE_COLUMNS:
        shown = detail["stage_times"][column]
        assert (moment(shown) if shown is not None else None) == times[column], column
    with api.db.read() as connection:
        dues = [parse_timestamp(due) for (due,) in connection.execute(sa.text(
            "SELECT due_at FROM deadlines WHERE case_id = :id AND status = 'pending' ORDER BY due_at"), {"id": case_id})]
    assert [moment(deadline["due_at"]) for deadline in detail["deadlines"]] == dues


def test_the_case_detail_its_deadlines_and_its_progress_carry_offsets(api: Api) -> None:
    case_id = api.new_case("follow_up.tracking")
    response = api.as_user("mediator1").get(f"/api/v1/cases/{case_id}")
    assert response.status_code == 200, response.text
    detail = response.json()
    assert_case_times(api, case_id, detail)
    assert detail["deadlines"] and detail["stage_times"]["follow_up_at"] is not None
    progress = detail["progress"]
    stored_progress = jsontext.loads(stored(api, "SELECT progress FROM cases WHERE id = :id", id=case_id)[0])
    for key in ("agreement_effective_at",):
        assert moment(progress[key]) == datetime.fromisoformat(stored_progress[key])
    agreement = progress["agreement"]
    assert moment(agreement["drafted_at"]) == datetime.fromisoformat(stored_progress["agreement"]["drafted_at"])
    assert moment(agreement["effective_at"]) == datetime.fromisoformat(stored_progress["agreement"]["effective_at"])
    assert date.fromisoformat(agreement["performance_deadline"])  # a date stays a date


def test_a_transition_and_an_intake_answer_with_offsets(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    client = api.as_user("mediator1")
    response = client.post(f"/api/v1/cases/{case_id}/transitions", json={
        "trigger": "escalate", "expected_version": api.version(case_id), "data": {"reason": "分歧较大，逐级上报。"}})
    assert response.status_code == 200, response.text
    assert_case_times(api, case_id, response.json())
    filed = api.as_user("grid1").post("/api/v1/cases", json={
        "title": "占道纠纷", "description": "楼道堆放杂物。", "channel": "grid_screening", "unit": api.county.grid,
        "parties": [{"name": "赵某", "role": "applicant"}]})
    assert filed.status_code == 201, filed.text
    assert_case_times(api, filed.json()["id"], filed.json())


def test_the_case_list_carries_offsets(api: Api) -> None:
    case_id = api.new_case("screening.triaged")
    items = api.as_user("supervisor1").get("/api/v1/cases", params={"page_size": 200}).json()["items"]
    [item] = [item for item in items if item["id"] == case_id]
    times = stored_case(api, case_id)
    assert (moment(item["created_at"]), moment(item["updated_at"])) == (times["created_at"], times["updated_at"])
    assert all(WITH_OFFSET.match(i["created_at"]) and WITH_OFFSET.match(i["updated_at"]) for i in items)


def test_events_carry_offsets_and_their_hash_chain_still_verifies(api: Api) -> None:
    case_id = api.new_case("mediation.agreement_drafted")
    events = api.as_user("mediator1").get(f"/api/v1/cases/{case_id}/events").json()
    with api.db.read() as connection:
        rows = connection.execute(sa.text("SELECT seq, at, hash FROM events WHERE case_id = :id ORDER BY seq"),
                                  {"id": case_id}).all()
    assert [(e["seq"], moment(e["at"]), e["hash"]) for e in events] == [
        (seq, parse_timestamp(at), digest) for seq, at, digest in rows]
    # The chain, recomputed from the answer alone: the hash covers the stored moment, without its offset.
    answered = [SimpleNamespace(**{**event, "case_id": case_id, "at": moment(event["at"]),
                                   "data": jsontext.dumps(event["data"])}) for event in events]
    assert verify_events(case_id, answered) is None
    assert verify_case(api.db, case_id) is None


def test_orders_carry_offsets_and_their_deadline_stays_a_date(api: Api) -> None:
    case_id = api.new_case("screening.triaged")
    deadline = (datetime.now(timezone(timedelta(hours=8))) + timedelta(days=20)).date()
    response = api.as_user("supervisor1").post(f"/api/v1/cases/{case_id}/transitions", json={
        "trigger": "designate_key_case", "expected_version": api.version(case_id),
        "data": {"owner": "mediator1", "deadline": deadline.isoformat()}})
    assert response.status_code == 200, response.text
    orders = api.as_user("supervisor1").get("/api/v1/orders", params={"page_size": 200}).json()["items"]
    [order] = [order for order in orders if order["case"]["id"] == case_id]
    created = stored(api, "SELECT created_at FROM orders WHERE case_id = :id", id=case_id)[0]
    assert moment(order["created_at"]) == parse_timestamp(created)
    assert order["deadline"] == deadline.isoformat()
