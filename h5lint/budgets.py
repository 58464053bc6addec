"""Per-artifact budgets of time and memory, so a hostile file ends as a finding instead of a hang.

The parsers have their own budgets (sizes, counts, nesting); these two catch what slips through:
a loop in Python code, a blocking read, and the C code of the libraries under the parsers (HDF5
asks for gigabytes when a damaged file claims a string that long, and no alarm can interrupt it).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import Callable, TypeVar

DEFAULT_TIMEOUT = 60.0  # seconds per artifact: the CLI's --timeout
DEFAULT_MEMORY_MIB = 2048  # MiB of address space an artifact's work may add: the CLI's --max-memory
# MiB one remote artifact may fetch: the CLI's --remote-budget. Configs cost KiB; weights count only when
# weight rules read them, and a SavedModel's files are fetched whole.
DEFAULT_REMOTE_MIB = 256

T = TypeVar("T")


@dataclass(frozen=True)
class Budgets:
    """What one artifact may cost; 0 turns a budget off."""

    timeout: float = DEFAULT_TIMEOUT
    memory_mib: int = DEFAULT_MEMORY_MIB
    remote_mib: float = DEFAULT_REMOTE_MIB


class _TimeUp(BaseException):
    """Raised by SIGALRM in the middle of an artifact's work.

    A BaseException, so the ``except Exception`` that turns a parser or rule bug into a finding
    does not swallow it: it must reach :func:`within_time`.
    """


# After the limit the alarm repeats this often: code that catches everything (h5py turns an
# exception raised inside its Python file-object callbacks into an HDF5 read error) can swallow one
# alarm, not every one of them.
_REPEAT_SECONDS = 0.25


def _can_alarm() -> bool:
    # Signal handlers can only be set in the main thread, and Windows has no interval timers.
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def within_time(seconds: float, work: Callable[[], T]) -> T | None:
    """``work()``, or None when it ran longer than ``seconds``.

    A wall-clock alarm (ITIMER_REAL) in the calling process, which must be the main thread of the
    CLI or of a worker process; elsewhere, or with ``seconds`` 0, there is no limit. The alarm
    interrupts Python code, so a loop in a parser or rule stops, but not a single call into C
    (HDF5, zlib) that never returns. The previous SIGALRM handler and any running timer are restored.
    """
    if not seconds or not _can_alarm():
        return work()
    expired = False

    def time_up(signum: int, frame: object) -> None:
        nonlocal expired
        expired = True
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, time_up)
    started = time.monotonic()
    outer_delay, _ = signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT_SECONDS)
    try:
        try:
            result = work()
        finally:
            # An alarm that fires in here, after the work ended, still lands in the except below.
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _TimeUp:
        return None
    finally:
        if previous is not None:  # None: a handler not set from Python, which cannot be put back
            signal.signal(signal.SIGALRM, previous)
        if outer_delay:
            signal.setitimer(signal.ITIMER_REAL, max(outer_delay - (time.monotonic() - started), 1e-3))
    # An alarm that was swallowed on the way may have cut the work short without a trace.
    return None if expired else result


def _address_space() -> int | None:
    """Bytes of address space the process has mapped now (Linux), None where that is unknown."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            pages = int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def within_memory(mib: int, work: Callable[[], T]) -> T:
    """``work()`` with the process' address space capped at what it maps now plus ``mib`` MiB.

    An allocation past the cap fails at once: MemoryError in Python, an allocation error inside
    HDF5 (which the parsers report as an unreadable file). Linux only (elsewhere, or with ``mib`` 0,
    there is no cap); a tighter cap already in force is kept, and the previous one is restored.
    """
    current = _address_space()
    if not mib or current is None:
        return work()
    import resource  # Unix only

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = current + (mib << 20)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        return work()
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        return work()
    try:
        return work()
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
