"""Supervised worker processes: every artifact is read where it can be killed.

A signal cannot interrupt a call into C (libhdf5 spinning on a hostile heap, zlib on a bomb), and a
crash in C (SIGBUS on a file truncated under an mmap, the OOM killer's SIGKILL) takes its process with
it. So artifacts are read in long-lived worker processes (forked once, not per file) that the parent
supervises: a worker past its deadline is killed, a worker that dies is replaced, and either way that
artifact becomes one result saying why (``lost``) while the run goes on. Results come back in the order
the tasks were given, as soon as each is ready, so reports stream.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Tasks handed out beyond the ones being worked on, per worker: enough to keep workers busy while the
# parent renders, few enough that a slow artifact holds back only a bounded number of finished ones.
_AHEAD_PER_WORKER = 16
# After the in-worker time limit (an alarm, which ends Python code cleanly) the parent waits this much
# longer before it kills: only work stuck in C gets that far.
GRACE_SECONDS = 2.0
# What ``lost`` is told when a worker ran past its deadline.
TIME_UP = "time"


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        why = {
            "SIGBUS": "the file changed size while it was read",
            "SIGKILL": "it was killed, as the out-of-memory killer does",
            "SIGSEGV": "a library it uses crashed",
        }.get(name, "it was ended by a signal")
        return f"{name}: {why}"
    return f"exit status {code}"


@dataclass
class _Worker:
    process: Any
    conn: Connection
    task: tuple[int, Any] | None = None
    started: float = 0.0


def _serve(conn: Connection, job: Callable[[Any], Any]) -> None:
    # Ctrl-C goes to the whole process group; the parent decides what happens, workers just stop when told.
    # SIGINT arrives blocked (see _spawn): ignore it before unblocking, so a pending one is dropped.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        conn.send(job(task))


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    # fork: workers inherit the imported parsers and checks (most of a worker's start-up otherwise).
    return multiprocessing.get_context("fork" if "fork" in methods else None)


class Supervisor(Generic[T, R]):
    """Runs ``job(task)`` for each task in ``size`` worker processes, yielding results in task order.

    ``lost(task, why)`` makes the result of a task whose worker died or ran past ``deadline`` seconds
    (None: no deadline); the worker is replaced and the run goes on. ``ready(task)``, run here, may answer
    a task without a worker (the results cache); its answer keeps its place in the order. ``prepare()``
    runs here once before the first worker starts (imports the workers then share).
    """

    def __init__(
        self,
        size: int,
        job: Callable[[T], R],
        lost: Callable[[T, str], R],
        deadline: float | None,
        ready: Callable[[T], R | None] | None = None,
        prepare: Callable[[], None] | None = None,
    ) -> None:
        self.size = max(1, size)
        self.job = job
        self.lost = lost
        self.deadline = deadline
        self.ready = ready
        self.prepare = prepare
        self._context = _context()
        self._workers: list[_Worker] = []

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child, self.job), daemon=True)
        # a Ctrl-C between fork and _serve would print the child's KeyboardInterrupt traceback: the child
        # starts with SIGINT blocked; here it stays pending until start() returns, then interrupts as usual.
        masked = hasattr(signal, "pthread_sigmask")
        if masked:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            process.start()
        finally:
            if masked:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        child.close()
        return _Worker(process, parent)

    def _replace(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()
        worker.conn.close()
        self._workers[self._workers.index(worker)] = self._spawn()

    def run(self, tasks: Iterable[T]) -> Iterator[R]:
        pending = iter(tasks)
        finished: dict[int, R] = {}
        next_out = 0
        given = 0
        exhausted = False
        held: T | None = None  # a task taken that waits for a free worker
        self._workers = []
        try:
            while True:
                while not exhausted and given - next_out < self.size * _AHEAD_PER_WORKER:
                    if held is None:
                        task = next(pending, None)
                        if task is None:
                            exhausted = True
                            break
                        answer = self.ready(task) if self.ready is not None else None
                        if answer is not None:
                            finished[given] = answer
                            given += 1
                            continue
                        held = task
                    idle = next((w for w in self._workers if w.task is None), None)
                    if idle is None and len(self._workers) < self.size:
                        if not self._workers and self.prepare is not None:
                            self.prepare()
                        idle = self._spawn()  # only when a task needs one: a run the cache answers starts none
                        self._workers.append(idle)
                    if idle is None:
                        break
                    idle.task, idle.started = (given, held), time.monotonic()
                    idle.conn.send(held)
                    held = None
                    given += 1
                while next_out in finished:
                    yield finished.pop(next_out)
                    next_out += 1
                busy = [w for w in self._workers if w.task is not None]
                if not busy:
                    if exhausted:
                        return
                    continue
                self._collect(busy, finished)
        finally:
            self._stop()

    def _collect(self, busy: list[_Worker], finished: dict[int, R]) -> None:
        timeout = None
        if self.deadline:
            now = time.monotonic()
            timeout = max(0.0, min(w.started + self.deadline - now for w in busy))
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout))
        for worker in busy:
            assert worker.task is not None
            index, task = worker.task
            if worker.conn in ready:
                try:
                    finished[index] = worker.conn.recv()
                    worker.task = None
                    continue
                except (EOFError, OSError):
                    pass  # it died while sending: lost below
            died = worker.process.sentinel in ready or not worker.process.is_alive()
            late = self.deadline is not None and time.monotonic() - worker.started > self.deadline
            if died or (worker.conn not in ready and late):
                if died:  # its pipe closes before it can be reaped: wait for the exit status that says why
                    worker.process.join(timeout=GRACE_SECONDS)
                why = TIME_UP if late and not died else _describe_exit(worker.process.exitcode)
                self._replace(worker)
                finished[index] = self.lost(task, why)

    def _stop(self) -> None:
        for worker in self._workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in self._workers:
            worker.process.join(timeout=1)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self._workers = []


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
