"""The personal-data view log (PIPL, DESIGN §9.9): a read that shows unmasked numbers is logged, a masked
one is not; supervisors read the views of their unit's cases, administrators all of them."""

from __future__ import annotations

import sqlalchemy as sa
from api_support import ID_MASKED, ID_NUMBER, Api

LOG = "/api/v1/audit/personal-data-views"


def _views(api: Api, case_id: int, username: str) -> list[tuple]:
    with api.db.read() as connection:
        return connection.execute(sa.text(
            "SELECT v.via FROM personal_data_views v JOIN users u ON u.id = v.user_id "
            "WHERE v.case_id = :case AND u.username = :user"), {"case": case_id, "user": username}).all()


def test_the_assigned_mediator_reading_a_case_is_logged_once_a_minute(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    response = api.as_user("mediator1").get(f"/api/v1/cases/{case_id}")
    assert response.status_code == 200 and ID_NUMBER in response.text
    assert _views(api, case_id, "mediator1") == [("api_case",)]
    api.as_user("mediator1").get(f"/api/v1/cases/{case_id}")
    assert _views(api, case_id, "mediator1") == [("api_case",)]  # the same view again within a minute
    assert api.as_user("mediator1").get(f"/api/v1/cases/{case_id}/events").status_code == 200
    assert sorted(_views(api, case_id, "mediator1")) == [("api_case",), ("api_events",)]


def test_a_masked_reader_is_not_logged(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    response = api.as_user("grid1").get(f"/api/v1/cases/{case_id}")
    assert response.status_code == 200 and ID_MASKED in response.text and ID_NUMBER not in response.text
    api.as_user("police1").get(f"/api/v1/cases/{case_id}")
    assert _views(api, case_id, "grid1") == [] and _views(api, case_id, "police1") == []


def test_supervisors_read_the_views_of_their_units_cases_only(api: Api) -> None:
    case_id = api.new_case("mediation.in_session")
    api.as_user("mediator1").get(f"/api/v1/cases/{case_id}")
    number = api.as_user("mediator1").get(f"/api/v1/cases/{case_id}").json()["number"]
    for reader in ("supervisor1", "county_sup", "admin"):
        page = api.as_user(reader).get(LOG, params={"case": number})
        assert page.status_code == 200, page.text
        entries = [entry for entry in page.json()["items"] if entry["username"] == "mediator1"]
        assert entries and entries[0]["case_id"] == case_id and entries[0]["via"] == "api_case", reader
        assert entries[0]["viewed_at"].endswith("Z") and entries[0]["display_name"] == "林调解"
    other = api.as_user("lc_sup").get(LOG, params={"case": str(case_id)})
    assert other.status_code == 200 and other.json()["items"] == []
    by_user = api.as_user("county_sup").get(LOG, params={"user": "mediator1", "from": "2000-01-01"}).json()
    assert by_user["total"] >= 1 and {entry["username"] for entry in by_user["items"]} == {"mediator1"}
    assert api.as_user("county_sup").get(LOG, params={"to": "2000-01-01"}).json()["total"] == 0


def test_others_may_not_read_the_log_and_bad_filters_are_400(api: Api) -> None:
    for reader in ("mediator1", "grid1", "court1"):
        assert api.as_user(reader).get(LOG).status_code == 403
    assert api.anonymous().get(LOG).status_code == 401
    for params, field in (({"case": "no-such-case"}, "case"), ({"user": "nobody-here"}, "user"),
                          ({"from": "yesterday"}, "from"), ({"to": "2026-03-02T10:00:00"}, "to")):
        response = api.as_user("county_sup").get(LOG, params=params)
        assert response.status_code == 400 and response.json()["extra"]["field"] == field, response.text
    for params, field in (({"from": "2026-02-30"}, "from"), ({"to": "9999-12-31"}, "to")):
        response = api.as_user("county_sup").get(LOG, params=params)
        assert response.status_code == 422 and response.json()["extra"]["field"] == field, response.text
    moment = api.as_user("county_sup").get(LOG, params={"from": "2000-01-01T00:00+08:00", "to": "2000-01-02"})
    assert moment.status_code == 200 and moment.json()["total"] == 0


def test_an_identity_document_and_an_unmasked_document_are_logged(api: Api) -> None:
    from attachment_samples import SAMPLES

    case_id = api.new_case("mediation.assigned")
    mediator = api.as_user("mediator1")
    card = mediator.post(f"/api/v1/cases/{case_id}/attachments", data={"kind": "id_document"},
                         files={"file": ("身份证.jpg", SAMPLES["jpeg"][0], "application/octet-stream")})
    assert card.status_code == 201, card.text
    assert mediator.get(f"/api/v1/cases/{case_id}/attachments/{card.json()['id']}").status_code == 200
    assert ("attachment:id_document",) in _views(api, case_id, "mediator1")
    document = mediator.get(f"/api/v1/cases/{case_id}/documents/case_file.pdf")
    assert document.status_code == 200, document.text
    assert ("document:case_file",) in _views(api, case_id, "mediator1")
    assert api.as_user("grid1").get(f"/api/v1/cases/{case_id}/documents/case_file.pdf").status_code == 200
    assert _views(api, case_id, "grid1") == []  # the grid worker's copy is masked
