"""Rendering in worker processes, so that a hostile case cannot take the server down.

A few processes (forkserver, or spawn where there is none), each with a memory limit, lay documents
out one at a time under the page cap and time limit of `Limits`. A worker that does not answer
in time is killed and replaced; when every worker is busy and the queue is full, callers are
told to come back (503) instead of piling up.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import resource
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable

from mediation.documents._errors import DocumentTooLarge, RendererBusy
from mediation.documents._rendering import Limits, RenderLimit, render_pdf, warm_up

WORKER_MEMORY_BYTES = 2 * 1024**3  # address space of one rendering process
GRACE_SECONDS = 5.0  # past the time limit, the parent stops waiting and kills the worker
QUEUED_PER_PROCESS = 4


def default_processes() -> int:
    """`MEDIATION_PDF_PROCESSES`, else two (or one on a one-core machine)."""
    configured = os.environ.get("MEDIATION_PDF_PROCESSES")
    return max(1, int(configured)) if configured else min(2, os.cpu_count() or 1)


def _start_worker(memory_bytes: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    warm_up()


def _render(context: dict[str, Any], limits: Limits) -> bytes:
    return render_pdf(context, limits)


def _render_to_file(context: dict[str, Any], limits: Limits, path: str) -> int:
    content = render_pdf(context, limits)
    Path(path).write_bytes(content)
    return len(content)


def _start_method() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["mediation.documents._fetcher"])  # weasyprint imported once
        return context
    return multiprocessing.get_context("spawn")


class RenderPool:
    """A small pool of rendering processes with a time limit per document and a bounded queue."""

    def __init__(self, processes: int | None = None, *, limits: Limits = Limits(),
                 max_waiting: int | None = None, memory_bytes: int = WORKER_MEMORY_BYTES) -> None:
        self.processes = processes or default_processes()
        self.limits = limits
        self._memory_bytes = memory_bytes
        self._slots = threading.BoundedSemaphore(max_waiting or self.processes * QUEUED_PER_PROCESS)
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._executors: dict[Future, ProcessPoolExecutor] = {}  # which pool runs each pending future

    def __enter__(self) -> "RenderPool":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def start(self) -> "RenderPool":
        """Start (and warm up) every worker now rather than on the first document."""
        executor = self._pool()
        for future in [executor.submit(os.getpid) for _ in range(self.processes)]:
            future.result()
        return self

    def render(self, context: dict[str, Any]) -> bytes:
        """The PDF of one document context; 413 past a limit, 503 when the queue is full."""
        return self.result(self.submit(_render, context, self.limits))

    def render_to_file(self, context: dict[str, Any], path: Path) -> Future:
        """Render in the background straight to `path`; `result(future)` gives the file's size."""
        return self.submit(_render_to_file, context, self.limits, str(path))

    def submit(self, function: Callable, *args: Any) -> Future:
        """Queue work for a worker; every future it returns must be passed to `result` (it frees the slot)."""
        if not self._slots.acquire(blocking=False):
            raise RendererBusy("every document renderer is busy; try again in a few seconds",
                               processes=self.processes)
        try:
            executor = self._pool()
            future = executor.submit(function, *args)
        except BaseException:
            self._slots.release()
            raise
        self._executors[future] = executor
        return future

    def result(self, future: Future) -> Any:
        """The future's value, with rendering limits as DocumentTooLarge; kills a worker that hangs."""
        executor = self._executors.pop(future, None)
        try:
            return future.result(timeout=self.limits.seconds + GRACE_SECONDS)
        except FutureTimeout:
            self._reset(executor)
            raise DocumentTooLarge(f"laying the document out took longer than {self.limits.seconds:g} s",
                                   limit="time") from None
        except RenderLimit as error:
            raise DocumentTooLarge(error.message, limit=error.limit) from None
        except MemoryError:
            raise DocumentTooLarge("the document needs more memory than a renderer may use",
                                   limit="memory") from None
        except BrokenProcessPool:  # a worker died (or was killed for another document): start afresh
            self._reset(executor)
            raise RendererBusy("a document renderer stopped; try again", processes=self.processes) from None
        finally:
            self._slots.release()

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self.processes, mp_context=_start_method(), initializer=_start_worker,
                    initargs=(self._memory_bytes,))
            return self._executor

    def _reset(self, executor: ProcessPoolExecutor | None) -> None:
        """Kill the workers of `executor` (one is stuck) and start afresh, unless that was done already."""
        with self._lock:
            if executor is None or executor is not self._executor:
                return
            self._executor = None
        # ProcessPoolExecutor cannot stop a running task; its processes are killed directly
        # (Python 3.14 has terminate_workers() for this).
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)


_shared: RenderPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> RenderPool:
    """The pool this process's API handlers share, started on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = RenderPool()
            atexit.register(_shared.close)
        return _shared
