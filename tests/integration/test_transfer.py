"""`mediation export` and `mediation import`: cases out as JSON/CSV, and in again through intake."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mediation.cases.audit import verify_all
from mediation.cases.case_detail import case_detail, case_events
from mediation.cases.intake import CaseInput, PartyInput
from mediation.cases.views import CaseFilters, list_cases
from mediation.cli import app
from mediation.clock import utcnow
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.directory.accounts import actor_for

runner = CliRunner()
ID_NUMBER, PHONE = "330324198001021234", "13812345678"


@pytest.fixture
def county(db: Database) -> SampleCounty:
    return build_sample_county(db)


def run(url: str, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", url)
    return runner.invoke(app, list(args))


def filed(db: Database, county: SampleCounty, title: str, state: str = "mediation.in_session") -> int:
    return drive_to(db, state=state, county=county, case_input=CaseInput(
        title=title, description="楼上装修噪音影响休息，双方多次争执。", channel="grid_screening", unit=county.grid,
        category="neighbour", parties=[PartyInput("王某某", "applicant", ID_NUMBER, PHONE), PartyInput("李某某", "respondent")]))


def test_json_export_carries_cases_parties_and_the_event_trail(db, county, tmp_path: Path, monkeypatch) -> None:
    ids = [filed(db, county, "噪音纠纷"), filed(db, county, "=HYPERLINK(1)", state="screening.triaged")]
    out = tmp_path / "cases.json"
    result = run(db.url, monkeypatch, "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["format"] == "mediation-cases/1" and len(document["cases"]) == 2
    supervisor = actor_for(db, "county_sup")
    for case_id, exported in zip(ids, document["cases"]):
        detail = case_detail(db, supervisor, case_id)
        assert (exported["number"], exported["title"], exported["description"], exported["state"]) == (
            detail.number, detail.title, detail.description, detail.state)
        assert exported["parties"][0] == {"name": "王某某", "role": "applicant", "id_number": ID_NUMBER,
                                          "phone": PHONE, "is_minor": False}
        events = case_events(db, supervisor, case_id)
        assert [(e["seq"], e["trigger"], e["hash"]) for e in exported["events"]] == [
            (e.seq, e.trigger, e.hash) for e in events]

    masked = tmp_path / "masked.json"
    assert run(db.url, monkeypatch, "export", "-o", str(masked), "--masked").exit_code == 0
    party = json.loads(masked.read_text(encoding="utf-8"))["cases"][0]["parties"][0]
    assert (party["id_number"], party["phone"]) == ("330324********1234", "138****5678")


def test_csv_export_opens_in_a_spreadsheet(db, county, tmp_path: Path, monkeypatch) -> None:
    filed(db, county, "噪音纠纷")
    filed(db, county, "=HYPERLINK(1)", state="screening.triaged")
    out = tmp_path / "cases.csv"
    result = run(db.url, monkeypatch, "export", "-o", str(out), "--state", "screening.triaged")
    assert result.exit_code == 0 and "1 cases written" in result.output
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads the Chinese right
    [row] = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert row["title"] == "'=HYPERLINK(1)"  # not run as a formula
    assert (row["party1_name"], row["party1_id_number"], row["party2_name"]) == ("王某某", ID_NUMBER, "李某某")
    assert row["state"] == "screening.triaged" and row["unit"] == county.grid


def test_an_export_imports_elsewhere_as_new_cases(db, county, tmp_path: Path, monkeypatch, template_database,
                                                  database_url) -> None:
    for title in ("噪音纠纷", "宅基地边界纠纷"):
        filed(db, county, title)
    out = tmp_path / "cases.json"
    assert run(db.url, monkeypatch, "export", "-o", str(out)).exit_code == 0
    other = Database(_second_database(tmp_path, template_database, database_url))
    try:
        build_sample_county(other)
        result = run(other.url, monkeypatch, "import", str(out), "--as", "county_sup")
        assert result.exit_code == 0, result.output
        assert "2 cases filed, 0 refused" in result.output
        supervisor = actor_for(other, "county_sup")
        page = list_cases(other, supervisor, CaseFilters(page_size=10), utcnow())
        details = [case_detail(other, supervisor, item.id) for item in page.items]
        assert sorted(d.title for d in details) == ["噪音纠纷", "宅基地边界纠纷"]
        assert all(d.state == "screening.reported" and d.parties[0].id_number == ID_NUMBER for d in details)
        assert list(verify_all(other)) == []
    finally:
        other.dispose()


def _second_database(tmp_path: Path, template_database: str, database_url: str) -> str:
    """Another empty migrated database beside the test's own."""
    if database_url.startswith("sqlite"):
        import shutil

        path = tmp_path / "other.db"
        shutil.copyfile(template_database, path)
        return f"sqlite:///{path}"
    import uuid

    import sqlalchemy as sa

    name = f"mediation_other_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
    admin.dispose()
    return sa.make_url(database_url).set(database=name).render_as_string(hide_password=False)


