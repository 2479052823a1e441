"""Cross-jurisdiction co-mediation over HTTP (DESIGN §9.5): share_with_unit, end_sharing, referral_in by a partner.

The partner is the sample county's 浙闽 liaison post (浦城县, another province): its mediator `partner1`
reaches a case shared with it with their own role, on every read path, and loses it when the sharing
ends; users of a third unit (菇溪村's mediator2, 鹿城区's lc_mediator) get 404 everywhere.
"""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from api_support import ID_MASKED, ID_NUMBER, PHONE, Api, assert_error
from pypdf import PdfReader

from mediation.clock import utcnow

pytestmark = pytest.mark.usefixtures("no_server_errors")

PARTNER = "partner1"
THIRD_UNIT = ("mediator2", "lc_mediator")
REASON = "当事人一方居住在福建浦城，需跨省协同调解。"
ZH = {"Accept-Language": "zh-CN"}


def _fire(client: httpx.Client, api: Api, case_id: int, trigger: str, **data: Any) -> httpx.Response:
    return client.post(f"/api/v1/cases/{case_id}/transitions", headers=ZH,
                       json={"trigger": trigger, "expected_version": api.version(case_id), "data": data})


def _share(api: Api, case_id: int, unit: str | None = None, by: str = "mediator1") -> httpx.Response:
    return _fire(api.as_user(by), api, case_id, "share_with_unit", unit=unit or api.county.partner_post,
                 reason=REASON)


@pytest.fixture
def shared(api: Api) -> int:
    """A case of 江北社区第一网格 in session, assigned to mediator1, shared with the liaison post."""
    case_id = api.new_case("mediation.in_session")
    assert api.as_user(PARTNER).get(f"/api/v1/cases/{case_id}").status_code == 404  # not before it is shared
    answer = _share(api, case_id)
    assert answer.status_code == 200, answer.text
    return case_id


def test_sharing_is_an_audited_event_and_tells_the_partner_unit(api: Api, shared: int) -> None:
    events = api.as_user("mediator1").get(f"/api/v1/cases/{shared}/events").json()
    share = events[-1]
    assert share["trigger"] == "share_with_unit" and share["actor"] == "mediator1"
    assert share["data"] == {"unit": api.county.partner_post, "reason": REASON}
    assert share["from_state"] == share["to_state"] == "mediation.in_session"
    for username in (PARTNER, "partner_sup"):
        notices = api.as_user(username).get("/api/v1/me/notifications", params={"page_size": 200}).json()["items"]
        (notice,) = [n for n in notices if n["case_id"] == shared]
        assert notice["topic"] == "case_shared" and notice["read_at"] is None
        assert notice["case_number"] in notice["text"]["zh"] and "协同调解" in notice["text"]["zh"]
        assert REASON in notice["text"]["zh"] and "co-mediation" in notice["text"]["en"]
    mediator = api.as_user("mediator1").get("/api/v1/me/notifications", params={"page_size": 200}).json()["items"]
    assert not [n for n in mediator if n["case_id"] == shared and n["topic"] == "case_shared"]  # not told of own act


def test_the_partner_reaches_the_case_with_its_own_role(api: Api, shared: int) -> None:
    client = api.as_user(PARTNER)
    detail = client.get(f"/api/v1/cases/{shared}")
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert "record_session" in body["available_triggers"] and "designate_key_case" not in body["available_triggers"]
    assert all(p["id_number"] in (None, ID_MASKED) for p in body["parties"])  # not the assigned mediator: masked
    held = (utcnow() + timedelta(hours=8) - timedelta(hours=1)).replace(microsecond=0, tzinfo=None)
    session = _fire(client, api, shared, "record_session", held_at=held.isoformat(), place="浙闽边界铁盟联调站",
                    outcome="partial", findings="双方就赔偿数额初步达成一致。")
    assert session.status_code == 200, session.text
    assert api.as_user("mediator1").get(f"/api/v1/cases/{shared}/events").json()[-1]["actor"] == PARTNER


