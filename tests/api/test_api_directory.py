"""Directory administration over HTTP (DESIGN §9.4): units and users, admin only, every change logged.

The tests make units and users of their own (under 永嘉县, codes starting with T-) so the shared
world's users and cases stay as the other tests expect them.
"""

from __future__ import annotations

import uuid

import pytest
from api_support import Api

ADMIN = "admin"


def _code(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _unit(api: Api, kind: str, parent: str | None, code: str | None = None) -> str:
    code = code or _code()
    response = api.as_user(ADMIN).post("/api/v1/units", json={"code": code, "name": f"测试{kind}", "kind": kind,
                                                               "parent": parent})
    assert response.status_code == 201, response.text
    return code


def _town(api: Api) -> str:
    return _unit(api, "town", api.county.county)


def _user(api: Api, unit: str, roles: list[str], password: str | None = "a-long-passphrase") -> str:
    username = f"t{uuid.uuid4().hex[:8]}"
    body = {"username": username, "unit": unit, "roles": roles, "display_name": "测试用户"}
    if password is not None:
        body["password"] = password
    response = api.as_user(ADMIN).post("/api/v1/users", json=body)
    assert response.status_code == 201, response.text
    return username


def _token(api: Api, username: str, password: str = "a-long-passphrase") -> str:
    response = api.login(username, password)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _changes(api: Api, target: str) -> list[dict]:
    response = api.as_user(ADMIN).get("/api/v1/audit/directory-changes", params={"target": target})
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/units"), ("POST", "/api/v1/units"), ("GET", "/api/v1/units/330324"),
    ("PATCH", "/api/v1/units/330324"), ("GET", "/api/v1/users"), ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users/grid1"), ("PATCH", "/api/v1/users/grid1"), ("POST", "/api/v1/users/grid1/password"),
    ("GET", "/api/v1/audit/directory-changes"),
])
def test_only_an_administrator_reaches_the_directory(api: Api, method: str, path: str) -> None:
    for username in ("county_sup", "mediator1"):
        response = api.as_user(username).request(method, path, json={} if method != "GET" else None)
        assert response.status_code == 403, (username, response.text)
    assert api.anonymous().request(method, path).status_code == 401


def test_units_list_filters_and_pages(api: Api) -> None:
    admin = api.as_user(ADMIN)
    towns = admin.get("/api/v1/units", params={"kind": "town", "under": api.county.county}).json()
    assert {"330324001", "330324002"} <= {unit["code"] for unit in towns["items"]}
    assert all(unit["kind"] == "town" for unit in towns["items"])
    children = admin.get("/api/v1/units", params={"parent": api.county.town}).json()["items"]
    assert {unit["code"] for unit in children} >= {"330324001001", "330324001-PS"}
    found = admin.get("/api/v1/units", params={"q": "江北社区第一"}).json()
    assert [unit["code"] for unit in found["items"]] == [api.county.grid]
    paged = admin.get("/api/v1/units", params={"page_size": 2, "page": 2}).json()
    assert len(paged["items"]) == 2 and paged["total"] > 4
    for params in ({"kind": "planet"}, {"parent": "NOPE"}, {"under": "NOPE"}):
        response = admin.get("/api/v1/units", params=params)
        assert response.status_code == 400 and response.json()["extra"]["field"] in params, response.text


