"""GET /api/v1/me/notifications (+ read, read-all) and the calendar feed, on the shared API server.

Other modules add cases (and so notices) to the same database: these tests check the notices and
calendar entries of the cases they drive themselves, and what must hold of any list.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa
from api_support import Api, assert_error

from mediation.clock import utcnow
from mediation.demo.case_paths import fire

SHANGHAI = ZoneInfo("Asia/Shanghai")
ASSIGNMENT = {"mechanism": "joint", "resolver": "grassroots"}


def notices(api: Api, username: str, **query) -> dict:
    answer = api.as_user(username).get("/api/v1/me/notifications", params=query)
    assert answer.status_code == 200, answer.text
    return answer.json()


def number_of(api: Api, case_id: int) -> str:
    with api.db.read() as connection:
        return connection.execute(sa.text("SELECT number FROM cases WHERE id = :id"), {"id": case_id}).scalar_one()


@pytest.fixture(scope="module")
def assigned(api: Api) -> list[int]:
    """Two cases of 桥头镇 the county centre assigns to mediator2 (who files nothing in other modules)."""
    cases = []
    for _ in range(2):
        case_id = api.new_case("screening.triaged", unit=api.county.village_grid)
        fire(api.db, case_id, "assign_mediator", actor="county_sup", data={"mediator": "mediator2", **ASSIGNMENT})
        cases.append(case_id)
    return cases


def test_my_notices_say_what_happened_unread_first(api: Api, assigned: list[int]) -> None:
    body = notices(api, "mediator2")
    assert set(body) == {"items", "unread", "total", "page", "page_size"}
    mine = [item for item in body["items"] if item["case_id"] in assigned]
    assert [item["case_id"] for item in mine] == assigned[::-1]  # newest first
    item = mine[0]
    number = number_of(api, assigned[1])
    assert item["topic"] == "case_assigned" and item["case_number"] == number
    assert item["text"] == {"zh": f"您被指派为案件 {number} 的调解员",
                            "en": f"You were assigned as the mediator of case {number}"}
    assert item["read_at"] is None and item["created_at"].endswith("Z")
    assert body["unread"] >= 2
    flags = [item["read_at"] is None for item in body["items"]]
    assert flags == sorted(flags, reverse=True)  # unread first


def test_reading_one_and_then_all(api: Api, assigned: list[int]) -> None:
    client = api.as_user("mediator2")
    first = next(item for item in notices(api, "mediator2")["items"] if item["case_id"] == assigned[0])
    unread = notices(api, "mediator2")["unread"]
    answer = client.post(f"/api/v1/me/notifications/{first['id']}/read")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"unread": unread - 1, "marked": 1}
    again = client.post(f"/api/v1/me/notifications/{first['id']}/read")
    assert again.json() == {"unread": unread - 1, "marked": 0}
    body = notices(api, "mediator2")
    assert body["items"][-1]["id"] == first["id"] or body["total"] > len(body["items"])
    read = next(item for item in body["items"] if item["id"] == first["id"])
    assert read["read_at"].endswith("Z")
    assert all(item["read_at"] is None for item in notices(api, "mediator2", unread="true")["items"])

    answer = client.post("/api/v1/me/notifications/read-all")
    assert answer.status_code == 200 and answer.json() == {"unread": 0, "marked": unread - 1}
    assert notices(api, "mediator2")["unread"] == 0
    assert notices(api, "mediator2", unread="true")["items"] == []


def test_someone_elses_notice_is_not_found_and_stays_unread(api: Api) -> None:
    case_id = api.new_case("joint.referred")
    theirs = next(item for item in notices(api, "dept_sj", unread="true")["items"] if item["case_id"] == case_id)
    for path in (f"/api/v1/me/notifications/{theirs['id']}/read", "/api/v1/me/notifications/0/read",
                 f"/api/v1/me/notifications/{2**40}/read"):
        assert_error(api.as_user("mediator1").post(path), 404)
    assert any(item["id"] == theirs["id"] for item in notices(api, "dept_sj", unread="true")["items"])


@pytest.mark.parametrize("query, field", [({"unread": "perhaps"}, "unread"), ({"page": 0}, "page"),
                                          ({"page_size": 1000}, "page_size")])
def test_bad_filters_are_400_naming_the_field(api: Api, query: dict, field: str) -> None:
    body = assert_error(api.as_user("mediator1").get("/api/v1/me/notifications", params=query), 400)
    assert field in str(body)


def test_notices_need_a_login(api: Api) -> None:
    assert_error(api.anonymous().get("/api/v1/me/notifications"), 401)
    assert_error(api.anonymous().post("/api/v1/me/notifications/read-all"), 401)
    assert_error(api.anonymous().post("/api/v1/me/calendar-token"), 401)


# ---------------------------------------------------------------------- the calendar feed
def test_the_feed_shows_the_adjourned_session_at_its_china_time(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    day = (utcnow() + timedelta(days=3)).date()
    fire(api.db, case_id, "adjourn", actor="mediator1",
         data={"next_session_at": f"{day.isoformat()}T09:30:00", "reason": "当事人需要时间筹措款项"})
    answer = api.as_user("mediator1").post("/api/v1/me/calendar-token")
    assert answer.status_code == 201, answer.text
    token, url = answer.json()["token"], answer.json()["url"]
    assert url.endswith(f"/api/v1/me/calendar.ics?token={token}") and len(token) >= 40

    feed = api.anonymous().get("/api/v1/me/calendar.ics", params={"token": token})
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.content)
    number = number_of(api, case_id)
    (session,) = [event for event in calendar.walk("VEVENT")
                  if number in str(event["SUMMARY"]) and str(event["SUMMARY"]).startswith("下次调解")]
    start = session.decoded("DTSTART")
    assert start == datetime(day.year, day.month, day.day, 9, 30, tzinfo=SHANGHAI)
    assert start.astimezone(timezone.utc).hour == 1 and str(start.tzinfo) == "Asia/Shanghai"
    assert str(session["URL"]).endswith(f"/cases/{case_id}")
    assert str(session["UID"]).startswith(f"session-{case_id}-")
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids))
    # The same feed again: the same UIDs (a calendar program updates, never duplicates).
    again = icalendar.Calendar.from_ical(api.anonymous().get("/api/v1/me/calendar.ics", params={"token": token}).content)
    assert [str(event["UID"]) for event in again.walk("VEVENT")] == uids


def test_a_new_token_revokes_the_old_and_bad_tokens_leak_nothing(api: Api) -> None:
    client = api.as_user("court1")
    old = client.post("/api/v1/me/calendar-token").json()["token"]
    assert api.anonymous().get("/api/v1/me/calendar.ics", params={"token": old}).status_code == 200
    new = client.post("/api/v1/me/calendar-token").json()["token"]
    assert new != old
    answers = [api.anonymous().get("/api/v1/me/calendar.ics", params=params)
               for params in ({"token": old}, {"token": "x" * 43}, {})]
    details = {assert_error(answer, 401)["detail"] for answer in answers}
    assert len(details) == 1
    bearer = api.as_user("court1").get("/api/v1/me/calendar.ics", params={"token": api.token("court1")})
    assert_error(bearer, 401)  # an access token is no feed token
    with api.db.read() as connection:
        stored = connection.execute(sa.text("SELECT calendar_key FROM users WHERE username = 'court1'")).scalar_one()
    assert new not in stored and len(stored) == 64
    assert api.anonymous().get("/api/v1/me/calendar.ics", params={"token": new}).status_code == 200


def test_the_court_sees_its_acceptance_deadline(api: Api) -> None:
    case_id = api.new_case("court.applied")
    token = api.as_user("court1").post("/api/v1/me/calendar-token").json()["token"]
    calendar = icalendar.Calendar.from_ical(
        api.anonymous().get("/api/v1/me/calendar.ics", params={"token": token}).content)
    number = number_of(api, case_id)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT") if number in str(event["SUMMARY"])]
    assert f"法院受理期限届满：{number} 楼上装修噪音扰民纠纷" in summaries
    assert f"调解记录：{number} 楼上装修噪音扰民纠纷" in summaries  # the session that led to the agreement


def test_head_answers_like_get(api: Api) -> None:
    client = api.as_user("mediator1")
    token = client.post("/api/v1/me/calendar-token").json()["token"]
    for path in ("/api/v1/me/notifications", f"/api/v1/me/calendar.ics?token={token}"):
        got, head = client.get(path), client.head(path)
        assert (head.status_code, head.content) == (got.status_code, b"")
        assert head.headers["content-type"] == got.headers["content-type"]


def test_a_replayed_transition_tells_nobody_twice(api: Api) -> None:
    """The same Idempotency-Key again replays the answer: the assignment reaches mediator2 once."""
    case_id = api.new_case("screening.triaged", unit=api.county.village_grid)
    body = {"trigger": "assign_mediator", "data": {"mediator": "mediator2", **ASSIGNMENT},
            "expected_version": api.version(case_id)}
    client = api.as_user("county_sup")
    answers = [client.post(f"/api/v1/cases/{case_id}/transitions", json=body,
                           headers={"Idempotency-Key": f"assign-{case_id}"}) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 200], answers[0].text
    with api.db.read() as connection:
        told = connection.execute(sa.text(
            "SELECT u.username FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.case_id = :id"),
            {"id": case_id}).scalars().all()
    assert told == ["mediator2"]
