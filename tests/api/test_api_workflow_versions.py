"""`GET /api/v1/workflows/{name}/versions[/{v}[/diff/{w}]]` (DESIGN §9.6): administrators and supervisors
read the stored versions, what one holds and what changed; others are refused, unknown ones are 404.

The variant is stored under a workflow name of its own, so the shared server's cases keep starting on
the package's version."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from api_support import Api, assert_error

from mediation.workflows.definition import parse_definition
from mediation.workflows.loader import WORKFLOW_DIR, load_definition

pytestmark = pytest.mark.usefixtures("no_server_errors")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "county_variant"
VARIANT = "mediation_variant_api_test"
BASE = f"/api/v1/workflows/{VARIANT}/versions"


def _renamed(folder: Path):
    definition = load_definition("mediation", folder)
    workflow = {**copy.deepcopy(definition.source["workflow"]), "name": VARIANT}
    return parse_definition(workflow, copy.deepcopy(definition.source["policy"]))


@pytest.fixture(scope="module")
def variant(api: Api) -> str:
    first = api.db.workflows.ensure_stored(_renamed(WORKFLOW_DIR))
    second = api.db.workflows.ensure_stored(_renamed(EXAMPLE))
    assert [stored.id for stored in api.db.workflows.versions(VARIANT)] == [first, second]
    return VARIANT


def test_admins_and_supervisors_list_the_versions(api: Api, variant: str) -> None:
    for reader in ("admin", "county_sup"):
        response = api.as_user(reader).get(BASE)
        assert response.status_code == 200, response.text
        versions = response.json()
        assert [(item["version"], item["current"]) for item in versions] == [(1, False), (2, True)]
        assert versions[0]["stored_at"].endswith("Z") and len(versions[0]["content_hash"]) == 64
        assert (versions[0]["open_cases"], versions[0]["closed_cases"]) == (0, 0)
    own = api.as_user("admin").get("/api/v1/workflows/mediation/versions").json()
    assert own[-1]["current"] and sum(item["open_cases"] + item["closed_cases"] for item in own) >= 1


def test_one_version_is_summarised_with_labels(api: Api, variant: str) -> None:
    detail = api.as_user("admin").get(f"{BASE}/2").json()
    assert (detail["name"], detail["version"], detail["current"]) == (VARIANT, 2, True)
    assert {"code": "mediation.assigned", "labels": {"zh": "已指派调解员", "en": "Mediator assigned"}} in detail["states"]
    triage = next(trigger for trigger in detail["triggers"] if trigger["code"] == "triage")
    assert triage["labels"]["zh"] == "研判分流" and "mediator" in triage["roles"]
    visit = next(deadline for deadline in detail["deadlines"] if deadline["code"] == "return_visit_1")
    assert visit["after"]["days"] == 3 and visit["labels"]["zh"] == "第一次回访"
    assert [rung["code"] for rung in detail["ladder"]][:3] == ["grid", "village", "community"]


def test_the_diff_names_each_change(api: Api, variant: str) -> None:
    response = api.as_user("county_sup").get(f"{BASE}/1/diff/2")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from_version"], body["to_version"]) == (1, 2)
    visit = next(change for change in body["changes"]
                 if change["section"] == "deadlines" and change["code"] == "return_visit_1")
    assert (visit["kind"], visit["aspect"], visit["before"], visit["after"]) == ("changed", "after", {"days": 7},
                                                                                  {"days": 3})
    rung = next(change for change in body["changes"] if change["section"] == "ladder" and change["kind"] == "added")
    assert rung["code"] == "village" and rung["label"]["zh"] == "村级调解"
    assert "期限「第一次回访」(return_visit_1)：7日 → 3日" in body["text"]["zh"]
    assert "deadline 'First return visit' (return_visit_1): 7 days → 3 days" in body["text"]["en"]
    same = api.as_user("admin").get(f"{BASE}/2/diff/2").json()
    assert same["changes"] == [] and same["text"] == {"zh": [], "en": []}


def test_other_roles_are_refused_and_unknown_ones_are_404(api: Api, variant: str) -> None:
    for reader in ("mediator1", "grid1", "court1", "police1"):
        assert_error(api.as_user(reader).get(BASE), 403)
        assert_error(api.as_user(reader).get(f"{BASE}/1/diff/2"), 403)
    assert api.anonymous().get(BASE).status_code == 401
    assert "no workflow named" in assert_error(api.as_user("admin").get("/api/v1/workflows/nosuch/versions"),
                                               404)["detail"]
    missing = assert_error(api.as_user("admin").get(f"{BASE}/9"), 404)
    assert "has no version 9" in missing["detail"] and missing["extra"]["field"] == "version"
    assert_error(api.as_user("admin").get(f"{BASE}/1/diff/9"), 404)
    assert_error(api.as_user("admin").get(f"{BASE}/{2**70}"), 404)
    for path in (f"{BASE}/one", f"{BASE}/1/diff/two"):
        assert api.as_user("admin").get(path).status_code == 404  # as /cases/abc: no route takes it