def test_every_read_path_reaches_the_shared_case_for_the_partner_and_none_for_a_third_unit(
        api: Api, shared: int) -> None:
    number = api.as_user("mediator1").get(f"/api/v1/cases/{shared}").json()["number"]
    paths = (f"/api/v1/cases/{shared}", f"/api/v1/cases/{shared}/events",
             f"/api/v1/cases/{shared}/documents/case_file.pdf", f"/api/v1/cases/{shared}/attachments")
    for path in paths:
        answer = api.as_user(PARTNER).get(path)
        assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:200]}"
        for username in THIRD_UNIT:
            assert_error(api.as_user(username).get(path), 404)
    listed = api.as_user(PARTNER).get("/api/v1/cases", params={"q": number}).json()
    assert [item["id"] for item in listed["items"]] == [shared]
    export = api.as_user(PARTNER).get("/api/v1/cases/export", params={"q": number})
    assert export.status_code == 200 and number in export.content.decode("utf-8-sig")
    work = api.as_user(PARTNER).get("/api/v1/me/work", params={"page_size": 200})
    assert work.status_code == 200, work.text
    assert shared in [item["id"] for item in work.json()["items"]]
    for username in THIRD_UNIT:
        assert api.as_user(username).get("/api/v1/cases", params={"q": number}).json()["items"] == []
        assert number not in api.as_user(username).get("/api/v1/cases/export", params={"q": number}).text
        work = api.as_user(username).get("/api/v1/me/work", params={"page_size": 200}).json()["items"]
        assert shared not in [item["id"] for item in work]
        assert_error(_fire(api.as_user(username), api, shared, "add_note", text="第三方单位"), 404)


def test_a_partner_pdf_is_masked_for_its_role(api: Api, shared: int) -> None:
    pdf = api.as_user(PARTNER).get(f"/api/v1/cases/{shared}/documents/case_file.pdf")
    assert pdf.status_code == 200, pdf.text[:200]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).replace(" ", "")
    assert ID_MASKED in text and ID_NUMBER not in text and PHONE not in text


def test_the_calendar_of_the_partner_shows_the_shared_cases_sessions(api: Api, shared: int) -> None:
    day = (utcnow() + timedelta(days=4)).date()
    adjourned = _fire(api.as_user(PARTNER), api, shared, "adjourn", next_session_at=f"{day.isoformat()}T10:00:00",
                      reason="双方需补充证据，改期再调。")
    assert adjourned.status_code == 200, adjourned.text
    token = api.as_user(PARTNER).post("/api/v1/me/calendar-token").json()["token"]
    feed = api.anonymous().get("/api/v1/me/calendar.ics", params={"token": token})
    assert feed.status_code == 200 and f"/cases/{shared}" in feed.text.replace("\r\n ", "")
    token = api.as_user("mediator2").post("/api/v1/me/calendar-token").json()["token"]
    assert f"/cases/{shared}" not in api.anonymous().get("/api/v1/me/calendar.ics", params={"token": token}).text


@pytest.mark.parametrize(("unit", "code"), [
    ("community", "own_unit"),  # the case's grid lies under it
    ("grid", "own_unit"),
    ("county", "own_unit"),
    ("partner_post", "already_shared"),
])
def test_sharing_refused_in_words_changing_nothing(api: Api, shared: int, unit: str, code: str) -> None:
    before = api.version(shared)
    body = assert_error(_share(api, shared, getattr(api.county, unit)), 422)
    assert body["extra"]["code"] == code and body["extra"]["reasons"]["zh"] and body["extra"]["reasons"]["en"]
    assert not any(ch.isascii() and ch.isalpha() for ch in body["detail"])  # Chinese words, no code names
    assert api.version(shared) == before


def test_sharing_with_the_department_handling_the_case_is_refused(api: Api) -> None:
    case_id = api.new_case("joint.referred")
    body = assert_error(_share(api, case_id, api.county.market_department), 422)
    assert body["extra"]["code"] == "reaches_already"


def test_an_unknown_unit_or_a_share_that_does_not_exist_is_refused(api: Api, shared: int) -> None:
    before = api.version(shared)
    body = assert_error(_share(api, shared, "NO-SUCH-UNIT"), 422)
    assert body["extra"]["field"] == "data.unit" and body["extra"]["code"] == "no_such_unit"
    assert_error(_fire(api.as_user("mediator1"), api, shared, "share_with_unit", unit=api.county.partner_post), 422)
    body = assert_error(_fire(api.as_user("mediator1"), api, shared, "end_sharing", unit="330324002001"), 422)
    assert body["extra"]["code"] == "not_shared" and body["detail"] == "案件未与该单位共享"
    assert api.version(shared) == before


