"""The installed `mediation` command as a person runs it: a path that cannot be used is one line naming
it (never a traceback), and a case is taken by its printed number as well as by its id (DESIGN §9.1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mediation.cases.numbers import case_id_of, printed_number
from mediation.db import Database
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import build_sample_county

EXECUTABLE = Path(sys.executable).with_name("mediation")


def mediation(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(EXECUTABLE), *args], capture_output=True, text=True, cwd=cwd, timeout=180, check=False,
                          env={"MEDIATION_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "HOME": str(cwd)})


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The one line a refused command prints (its exit code non-zero, no traceback)."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr and "╭" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def county_case(db: Database) -> tuple[int, str]:
    """The id and number of a case on file."""
    case_id = drive_to(db, state="mediation.in_session", county=build_sample_county(db))
    with db.snapshot() as tx:
        return case_id, tx.one("SELECT number FROM cases WHERE id = :id", {"id": case_id})[0]


def test_render_into_a_missing_folder_names_the_folder(db, county_case, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "dir" / "x.pdf"
    line = one_line_error(mediation(db.url, "render", str(county_case[0]), "agreement", "-o", str(target),
                                    cwd=tmp_path))
    assert f"{target.parent} does not exist" in line and "-o" in line
    assert not target.parent.exists()


@pytest.mark.parametrize("name", ["cases.json", "cases.csv"])
def test_export_into_a_missing_folder_names_the_folder(db, county_case, tmp_path: Path, name) -> None:
    target = tmp_path / "missing" / "dir" / name
    line = one_line_error(mediation(db.url, "export", "-o", str(target), cwd=tmp_path))
    assert f"{target.parent} does not exist" in line


@pytest.mark.parametrize("args", [
    ("summary",), ("verify", "--case", "1"), ("export", "-o", "cases.json"), ("db", "upgrade"),
    ("render", "1", "case_file", "-o", "x.pdf"), ("import", "cases.json", "--as", "grid1"), ("worker", "--once"),
])
def test_a_database_in_a_missing_folder_is_one_line_naming_it(tmp_path: Path, args) -> None:
    (tmp_path / "cases.json").write_text("[]", encoding="utf-8")
    folder = tmp_path / "missing" / "dir"
    line = one_line_error(mediation(f"sqlite:///{folder}/x.db", *args, cwd=tmp_path))
    assert "MEDIATION_DATABASE_URL" in line and f"folder {folder} does not exist" in line
    assert not folder.exists()


@pytest.mark.parametrize(("url", "named"), [("not a url", "not a url"), ("mysql://clerk@db/mediation", "mysql")])
def test_a_database_url_that_cannot_be_used_is_one_line(tmp_path: Path, url, named) -> None:
    line = one_line_error(mediation(url, "summary", cwd=tmp_path))
    assert "MEDIATION_DATABASE_URL" in line and named in line


def test_a_database_that_cannot_be_reached_is_one_line_without_its_password(tmp_path: Path) -> None:
    line = one_line_error(mediation("postgresql://clerk:s3cret@127.0.0.1:1/mediation", "summary", cwd=tmp_path))
    assert "MEDIATION_DATABASE_URL: cannot use postgresql://clerk:***@127.0.0.1:1/mediation" in line
    assert "s3cret" not in line


def test_render_and_verify_take_the_printed_number(db, county_case, tmp_path: Path) -> None:
    _, number = county_case
    assert number.endswith("00001号")
    typed = number.replace("〔", "[").replace("〕", "]").replace("00001号", "1号")  # as typed on a keyboard
    result = mediation(db.url, "render", typed, "case_file", "-o", str(tmp_path / "x.pdf"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")
    result = mediation(db.url, "verify", "--case", number, cwd=tmp_path)
    assert result.returncode == 0 and "chain verifies" in result.stdout, result.stderr


RENDER, VERIFY = ("render", "{}", "case_file", "-o", "x.pdf"), ("verify", "--case", "{}")


@pytest.mark.parametrize(("command", "unknown"), [
    (RENDER, "永嘉调〔2026〕99999号"), (VERIFY, "永嘉调〔2026〕99999号"), (VERIFY, "99999"), (RENDER, "1" * 40),
    (VERIFY, "1" * 40), (RENDER, "No.5"),
])
def test_a_case_that_does_not_exist_is_one_line(db, county_case, tmp_path: Path, command, unknown) -> None:
    args = [unknown if arg == "{}" else arg for arg in command]
    line = one_line_error(mediation(db.url, *args, cwd=tmp_path))
    assert f"case {unknown} not found" in line
    assert not (tmp_path / "x.pdf").exists()


def test_case_numbers_are_read_as_people_type_them(db, county_case) -> None:
    case_id, number = county_case
    prefix, year = number.split("调")[0], number.split("〔")[1][:4]
    for typed in (number, f" {number} ", f"{prefix}调[{year}]1号", f"{prefix}调（{year}）第00001号",
                  f"{prefix}调【{year}】1", f"{prefix}调〔{year}〕１号", str(case_id)):
        assert printed_number(typed) == number or typed == str(case_id)
        with db.snapshot() as tx:
            assert case_id_of(tx, typed) == case_id, typed
    with db.snapshot() as tx:
        assert [case_id_of(tx, text) for text in (f"{prefix}调〔{year}〕2号", "", "²", "9" * 19, "-1")] == [
            None] * 5
