"""`mediation backup`, `mediation db copy --to URL` and `mediation import --restore` (DESIGN §9.7).

The copy's source is a county's SQLite file; its target is this suite's database (SQLite in the
SQLite half, PostgreSQL when MEDIATION_DATABASE_URL points at a server). Backups and restores
run on the suite's database.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediation.cases.audit import verify_all
from mediation.cases.chain_scan import verify_streamed
from mediation.cases.intake import open_case
from mediation.cases.restore import exported_workflows, restore_cases
from mediation.cases.transfer import exported_cases, matching_case_ids, read_json, write_json
from mediation.cli import app
from mediation.clock import utcnow
from mediation.db import Database
from mediation.db.backup import backup_database
from mediation.db.copy import CopyRefused, copied_tables, copy_database
from mediation.db.schema import upgrade_database
from mediation.demo.case_paths import sample_case_input
from mediation.demo.dataset import load_demo
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.directory.accounts import actor_for
from tests.conftest import ON_POSTGRES, SERVER_URL

runner = CliRunner()
DEMO_CASES = 24


@pytest.fixture
def county_file(tmp_path: Path) -> Database:
    """A county's SQLite database with the demo's directory and cases in every state."""
    source = Database(f"sqlite:///{tmp_path / 'county.db'}")
    upgrade_database(source.url)
    load_demo(source, cases=DEMO_CASES)
    yield source
    source.dispose()


def rows_by_table(db: Database) -> dict[str, list[tuple]]:
    """Every copied table's rows (as text, so SQLite's and PostgreSQL's values compare), in key order."""
    engine = sa.create_engine(db.url)
    try:
        with engine.connect() as connection:
            return {table.name: [tuple(_text(value) for value in row) for row in connection.execute(
                        sa.select(*(column for column in table.columns if column.computed is None))
                        .order_by(*table.primary_key.columns))]
                    for table in copied_tables(engine)}
    finally:
        engine.dispose()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat(" ", "microseconds") if hasattr(value, "hour") else value.isoformat()
    return bytes(value).hex() if isinstance(value, (bytes, memoryview)) else str(value)


def test_copy_brings_every_row_with_its_id_and_the_chains_verify(county_file, db) -> None:
    report = copy_database(county_file.url, db.url)
    assert report.differing == [] and report.source["cases"] == DEMO_CASES and report.source["events"] > DEMO_CASES
    assert rows_by_table(db) == rows_by_table(county_file)  # every table, every id, every value
    assert list(verify_all(db)) == []


def test_a_case_filed_after_the_copy_gets_a_fresh_id_and_number(county_file, db) -> None:
    copy_database(county_file.url, db.url)
    with db.snapshot() as tx:
        largest, numbers = tx.one("SELECT max(id) FROM cases")[0], {n for (n,) in tx.all("SELECT number FROM cases")}
    filed = open_case(db, actor=actor_for(db, "grid1"), case=sample_case_input(SampleCounty()), now=utcnow())
    with db.snapshot() as tx:
        number = tx.one("SELECT number FROM cases WHERE id = :id", {"id": filed})[0]
    assert filed == largest + 1 and number not in numbers
    assert list(verify_all(db)) == []


def test_copy_refuses_a_target_holding_any_row_and_names_the_table(county_file, db) -> None:
    with db.begin() as connection:
        connection.execute(sa.text("INSERT INTO settings (key, value) VALUES ('x', 'y')"))
    with pytest.raises(CopyRefused, match="table settings holds rows.*drop and recreate"):
        copy_database(county_file.url, db.url)
    with db.read() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM cases")).scalar() == 0


def test_db_copy_command_reports_counts_and_verification(county_file, db, monkeypatch) -> None:
    monkeypatch.setenv("MEDIATION_DATABASE_URL", county_file.url)
    result = runner.invoke(app, ["db", "copy", "--to", db.url])
    assert result.exit_code == 0, result.output
    assert f"{DEMO_CASES} cases: every hash chain verifies on the target" in result.output
    again = runner.invoke(app, ["db", "copy", "--to", db.url])
    assert again.exit_code == 1 and "is not empty: table" in again.output


def _cases_and_events(db: Database) -> tuple[list[tuple], list[tuple]]:
    with db.snapshot() as tx:
        return (tx.all("SELECT id, number, state, version, last_event_hash FROM cases ORDER BY id"),
                tx.all("SELECT case_id, seq, hash FROM events ORDER BY case_id, seq"))


def _opened_backup(db: Database, backup: Path) -> Database:
    """The backup as a database of its own: the SQLite file itself, or pg_restore into a new database."""
    if db.is_sqlite:
        return Database(f"sqlite:///{backup}")
    name = f"mediation_restore_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = sa.make_url(db.url).set(database=name)
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run([shutil.which("pg_restore"), "--no-owner", "-d", plain, str(backup)], check=True)
    return Database(url.render_as_string(hide_password=False))


def test_a_backup_opened_as_a_database_holds_the_same_cases_and_verifies(db, tmp_path, monkeypatch) -> None:
    load_demo(db, cases=DEMO_CASES)
    backup = tmp_path / "backup.db"
    monkeypatch.setenv("MEDIATION_DATABASE_URL", db.url)
    result = runner.invoke(app, ["backup", "-o", str(backup)])
    assert result.exit_code == 0, result.output
    assert f"{DEMO_CASES} cases" in result.output
    copy = _opened_backup(db, backup)
    try:
        assert _cases_and_events(copy) == _cases_and_events(db)
        assert list(verify_all(copy)) == []
    finally:
        copy.dispose()
    refused = runner.invoke(app, ["backup", "-o", str(backup)])
    assert refused.exit_code == 1 and "exists already" in refused.output and "--force" in refused.output
    assert runner.invoke(app, ["backup", "-o", str(backup), "--force"]).exit_code == 0


