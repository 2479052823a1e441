"""`directory import` (DESIGN §9.4): a CSV or XLSX of units and users checked whole first, every refused
row named with its column and reason, nothing written on refusal, a second run changing nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from typer.testing import CliRunner

from mediation.cli import app
from mediation.clock import utcnow
from mediation.directory.identity import check_password
from mediation.directory.import_check import check_rows
from mediation.directory.import_file import FileRefused, read_rows

HEADER = ["type", "code", "name", "kind", "parent", "abbreviation", "username", "display_name", "unit", "roles",
          "password"]
# Children before their parents on purpose: parents are resolved within the file.
GOOD = [
    ["unit", "G1", "第一网格", "grid", "C1", "", "", "", "", "", ""],
    ["unit", "C1", "江北社区", "community", "T1", "", "", "", "", "", ""],
    ["unit", "PS1", "瓯北派出所", "station", "T1", "", "", "", "", "", ""],
    ["unit", "T1", "瓯北街道", "town", "K1", "", "", "", "", "", ""],
    ["unit", "K1", "永嘉县", "county", "", "永嘉", "", "", "", "", ""],
    ["user", "", "", "", "", "", "grid_a", "陈网格", "G1", "grid_worker", ""],
    ["user", "", "", "", "", "", "med_a", "林调解", "C1", "mediator; supervisor", "given-password-1"],
]
runner = CliRunner()


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([HEADER, *rows])
    return path


def _xlsx(path: Path, rows: list[list]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", database_url)
    monkeypatch.setenv("LANG", "C.UTF-8")
    return lambda *args: runner.invoke(app, list(args))


def _counts(db) -> tuple[int, int, int]:
    with db.read() as connection:
        return tuple(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                     for table in ("units", "users", "directory_changes"))


def test_a_csv_is_imported_and_a_second_run_changes_nothing(run, db, tmp_path: Path) -> None:
    path = _csv(tmp_path / "directory.csv", GOOD)
    result = run("directory", "import", str(path), "--passwords-out", str(tmp_path / "passwords.csv"))
    assert result.exit_code == 0, result.output
    assert "units: 5 new" in result.output and "users: 2 new" in result.output
    assert _counts(db) == (5, 2, 7)
    with db.read() as connection:
        paths = dict(connection.execute(sa.text("SELECT code, path FROM units")).all())
        roles = connection.execute(sa.text("SELECT roles FROM users WHERE username = 'med_a'")).scalar_one()
    assert paths["G1"] == "/K1/T1/C1/G1/" and paths["PS1"] == "/K1/T1/PS1/" and roles == "mediator supervisor"
    generated = dict(csv.reader((tmp_path / "passwords.csv").read_text().splitlines()[1:]))
    assert list(generated) == ["grid_a"] and generated["grid_a"] not in result.output
    check_password(db, username="grid_a", password=generated["grid_a"], address="test", now=utcnow())
    check_password(db, username="med_a", password="given-password-1", address="test", now=utcnow())
    again = run("directory", "import", str(path))
    assert again.exit_code == 0 and "nothing to change" in again.output and "7 unchanged" in again.output
    assert _counts(db) == (5, 2, 7)


def test_an_xlsx_is_imported_with_numeric_codes_and_changed_names_are_updated(run, db, tmp_path: Path) -> None:
    rows = [[cell if cell != "K1" else 330324 for cell in row] for row in GOOD]
    assert run("directory", "import", str(_xlsx(tmp_path / "d.xlsx", rows))).exit_code == 0
    with db.read() as connection:
        assert connection.execute(sa.text("SELECT path FROM units WHERE code = 'G1'")).scalar_one() == \
            "/330324/T1/C1/G1/"
    renamed = [row if row[1] != "C1" else [*row[:2], "江北新社区", *row[3:]] for row in rows]
    renamed[-1] = [*renamed[-1][:7], "林调解员", *renamed[-1][8:]]
    result = run("directory", "import", str(_xlsx(tmp_path / "d2.xlsx", renamed)))
    assert result.exit_code == 0 and "1 changed; users: 0 new, 1 changed" in result.output, result.output
    with db.read() as connection:
        assert connection.execute(sa.text("SELECT name FROM units WHERE code = 'C1'")).scalar_one() == "江北新社区"
        assert connection.execute(sa.text("SELECT display_name FROM users WHERE username = 'med_a'")).scalar_one() \
            == "林调解员"


def _hash_of(db, username: str) -> str:
    with db.read() as connection:
        return connection.execute(sa.text("SELECT password_hash FROM users WHERE username = :u"),
                                  {"u": username}).scalar_one()


def test_a_generated_password_is_hashed_lightly_and_at_full_cost_from_its_first_login(run, db, tmp_path: Path) -> None:
    """A generated password (95 random bits) is stored with a light argon2 hash so an import of thousands
    is quick; a password from the file gets the full cost at once; the first login upgrades the light one."""
    path = _csv(tmp_path / "directory.csv", GOOD)
    assert run("directory", "import", str(path), "--passwords-out", str(tmp_path / "p.csv")).exit_code == 0
    generated = dict(csv.reader((tmp_path / "p.csv").read_text().splitlines()[1:]))
    assert "m=1024,t=1,p=1" in _hash_of(db, "grid_a")
    given = _hash_of(db, "med_a")
    assert "m=1024" not in given and "t=1," not in given
    check_password(db, username="grid_a", password=generated["grid_a"], address="test", now=utcnow())
    upgraded = _hash_of(db, "grid_a")
    assert upgraded.split("$")[3] == given.split("$")[3]  # the login's own parameters now
    check_password(db, username="grid_a", password=generated["grid_a"], address="test", now=utcnow())
    assert _hash_of(db, "grid_a") == upgraded  # upgraded once, not at every login


def test_a_dry_run_writes_nothing(run, db, tmp_path: Path) -> None:
    result = run("directory", "import", str(_csv(tmp_path / "d.csv", GOOD)), "--dry-run")
    assert result.exit_code == 0 and "dry run" in result.output and "units: 5 new" in result.output
    assert _counts(db) == (0, 0, 0)


BAD = [
    ["unit", "K9", "某县", "county", "G1", "", "", "", "", "", ""],            # 2: a county under a grid
    ["unit", "X1", "甲镇", "town", "K1", "", "", "", "", "", ""],
    ["unit", "X1", "乙镇", "town", "K1", "", "", "", "", "", ""],               # 4: a duplicate code
    ["unit", "P1", "某地", "planet", "K1", "", "", "", "", "", ""],             # 5: a bad kind
    ["unit", "C9", "某社区", "community", "NOPE", "", "", "", "", "", ""],      # 6: an unknown parent
    ["user", "", "", "", "", "", "u_role", "某", "G1", "wizard", ""],          # 7: an unknown role
    ["user", "", "", "", "", "", "u_unit", "某", "", "mediator", ""],          # 8: no unit
    ["thing", "", "", "", "", "", "", "", "", "", ""],                         # 9: a bad type
    ["user", "", "", "", "", "", "u_pw", "某", "G1", "mediator", "short"],     # 10: a short password
]


def test_every_refused_row_is_named_and_nothing_is_written(run, db, tmp_path: Path) -> None:
    result = run("directory", "import", str(_csv(tmp_path / "bad.csv", GOOD + BAD)))
    assert result.exit_code == 2
    refused = {int(line.split("│")[1]): line.split("│")[2].strip() for line in result.output.splitlines()
               if line.count("│") >= 3 and line.split("│")[1].strip().isdigit()}
    offset = len(GOOD)  # the header is row 1, GOOD rows 2…
    assert refused == {offset + 2: "parent", offset + 4: "code", offset + 5: "kind", offset + 6: "parent",
                       offset + 7: "roles", offset + 8: "unit", offset + 9: "type", offset + 10: "password"}
    assert "8 rows refused; nothing was written" in result.output
    assert _counts(db) == (0, 0, 0)


def test_refusals_are_in_chinese_under_a_chinese_locale(run, db, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    result = run("directory", "import", str(_csv(tmp_path / "bad.csv", GOOD + BAD[:1])))
    assert result.exit_code == 2 and "县（区）不能设上级单位" in result.output and "未写入任何内容" in result.output


def test_a_stored_unit_is_not_moved_by_a_file(run, db, tmp_path: Path) -> None:
    assert run("directory", "import", str(_csv(tmp_path / "d.csv", GOOD))).exit_code == 0
    moved = [*GOOD, ["unit", "T2", "桥头镇", "town", "K1", "", "", "", "", "", ""]]
    moved[1] = ["unit", "C1", "江北社区", "community", "T2", "", "", "", "", "", ""]
    result = run("directory", "import", str(_csv(tmp_path / "moved.csv", moved)))
    assert result.exit_code == 2 and "admin page" in result.output
    assert _counts(db)[0] == 5


def test_a_cycle_of_parents_is_refused(db, tmp_path: Path) -> None:
    rows = read_rows(_csv(tmp_path / "cycle.csv", [["unit", "A", "甲", "station", "B", "", "", "", "", "", ""],
                                                   ["unit", "B", "乙", "station", "A", "", "", "", "", "", ""]]))
    with db.snapshot() as tx:
        plan = check_rows(tx, rows)
    assert [(refused.row, refused.column) for refused in plan.refused] == [(2, "parent"), (3, "parent")]


@pytest.mark.parametrize(("content", "column"), [("code,name\nX,Y\n", "type"), ("", "file"),
                                                 ("type,colour\nunit,red\n", "colour")])
def test_an_unusable_file_is_refused_as_a_whole(tmp_path: Path, content: str, column: str) -> None:
    path = tmp_path / "f.csv"
    path.write_text(content)
    with pytest.raises(FileRefused) as refused:
        read_rows(path)
    assert refused.value.refusal.field == column


def test_an_xlsx_with_two_sheets_is_refused(run, tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.create_sheet("second")
    workbook.save(tmp_path / "two.xlsx")
    result = run("directory", "import", str(tmp_path / "two.xlsx"))
    assert result.exit_code == 2 and "2 sheets" in result.output


def test_cli_lists_and_changes_users(run, db, tmp_path: Path) -> None:
    assert run("directory", "import", str(_csv(tmp_path / "d.csv", GOOD))).exit_code == 0
    listed = run("units", "list", "--kind", "grid")
    assert listed.exit_code == 0 and "第一网格" in listed.output and "江北社区" not in listed.output
    assert "unknown value 'planet'" in run("units", "list", "--kind", "planet").output
    assert run("users", "set-roles", "grid_a", "--role", "grid_worker", "--role", "police").exit_code == 0
    assert "grid_a" in run("users", "list", "--role", "police").output
    assert run("users", "disable", "grid_a").exit_code == 0
    assert "grid_a" in run("users", "list", "--disabled").output
    assert "grid_a" not in run("users", "list", "--active").output
    result = run("users", "set-password", "med_a", "--random")
    assert result.exit_code == 0 and "shown once" in result.output
    password = result.output.split(": ")[1].split()[0]
    check_password(db, username="med_a", password=password, address="test", now=utcnow())
    assert run("users", "set-roles", "nobody", "--role", "police").exit_code == 1
    with db.read() as connection:
        actions = [row[0] for row in connection.execute(sa.text(
            "SELECT action FROM directory_changes WHERE target IN ('grid_a', 'med_a') ORDER BY id")).all()]
    assert actions == ["user_created", "user_created", "user_changed", "user_changed", "password_set"]


def test_units_create_keeps_the_nesting_rule(run) -> None:
    assert run("units", "create", "K1", "--name", "永嘉县", "--kind", "county").exit_code == 0
    assert run("units", "create", "G1", "--name", "网格", "--kind", "grid", "--parent", "K1").exit_code == 1
    result = run("units", "create", "K2", "--name", "某县", "--kind", "county", "--parent", "K1")
    assert result.exit_code == 1 and "has no parent" in result.output