@pytest.mark.parametrize(("lang", "reason"), [
    ("en_US.UTF-8", "must be an 11-digit mobile or a landline number"),
    ("zh_CN.UTF-8", "须为11位手机号或固定电话"),  # the reader's language (DESIGN §9.1)
])
def test_a_bad_row_is_refused_by_number_and_the_others_are_filed(db, county, tmp_path: Path, monkeypatch,
                                                                  lang: str, reason: str) -> None:
    monkeypatch.setenv("LANG", lang)
    monkeypatch.delenv("LC_ALL", raising=False)
    source = tmp_path / "register.csv"
    source.write_text(
        "title,description,channel,category,unit,risk_level,party1_name,party1_role,party1_phone\n"
        f"邻里噪音,楼上噪音,grid_screening,neighbour,{county.grid},low,王某某,applicant,{PHONE}\n"
        f"欠薪纠纷,工资拖欠,walk_in,labour,{county.grid},,张某某,applicant,12345\n"
        f"土地纠纷,界址不清,walk_in,,{county.grid},,赵某某,applicant,\n", encoding="utf-8")
    before = len(list_cases(db, actor_for(db, "county_sup"), CaseFilters(page_size=10), utcnow()).items)
    result = run(db.url, monkeypatch, "import", str(source), "--as", "grid1")
    assert result.exit_code == 1
    assert f"row 2: parties[0].phone: {reason}" in " ".join(result.output.split())
    assert "2 cases filed, 1 refused" in result.output
    titles = [item.title for item in list_cases(db, actor_for(db, "county_sup"), CaseFilters(page_size=10),
                                                utcnow()).items]
    assert len(titles) == before + 2 and "欠薪纠纷" not in titles


@pytest.mark.parametrize(("args", "message"), [
    (("--as", "court1"), "court1 may not file cases"),
    (("--as", "nobody"), "no active user 'nobody'"),
])
def test_import_refuses_a_filer_who_may_not_file(db, county, tmp_path: Path, monkeypatch, args, message) -> None:
    source = tmp_path / "cases.json"
    source.write_text("[]", encoding="utf-8")
    result = run(db.url, monkeypatch, "import", str(source), *args)
    assert result.exit_code == 1 and message in " ".join(result.output.split())


@pytest.mark.parametrize(("name", "text", "message"), [
    ("cases.json", "{not json", "is not JSON"),
    ("cases.json", '{"cases": 5}', "must be a list of case objects"),
    ("cases.csv", "name,unit\n", "needs a header row with at least a 'title' column"),
    ("cases.txt", "[]", "is not one of ['json', 'csv']"),
])
def test_a_file_that_is_not_cases_is_refused_clearly(db, county, tmp_path: Path, monkeypatch, name, text,
                                                     message) -> None:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    result = run(db.url, monkeypatch, "import", str(source), "--as", "grid1")
    assert result.exit_code == 1 and message in " ".join(result.output.split())
