"""`workflows versions` and `workflows diff V1 V2`: the stored versions with the cases on each, and what the
county's variant changed, in Chinese or English or as JSON; an unknown version is a clear exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mediation.cli import app
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import build_sample_county
from mediation.workflows.loader import load_definition

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "county_variant"
runner = CliRunner()


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", database_url)
    return lambda *args: runner.invoke(app, list(args))


@pytest.fixture
def two_versions(db: Database) -> Database:
    """Version 1 (the package's) with one open and one closed case; version 2 the county's variant."""
    db.workflows.current_version_id()
    county = build_sample_county(db)
    drive_to(db, state="mediation.in_session", county=county)
    drive_to(db, state="closed.not_accepted", county=county)
    db.workflows.ensure_stored(load_definition("mediation", EXAMPLE))
    db.workflows.forget_current()
    return db


def _table_rows(output: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip("│").split("│")] for line in output.splitlines()
            if line.startswith("│") and line.split("│")[1].strip().isdigit()]


def test_versions_lists_each_with_its_cases_and_the_current_one(cli, two_versions: Database) -> None:
    result = cli("workflows", "versions")
    assert result.exit_code == 0, result.output
    assert "版本" in result.output and "在办案件" in result.output
    rows = _table_rows(result.output)
    assert [(row[0], row[3], row[4], row[5]) for row in rows] == [("1", "1", "1", ""), ("2", "0", "0", "是")]
    hashes = [stored.content_hash[:12] for stored in two_versions.workflows.versions("mediation")]
    assert [row[2] for row in rows] == hashes
    english = cli("workflows", "versions", "mediation", "--lang", "en")
    assert english.exit_code == 0 and "open cases" in english.output and "yes" in english.output


def test_diff_tells_the_variants_changes_in_words(cli, two_versions: Database) -> None:
    result = cli("workflows", "diff", "1", "2")
    assert result.exit_code == 0, result.output
    assert "期限「第一次回访」(return_visit_1)：7日 → 3日" in result.output
    assert "期限「法院受理期限」(court_acceptance)：3日 → 3个工作日" in result.output
    assert "新增化解层级「村级调解」(village)（第2级，调解2次）" in result.output
    english = cli("workflows", "diff", "1", "2", "--lang", "en", "--name", "mediation")
    assert "deadline 'First return visit' (return_visit_1): 7 days → 3 days" in english.output
    changes = json.loads(cli("workflows", "diff", "1", "2", "--json").output)
    rung = next(change for change in changes if change["section"] == "ladder" and change["kind"] == "added")
    assert rung["code"] == "village" and rung["after"] == {"attempts": 2, "position": 2}
    assert cli("workflows", "diff", "2", "2").output.strip().endswith("两个版本没有差别。")
    assert json.loads(cli("workflows", "diff", "1", "1", "--json").output) == []


def test_unknown_versions_and_workflows_exit_2_with_a_clear_message(cli, two_versions: Database) -> None:
    unknown = cli("workflows", "diff", "1", "7")
    assert unknown.exit_code == 2 and "has no version 7 (stored: 1, 2)" in unknown.output
    assert cli("workflows", "diff", "1", "2", "--name", "nosuch").exit_code == 2
    nothing = cli("workflows", "versions", "nosuch")
    assert nothing.exit_code == 2 and "no workflow named 'nosuch'" in nothing.output
    assert cli("workflows", "diff", "one", "2").exit_code == 2
    assert cli("workflows", "versions", "--lang", "fr").exit_code == 2
