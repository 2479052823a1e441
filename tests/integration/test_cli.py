"""The `mediation` command line, run as users run it (MEDIATION_DATABASE_URL set)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from typer.testing import CliRunner

from mediation.cli import app
from mediation.workflows.loader import WORKFLOW_DIR

runner = CliRunner()


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", database_url)

    def run(*args: str):
        return runner.invoke(app, list(args))

    return run


def test_units_and_users_are_created_with_hashed_passwords(cli, db) -> None:
    assert cli("units", "create", "330324", "--name", "永嘉县", "--kind", "county", "--abbreviation", "永嘉").exit_code == 0
    result = cli("units", "create", "330324001", "--name", "瓯北街道", "--kind", "town", "--parent", "330324")
    assert result.exit_code == 0 and "/330324/330324001/" in result.output
    result = cli("users", "create", "lin", "--password", "s3cret-pass", "--role", "mediator", "--unit", "330324001")
    assert result.exit_code == 0, result.output
    with db.read() as connection:
        stored = connection.execute(sa.text("SELECT password_hash, roles FROM users WHERE username='lin'")).one()
    assert stored.password_hash.startswith("$argon2") and "s3cret-pass" not in stored.password_hash
    assert stored.roles == "mediator"


@pytest.mark.parametrize(("args", "message"), [
    (("units", "create", "X1", "--name", "某地", "--kind", "planet"), "kind"),
    (("units", "create", "X2", "--name", "某地", "--kind", "town", "--parent", "NOPE"), "no unit 'NOPE'"),
    (("users", "create", "u", "--password", "s3cret-pass", "--role", "wizard", "--unit", "330324"), "wizard"),
    (("users", "create", "u", "--password", "short", "--role", "mediator", "--unit", "330324"), "8 characters"),
])
def test_bad_directory_input_is_refused_with_the_reason(cli, args, message) -> None:
    cli("units", "create", "330324", "--name", "永嘉县", "--kind", "county")
    result = cli(*args)
    assert result.exit_code == 1
    assert message in result.output


def test_demo_loads_once_and_summary_counts_every_case(cli) -> None:
    result = cli("demo", "--cases", "60")
    assert result.exit_code == 0, result.output
    assert "closed.resolved" in result.output and "60" in result.output
    again = cli("demo", "--if-empty")
    assert again.exit_code == 0 and "nothing loaded" in again.output


def test_workflows_check_passes_on_the_shipped_definition(cli) -> None:
    result = cli("workflows", "check")
    assert result.exit_code == 0 and "mediation: ok" in result.output


def test_workflows_check_names_each_problem(cli, tmp_path: Path) -> None:
    broken = tmp_path / "workflows"
    shutil.copytree(WORKFLOW_DIR, broken, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    document = yaml.safe_load((broken / "mediation.yaml").read_text(encoding="utf-8"))
    document["triggers"]["seal"]["transitions"][0]["guards"] = ["moon_is_full"]
    document["triggers"]["confirm"]["roles"] = []
    (broken / "mediation.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = cli("workflows", "check", "--directory", str(broken))
    assert result.exit_code == 1
    assert "unknown guard 'moon_is_full'" in result.output
    assert "trigger 'confirm' has no roles" in result.output


def test_workflows_check_refuses_a_bad_holidays_file(cli, tmp_path: Path, monkeypatch) -> None:
    holidays = tmp_path / "holidays.yaml"
    holidays.write_text("years:\n  2027:\n    holidays: [2027-02-08..2027-02-06]\n", encoding="utf-8")
    monkeypatch.setenv("MEDIATION_HOLIDAYS_FILE", str(holidays))
    result = cli("workflows", "check")
    assert result.exit_code == 1
    assert "'2027-02-08..2027-02-06' ends before it starts" in " ".join(result.output.split())  # unwrapped


def test_calendar_names_where_each_year_comes_from(cli, tmp_path: Path, monkeypatch) -> None:
    from datetime import date

    from mediation.workflows.calendar import arrangements

    next_year = date.today().year + 1
    holidays = tmp_path / "holidays.yaml"
    holidays.write_text(f"years:\n  {next_year}:\n    holidays: [{next_year}-01-01]\n", encoding="utf-8")
    monkeypatch.setenv("MEDIATION_HOLIDAYS_FILE", str(holidays))
    arrangements.cache_clear()
    try:
        result = cli("calendar", "--ahead", "2")
    finally:
        monkeypatch.delenv("MEDIATION_HOLIDAYS_FILE")
        arrangements.cache_clear()
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") >= 3
            and line.split("│")[1].strip().isdigit()}
    assert list(rows) == [str(date.today().year + n) for n in range(3)]
    assert "administrator's entry" in rows[str(next_year)]
    assert "ESTIMATE" in rows[str(next_year + 1)] or "chinesecalendar" in rows[str(next_year + 1)]


def test_workflows_graph_prints_mermaid(cli) -> None:
    result = cli("workflows", "graph", "mediation", "--stage", "court")
    assert result.exit_code == 0
    assert result.output.startswith("stateDiagram-v2")
    assert "court__applied --> court__under_review: court_accept" in result.output
    assert cli("workflows", "graph", "nosuch").exit_code == 1


def test_the_installed_entry_point_runs(database_url: str) -> None:
    executable = Path(sys.executable).with_name("mediation")
    result = subprocess.run([str(executable), "workflows", "check"], capture_output=True, text=True,
                            env={"MEDIATION_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "mediation: ok" in result.stdout
