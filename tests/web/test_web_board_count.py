"""The board's count on a crowded database: "10,000+" and 400 pages at most; exact below the cap.

A second server runs on its own database: the sample county, one triaged case and 10,005 copies of
an assigned case (only the cases rows: the board reads nothing else of them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
import sqlalchemy as sa
from api_support import ServerProcess, case_input, create_database, drop_database
from playwright.sync_api import expect

from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.web.board import BOARD_COUNT_LIMIT, BOARD_PAGES, PAGE_SIZE

COPIES = BOARD_COUNT_LIMIT + 5


def copy_case(db: Database, case_id: int, copies: int) -> None:
    """`copies` more rows like case `case_id` (ids after the largest, numbers with a suffix)."""
    columns = [column["name"] for column in sa.inspect(db.engine).get_columns("cases")]
    renamed = {"id": "top.id + n.k", "number": "t.number || '-' || CAST(n.k AS VARCHAR(8))"}
    selected = ", ".join(renamed.get(column, f"t.{column}") for column in columns)
    with db.write() as tx:
        tx.execute(
            "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < :copies) "
            f"INSERT INTO cases ({', '.join(columns)}) SELECT {selected} "
            "FROM n CROSS JOIN cases t CROSS JOIN (SELECT max(id) AS id FROM cases) top WHERE t.id = :id",
            {"copies": copies, "id": case_id})


@pytest.fixture(scope="module")
def crowded(site, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    directory = tmp_path_factory.mktemp("crowded")
    url = create_database(directory)
    db = Database(url)
    server = None
    try:
        county = build_sample_county(db)
        drive_to(db, state="screening.triaged", county=county, case_input=case_input(county.grid))
        assigned = drive_to(db, state="mediation.assigned", county=county, case_input=case_input(county.grid))
        copy_case(db, assigned, COPIES)
        server = ServerProcess(url, directory / "server.log")
        crowded = replace(site, server=server, db=db, county=SampleCounty(), cases={}, pages=[])
        yield crowded
        for page in crowded.pages:
            page.context.close()
        log = server.log()
        assert "Traceback" not in log and "unhandled error" not in log, log
    finally:
        if server is not None:
            server.stop()
        db.dispose()
        drop_database(url)


def test_board_shows_a_capped_count_and_pages_up_to_the_cap(crowded) -> None:
    assert BOARD_PAGES == 400 and BOARD_COUNT_LIMIT == 10_000
    page = crowded.login("county_sup")
    expect(page.locator("#results .total")).to_have_text("共 10,000+ 件")
    expect(page.locator(".pager span")).to_have_text("第 1 / 400+ 页")
    expect(page.locator("table.cases tbody tr")).to_have_count(PAGE_SIZE)
    crowded.shot(page, "board-capped")
    assert crowded.check_accessibility(page, "board-capped") == []

    page.goto(f"{crowded.base_url}/?page=400")  # the last page the count reaches: no link further
    expect(page.locator(".pager span")).to_have_text("第 400 / 400+ 页")
    expect(page.locator(".pager a[rel=next]")).to_have_count(0)
    expect(page.locator("#results .hint.capped")).to_have_text("仅列出最新的 10,000 件；查找更早的案件请缩小筛选范围。")
    expect(page.locator("table.cases tbody tr")).to_have_count(PAGE_SIZE)
    crowded.shot(page, "board-capped-last-page")
    page.goto(f"{crowded.base_url}/?page=401")  # deeper pages are not fetched: the last one is shown
    expect(page.locator(".pager span")).to_have_text("第 400 / 400+ 页")

    page.goto(f"{crowded.base_url}/?stage=screening")  # below the cap the count is exact
    expect(page.locator("#results .total")).to_have_text("共 1 件")
    expect(page.locator(".pager span")).to_have_text("第 1 / 1 页")
    expect(page.locator("#results .hint.capped")).to_have_count(0)

    page.goto(f"{crowded.base_url}/?lang=en")
    expect(page.locator("#results .total")).to_have_text("10,000+ cases")
    expect(page.locator(".pager span")).to_have_text("Page 1 of 400+")