def test_units_nest_county_town_community_grid(api: Api) -> None:
    admin = api.as_user(ADMIN)
    town = _town(api)
    community = _unit(api, "community", town)
    grid = _unit(api, "grid", community)
    _unit(api, "station", town)
    refused = [
        {"code": _code(), "name": "县", "kind": "county", "parent": grid},
        {"code": _code(), "name": "网格", "kind": "grid", "parent": town},
        {"code": _code(), "name": "镇", "kind": "town", "parent": None},
        {"code": _code(), "name": "法庭", "kind": "court", "parent": community},
    ]
    for body in refused:
        response = admin.post("/api/v1/units", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["extra"]["field"] == "parent" and response.json()["extra"]["reason_zh"]
        assert admin.get(f"/api/v1/units/{body['code']}").status_code == 404
    assert admin.post("/api/v1/units", json={"code": grid, "name": "重复", "kind": "grid",
                                             "parent": community}).status_code == 409
    bad_kind = admin.post("/api/v1/units", json={"code": _code(), "name": "某", "kind": "planet"})
    assert bad_kind.status_code == 400, bad_kind.text
    assert admin.post("/api/v1/units", json={"code": "a/b", "name": "某", "kind": "county"}).status_code == 400


def test_a_unit_is_renamed_and_moved_with_its_subtree_and_logged(api: Api) -> None:
    admin = api.as_user(ADMIN)
    town, other_town = _town(api), _town(api)
    community = _unit(api, "community", town)
    grid = _unit(api, "grid", community)
    response = admin.patch(f"/api/v1/units/{community}", json={"name": "新名社区", "parent": other_town})
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "新名社区" and response.json()["parent"] == other_town
    moved = admin.get(f"/api/v1/units/{grid}").json()
    assert moved["path"] == f"/{api.county.county}/{other_town}/{community}/{grid}/"
    logged = _changes(api, community)[0]
    assert logged["action"] == "unit_changed" and logged["actor"] == ADMIN
    assert logged["details"]["parent"] == [town, other_town] and logged["at"].endswith("Z")
    under_grid = admin.patch(f"/api/v1/units/{community}", json={"parent": grid})
    assert under_grid.status_code == 422 and under_grid.json()["extra"]["field"] == "parent"
    assert admin.patch("/api/v1/units/NOPE-UNIT", json={"name": "某"}).status_code == 404


def test_a_unit_with_cases_is_not_moved(api: Api) -> None:
    response = api.as_user(ADMIN).patch(f"/api/v1/units/{api.county.community}", json={"parent": api.county.other_town})
    assert response.status_code == 409, response.text
    assert api.as_user(ADMIN).get(f"/api/v1/units/{api.county.community}").json()["parent"] == api.county.town


def test_a_user_is_created_listed_and_never_shows_a_password(api: Api) -> None:
    admin = api.as_user(ADMIN)
    username = _user(api, api.county.community, ["mediator", "supervisor"])
    shown = admin.get(f"/api/v1/users/{username}").json()
    assert shown["roles"] == ["mediator", "supervisor"] and shown["unit"] == api.county.community
    assert not shown["disabled"] and "password" not in str(shown) and "hash" not in str(shown)
    listed = admin.get("/api/v1/users", params={"q": username, "role": "supervisor", "unit": api.county.town}).json()
    assert [user["username"] for user in listed["items"]] == [username]
    assert admin.get("/api/v1/users", params={"q": username, "role": "police"}).json()["total"] == 0
    created = _changes(api, username)[0]
    assert created["action"] == "user_created" and "password" not in str(created["details"])
    for params in ({"role": "wizard"}, {"unit": "NOPE"}):
        assert admin.get("/api/v1/users", params=params).status_code == 400


def test_a_user_without_a_password_gets_a_random_one_that_works(api: Api) -> None:
    username = f"t{uuid.uuid4().hex[:8]}"
    response = api.as_user(ADMIN).post("/api/v1/users", json={"username": username, "unit": api.county.grid,
                                                               "roles": ["grid_worker"]})
    assert response.status_code == 201, response.text
    password = response.json()["generated_password"]
    assert len(password) >= 12 and response.json()["user"]["display_name"] == username
    _token(api, username, password)


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"unit": "330324", "roles": ["mediator"]}, 400, "username"),
    ({"username": "x y", "unit": "330324", "roles": ["mediator"]}, 400, "username"),
    ({"username": "okname", "unit": "330324", "roles": ["wizard"]}, 400, "roles"),
    ({"username": "okname", "unit": "330324", "roles": []}, 400, "roles"),
    ({"username": "okname", "unit": "NOPE", "roles": ["mediator"]}, 422, "unit"),
    ({"username": "okname", "unit": "330324", "roles": ["mediator"], "password": "short"}, 400, "password"),
    ({"username": "grid1", "unit": "330324", "roles": ["mediator"]}, 409, "username"),
])
def test_a_bad_user_is_refused_naming_the_field(api: Api, body: dict, status: int, field: str) -> None:
    response = api.as_user(ADMIN).post("/api/v1/users", json=body)
    assert response.status_code == status, response.text
    assert field in response.text
    assert api.as_user(ADMIN).get("/api/v1/users/okname").status_code == 404


def test_disabling_a_user_ends_their_token_at_once(api: Api) -> None:
    username = _user(api, api.county.community, ["mediator"])
    token = _token(api, username)
    headers = {"Authorization": f"Bearer {token}"}
    assert api.anonymous().get("/api/v1/cases", headers=headers).status_code == 200
    response = api.as_user(ADMIN).patch(f"/api/v1/users/{username}", json={"disabled": True})
    assert response.status_code == 200 and response.json()["disabled"] is True
    assert api.anonymous().get("/api/v1/cases", headers=headers).status_code == 401
    assert api.login(username).status_code == 401
    assert api.as_user(ADMIN).get("/api/v1/users", params={"q": username, "disabled": True}).json()["total"] == 1
    assert api.as_user(ADMIN).patch(f"/api/v1/users/{username}", json={"disabled": False}).status_code == 200
    assert api.anonymous().get("/api/v1/cases", headers=headers).status_code == 401  # the old token stays ended
    _token(api, username)


