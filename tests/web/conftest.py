"""Fixtures of the browser tests: a real `mediation serve` process and headless Debian chromium.

The server runs on a fresh database (SQLite, or PostgreSQL when MEDIATION_DATABASE_URL names
a server) holding the sample county and a few cases; Playwright drives /usr/bin/chromium
(no browser download). Screenshots of each page go to a temp directory printed at the end.
The site itself is in browser_site.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_site import CHROMIUM, CHROMIUM_ARGS, SHOTS, Site, build_cases  # noqa: I001 (puts tests/api on the path)
from api_support import ServerProcess, create_database, drop_database
from playwright.sync_api import sync_playwright

from mediation.db import Database
from mediation.demo.sample_county import SampleCounty


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("web")
    shots = tmp_path_factory.mktemp("screenshots")
    url = create_database(directory)
    db = Database(url)
    server = None
    try:
        cases = build_cases(db)
        server = ServerProcess(url, directory / "server.log")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                yield Site(server, db, SampleCounty(), cases, shots, browser)
            finally:
                browser.close()
        log = server.log()
        assert "Traceback" not in log and "unhandled error" not in log, log
    finally:
        if server is not None:
            server.stop()
        db.dispose()
        drop_database(url)


@pytest.fixture
def site_pages(site: Site) -> Iterator[Site]:
    """The site; the browser contexts a test opened are closed after it."""
    yield site
    for page in site.pages:
        page.context.close()
    site.pages.clear()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SHOTS:
        terminalreporter.write_line(f"web screenshots: {len(SHOTS)} in {SHOTS[0].parent}")
