"""Measured workloads for `python -m benchmarks`: the engine's persisted transition rate."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from mediation.cases.engine import apply_transition
from mediation.cases.intake import CaseInput, PartyInput, open_case
from mediation.db import Database, RawTransaction
from mediation.db.backup import backup_database
from mediation.db.schema import upgrade_database
from mediation.demo.sample_county import build_sample_county
from mediation.directory.accounts import actor_for
from mediation.workflows.calendar import after
from mediation.workflows.loader import current_definition

START = datetime(2026, 3, 2, 9, 0)


def _cases_in_session(db: Database, count: int, *, days_apart: int = 0) -> dict[int, int]:
    """Open `count` cases (each `days_apart` days after the one before) and bring each to
    mediation.in_session; case id -> version."""
    county = build_sample_county(db)
    mediator = actor_for(db, "mediator1")
    versions: dict[int, int] = {}
    for i in range(count):
        now = START + timedelta(days=i * days_apart)
        case_id = open_case(db, actor=mediator, now=now, case=CaseInput(
            title=f"噪音纠纷{i}", description="楼上装修噪音影响休息", channel="grid_screening",
            unit=county.community, category="neighbour",
            parties=[PartyInput("王某", "applicant"), PartyInput("李某", "respondent")]))
        steps = [("triage", {"risk_level": "low"}),
                 ("assign_mediator", {"mediator": "mediator1", "mechanism": "joint", "resolver": "grassroots"})]
        parties = _party_ids(db, case_id)
        steps += [("notify_rights", {"party_id": p, "method": "in_person"}) for p in parties]  # 规定 art. 30
        steps += [("record_consent", {"party_id": p}) for p in parties]
        steps.append(("start_session", {}))
        version = 1
        for trigger, data in steps:
            version = apply_transition(db, case_id=case_id, trigger=trigger, actor=mediator, data=data,
                                       expected_version=version, now=now).version
        versions[case_id] = version
    return versions


def _party_ids(db: Database, case_id: int) -> list[int]:
    with db.write() as tx:
        return [row[0] for row in tx.all("SELECT id FROM parties WHERE case_id = :c ORDER BY id", {"c": case_id})]


def engine_transition_rate(*, n: int, database_path: str | Path, cases: int = 200) -> tuple[int, float]:
    """Fire n state-changing transitions (adjourn / start_session), each its own commit."""
    db, versions = _engine_workload(database_path, cases)
    try:
        started = time.perf_counter()
        _fire_transitions(db, versions, n)
        return n, time.perf_counter() - started
    finally:
        db.dispose()


def engine_replay_rate(*, n: int, database_path: str | Path, cases: int = 200) -> tuple[int, float]:
    """The engine's SQL alone: the statements the engine ran for the n transitions of
    `engine_transition_rate` (recorded in an untimed run), replayed by raw sqlite3 on a copy of the
    database as it was before them (`mediation db backup`'s copy), each transition as BEGIN IMMEDIATE,
    its statements, COMMIT, on a connection the product set up. What the engine's own Python costs on
    top of its SQL is the difference between the two rates."""
    db, versions = _engine_workload(database_path, cases)
    before = Path(f"{database_path}.before")
    try:
        backup_database(db.url, before)
        transactions = _recorded(lambda: _fire_transitions(db, versions, n))
    finally:
        db.dispose()
    copy = Database(f"sqlite:///{before}")
    pooled = copy.engine.raw_connection()
    try:
        connection = pooled.dbapi_connection  # set up with the product's pragmas; no Python of ours on it
        started = time.perf_counter()
        for statements in transactions:
            connection.execute("BEGIN IMMEDIATE")
            for sql, params in statements:
                connection.execute(sql, params).fetchall()
            connection.execute("COMMIT")
        return n, time.perf_counter() - started
    finally:
        pooled.close()
        copy.dispose()


def _engine_workload(database_path: str | Path, cases: int) -> tuple[Database, dict[int, int]]:
    url = f"sqlite:///{database_path}"
    upgrade_database(url)
    db = Database(url)
    return db, _cases_in_session(db, cases)


def _fire_transitions(db: Database, versions: dict[int, int], n: int) -> None:
    """n transitions through the cases in turn: adjourn a case in session, start the next session of
    an adjourned one (the versions are kept up to date)."""
    mediator = actor_for(db, "mediator1")
    case_ids = list(versions)
    now = START + timedelta(days=1)
    adjourn = {"next_session_at": "2026-03-05T09:00:00"}
    for i in range(n):
        case_id = case_ids[i % len(case_ids)]
        in_session = (i // len(case_ids)) % 2 == 0
        result = apply_transition(
            db, case_id=case_id, trigger="adjourn" if in_session else "start_session", actor=mediator,
            data=adjourn if in_session else {}, expected_version=versions[case_id], now=now,
        )
        versions[case_id] = result.version


def _recorded(run: Callable[[], None]) -> list[list[tuple[str, dict]]]:
    """The statements of each write transaction `run` commits through the engine's raw path, in order."""
    transactions: list[list[tuple[str, dict]]] = []
    statements: list[tuple[str, dict]] = []
    execute, committed = RawTransaction.execute, RawTransaction._committed

    def recording_execute(tx: RawTransaction, sql: str, params: dict | None = None):
        statements.append((sql, dict(params or {})))
        return execute(tx, sql, params)

    def recording_committed(tx: RawTransaction) -> None:
        transactions.append(statements[:])
        statements.clear()
        committed(tx)

    RawTransaction.execute, RawTransaction._committed = recording_execute, recording_committed
    try:
        run()
    finally:
        RawTransaction.execute, RawTransaction._committed = execute, committed
    return transactions


# --------------------------------------------------------------------------- the timer worker
# One case is driven through the engine to mediation.agreement_effective; it is then copied in
# bulk (the case row and its pending judicial-confirmation window). When due, each window fires
# `start_follow_up` through the engine: the case moves to follow_up.tracking, its window is
# closed and two return visits start. The copies share the original's event history by
# reference only (their hash chains are not meant to verify): what is measured is the
# processing, not the preparation. Windows fall due in rounds, a minute apart, so that
# measurements can be interleaved (a busy host then skews every side alike).

WINDOW_KIND = "judicial_confirmation_window"
# As the engine would write it: 24:00 China time of day 30 after the agreement took effect (art. 85).
WINDOW_DUE = after(START, current_definition().policy["deadlines"][WINDOW_KIND]["after"])
SPARE_DUE = WINDOW_DUE + timedelta(days=1)


def round_due(number: int) -> datetime:
    """When the windows of round `number` (from 0) fall due."""
    return WINDOW_DUE + timedelta(minutes=number)


def copy_case(db: Database, connection, template: int, copies: int) -> list[int]:
    """`copies` copies of the template case's row (numbered after it: -1, -2, …); every case id, in order."""
    import sqlalchemy as sa

    from mediation.db.models import Case

    columns = [column.name for column in Case.__table__.columns if column.name not in ("id", "number")]
    listed, selected = ", ".join(columns), ", ".join(f"c.{column}" for column in columns)
    if db.is_sqlite:
        numbers = "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) SELECT i FROM n) AS n"
    else:
        numbers = "generate_series(1, :count) AS n(i)"
    connection.execute(sa.text(
        f"INSERT INTO cases (number, {listed}) SELECT c.number || '-' || n.i, {selected} "
        f"FROM cases c CROSS JOIN {numbers} WHERE c.id = :template ORDER BY n.i"),
        {"count": copies, "template": template})
    return list(connection.execute(sa.text("SELECT id FROM cases ORDER BY id")).scalars())


def prepare_window_cases(url: str, count: int, *, rounds: int = 1, spare: int = 0) -> list[int]:
    """A migrated database at `url` with the sample county and `count` + `spare` cases in
    mediation.agreement_effective; their ids, in order.

    The windows of the first `count` fall due in `rounds` equal rounds (`round_due`); those of
    the `spare` last ones a day later (for the engine to move by hand before they are due).
    """
    import sqlalchemy as sa

    from mediation.demo.case_paths import drive_to

    upgrade_database(url)
    db = Database(url)
    try:
        county = build_sample_county(db)
        template = drive_to(db, state="mediation.agreement_effective", county=county, now=START,
                            step=timedelta(0))
        with db.begin() as connection:
            ids = copy_case(db, connection, template, count + spare - 1)
            connection.execute(sa.text("DELETE FROM deadlines WHERE case_id = :template AND kind = :kind"),
                               {"template": template, "kind": WINDOW_KIND})
            plan = [(ids[count * r // rounds], ids[count * (r + 1) // rounds - 1], round_due(r)) for r in range(rounds)]
            if spare:
                plan.append((ids[count], ids[-1], SPARE_DUE))
            for first, last, due in plan:
                connection.execute(sa.text(
                    "INSERT INTO deadlines (case_id, kind, state, due_at, action, status, created_at) "
                    "SELECT id, :kind, 'mediation.agreement_effective', :due, 'start_follow_up', 'pending', :now "
                    "FROM cases WHERE id BETWEEN :first AND :last ORDER BY id"),
                    {"kind": WINDOW_KIND, "due": db.timestamp(due), "now": db.timestamp(START), "first": first,
                     "last": last})
        with db.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
            pending = connection.execute(sa.text(
                "SELECT count(*) FROM deadlines WHERE kind = :kind AND status = 'pending'"), {"kind": WINDOW_KIND}).scalar()
        if pending != count + spare or len(ids) != count + spare:
            raise RuntimeError(f"prepared {len(ids)} cases with {pending} pending windows, not {count + spare}")
        return ids
    finally:
        db.dispose()


def engine_follow_up_rate(db: Database, case_ids: list[int]) -> tuple[int, float]:
    """The engine alone: `start_follow_up` on each case by its mediator, one commit each."""
    mediator = actor_for(db, "mediator1")
    with db.snapshot() as tx:
        versions = dict(tx.all("SELECT id, version FROM cases"))
    now = WINDOW_DUE - timedelta(days=1)
    started = time.perf_counter()
    for case_id in case_ids:
        apply_transition(db, case_id=case_id, trigger="start_follow_up", actor=mediator, data={},
                         expected_version=versions[case_id], now=now)
    return len(case_ids), time.perf_counter() - started


def _worker_process(url: str, batch_size: int, commands, barrier, results) -> None:
    """One worker process: ready its database and machine, then per command (a moment) wait for
    the start and process what is due at that moment; None ends it."""
    from mediation.deadlines.worker import run_until_idle

    db = Database(url)
    try:
        with db.snapshot() as tx:
            for (version_id,) in tx.all("SELECT DISTINCT workflow_version_id FROM cases"):
                db.workflows.machine(version_id)
        while (now := commands.get()) is not None:
            barrier.wait(600)
            try:
                results.put(("ok", dict(run_until_idle(db, now=now, batch_size=batch_size).outcomes)))
            except Exception as error:  # noqa: BLE001 (reported to the parent)
                results.put(("error", repr(error)))
    finally:
        db.dispose()


class WorkerPool:
    """`workers` spawned worker processes on one database, run together on command."""

    def __init__(self, url: str, *, workers: int, batch_size: int = 200) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.barrier, self.results = context.Barrier(workers + 1), context.Queue()
        self.commands = [context.Queue() for _ in range(workers)]
        self.processes = [context.Process(target=_worker_process,
                                          args=(url, batch_size, commands, self.barrier, self.results))
                          for commands in self.commands]

    def __enter__(self) -> "WorkerPool":
        for process in self.processes:
            process.start()
        return self

    def run(self, now: datetime) -> tuple[int, float, dict[str, int]]:
        """All workers process what is due at `now`, started together; timed until the last is idle.

        Returns (deadlines fired, seconds, outcomes summed over the workers).
        """
        from collections import Counter

        for commands in self.commands:
            commands.put(now)
        self.barrier.wait(600)
        started = time.perf_counter()
        answers = [self.results.get(timeout=3600) for _ in self.processes]
        elapsed = time.perf_counter() - started
        errors = [detail for status, detail in answers if status != "ok"]
        if errors:
            raise RuntimeError(f"worker process failed: {errors[0]}")
        outcomes: Counter = Counter()
        for _, detail in answers:
            outcomes.update(detail)
        return outcomes.get("fired", 0), elapsed, dict(outcomes)

    def __exit__(self, *_exc) -> None:
        for commands in self.commands:
            commands.put(None)
        for process in self.processes:
            process.join(60)
            if process.is_alive():
                process.kill()
