"""Fixtures of the API tests: a real `mediation serve` process on a fresh database (api_support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import MATRIX_STATS, Api, running_api


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_api(tmp_path_factory.mktemp("api")) as running:
        yield running


@pytest.fixture
def no_server_errors(api: Api) -> Iterator[None]:
    """Fails the test when the server logged an unhandled error while it ran."""
    before = len(api.server.log())
    yield
    new = api.server.log()[before:]
    assert "Traceback" not in new and "unhandled error" not in new, new


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if MATRIX_STATS["cells"]:
        unexpected = MATRIX_STATS["unexpected"]
        terminalreporter.write_line(
            f"authorization matrix: {MATRIX_STATS['cells']} cells, {len(unexpected)} unexpected; answers "
            + ", ".join(f"{status}: {count}" for status, count in sorted(MATRIX_STATS["answers"].items())))
        for line in unexpected:
            terminalreporter.write_line(f"  unexpected: {line}")