def test_a_backup_taken_while_cases_are_filed_is_consistent(db, tmp_path) -> None:
    load_demo(db, cases=DEMO_CASES)
    actor, stop, filed = actor_for(db, "grid1"), threading.Event(), []

    def file_cases() -> None:
        while not stop.is_set() or len(filed) < 5:
            filed.append(open_case(db, actor=actor, case=sample_case_input(SampleCounty()), now=utcnow()))

    writer = threading.Thread(target=file_cases)
    writer.start()
    try:
        while len(filed) < 2:
            stop.wait(0.01)
        backup_database(db.url, tmp_path / "backup.db")
    finally:
        stop.set()
        writer.join()
    copy = _opened_backup(db, tmp_path / "backup.db")
    try:
        cases, events = _cases_and_events(copy)
        assert list(verify_all(copy)) == []
        assert DEMO_CASES <= len(cases) < DEMO_CASES + len(filed)  # some moment while the writer ran
    finally:
        copy.dispose()
    source_cases, source_events = _cases_and_events(db)
    assert set(cases) <= set(source_cases) and set(events) <= set(source_events)


def _export(db: Database) -> dict:
    ids = matching_case_ids(db)
    out = io.StringIO()
    write_json(exported_cases(db, ids, with_record=True), out, exported_at=utcnow(),
               workflows=exported_workflows(db, ids))
    return json.loads(out.getvalue())


@pytest.fixture
def other_database(tmp_path: Path) -> Database:
    """A second empty database of this suite's kind, with the sample county's directory only."""
    if ON_POSTGRES:
        name = f"mediation_other_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'other.db'}"
    upgrade_database(url)
    other = Database(url)
    build_sample_county(other)
    yield other
    other.dispose()
    if ON_POSTGRES:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_restore_brings_each_case_back_as_it_was(db, other_database) -> None:
    load_demo(db, cases=DEMO_CASES)
    exported = _export(db)
    result = restore_cases(other_database, read_json(json.dumps(exported)), exported["workflows"])
    assert result.refused == [] and len(result.restored) == DEMO_CASES
    assert list(verify_all(other_database)) == []
    again = _export(other_database)
    assert again["cases"] == exported["cases"]  # case by case: fields, parties, events and every row
    filed = open_case(other_database, actor=actor_for(other_database, "grid1"),
                      case=sample_case_input(SampleCounty()), now=utcnow())
    assert filed > max(case["record"]["cases"][0]["id"] for case in exported["cases"])
    assert list(verify_all(other_database)) == []


def test_restore_refuses_a_case_already_present_naming_it(db, tmp_path, monkeypatch) -> None:
    load_demo(db, cases=3)
    export = tmp_path / "cases.json"
    monkeypatch.setenv("MEDIATION_DATABASE_URL", db.url)
    assert runner.invoke(app, ["export", "-o", str(export)]).exit_code == 0
    result = runner.invoke(app, ["import", "--restore", str(export)])
    assert result.exit_code == 1 and "0 cases restored, 3 refused" in result.output
    first = json.loads(export.read_text(encoding="utf-8"))["cases"][0]["number"]
    assert f"case {first} is already present" in result.output
    assert list(verify_all(db)) == []


def test_restore_of_a_masked_export_is_refused_with_the_reason(db, tmp_path, monkeypatch) -> None:
    load_demo(db, cases=2)
    export = tmp_path / "masked.json"
    monkeypatch.setenv("MEDIATION_DATABASE_URL", db.url)
    assert runner.invoke(app, ["export", "-o", str(export), "--masked"]).exit_code == 0
    result = runner.invoke(app, ["import", "--restore", str(export)])
    assert result.exit_code == 1 and "holds no record of the case to restore" in result.output


def test_the_one_pass_verification_finds_what_verify_finds(county_file, db) -> None:
    copy_database(county_file.url, db.url)
    assert list(verify_streamed(db)) == []
    with db.begin() as connection:
        first, second, third = connection.execute(sa.text("SELECT id FROM cases ORDER BY id LIMIT 3")).scalars()
        connection.execute(sa.text("UPDATE events SET reason = 'edited' WHERE case_id = :id AND seq = 1"),
                           {"id": first})
        connection.execute(sa.text("UPDATE cases SET state = 'closed.resolved' WHERE id = :id"), {"id": second})
        connection.execute(sa.text(
            "INSERT INTO events (id, case_id, seq, trigger, actor, at, from_state, to_state, data, reason, "
            "prev_hash, hash) SELECT id + 100000, case_id, seq + 50, trigger, actor, at, from_state, to_state, "
            "data, reason, prev_hash, hash FROM events WHERE case_id = :id AND seq = 1"), {"id": third})
    found = sorted(verify_streamed(db), key=repr)
    assert found == sorted(verify_all(db), key=repr)
    assert {broken.case_id for broken in found} == {first, second, third}


def test_db_copy_names_a_target_it_cannot_use(county_file, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MEDIATION_DATABASE_URL", county_file.url)
    for target, said in ((f"sqlite:///{tmp_path}/missing/x.db", "--to: folder"), ("mysql://h/x", "not supported"),
                         ("not a url", "is not a database URL")):
        result = runner.invoke(app, ["db", "copy", "--to", target])
        assert result.exit_code == 1 and said in result.output, result.output
