"""The `mediation worker` process: fire due deadlines, deliver the outbox and purge expired
idempotency answers until stopped; recount deadlines that rest on estimated holidays when it
starts and whenever the holidays file changes."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime, timedelta
from typing import Callable

from mediation.cases.idempotency import answer_retention, purge_answers
from mediation.clock import utcnow
from mediation.db import Database
from mediation.deadlines.recount import HolidaysWatch
from mediation.deadlines.worker import BatchReport, run_due, run_until_idle

log = logging.getLogger("mediation.worker")
PURGE_BATCH = 500  # stored answers deleted per transaction: a few milliseconds of the write lock
PURGE_INTERVAL = timedelta(minutes=1)  # between purges once nothing expired is left


class WorkerLoop:
    """Polls for due work; SIGTERM/SIGINT finish the current batch and stop."""

    def __init__(self, db: Database, *, batch_size: int = 200, idle_seconds: float = 1.0,
                 clock: Callable[[], datetime] = utcnow, deliver: Callable[[datetime], int] | None = None,
                 purge_batch: int = PURGE_BATCH) -> None:
        self.db = db
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.deliver = deliver
        self.purge_batch = purge_batch
        self.next_purge: datetime | None = None  # None: at the next pass
        self.stopping = threading.Event()
        self.total = BatchReport()
        self.holidays = HolidaysWatch()

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stopping.set())

    def once(self, now: datetime | None = None) -> BatchReport:
        """Everything due at `now` (default: the clock), one outbox pass, every expired answer purged."""
        now = now or self.clock()
        self._recount(now)
        report = run_until_idle(self.db, now=now, batch_size=self.batch_size)
        if self.deliver:
            report.outcomes["delivered"] += self.deliver(now)
        self.total.outcomes.update(report.outcomes)
        self.next_purge = None
        while (purged := self._purge(now)) > 0:  # in batches, as the running worker does
            self.total.outcomes["purged"] += purged
        return report

    def run(self) -> BatchReport:
        """Until stopped: batches back to back while work is due, a short sleep when idle."""
        while not self.stopping.is_set():
            try:
                busy = self._pass()
            except Exception:  # a lost connection or a locked database must not end the worker
                log.exception("worker pass failed; retrying after a pause")
                busy = False
            if not busy:
                self.stopping.wait(self.idle_seconds)
        return self.total

    def _pass(self) -> bool:
        """One batch and one outbox pass; True when there may be more to do at once."""
        now = self.clock()
        self._recount(now)
        report = run_due(self.db, now=now, batch_size=self.batch_size)
        self.total.outcomes.update(report.outcomes)
        delivered = self.deliver(now) if self.deliver else 0
        self.total.outcomes["delivered"] += delivered
        self.total.outcomes["purged"] += self._purge(now)
        progressed = report.claimed - report.outcomes["busy"]
        return (report.claimed >= self.batch_size and progressed > 0) or bool(delivered)

    def _recount(self, now: datetime) -> None:
        """Deadlines that rest on estimated holidays, counted anew if the holidays file changed."""
        recounted = self.holidays.check(self.db, now)
        if recounted is not None:
            log.info("holidays file changed: %d deadlines moved on %d cases, %d unchanged",
                     recounted.moved, recounted.cases, recounted.unchanged)
            self.total.outcomes["recounted"] += recounted.moved

    def _purge(self, now: datetime) -> int:
        """One batch of idempotency answers past the policy's retry window; again next pass while full.

        Last in a pass and one short transaction, so deadlines and deliveries go first and a
        request's transition waits at most for one batch.
        """
        if self.next_purge is not None and now < self.next_purge:
            return 0
        policy = self.db.workflows.machine(self.db.workflows.current_version_id()).definition.policy
        purged = purge_answers(self.db, older_than=now - answer_retention(policy), limit=self.purge_batch)
        self.next_purge = None if purged >= self.purge_batch else now + PURGE_INTERVAL
        return purged
