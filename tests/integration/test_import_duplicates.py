"""`mediation import` refuses rows already present (DESIGN §9.7) and reads the labels a person types.

A row is already present when a case carries its number, or when a case has the same title, the
same description and the same parties (each by name and ID number, in any order and any role).
`--allow-duplicates` files such rows anyway, as new cases.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mediation.cases.intake import CaseInput, PartyInput
from mediation.cli import app
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty, build_sample_county

runner = CliRunner()
ID_NUMBER, PHONE = "330324198001011239", "13812345678"
NOISE = "楼上装修噪音影响休息，双方多次争执。"


@pytest.fixture
def county(db: Database) -> SampleCounty:
    return build_sample_county(db)


def run(db: Database, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", db.url)
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result, " ".join(result.output.split())


def filed(db: Database, county: SampleCounty, title: str, state: str) -> int:
    return drive_to(db, state=state, county=county, case_input=CaseInput(
        title=title, description=NOISE, channel="grid_screening", unit=county.grid, category="neighbour",
        parties=[PartyInput("王某某", "applicant", ID_NUMBER, PHONE), PartyInput("李某某", "respondent")]))


def cases(db: Database) -> list[tuple]:
    with db.snapshot() as tx:
        return tx.all("SELECT id, number, title, state, channel, category, risk_level FROM cases ORDER BY id")


def test_reimporting_an_export_refuses_every_case_and_changes_nothing(db, county, tmp_path: Path,
                                                                      monkeypatch) -> None:
    resolved = filed(db, county, "噪音纠纷", "closed.resolved")
    filed(db, county, "宅基地边界纠纷", "mediation.in_session")
    before = cases(db)
    for name in ("cases.json", "cases.csv"):
        out = tmp_path / name
        assert run(db, monkeypatch, "export", "-o", str(out))[0].exit_code == 0
        result, text = run(db, monkeypatch, "import", str(out), "--as", "county_sup")
        assert result.exit_code == 1
        for row, (_, number, *_rest) in enumerate(before, start=1):
            assert f"row {row}: number: case {number} is already present" in text
        assert "0 cases filed, 2 refused" in text
    assert cases(db) == before
    assert [state for case_id, _, _, state, *_ in cases(db) if case_id == resolved] == ["closed.resolved"]


def test_the_same_parties_and_facts_under_no_number_are_refused(db, county, tmp_path: Path, monkeypatch) -> None:
    filed(db, county, "噪音纠纷", "closed.resolved")
    [(_, number, *_)] = cases(db)
    again = {"title": " 噪音纠纷 ", "description": NOISE, "channel": "walk_in", "unit": county.grid,
             # the same people, listed the other way round and with other roles: the same dispute
             "parties": [{"name": "李某某", "role": "applicant"},
                         {"name": "王某某", "role": "respondent", "id_number": ID_NUMBER}]}
    other_facts = {**again, "description": NOISE + "又于次日深夜发生争吵。"}
    other_party = {**again, "parties": [*again["parties"], {"name": "赵某某", "role": "third_party"}]}
    source = tmp_path / "cases.json"
    source.write_text(json.dumps([again, other_facts, other_party], ensure_ascii=False), encoding="utf-8")
    result, text = run(db, monkeypatch, "import", str(source), "--as", "county_sup")
    assert result.exit_code == 1
    assert (f"row 1: case: the same title, description and parties as case {number}, which is already present"
            in text)
    assert "row 2" not in text and "row 3" not in text
    assert "2 cases filed, 1 refused" in text
    assert len(cases(db)) == 3


def test_a_row_repeated_in_one_file_is_filed_once(db, county, tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "register.csv"
    row = f"邻里噪音,楼上噪音,grid_screening,neighbour,{county.grid},low,王某某,applicant,{PHONE}\n"
    source.write_text("title,description,channel,category,unit,risk_level,party1_name,party1_role,party1_phone\n"
                      + row + row, encoding="utf-8")
    result, text = run(db, monkeypatch, "import", str(source), "--as", "grid1")
    assert result.exit_code == 1
    assert "row 2: case: the same title, description and parties as case" in text
    assert "1 cases filed, 1 refused" in text


def test_allow_duplicates_files_them_again_as_new_cases(db, county, tmp_path: Path, monkeypatch) -> None:
    filed(db, county, "噪音纠纷", "closed.resolved")
    out = tmp_path / "cases.json"
    assert run(db, monkeypatch, "export", "-o", str(out))[0].exit_code == 0
    result, text = run(db, monkeypatch, "import", str(out), "--as", "county_sup", "--allow-duplicates")
    assert result.exit_code == 0, text
    assert "1 cases filed, 0 refused" in text
    [(_, first, _, resolved, *_), (_, second, title, state, *_)] = cases(db)
    assert (resolved, title, state) == ("closed.resolved", "噪音纠纷", "screening.reported")
    assert first != second  # a new case under a new number, its own trail starting at intake


def test_csv_takes_the_labels_a_person_types(db, county, tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "register.csv"
    source.write_text(
        "title,description,channel,category,unit,risk_level,party1_name,party1_role\n"
        f"邻里噪音,楼上噪音,来访,邻里纠纷,{county.grid},低,王某某,applicant\n"
        f"欠薪纠纷,工资拖欠,网格排查,劳资纠纷,{county.grid},较高,张某某,applicant\n"
        f"合同纠纷,货款未付, Walk-in ,合同债务纠纷,{county.grid},HIGH,赵某某,applicant\n"
        f"土地纠纷,界址不清,村居干部、网格员排查,土地山林边界纠纷,{county.grid},,钱某某,applicant\n"
        f"物业纠纷,停车费,上门,物业纠纷,{county.grid},很低,孙某某,applicant\n", encoding="utf-8")
    result, text = run(db, monkeypatch, "import", str(source), "--as", "grid1")
    assert result.exit_code == 1
    assert [row[2:] for row in cases(db)] == [
        ("邻里噪音", "screening.reported", "walk_in", "neighbour", "low"),
        ("欠薪纠纷", "screening.reported", "grid_screening", "labour", "elevated"),
        ("合同纠纷", "screening.reported", "walk_in", "contract", "high"),
        ("土地纠纷", "screening.reported", "grid_screening", "land_boundary", "low"),
    ]
    assert "row 5: channel: '上门' is not one of: 村居干部、网格员排查 (grid_screening)," in text
    assert "4 cases filed, 1 refused" in text
