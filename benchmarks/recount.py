"""Recounting deadlines that rest on estimated holidays, after holidays.yaml gains their year.

N open cases, each adjourned on-scene on Thu 31 Jan 2030 (10:00 China time) with its second
session due within 7 working days (`police_second_session`). 2030 lies beyond chinesecalendar,
so the deadline rests on the estimate (除夕 Sat 2 Feb to 初三 Tue 5 Feb off): the end of Wed
13 Feb. Then the arrangement is entered (2–8 Feb off, Sat 9 Feb worked) and every deadline
is recounted to the end of Fri 15 Feb, each through the engine as `recompute_deadlines` by the
system (an event per case), in batches of 500 a transaction. One case is driven through the
engine and copied in bulk with its deadline (not timed); the recount is timed.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

ADJOURNED = datetime(2030, 1, 31, 2, 0)  # Thu 31 Jan 2030, 10:00 China time
ON_ESTIMATE = datetime(2030, 2, 13, 16, 0)  # 24:00 China time of Wed 13 Feb 2030
ARRANGEMENT = "years:\n  2030:\n    holidays: [2030-01-01, 2030-02-02..2030-02-08]\n    workdays: [2030-02-09]\n"
KIND = "police_second_session"


@contextmanager
def holidays_file(path: Path, text: str) -> Iterator[Path]:
    """MEDIATION_HOLIDAYS_FILE set to `path` holding `text`, for the length of the block."""
    before = os.environ.get("MEDIATION_HOLIDAYS_FILE")
    path.write_text(text, encoding="utf-8")
    os.environ["MEDIATION_HOLIDAYS_FILE"] = str(path)
    try:
        yield path
    finally:
        if before is None:
            os.environ.pop("MEDIATION_HOLIDAYS_FILE", None)
        else:
            os.environ["MEDIATION_HOLIDAYS_FILE"] = before


def prepare_estimated_cases(url: str, count: int) -> None:
    """A migrated database at `url`: the sample county and `count` adjourned cases, each with one
    pending estimated `police_second_session` deadline."""
    import sqlalchemy as sa

    from benchmarks.workloads import copy_case
    from mediation.db import Database
    from mediation.db.schema import upgrade_database
    from mediation.demo.case_paths import TRIAGED, drive_to
    from mediation.demo.sample_county import build_sample_county

    upgrade_database(url)
    db = Database(url)
    try:
        county = build_sample_county(db)
        template = drive_to(db, state="mediation.assigned", county=county, now=ADJOURNED,
                            route=(*TRIAGED, "mediate_on_scene", "adjourn"), step=timedelta(0))
        with db.begin() as connection:
            due, estimated = connection.execute(sa.text(
                "SELECT due_at, estimated FROM deadlines WHERE case_id = :id AND kind = :kind AND status = 'pending'"),
                {"id": template, "kind": KIND}).one()
            if not estimated:
                raise SystemExit("2030 is covered by chinesecalendar now: pick a later year for this benchmark")
            ids = copy_case(db, connection, template, count - 1)
            connection.execute(sa.text("DELETE FROM deadlines WHERE case_id = :id"), {"id": template})
            connection.execute(sa.text(
                "INSERT INTO deadlines (case_id, kind, state, due_at, action, status, created_at, estimated) "
                "SELECT id, :kind, 'mediation.assigned', :due, 'declare_failed', 'pending', :start, :yes "
                "FROM cases ORDER BY id"),
                {"kind": KIND, "due": due, "start": db.timestamp(ADJOURNED), "yes": True})
        with db.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
        if len(ids) != count:
            raise RuntimeError(f"prepared {len(ids)} cases, not {count}")
    finally:
        db.dispose()


def recount_seconds(url: str, count: int, folder: Path) -> float:
    """Prepare `count` cases on the estimate, enter the arrangement, and time the recount of them all."""
    from mediation.db import Database
    from mediation.deadlines.recount import recount

    with holidays_file(folder / "holidays.yaml", "years: {}\n") as path:
        print(f"preparing {count:,} cases with an estimated deadline …", flush=True)
        prepare_estimated_cases(url, count)
        path.write_text(ARRANGEMENT, encoding="utf-8")
        db = Database(url)
        try:
            with db.snapshot() as tx:
                for (version_id,) in tx.all("SELECT DISTINCT workflow_version_id FROM cases"):
                    db.workflows.machine(version_id)
            started = time.perf_counter()
            report = recount(db, now=ADJOURNED + timedelta(days=1))
            seconds = time.perf_counter() - started
        finally:
            db.dispose()
    if (report.moved, report.cases) != (count, count):
        raise SystemExit(f"expected {count} deadlines moved on as many cases, got {report}")
    return seconds
