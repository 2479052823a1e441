"""The supervisors' kept figures (mediation/cases/figure_rows.py) equal a recount from the cases after
every kind of change: intake, transitions, closing, reopening, a recurrence, referral to a department,
deadlines fired by the worker, a workflow migration, a database copy and a restore; `metrics recount`
says when they differ and rebuilds them. SQLite, and PostgreSQL in that half of the suite."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mediation.cases import figure_recount
from mediation.cases.restore import exported_workflows, restore_cases
from mediation.cases.transfer import exported_cases, matching_case_ids, read_json, write_json
from mediation.cli import app
from mediation.clock import utcnow
from mediation.db import Database, RawTransaction
from mediation.db.copy import copy_database
from mediation.db.schema import upgrade_database
from mediation.deadlines.worker import run_until_idle
from mediation.demo.case_paths import ROUTES, drive_to, fire
from mediation.demo.dataset import load_demo
from mediation.demo.sample_county import build_sample_county
from mediation.directory.accounts import actor_for
from mediation.metrics.figures import case_metrics
from tests.migration_versions import STATE_MAP, cases_in_every_open_state, changed_version

runner = CliRunner()
NOW = datetime(2026, 11, 20, 8, 0)


def differences(db: Database) -> dict:
    with db.snapshot() as tx:
        return figure_recount.differences(tx)


def kept(db: Database) -> dict:
    with db.snapshot() as tx:
        return figure_recount.kept(tx)


def test_a_day_of_transitions_keeps_the_counts_equal_to_a_recount(db: Database) -> None:
    county = build_sample_county(db)
    made = {state: drive_to(db, state=state, county=county, now=NOW - timedelta(days=40), step=timedelta(hours=3))
            for state in ROUTES}
    assert differences(db) == {}
    sup = actor_for(db, "supervisor1")
    fire(db, made["closed.resolved"], "reopen", actor=sup, data={"reason": "当事人反映协议未履行"}, now=NOW)
    fire(db, made["follow_up.tracking"], "report_recurrence", actor=sup, data={"reason": "纠纷复发"}, now=NOW)
    referred = drive_to(db, state="joint.referred", county=county, now=NOW)  # handed to a department
    run_until_idle(db, now=NOW + timedelta(days=90))  # deadlines fall due and fire (and mark done)
    assert differences(db) == {}
    with db.snapshot() as tx:
        created = sum(values[0] for values in figure_recount.kept(tx)["figure_created"].values())
        assert created == tx.one("SELECT count(*) FROM cases")[0]
        assert tx.one("SELECT count(*) FROM figure_deadlines WHERE pending = 0")[0] == 0  # fired ones leave no row
        assert referred in [row[0] for row in tx.all("SELECT id FROM cases WHERE department_id IS NOT NULL")]
    county_sup = actor_for(db, "county_sup")
    figures = case_metrics(db, county_sup, now=NOW + timedelta(days=90))
    assert figures.cases == created and figures.resolution.closed > 0 and figures.overdue.cases >= 0


def test_a_transition_that_moves_no_deadline_reads_neither_the_case_again_nor_its_deadlines(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The counts of an adjournment follow from the case as loaded and as written: the only reads are
    the engine's own (the case, once)."""
    county = build_sample_county(db)
    case_id = drive_to(db, state="mediation.in_session", county=county, now=NOW)
    mediator = actor_for(db, "mediator1")
    statements: list[str] = []
    execute = RawTransaction.execute

    def recorded(tx: RawTransaction, sql: str, params=None):
        statements.append(" ".join(sql.split()))
        return execute(tx, sql, params)

    monkeypatch.setattr(RawTransaction, "execute", recorded)
    fire(db, case_id, "adjourn", actor=mediator, data={"next_session_at": "2026-11-25T09:00:00"}, now=NOW)
    reads = [sql for sql in statements if sql.startswith("SELECT")]
    assert len(reads) == 1 and reads[0].startswith("SELECT id, state, version"), reads
    assert not any("FROM deadlines" in sql for sql in statements), statements
    assert differences(db) == {}


def test_a_workflow_migration_keeps_the_counts(db: Database, database_url: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    county = build_sample_county(db)
    cases_in_every_open_state(db, county, rounds=1)
    db.workflows.ensure_stored(changed_version())
    monkeypatch.setenv("MEDIATION_DATABASE_URL", database_url)
    maps = [f"--map={old}={new}" for old, new in STATE_MAP.items()]
    planned = runner.invoke(app, ["workflows", "migrate", "--from", "1", "--to", "2", *maps, "--dry-run"])
    assert planned.exit_code == 0, planned.output
    plan = planned.output.strip().splitlines()[-1].split()[1]
    applied = runner.invoke(app, ["workflows", "migrate", "--from", "1", "--to", "2", *maps, "--apply",
                                  "--plan", plan])
    assert applied.exit_code == 0, applied.output
    with db.snapshot() as tx:
        assert tx.one("SELECT count(*) FROM cases WHERE workflow_version_id = 2")[0] > 0
    assert differences(db) == {}


@pytest.fixture
def county_file(tmp_path: Path) -> Database:
    source = Database(f"sqlite:///{tmp_path / 'county.db'}")
    upgrade_database(source.url)
    load_demo(source, cases=24, now=NOW)
    yield source
    source.dispose()


def test_a_copied_database_keeps_the_same_counts(county_file: Database, db: Database) -> None:
    assert differences(county_file) == {}
    copy_database(county_file.url, db.url)
    assert differences(db) == {}
    assert kept(db) == kept(county_file)


def test_restored_cases_are_counted(county_file: Database, db: Database, tmp_path: Path) -> None:
    build_sample_county(db)
    ids = matching_case_ids(county_file)
    out = tmp_path / "export.json"
    with out.open("w", encoding="utf-8") as stream:
        write_json(exported_cases(county_file, ids, with_record=True), stream, exported_at=utcnow(),
                   workflows=exported_workflows(county_file, ids))
    exported = json.loads(out.read_text(encoding="utf-8"))
    result = restore_cases(db, read_json(json.dumps(exported)), exported["workflows"])
    assert result.refused == [] and len(result.restored) == 24
    assert differences(db) == {}
    assert kept(db) == kept(county_file)


def test_recount_names_counts_that_drifted_and_rebuilds_them(county_file: Database,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with county_file.write() as tx:
        tx.execute("UPDATE figure_created SET cases = cases + 5 WHERE state = 'screening.reported'")
    monkeypatch.setenv("MEDIATION_DATABASE_URL", county_file.url)
    checked = runner.invoke(app, ["metrics", "recount", "--check"])
    assert checked.exit_code == 1 and "figure_created" in checked.output
    rebuilt = runner.invoke(app, ["metrics", "recount"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "figure_created" in rebuilt.output
    assert runner.invoke(app, ["metrics", "recount", "--check"]).exit_code == 0
    assert differences(county_file) == {}
