"""Directory import benchmark: a county of 3,500 grids and 5,000 users from one CSV, then the same file again.

``python -m benchmarks directory [--quick] [--grids N] [--users N] [--database-url URL]`` writes a CSV
shaped like a real county (one county, 35 towns, 350 communities with 10 grids each, a police station
per town, departments and a court; one grid worker per grid, a mediator and a police officer per
community, a supervisor per town, more grid workers up to the user count; no passwords in the file,
so every user gets a generated one), migrates a fresh database (SQLite in a temp folder, or a new
database on the PostgreSQL server of --database-url) and runs ``mediation directory import`` on it as
a user would, in a process of its own, with its progress bar. Then it runs the same file again and
counts the directory changes that second run logged (the goal: none).

Generated passwords (about 95 random bits) are hashed with argon2 at a light cost and rehashed at the
login's full cost on first use (mediation/directory/passwords.py); for reference the table shows what a
file that gave every user a password of their own would cost: argon2 at the full cost for every new user,
measured on a sample with the same process pool and scaled to the user count. The last line is
``import_s=… second_run_s=… second_run_changes=0 units=… users=… hashing_floor_s=…`` (goal: import_s < 30).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from benchmarks.report import Row, format_kv, print_table
from mediation.db import Database
from mediation.db.schema import upgrade_database
from mediation.directory.passwords import hash_passwords
from mediation.directory.rules import random_password

HEADER = ["type", "code", "name", "kind", "parent", "username", "display_name", "unit", "roles"]
GRIDS_PER_COMMUNITY = 10
COMMUNITIES_PER_TOWN = 10
HASH_SAMPLE = 256


def county_rows(grids: int, users: int) -> tuple[list[list[str]], int]:
    """The file's rows: units (children listed before their parents) and users; and the unit count."""
    communities = max(1, grids // GRIDS_PER_COMMUNITY)
    towns = max(1, communities // COMMUNITIES_PER_TOWN)
    units = [["unit", "C", "吴忠市某县", "county", ""], ["unit", "C-FT", "县人民法院共享法庭", "court", "C"],
             *(["unit", f"C-D{d}", f"县职能部门{d}", "department", "C"] for d in range(1, 11))]
    town_codes = [f"C-T{t:03d}" for t in range(towns)]
    community_codes = [(f"{town_codes[c // COMMUNITIES_PER_TOWN % towns]}-{c:04d}",
                        town_codes[c // COMMUNITIES_PER_TOWN % towns]) for c in range(communities)]
    grid_codes = [(f"{community_codes[g // GRIDS_PER_COMMUNITY % communities][0]}-G{g:05d}",
                   community_codes[g // GRIDS_PER_COMMUNITY % communities][0]) for g in range(grids)]
    units += [["unit", code, f"第{code[-5:]}网格", "grid", parent] for code, parent in grid_codes]
    units += [["unit", code, f"{code[-4:]}社区", "community", parent] for code, parent in community_codes]
    units += [["unit", f"{town}-PS", f"{town[-3:]}派出所", "station", town] for town in town_codes]
    units += [["unit", town, f"{town[-3:]}镇", "town", "C"] for town in town_codes]
    people = [("grid_worker", code) for code, _ in grid_codes]
    people += [(role, code) for code, _ in community_codes for role in ("mediator", "police")]
    people += [("supervisor", town) for town in town_codes]
    extra = 0
    while len(people) < users:
        people.append(("grid_worker", grid_codes[extra % len(grid_codes)][0]))
        extra += 1
    rows = [[*unit, "", "", "", ""] for unit in units]
    rows += [["user", "", "", "", "", f"u{i:05d}", f"用户{i:05d}", unit, role] for i, (role, unit) in
             enumerate(people[:users])]
    return rows, len(units)


def fresh_database(server_url: str | None, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    if server_url:
        name = f"mediation_bench_directory_{uuid.uuid4().hex[:8]}"
        with sa.create_engine(server_url, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{folder / 'directory.db'}"
    upgrade_database(url)
    return url


def run_import(url: str, path: Path, passwords: Path) -> float:
    """Seconds of `mediation directory import` in its own process, as a user runs it."""
    command = [str(Path(sys.executable).with_name("mediation")), "directory", "import", str(path),
               "--passwords-out", str(passwords)]
    started = time.perf_counter()
    subprocess.run(command, env={**os.environ, "MEDIATION_DATABASE_URL": url}, check=True)
    return time.perf_counter() - started


def drop_database(server_url: str | None, url: str) -> None:
    if server_url:
        name = sa.make_url(url).database
        with sa.create_engine(server_url, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def counts(url: str) -> tuple[int, int, int]:
    database = Database(url)
    try:
        with database.snapshot() as tx:
            return tuple(tx.one(f"SELECT count(*) FROM {table}")[0] for table in ("units", "users", "directory_changes"))
    finally:
        database.dispose()


def hashing_floor(users: int) -> float:
    """Seconds argon2 takes for `users` passwords on every core, from a sample of HASH_SAMPLE."""
    sample = [random_password() for _ in range(min(HASH_SAMPLE, users))]
    started = time.perf_counter()
    hash_passwords(sample)
    return (time.perf_counter() - started) * users / len(sample)


def import_without_argon2(url: str, path: Path) -> float:
    """Seconds of the import's own work (read, check, write) with one hash reused for every user:
    a reference only, to tell the import's cost from argon2's; never how the product stores passwords."""
    from mediation.clock import utcnow
    from mediation.directory.import_check import check_rows
    from mediation.directory.import_file import read_rows
    from mediation.directory.import_write import passwords_for, write_plan
    from mediation.directory.passwords import hash_password

    database = Database(url)
    try:
        started = time.perf_counter()
        with database.snapshot() as tx:
            plan = check_rows(tx, read_rows(path))
        passwords_for(plan)
        write_plan(database, plan, [hash_password("reference-only")] * len(plan.new_users), actor_id=None,
                   now=utcnow())
        return time.perf_counter() - started
    finally:
        database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks directory")
    parser.add_argument("--grids", type=int, default=3500)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="350 grids and 500 users")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--skip-hashed-import", action="store_true",
                        help="only the import without hashing and the second run")
    args = parser.parse_args(argv)
    grids, users = (350, 500) if args.quick else (args.grids, args.users)
    figures: dict[str, float | int] = {}
    with tempfile.TemporaryDirectory() as folder:
        rows, unit_count = county_rows(grids, users)
        path = Path(folder) / "county.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows([HEADER, *rows])
        reference_url = fresh_database(args.database_url, Path(folder) / "reference")
        figures["without_argon2_s"] = import_without_argon2(reference_url, path)
        before = counts(reference_url)
        figures["second_run_s"] = run_import(reference_url, path, Path(folder) / "passwords-again.csv")
        figures["second_run_changes"] = counts(reference_url)[2] - before[2]
        drop_database(args.database_url, reference_url)
        figures["units"], figures["users"] = before[0], before[1]
        if not args.skip_hashed_import:
            url = fresh_database(args.database_url, Path(folder))
            figures["import_s"] = run_import(url, path, Path(folder) / "passwords.csv")
            drop_database(args.database_url, url)
    figures["hashing_floor_s"] = hashing_floor(users)
    report(figures, grids, users, unit_count, "postgresql" if args.database_url else "sqlite")
    return 0 if figures["second_run_changes"] == 0 and figures["users"] == users else 1


def report(figures: dict, grids: int, users: int, unit_count: int, backend: str) -> None:
    rows = unit_count + users
    table = []
    if "import_s" in figures:
        table.append(Row(f"import ({backend}), generated passwords hashed", rows, figures["import_s"]))
    table += [
        Row("second run of the same file", rows, figures["second_run_s"], note=f"{figures['second_run_changes']} changes"),
        Row("reference: the import with one hash reused (no hashing)", rows, figures["without_argon2_s"]),
        Row("reference: full-cost argon2 of every password (a file giving them)", users, figures["hashing_floor_s"],
            note=f"{os.cpu_count()} cores; scaled from {min(HASH_SAMPLE, users)}"),
    ]
    print_table(table, title=f"directory import: {grids:,} grids, {users:,} users ({backend})")
    print(format_kv(**{key: figures[key] for key in ("import_s", "second_run_s", "second_run_changes", "units",
                                                     "users", "without_argon2_s", "hashing_floor_s")
                       if key in figures}))
