"""The `mediation worker` process: fire due deadlines and deliver the outbox until stopped."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from typing import Callable

from mediation.clock import utcnow
from mediation.db import Database
from mediation.deadlines.worker import BatchReport, run_due, run_until_idle

log = logging.getLogger("mediation.worker")


class WorkerLoop:
    """Polls for due work; SIGTERM/SIGINT finish the current batch and stop."""

    def __init__(self, db: Database, *, batch_size: int = 200, idle_seconds: float = 1.0,
                 clock: Callable[[], datetime] = utcnow, deliver: Callable[[datetime], int] | None = None) -> None:
        self.db = db
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.deliver = deliver
        self.stopping = threading.Event()
        self.total = BatchReport()

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stopping.set())

    def once(self, now: datetime | None = None) -> BatchReport:
        """Everything due at `now` (default: the clock), then one outbox pass."""
        now = now or self.clock()
        report = run_until_idle(self.db, now=now, batch_size=self.batch_size)
        if self.deliver:
            report.outcomes["delivered"] += self.deliver(now)
        self.total.outcomes.update(report.outcomes)
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
        report = run_due(self.db, now=now, batch_size=self.batch_size)
        self.total.outcomes.update(report.outcomes)
        delivered = self.deliver(now) if self.deliver else 0
        self.total.outcomes["delivered"] += delivered
        progressed = report.claimed - report.outcomes["busy"]
        return (report.claimed >= self.batch_size and progressed > 0) or bool(delivered)
