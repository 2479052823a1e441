"""The authorization matrix, generated from the workflow YAML: role × trigger × reach → 404 / 403 / engine.

Every trigger of `mediation/workflows/mediation.yaml` is fired over HTTP by one sample user of
every role on one case of each reach category:

- own:      a case in the user's unit subtree (department and court: a case filed in their unit),
            nobody of the matrix assigned, not referred;
- other:    a case of 鹿城区, another county: outside everyone's subtree;
- assigned: a case of 鹿城区 whose mediator is the user (only for roles the YAML lets be assigned);
- referred: a case of 鹿城区 referred to 市场监管 (dept_sj) — or, for court staff, applied to
            瓯北共享法庭 (court1); for every other role it is a case referred elsewhere.

Expected, from DESIGN §5: 404 when the case is out of the user's reach (unit subtree, assigned
to them, referred to their department or court); 403 when none of the user's roles may fire the
trigger (department and court roles only on cases referred to their unit); otherwise the engine
decides by state and data. The request carries the version the user read (the ETag), and data
with an unknown field, so an authorized request ends in 409 (not allowed in this state) or 422
(the unknown field) and never changes the case: one case per category serves every cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from api_support import (
    ASSIGNABLE_ROLES,
    MATRIX_STATS,
    TRIGGERS,
    USER_OF_ROLE,
    WORKFLOW,
    Api,
    assert_error,
)

PROBE = "matrix_probe"
REACHES = ("own", "other", "assigned", "referred")
OWN_CASE = {"department": "matrix_own_sj", "court": "matrix_own_ft"}
REFERRED_CASE = {"court": "matrix_applied_ft"}


def case_name(role: str, reach: str) -> str | None:
    """The fixture case of the reach category for the role's user; None when there is none."""
    if reach == "own":
        return OWN_CASE.get(role, "matrix_own")
    if reach == "other":
        return "matrix_other"
    if reach == "assigned":
        return f"matrix_assigned_{USER_OF_ROLE[role]}" if role in ASSIGNABLE_ROLES else None
    return REFERRED_CASE.get(role, "matrix_referred_sj")


CELLS = [
    (trigger, role, reach)
    for trigger in TRIGGERS
    for role in USER_OF_ROLE
    for reach in REACHES
    if case_name(role, reach) is not None
]


@dataclass(frozen=True)
class Facts:
    """What reach and permission depend on, read from the database."""

    unit_path: str
    mediator_id: int | None
    department_id: int | None
    court_id: int | None


@dataclass(frozen=True)
class User:
    id: int
    unit_id: int
    unit_path: str
    roles: frozenset[str]


class Matrix:
    def __init__(self, api: Api) -> None:
        self.api = api
        with api.db.read() as connection:
            self.users = {
                row.username: User(row.id, row.unit_id, row.path, frozenset(row.roles.split()))
                for row in connection.execute(sa.text(
                    "SELECT u.id, u.username, u.unit_id, u.roles, n.path FROM users u JOIN units n ON n.id = u.unit_id"))
            }
            self.facts = {
                row.id: Facts(row.unit_path, row.mediator_id, row.department_id, row.court_id)
                for row in connection.execute(sa.text(
                    "SELECT id, unit_path, mediator_id, department_id, court_id FROM cases"))
            }
        self.versions = {case_id: api.version(case_id) for case_id in self.facts}
        self._seen: dict[tuple[str, int], tuple[int, list[str] | None]] = {}
        self.results: dict[tuple[str, int, str], int] = {}

    def reaches(self, username: str, case_id: int) -> bool:
        user, case = self.users[username], self.facts[case_id]
        return (case.unit_path.startswith(user.unit_path) or case.mediator_id == user.id
                or user.unit_id in (case.department_id, case.court_id))

    def may_fire(self, username: str, trigger: str, case_id: int) -> bool:
        user, case = self.users[username], self.facts[case_id]
        for role in user.roles & set(TRIGGERS[trigger].get("roles") or ()):
            if role == "department" and case.department_id != user.unit_id:
                continue
            if role == "court" and case.court_id != user.unit_id:
                continue
            return True
        return False

    def expected(self, username: str, trigger: str, case_id: int) -> str:
        if not self.reaches(username, case_id):
            return "404"
        return "engine" if self.may_fire(username, trigger, case_id) else "403"

    def read(self, username: str, case_id: int) -> tuple[int, list[str] | None]:
        """The version the user reads (ETag) and the triggers offered; GET and events obey reach."""
        if (username, case_id) not in self._seen:
            client = self.api.as_user(username)
            detail = client.get(f"/api/v1/cases/{case_id}")
            events = client.get(f"/api/v1/cases/{case_id}/events")
            if self.reaches(username, case_id):
                assert (detail.status_code, events.status_code) == (200, 200), (username, case_id, detail.text)
                version = int(detail.headers["etag"].strip('"'))
                assert version == detail.json()["version"] == self.versions[case_id]
                self._seen[username, case_id] = (version, detail.json()["available_triggers"])
            else:
                assert_error(detail, 404)
                assert_error(events, 404)
                self._seen[username, case_id] = (self.versions[case_id], None)
        return self._seen[username, case_id]


@pytest.fixture(scope="module")
def matrix(api: Api) -> Matrix:
    return Matrix(api)


