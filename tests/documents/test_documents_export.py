"""`mediation render`, `mediation export-pdfs` and the document cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from documents_support import ID_MASKED, ID_NUMBER, page_texts, squeezed
from pypdf import PdfReader
from typer.testing import CliRunner

from mediation.cli import app
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty
from mediation.documents import DocumentCache

pytest_plugins = ["sample_databases"]  # the county database fixtures

runner = CliRunner()


@pytest.fixture
def cli(module_county_db: Database, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", module_county_db.url)
    return lambda *args: runner.invoke(app, [str(arg) for arg in args])


def test_render_writes_the_document_as_the_user_sees_it(cli, everything_case, tmp_path: Path) -> None:
    result = cli("render", everything_case, "agreement", "-o", tmp_path / "a.pdf", "--as", "grid1")
    assert result.exit_code == 0, result.output
    text = squeezed("".join(page_texts((tmp_path / "a.pdf").read_bytes())))
    assert ID_MASKED in text and ID_NUMBER not in text
    result = cli("render", everything_case, "case_file", "-o", tmp_path / "b.pdf", "--archival")
    assert result.exit_code == 0, result.output
    assert ID_NUMBER in squeezed("".join(page_texts((tmp_path / "b.pdf").read_bytes())))


@pytest.mark.parametrize(("args", "message"), [
    (("render", 1, "minutes", "-o", "x.pdf"), "no document kind 'minutes'"),
    (("render", 999_999, "case_file", "-o", "x.pdf"), "not found"),
    (("render", 1, "case_file", "-o", "x.pdf", "--as", "nobody"), "no active user"),
])
def test_render_refuses_with_the_reason(cli, everything_case, tmp_path: Path, args, message) -> None:
    result = cli(*args)
    assert result.exit_code == 1 and message in result.output


def test_export_renders_every_matching_case_on_several_processes(cli, module_county_db, tmp_path: Path) -> None:
    county = SampleCounty()
    ids = [drive_to(module_county_db, state="mediation.agreement_drafted", county=county) for _ in range(3)]
    result = cli("export-pdfs", "--unit", county.community, "--state", "mediation.agreement_drafted",
                 "-o", tmp_path / "out", "--processes", 2, "--kind", "agreement")
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "out").glob("*.pdf"))
    assert len(files) == len(ids) and "3 of 3 cases written" in result.output
    for path in files:
        number = path.name.removesuffix("-agreement.pdf")
        assert PdfReader(path).metadata["/Keywords"] == number
        assert "人民调解协议书" in squeezed("".join(page_texts(path.read_bytes())))


def test_export_skips_cases_the_document_does_not_apply_to(cli, module_county_db, tmp_path: Path) -> None:
    county = SampleCounty()
    reported = drive_to(module_county_db, state="screening.reported", county=county)
    result = cli("export-pdfs", "--unit", county.county, "--state", "screening.reported", "-o", tmp_path / "none",
                 "--kind", "judicial_application", "--processes", 1)
    assert result.exit_code == 0, result.output
    assert f"case {reported} skipped" in result.output and "no judicial confirmation" in result.output
    assert "0 of 1 cases written" in result.output and not list((tmp_path / "none").glob("*.pdf"))


def test_cache_keeps_the_most_recent_documents_within_its_size() -> None:
    cache = DocumentCache(max_bytes=400)
    cache.put("a", b"x" * 100)
    cache.put("b", b"y" * 100)
    assert cache.get("a") == b"x" * 100  # now the most recent
    cache.put("c", b"z" * 100)
    cache.put("d", b"w" * 100)
    cache.put("e", b"v" * 100)
    assert cache.get("b") is None and cache.get("a") is not None and len(cache) == 4
    cache.put("huge", b"h" * 200)  # more than a quarter of the cache: not kept
    assert cache.get("huge") is None
