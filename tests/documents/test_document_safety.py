"""Documents reach nothing outside their templates, and a hostile case cannot take the renderer down."""

from __future__ import annotations

import io
import time

import pytest
import weasyprint
from documents_support import SMUGGLED, render
from pypdf import PdfReader

from mediation.cases.engine import apply_transition
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for
from mediation.directory.actors import SYSTEM
from mediation.documents import (
    DocumentRequest,
    DocumentTooLarge,
    DocumentURLFetcher,
    Limits,
    RefusedURL,
    RendererBusy,
    RenderPool,
    _fetcher,
    _pool,
    prepare_document,
)
from mediation.documents._fetcher import TEMPLATE_DIR
from mediation.documents._service import render_here

pytest_plugins = ["sample_databases"]  # the county database fixtures

REFUSED = (
    "file:///etc/passwd",
    "http://127.0.0.1/",
    "https://example.com/print.css",
    "data:text/css,body{background:url(http://127.0.0.1/x)}",
    TEMPLATE_DIR.as_uri() + "/../../../etc/passwd",
    TEMPLATE_DIR.as_uri() + "/../../mediation/db.py",
    "file://attacker.example/etc/passwd",
    "ftp://127.0.0.1/x",
)


@pytest.mark.parametrize("url", REFUSED)
def test_the_fetcher_refuses_everything_but_the_templates(url: str) -> None:
    fetcher = DocumentURLFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_the_print_stylesheet() -> None:
    response = DocumentURLFetcher().fetch((TEMPLATE_DIR / "print.css").as_uri())
    assert response.content_type == "text/css" and b"@page" in response.read()


def test_hostile_html_loads_nothing_from_outside() -> None:
    fetcher = DocumentURLFetcher()
    html = ('<p>x</p><img src="file:///etc/passwd"><img src="http://127.0.0.1:9/leak.png">'
            '<link rel="stylesheet" href="https://example.com/a.css">'
            '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk">')
    pdf = weasyprint.HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert set(fetcher.refused) == {"file:///etc/passwd", "http://127.0.0.1:9/leak.png",
                                    "https://example.com/a.css", fetcher.refused[-1]}
    assert any(url.startswith("data:") for url in fetcher.refused)
    assert not PdfReader(io.BytesIO(pdf)).pages[0].images


def test_markup_smuggled_into_user_text_fetches_nothing(module_county_db: Database, everything_case: int,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    class Recording(DocumentURLFetcher):
        def fetch(self, url, headers=None):
            asked.append(url)
            return super().fetch(url, headers)

    monkeypatch.setattr(_fetcher, "DocumentURLFetcher", Recording)  # what render_pdf imports when it runs
    context = prepare_document(module_county_db, SYSTEM, everything_case, DocumentRequest("case_file")).context
    assert SMUGGLED in context["case"]["description"]
    render_here(context)
    assert asked == [(TEMPLATE_DIR / "print.css").as_uri()]


def test_the_page_cap_and_time_limit_hold_in_this_process(module_county_db, everything_case) -> None:
    context = prepare_document(module_county_db, SYSTEM, everything_case, DocumentRequest("case_file")).context
    with pytest.raises(DocumentTooLarge) as pages:
        render_here(context, Limits(max_pages=2))
    assert pages.value.status_code == 413 and pages.value.extra["limit"] == "pages"
    with pytest.raises(DocumentTooLarge) as slow:
        render_here(context, Limits(seconds=0.05))
    assert slow.value.extra["limit"] == "time"


def test_workers_enforce_the_limits_and_a_stuck_worker_is_replaced(
    module_county_db, everything_case, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = prepare_document(module_county_db, SYSTEM, everything_case, DocumentRequest("agreement")).context
    monkeypatch.setattr(_pool, "GRACE_SECONDS", 0.5)
    with RenderPool(1, limits=Limits(seconds=0.05), max_waiting=1) as pool:
        with pytest.raises(DocumentTooLarge) as slow:
            pool.render(context)  # the worker's own alarm stops the layout
        assert slow.value.extra["limit"] == "time"
        stuck = pool.submit(time.sleep, 30)  # deaf to the alarm: the parent gives up and kills it
        with pytest.raises(RendererBusy):
            pool.submit(time.sleep, 0)
        started = time.monotonic()
        with pytest.raises(DocumentTooLarge):
            pool.result(stuck)
        assert time.monotonic() - started < 5
        pool.limits = Limits()
        assert pool.render(context).startswith(b"%PDF")  # a fresh worker took over


def _tracking_case(db: Database) -> tuple[int, int]:
    case_id = drive_to(db, state="follow_up.tracking", county=SampleCounty())
    with db.snapshot() as tx:
        return case_id, tx.one("SELECT version FROM cases WHERE id = :id", {"id": case_id})[0]


def _visits(db: Database, case_id: int, version: int, count: int, notes: str) -> None:
    mediator = actor_for(db, "mediator1")
    for _ in range(count):
        version = apply_transition(db, case_id=case_id, trigger="record_return_visit", actor=mediator,
                                   data={"outcome": "stable", "notes": notes}, expected_version=version).version


def test_a_case_with_2000_events_is_refused_quickly_and_cleanly(module_county_db: Database) -> None:
    case_id, version = _tracking_case(module_county_db)
    _visits(module_county_db, case_id, version, 2000, "回访双方，关系稳定。")
    started = time.monotonic()
    with pytest.raises(DocumentTooLarge) as refused:
        prepare_document(module_county_db, SYSTEM, case_id, DocumentRequest("case_file"))
    assert refused.value.status_code == 413 and "pages" in refused.value.detail
    assert time.monotonic() - started < 20
    # The same case's short documents still print.
    assert render(module_county_db, case_id, "agreement", username=None).startswith(b"%PDF")


def test_megabytes_of_text_are_refused_before_any_layout(module_county_db: Database) -> None:
    case_id, version = _tracking_case(module_county_db)
    _visits(module_county_db, case_id, version, 20, "长" * 20_000)
    with pytest.raises(DocumentTooLarge) as refused:
        prepare_document(module_county_db, SYSTEM, case_id, DocumentRequest("return_visit"))
    assert refused.value.extra["limit"] == "text"
