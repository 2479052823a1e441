"""Deadlines that rest on estimated holidays, counted anew when the arrangement is entered.

A deadline counted in working days over a year neither holidays.yaml nor chinesecalendar
covers is marked `estimated`. When holidays.yaml changes, every open one is counted again from
its start on today's calendar; each one whose due moment changes is moved through the engine
(`recompute_deadlines` by the system: an audited event with the kind, the previous and the new
due moment, the state kept). One that comes out the same and no longer rests on an estimate
just loses its mark (nothing about the case changed, so no event). A second run changes nothing.
The file's digest is kept in `settings`, so the worker recounts by itself once per change.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from mediation import jsontext
from mediation.cases.engine import apply_transition
from mediation.db import Database, RawTransaction, parse_timestamp
from mediation.directory.actors import SYSTEM
from mediation.errors import MediationError, StaleCase
from mediation.workflows.calendar import after_counted, holidays_file, reload_arrangements

TRIGGER = "recompute_deadlines"
DIGEST_SETTING = "holidays_digest"
CHINA_OFFSET = timedelta(hours=8)
CHINA_TIME = timezone(CHINA_OFFSET)
ESTIMATED = (
    "SELECT d.id, d.case_id, d.kind, d.due_at, d.created_at, c.version, c.workflow_version_id, c.progress "
    "FROM deadlines d JOIN cases c ON c.id = d.case_id "
    "WHERE d.status = 'pending' AND d.estimated = :yes AND d.id > :after ORDER BY d.id LIMIT :limit"
)
COUNT_ESTIMATED = "SELECT count(*) FROM deadlines WHERE status = 'pending' AND estimated = :yes"
ESTIMATED_IDS = "SELECT id FROM deadlines WHERE status = 'pending' AND estimated = :yes"
LOCK_CASE = "SELECT id FROM cases WHERE id = :id FOR UPDATE SKIP LOCKED"
PASSES = 10  # a deadline still busy after so many passes waits for the next change of the file
PASS_PAUSE_SECONDS = 0.2
UNMARK = "UPDATE deadlines SET estimated = :no WHERE id = :id"
READ_DIGEST = "SELECT value FROM settings WHERE key = :key"
WRITE_DIGEST = (
    "INSERT INTO settings (key, value) VALUES (:key, :value) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


@dataclass
class RecountReport:
    """What a recount did: deadlines moved (on how many cases), unchanged, and refused (case closed meanwhile)."""

    moved: int = 0
    unchanged: int = 0
    refused: int = 0
    cases: int = 0


def estimated_open_deadlines(db: Database) -> int:
    """How many open deadlines rest on estimated holidays."""
    with db.snapshot() as tx:
        return tx.one(COUNT_ESTIMATED, {"yes": True})[0]


def recount(db: Database, *, now: datetime, batch_size: int = 500,
            progress: Callable[[int], None] | None = None) -> RecountReport:
    """Count every open estimated deadline anew, a batch a transaction; `progress(n)` after each batch.

    A deadline whose case someone is changing right now (PostgreSQL: its row is locked) is left
    for another pass, until every one has been counted (or PASSES passes went by).
    """
    reload_arrangements()  # the file as it is now, not as this process last looked at it
    run = _Recount(db, now, progress)
    for _ in range(PASSES):
        if not run.one_pass(batch_size) and not run.unseen():
            break
        time.sleep(PASS_PAUSE_SECONDS)
    run.report.cases = len(run.moved_cases)
    return run.report


class _Recount:
    """One recount: what it counted so far, and each day's count (deadlines set on one China day count alike)."""

    def __init__(self, db: Database, now: datetime, progress: Callable[[int], None] | None) -> None:
        self.db, self.now, self.progress = db, now, progress
        self.report, self.moved_cases, self.seen = RecountReport(), set(), set()
        self.counted: dict[tuple, tuple[datetime, bool]] = {}
        self.claim = ESTIMATED if db.is_sqlite else ESTIMATED + " FOR UPDATE OF d SKIP LOCKED"

    def one_pass(self, batch_size: int) -> int:
        """Every estimated deadline not counted yet, in batches; how many were busy."""
        after_id, busy = 0, 0
        while True:
            with self.db.write() as tx:
                rows = tx.all(self.claim, {"yes": True, "after": after_id, "limit": batch_size})
                versions: dict[int, int] = {}  # a case with two estimated deadlines moves twice
                for row in rows:
                    if row[0] in self.seen:
                        continue
                    outcome = self._one(tx, row, versions)
                    if outcome == "busy":
                        busy += 1
                        continue
                    self.seen.add(row[0])
                    setattr(self.report, outcome, getattr(self.report, outcome) + 1)
                    if outcome == "moved":
                        self.moved_cases.add(row[1])
            if not rows:
                return busy
            after_id = rows[-1][0]
            if self.progress is not None:
                self.progress(len(rows))

    def unseen(self) -> bool:
        """Whether an estimated deadline was passed over (locked by another process while claimed)."""
        with self.db.snapshot() as tx:
            return any(deadline_id not in self.seen for (deadline_id,) in tx.all(ESTIMATED_IDS, {"yes": True}))

    def _one(self, tx: RawTransaction, row: tuple, versions: dict[int, int]) -> str:
        deadline_id, case_id, kind, due_text, created_text, version, version_id, progress = row
        rule = self.db.workflows.machine(version_id).definition.deadline_rules().get(kind, (None,))[0]
        due = parse_timestamp(due_text)
        if rule is None:  # a kind the case's policy no longer names: leave its moment alone
            new_due, estimated = due, False
        else:
            new_due, estimated = _count(_start(rule, created_text, progress), rule["after"], self.counted)
        if new_due == due:
            if not estimated:
                tx.execute(UNMARK, {"no": False, "id": deadline_id})
            return "unchanged"
        if not tx.is_sqlite and tx.one(LOCK_CASE, {"id": case_id}) is None:
            return "busy"  # a person is changing the case: never wait for them (they may wait for this row)
        data = {"kind": kind, "previous_due": china_time(due), "new_due": china_time(new_due),
                "estimated": estimated}
        try:
            result = apply_transition(self.db, tx=tx, case_id=case_id, trigger=TRIGGER, actor=SYSTEM, data=data,
                                      expected_version=versions.get(case_id, version), now=self.now)
        except StaleCase:
            return "busy"  # changed since it was read: count it again on the next pass
        except MediationError:
            return "refused"
        versions[case_id] = result.version
        return "moved"


