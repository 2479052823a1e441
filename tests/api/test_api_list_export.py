"""GET /api/v1/cases/export and /api/v1/me/filters: the filtered list as CSV/XLSX; filters saved per user."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from api_support import ID_MASKED, ID_NUMBER, PHONE, PHONE_MASKED, Api, assert_error, case_input
from openpyxl import load_workbook

from mediation.cases.intake import open_case
from mediation.directory.accounts import actor_for

pytestmark = pytest.mark.usefixtures("no_server_errors")

EXPORT = "/api/v1/cases/export"
FILTERS = "/api/v1/me/filters"


@pytest.fixture(scope="module")
def tagged(api: Api) -> dict:
    """Three new cases of 江北社区 whose titles carry one tag (so `q` finds just them); one titled like a formula."""
    tag = uuid.uuid4().hex[:8]
    grid = actor_for(api.db, "grid1")
    ids = {}
    for name, title, channel in (("plain", f"噪音纠纷{tag}", "grid_screening"),
                                 ("formula", f"=HYPERLINK(\"http://x\",\"{tag}\")", "grid_screening"),
                                 ("walk_in", f"漏水纠纷{tag}", "walk_in")):
        case = case_input(api.county.grid, title=title)
        case.channel = channel
        ids[name] = open_case(api.db, actor=grid, case=case)
    return {"tag": tag, "ids": ids}


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the Chinese right
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_keeps_the_filters_labels_and_masks_for_the_reader(api: Api, tagged: dict) -> None:
    response = api.as_user("grid1").get(EXPORT, params={"q": tagged["tag"], "channel": "grid_screening"})
    rows = _csv(response)
    heading, cases = rows[0], rows[1:]
    assert heading[:4] == ["案号", "标题", "阶段", "状态"]
    assert len(cases) == 2  # the walk-in case is filtered out
    assert "attachment;" in response.headers["content-disposition"] and ".csv" in response.headers["content-disposition"]
    by_title = {row[1]: dict(zip(heading, row)) for row in cases}
    plain = by_title[f"噪音纠纷{tagged['tag']}"]
    assert plain["来源渠道"] == "村居干部、网格员排查" and plain["风险等级"] == "低" and plain["单位"]
    assert plain["状态"] and "." not in plain["状态"]  # a label, not the state's code
    assert ID_MASKED in plain["当事人"] and PHONE_MASKED in plain["当事人"] and ID_NUMBER not in response.text
    assert plain["登记时间"][:2] == "20" and len(plain["登记时间"]) == 16  # China time to the minute
    formula = next(row for title, row in by_title.items() if "HYPERLINK" in title)
    assert formula["标题"].startswith("'=")  # a spreadsheet shows it as text, never runs it


def test_supervisors_see_the_numbers_whole_and_english_when_asked(api: Api, tagged: dict) -> None:
    rows = _csv(api.as_user("supervisor1").get(EXPORT, params={"q": tagged["tag"], "lang": "en"}))
    assert rows[0][:2] == ["Number", "Title"] and len(rows) == 4
    assert all(ID_NUMBER in row[10] and PHONE in row[10] for row in rows[1:])
    with api.db.snapshot() as tx:  # unmasked numbers in a file are a personal-data view (PIPL), each case logged
        logged = {row[0] for row in tx.all(
            "SELECT v.case_id FROM personal_data_views v JOIN users u ON u.id = v.user_id "
            "WHERE u.username = 'supervisor1' AND v.via = 'export'")}
    assert set(tagged["ids"].values()) <= logged


def test_xlsx_reads_back_with_text_cells_and_reach_is_kept(api: Api, tagged: dict) -> None:
    response = api.as_user("grid1").get(EXPORT, params={"q": tagged["tag"], "format": "xlsx"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "案号" and len(rows) == 4
    formula = next(cell for row in sheet.iter_rows(min_row=2) for cell in row[1:2] if "HYPERLINK" in cell.value)
    assert formula.data_type == "s" and formula.value.startswith("=HYPERLINK")  # text, not a formula
    outside = load_workbook(io.BytesIO(api.as_user("lc_mediator").get(
        EXPORT, params={"q": tagged["tag"], "format": "xlsx"}).content)).active
    assert outside.max_row == 1  # 鹿城's mediator: the heading only


@pytest.mark.parametrize("params", [{"state": "no.such"}, {"unit": "nowhere"}, {"format": "pdf"}])
def test_unknown_filter_values_are_400(api: Api, params: dict) -> None:
    body = assert_error(api.as_user("grid1").get(EXPORT, params=params), 400)
    assert body["extra"]


def test_saved_filters_are_kept_per_user(api: Api) -> None:
    mine, other = api.as_user("mediator1"), api.as_user("mediator2")
    name = f"超期邻里{uuid.uuid4().hex[:6]}"
    created = mine.post(FILTERS, json={"list": "cases", "name": name,
                                       "query": "overdue=true&category=neighbour&state="})
    assert created.status_code == 201, created.text
    saved = created.json()
    assert saved["query"] == "category=neighbour&overdue=true" and saved["created_at"].endswith("Z")
    replaced = mine.post(FILTERS, json={"list": "cases", "name": name, "query": "channel=walk_in"})
    assert replaced.status_code == 200 and replaced.json()["id"] == saved["id"]
    listed = mine.get(FILTERS, params={"list": "cases"}).json()
    assert [(f["name"], f["query"]) for f in listed if f["id"] == saved["id"]] == [(name, "channel=walk_in")]
    assert all(f["id"] != saved["id"] for f in other.get(FILTERS).json())
    assert_error(other.delete(f"{FILTERS}/{saved['id']}"), 404)
    assert mine.delete(f"{FILTERS}/{saved['id']}").status_code == 204
    assert_error(mine.delete(f"{FILTERS}/{saved['id']}"), 404)
    assert_error(mine.delete(f"{FILTERS}/{2**64 + 1}"), 404)


@pytest.mark.parametrize("body,field", [
    ({"list": "cases", "name": "x", "query": "colour=red"}, "query.colour"),
    ({"list": "cases", "name": "x", "query": "state=no.such"}, "query.state"),
    ({"list": "cases", "name": "x", "query": "unit=nowhere"}, "query.unit"),
    ({"list": "orders", "name": "x", "query": "overdue=maybe"}, "query.overdue"),
    ({"list": "nothing", "name": "x", "query": ""}, "list"),
    ({"list": "cases", "name": "   ", "query": ""}, "name"),
])
def test_saved_filters_are_checked_as_the_list_checks_them(api: Api, body: dict, field: str) -> None:
    refused = assert_error(api.as_user("mediator1").post(FILTERS, json=body), 422)
    assert refused["extra"]["field"] == field
    assert_error(api.as_user("mediator1").get(FILTERS, params={"list": "nothing"}), 422)