def test_new_roles_and_a_new_password_end_the_tokens_too(api: Api) -> None:
    admin = api.as_user(ADMIN)
    username = _user(api, api.county.community, ["mediator"])
    headers = {"Authorization": f"Bearer {_token(api, username)}"}
    response = admin.patch(f"/api/v1/users/{username}", json={"roles": ["mediator", "police"],
                                                               "display_name": "改名"})
    assert response.status_code == 200 and response.json()["roles"] == ["mediator", "police"]
    assert api.anonymous().get("/api/v1/cases", headers=headers).status_code == 401
    headers = {"Authorization": f"Bearer {_token(api, username)}"}
    answer = admin.post(f"/api/v1/users/{username}/password", json={})
    assert answer.status_code == 200, answer.text
    generated = answer.json()["generated_password"]
    assert api.anonymous().get("/api/v1/cases", headers=headers).status_code == 401
    assert api.login(username).status_code == 401
    _token(api, username, generated)
    given = admin.post(f"/api/v1/users/{username}/password", json={"password": "another-passphrase"})
    assert given.status_code == 200 and given.json()["generated_password"] is None
    _token(api, username, "another-passphrase")
    assert [change["action"] for change in _changes(api, username)][:3] == ["password_set", "password_set",
                                                                           "user_changed"]
    assert "another-passphrase" not in str(_changes(api, username))


@pytest.mark.parametrize(("body", "field"), [
    ({"roles": ["wizard"]}, "roles"), ({"unit": "NOPE"}, "unit"), ({"disabled": "yes"}, "disabled"),
    ({"password": "x"}, "password"),
])
def test_a_bad_change_is_refused_and_changes_nothing(api: Api, body: dict, field: str) -> None:
    before = api.as_user(ADMIN).get("/api/v1/users/mediator2").json()
    response = api.as_user(ADMIN).patch("/api/v1/users/mediator2", json=body)
    assert 400 <= response.status_code < 500 and field in response.text, response.text
    assert api.as_user(ADMIN).get("/api/v1/users/mediator2").json() == before
    assert api.as_user(ADMIN).patch("/api/v1/users/nobody-here", json={"display_name": "某"}).status_code == 404


def test_an_administrator_cannot_lock_themselves_out(api: Api) -> None:
    for body in ({"disabled": True}, {"roles": ["supervisor"]}):
        response = api.as_user(ADMIN).patch(f"/api/v1/users/{ADMIN}", json=body)
        assert response.status_code == 422, response.text
    assert api.as_user(ADMIN).get("/api/v1/users/admin").json()["roles"] == ["admin"]


def test_a_user_disabled_by_another_process_is_refused_at_once(api: Api) -> None:
    from mediation.clock import utcnow
    from mediation.directory.user_administration import change_user

    username = _user(api, api.county.community, ["mediator"])
    headers = {"Authorization": f"Bearer {_token(api, username)}"}
    assert api.anonymous().get("/api/v1/cases", headers=headers).status_code == 200
    # This test process is not the server: its change must count in the server's process at once.
    change_user(api.db, actor_id=None, username=username, changes={"disabled": True}, now=utcnow())
    assert api.anonymous().get("/api/v1/cases", headers=headers).status_code == 401
    assert _changes(api, username)[0]["actor"] is None  # the command line, not a signed-in administrator


def test_two_administrators_changing_one_unit_one_wins_and_the_other_gets_409(api: Api) -> None:
    code = _unit(api, "town", api.county.county)
    admin = api.as_user(ADMIN)
    read = admin.get(f"/api/v1/units/{code}")
    tag = read.headers["etag"]
    first = admin.patch(f"/api/v1/units/{code}", json={"name": "甲镇"}, headers={"If-Match": tag})
    assert first.status_code == 200, first.text
    assert first.headers["etag"] != tag
    second = admin.patch(f"/api/v1/units/{code}", json={"name": "乙镇"}, headers={"If-Match": tag})
    assert second.status_code == 409 and second.json()["extra"]["field"] == "If-Match", second.text
    assert admin.get(f"/api/v1/units/{code}").json()["name"] == "甲镇"  # the loser changed nothing
    again = admin.patch(f"/api/v1/units/{code}", json={"name": "乙镇"}, headers={"If-Match": first.headers["etag"]})
    assert again.status_code == 200 and again.json()["name"] == "乙镇"


def test_two_administrators_changing_one_user_one_wins_and_the_other_gets_409(api: Api) -> None:
    username = _user(api, api.county.grid, ["grid_worker"])
    admin = api.as_user(ADMIN)
    tag = admin.get(f"/api/v1/users/{username}").headers["etag"]
    assert admin.patch(f"/api/v1/users/{username}", json={"roles": ["mediator"]},
                       headers={"If-Match": tag}).status_code == 200
    late = admin.patch(f"/api/v1/users/{username}", json={"display_name": "改名"}, headers={"If-Match": tag})
    assert late.status_code == 409, late.text
    user = admin.get(f"/api/v1/users/{username}").json()
    assert user["roles"] == ["mediator"] and user["display_name"] == "测试用户"
    assert len([c for c in _changes(api, username) if c["action"] == "user_changed"]) == 1


@pytest.mark.parametrize("if_match", ['"5"', "0123456789abcdef0123", '"ZZZZZZZZZZZZZZZZZZZZ"', ""])
def test_a_malformed_if_match_is_400_naming_the_header(api: Api, if_match: str) -> None:
    response = api.as_user(ADMIN).patch("/api/v1/units/330324", json={"name": "永嘉县"}, headers={"If-Match": if_match})
    assert response.status_code == 400 and response.json()["extra"]["field"] == "If-Match", response.text