def test_ending_the_sharing_takes_the_case_out_of_the_partners_reach(api: Api, shared: int) -> None:
    ended = _fire(api.as_user("mediator1"), api, shared, "end_sharing", unit=api.county.partner_post)
    assert ended.status_code == 200, ended.text
    assert api.as_user("mediator1").get(f"/api/v1/cases/{shared}/events").json()[-1]["trigger"] == "end_sharing"
    assert_error(api.as_user(PARTNER).get(f"/api/v1/cases/{shared}"), 404)
    assert_error(api.as_user(PARTNER).get(f"/api/v1/cases/{shared}/documents/case_file.pdf"), 404)
    assert _share(api, shared).status_code == 200  # it may be shared again


def test_the_partner_may_end_its_own_share_and_gets_a_receipt(api: Api, shared: int) -> None:
    ended = _fire(api.as_user(PARTNER), api, shared, "end_sharing", unit=api.county.partner_post)
    assert ended.status_code == 200, ended.text
    assert ended.json()["in_reach"] is False and set(ended.json()) >= {"id", "number", "state", "version"}


def test_the_roles_that_may_share(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    assert_error(_share(api, case_id, by="grid1"), 403)
    assert_error(_share(api, case_id, by="dept_sj"), 404)
    assert _share(api, case_id, by="supervisor1").status_code == 200


# ---------------------------------------------------------------------- referral_in filed by the partner
def _referral(api: Api, **fields: Any) -> dict[str, Any]:
    return {"title": f"跨省山林边界纠纷{uuid.uuid4().hex[:6]}", "description": "浦城与永嘉交界处山林权属争议，由铁盟联调站转入。",
            "channel": "referral_in", "unit": api.county.grid, "category": "other",
            "parties": [{"name": "叶某某", "role": "applicant"}, {"name": "林某某", "role": "respondent"}], **fields}


def test_a_referral_from_the_partner_is_filed_into_our_grid_and_shared_with_it(api: Api) -> None:
    answer = api.as_user(PARTNER).post("/api/v1/cases", json=_referral(api, referred_by=api.county.partner_post))
    assert answer.status_code == 201, answer.text
    case_id = answer.json()["id"]
    assert answer.json()["unit"]["code"] == api.county.grid
    assert api.as_user("mediator1").get(f"/api/v1/cases/{case_id}").status_code == 200
    assert api.as_user(PARTNER).get(f"/api/v1/cases/{case_id}").status_code == 200
    for username in THIRD_UNIT:
        assert_error(api.as_user(username).get(f"/api/v1/cases/{case_id}"), 404)
    (intake,) = api.as_user("mediator1").get(f"/api/v1/cases/{case_id}/events").json()
    assert intake["data"]["referred_by"] == api.county.partner_post
    # Shared already: sharing again is refused, ending it works.
    assert assert_error(_share(api, case_id), 422)["extra"]["code"] == "already_shared"


@pytest.mark.parametrize(("fields", "field"), [
    ({}, "unit"),  # no referring unit named: outside the partner's jurisdiction
    ({"referred_by": "330324002001"}, "unit"),  # another unit than the filer's own
    ({"referred_by": "NO-SUCH-UNIT"}, "referred_by"),
    ({"referred_by": "350722-LM", "channel": "walk_in"}, "referred_by"),  # other channels stay refused
])
def test_a_partner_filing_elsewhere_is_refused_naming_the_field(api: Api, fields: dict, field: str) -> None:
    before = api.case_count()
    body = assert_error(api.as_user(PARTNER).post("/api/v1/cases", json=_referral(api, **fields)), 422)
    assert body["extra"]["field"] == field
    assert api.case_count() == before


def test_our_own_referral_in_may_name_the_partner_that_sent_it(api: Api) -> None:
    answer = api.as_user("mediator1").post("/api/v1/cases", json=_referral(api, referred_by=api.county.partner_post))
    assert answer.status_code == 201, answer.text
    assert api.as_user(PARTNER).get(f"/api/v1/cases/{answer.json()['id']}").status_code == 200


# ---------------------------------------------------------------------- the figures
def test_the_figures_count_a_shared_case_for_both_units_and_under_the_partner_filter(api: Api) -> None:
    def figures(username: str, **params: str) -> dict[str, Any]:
        answer = api.as_user(username).get("/api/v1/metrics", params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    partner = api.county.partner_post
    home_before, partner_before = figures("supervisor1"), figures("partner_sup")
    filtered_before = figures("supervisor1", partner=partner)
    case_id = api.new_case("mediation.in_session")
    assert _share(api, case_id).status_code == 200
    home, away, filtered = figures("supervisor1"), figures("partner_sup"), figures("supervisor1", partner=partner)
    assert home["cases"] == home_before["cases"] + 1
    assert away["cases"] == partner_before["cases"] + 1
    assert filtered["cases"] == filtered_before["cases"] + 1 and filtered["partner"]["code"] == partner
    assert filtered["cases"] == filtered["co_mediation"]["cases"] <= home["cases"]
    assert home["co_mediation"]["cases"] == home_before["co_mediation"]["cases"] + 1
    posts = {u["code"]: u["count"] for u in home["co_mediation"]["by_partner"]}
    assert posts[partner] == filtered["cases"]
    own_post = figures("partner_sup", unit=partner)
    assert own_post["cases"] == away["cases"]  # the post's own figures take in the cases shared with it
    body = assert_error(api.as_user("supervisor1").get("/api/v1/metrics", params={"partner": "NO-SUCH"}), 400)
    assert body["extra"]["field"] == "partner"


def test_the_figures_of_a_case_never_shared_stay_as_they_were(api: Api) -> None:
    before = api.as_user("supervisor1").get("/api/v1/metrics").json()
    api.new_case("mediation.in_session")
    after = api.as_user("supervisor1").get("/api/v1/metrics").json()
    assert after["cases"] == before["cases"] + 1
    assert after["co_mediation"] == before["co_mediation"]


def test_a_key_case_orders_co_unit_reaches_the_case_and_a_third_unit_still_does_not(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    assert api.as_user(PARTNER).get(f"/api/v1/cases/{case_id}").status_code == 404
    deadline = (utcnow() + timedelta(days=40)).date().isoformat()
    answer = _fire(api.as_user("supervisor1"), api, case_id, "designate_key_case", owner="mediator1",
                   deadline=deadline, co_units=[api.county.partner_post, api.county.town])
    assert answer.status_code == 200, answer.text
    seen = api.as_user(PARTNER).get(f"/api/v1/cases/{case_id}")
    assert seen.status_code == 200, seen.text  # the post works the order with its owner
    notices = api.as_user(PARTNER).get("/api/v1/me/notifications", params={"page_size": 200}).json()["items"]
    assert [n["topic"] for n in notices if n["case_id"] == case_id] == ["case_shared"]
    for username in THIRD_UNIT:
        assert api.as_user(username).get(f"/api/v1/cases/{case_id}").status_code == 404
    with api.db.snapshot() as tx:  # the town reaches the case already: no share for it
        shared = tx.all("SELECT u.code, s.shared_by FROM case_shares s JOIN units u ON u.id = s.unit_id "
                        "WHERE s.case_id = :id", {"id": case_id})
    assert shared == [(api.county.partner_post, "supervisor1")]


def test_the_api_lists_the_units_a_case_is_shared_with_and_hides_them_outside_reach(api: Api, shared: int) -> None:
    listed = api.as_user("mediator1").get(f"/api/v1/cases/{shared}/shares")
    assert listed.status_code == 200, listed.text
    (share,) = listed.json()
    assert share["unit"]["code"] == api.county.partner_post and share["reason"] == REASON
    assert share["shared_by"] and share["shared_at"].endswith("Z")
    assert api.as_user(PARTNER).get(f"/api/v1/cases/{shared}/shares").json() == listed.json()
    for username in THIRD_UNIT:
        assert_error(api.as_user(username).get(f"/api/v1/cases/{shared}/shares"), 404)