def test_every_role_of_the_workflow_has_a_user() -> None:
    roles = {role for spec in TRIGGERS.values() for role in spec.get("roles") or ()} - {"system"}
    assert roles <= set(USER_OF_ROLE), roles - set(USER_OF_ROLE)
    assert len(TRIGGERS) == len(WORKFLOW["triggers"]) > 0


def test_the_cases_are_in_their_reach_category(api: Api, matrix: Matrix) -> None:
    for role, username in USER_OF_ROLE.items():
        user = matrix.users[username]
        for reach in REACHES:
            name = case_name(role, reach)
            if name is None:
                continue
            case = matrix.facts[api.cases[name]]
            in_unit = case.unit_path.startswith(user.unit_path)
            if reach == "own":
                assert in_unit and case.mediator_id != user.id, (role, name)
            elif reach == "other":
                assert not matrix.reaches(username, api.cases[name]), (role, name)
            elif reach == "assigned":
                assert not in_unit and case.mediator_id == user.id, (role, name)
            elif role in ("department", "court"):
                assert not in_unit and user.unit_id in (case.department_id, case.court_id), (role, name)


@pytest.mark.parametrize("trigger,role,reach", CELLS, ids=[f"{t}-{r}-{w}" for t, r, w in CELLS])
def test_cell(api: Api, matrix: Matrix, trigger: str, role: str, reach: str) -> None:
    username, case_id = USER_OF_ROLE[role], api.cases[case_name(role, reach)]
    version, _offered = matrix.read(username, case_id)
    expected = matrix.expected(username, trigger, case_id)
    response = api.as_user(username).post(f"/api/v1/cases/{case_id}/transitions", json={
        "trigger": trigger, "expected_version": version, "data": {PROBE: True}})
    matrix.results[username, case_id, trigger] = response.status_code
    MATRIX_STATS["cells"] += 1
    MATRIX_STATS["answers"][response.status_code] = MATRIX_STATS["answers"].get(response.status_code, 0) + 1
    try:
        if expected in ("404", "403"):
            assert_error(response, int(expected))
        else:
            assert response.status_code in (409, 422), response.text
            body = assert_error(response, response.status_code)
            if response.status_code == 422:  # got past role and state checks (a `via` trigger is then refused)
                assert body["extra"]["field"] == ("trigger" if TRIGGERS[trigger].get("via") else f"data.{PROBE}"), body
            else:
                assert trigger not in body["extra"]["allowed_triggers"], body
    except AssertionError:
        MATRIX_STATS["unexpected"].append(f"{trigger} by {username} on {reach} case {case_id}: "
                                          f"expected {expected}, got {response.status_code}")
        raise


def test_offered_triggers_are_exactly_those_that_pass_authorization(api: Api, matrix: Matrix) -> None:
    """GET's available_triggers == the triggers whose probe got past role and state (422)."""
    for role, username in USER_OF_ROLE.items():
        for reach in REACHES:
            name = case_name(role, reach)
            if name is None or not matrix.reaches(username, api.cases[name]):
                continue
            case_id = api.cases[name]
            version, offered = matrix.read(username, case_id)
            passing = set()
            for trigger in TRIGGERS:
                status = matrix.results.get((username, case_id, trigger))
                if status is None:
                    status = api.as_user(username).post(f"/api/v1/cases/{case_id}/transitions", json={
                        "trigger": trigger, "expected_version": version, "data": {PROBE: True}}).status_code
                if status == 422:
                    passing.add(trigger)
            assert set(offered or ()) == passing, (username, name, sorted(set(offered or ()) ^ passing))
            for trigger in offered or ():
                assert matrix.may_fire(username, trigger, case_id), (username, trigger, name)


def test_the_matrix_changed_no_case(api: Api, matrix: Matrix) -> None:
    for name in api.cases:
        if name.startswith("matrix_"):
            assert api.version(api.cases[name]) == matrix.versions[api.cases[name]], name


def _listed(api: Api, username: str, **params) -> set[int]:
    ids: set[int] = set()
    page = 1
    while True:
        response = api.as_user(username).get("/api/v1/cases", params={**params, "page": page, "page_size": 200})
        assert response.status_code == 200, response.text
        body = response.json()
        ids |= {item["id"] for item in body["items"]}
        if page * 200 >= body["total"]:
            assert len(ids) == body["total"]
            return ids
        page += 1


@pytest.mark.parametrize("role", list(USER_OF_ROLE))
def test_the_list_shows_exactly_the_cases_in_reach(api: Api, role: str) -> None:
    username = USER_OF_ROLE[role]
    fresh = Matrix(api)  # other tests file cases too: read the facts now
    in_reach = {case_id for case_id in fresh.facts if fresh.reaches(username, case_id)}
    listed = _listed(api, username)
    assert listed <= set(fresh.facts)
    assert listed == in_reach, (sorted(listed - in_reach), sorted(in_reach - listed))
    # A unit filter narrows the list; it never widens the caller's reach.
    for unit in ("330324", "330324002", "330302", "330324-SJ"):
        assert _listed(api, username, unit=unit) <= in_reach, unit


@pytest.mark.parametrize("q", ["%", "_", "\\", "%%", "'", "\" OR 1=1 --"])
def test_search_treats_wildcards_literally(api: Api, q: str) -> None:
    response = api.as_user("county_sup").get("/api/v1/cases", params={"q": q})
    assert response.status_code == 200, response.text
    assert response.json()["total"] == 0, q
