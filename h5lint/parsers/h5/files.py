"""Opening HDF5 files for reading only, after the checks that keep libhdf5 out of its traps."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from ...remote import ranges
from ..parts import PartProblem, part_size
from .heap import HeapGuard, file_heap_trap

if TYPE_CHECKING:
    import h5py

    from .weights import Opener


def open_h5(path: str | Path) -> h5py.File:
    import h5py

    remote = ranges.opened(str(path))
    if remote is not None:
        # h5py's file-object driver: HDF5 asks for the ranges it needs, the guard checks heaps on the way.
        return h5py.File(HeapGuard(remote, remote.size), "r")
    try:
        return h5py.File(path, "r")
    except OSError as exc:
        if "lock" not in str(exc):
            raise
    # Locking fails on read-only mounts and some network disks, and HDF5 refuses to reopen a file
    # with other locking flags than it is already open with; h5lint only reads, so it needs none.
    return h5py.File(path, "r", locking=False)


def heap_trap_before_open(path: str | Path) -> str | None:
    """:func:`file_heap_trap` of a local file; None for a remote one, whose heaps :func:`open_h5` guards as
    HDF5 reads them (searching it first would fetch every byte)."""
    return None if ranges.serves(str(path)) else file_heap_trap(path)


def refuse_heap_trap(trap: str | None) -> None:
    """PartProblem when :mod:`.heap` found a global heap that would trap HDF5 (h5py must not open it)."""
    if trap is not None:
        raise PartProblem(f"is not read: {trap}")


def h5_file_opener(file: Path, root: Path) -> Opener:
    """Opener of an artifact's HDF5 member, checked first: a regular file inside ``root``, no global heap
    that traps HDF5."""
    import h5py

    part_size(file, root)
    refuse_heap_trap(file_heap_trap(file))
    # h5lint only reads; locking fails on read-only mounts and some network disks.
    return functools.partial(h5py.File, file, "r", locking=False)