def _count(start: datetime, duration: dict[str, Any], counted: dict[tuple, tuple[datetime, bool]]
           ) -> tuple[datetime, bool]:
    """`after_counted`, once per China day and number of working days (what a working-day count depends on)."""
    if "working_days" not in duration:
        return after_counted(start, duration)
    key = ((start + CHINA_OFFSET).date(), int(duration["working_days"]))
    if key not in counted:
        counted[key] = after_counted(start, duration)
    return counted[key]


def _start(rule: dict[str, Any], created: Any, progress: str) -> datetime:
    """Where the deadline's count began: the moment its rule names, else when it was set (as the engine counts)."""
    base = jsontext.loads(progress).get(rule["from"]) if rule.get("from") else None
    return datetime.fromisoformat(base) if base else parse_timestamp(created)


def china_time(moment: datetime) -> str:
    """A naive-UTC moment as China time with its offset, as events carry it."""
    return moment.replace(tzinfo=timezone.utc).astimezone(CHINA_TIME).isoformat()


def holidays_digest() -> str:
    """SHA-256 of the holidays file as it is now."""
    return hashlib.sha256(holidays_file().read_bytes()).hexdigest()


def recount_if_changed(db: Database, *, now: datetime, progress: Callable[[int], None] | None = None
                       ) -> RecountReport | None:
    """Recount when the holidays file differs from the one last recounted on (None when it does not)."""
    digest = holidays_digest()
    with db.snapshot() as tx:
        stored = tx.one(READ_DIGEST, {"key": DIGEST_SETTING})
    if stored is not None and stored[0] == digest:
        return None
    report = recount(db, now=now, progress=progress)
    remember_holidays(db, digest)
    return report


def remember_holidays(db: Database, digest: str | None = None) -> None:
    """Note the holidays file (as it is now, or as `digest` says) as recounted on."""
    with db.write() as tx:
        tx.execute(WRITE_DIGEST, {"key": DIGEST_SETTING, "value": digest or holidays_digest()})


class HolidaysWatch:
    """The worker's eye on the holidays file: recount once at start and after each change of the file."""

    def __init__(self) -> None:
        self.stamp: tuple[str, int, int] | None = None

    def check(self, db: Database, now: datetime) -> RecountReport | None:
        path = holidays_file()
        status = path.stat()
        stamp = (str(path), status.st_mtime_ns, status.st_size)
        if stamp == self.stamp:
            return None
        report = recount_if_changed(db, now=now)
        self.stamp = stamp
        return report
