"""Opening HDF5 files for reading only, after the checks that keep libhdf5 out of its traps."""

from __future__ import annotations

import functools
import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Iterator

from ...rawio import SizedReader
from ...remote import ranges
from ..parts import PartProblem, part_size
from .heap import FileBytes, HeapGuard, StreamBytes, file_heap_trap, runs_past_end

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


class _ZeroPadded(SizedReader):
    """A file's bytes, then zeros up to ``size``: what HDF5 needs to open a file cut short at all."""

    def __init__(self, file: BinaryIO, real: int, size: int) -> None:
        super().__init__(size)
        self._file, self._real = file, real

    def readinto(self, buffer: bytearray | memoryview) -> int:
        view = memoryview(buffer).cast("B")
        wanted = max(0, min(len(view), self._size - self._pos))
        got = 0
        if self._pos < self._real:
            self._file.seek(self._pos)
            got = self._file.readinto(view[: min(wanted, self._real - self._pos)]) or 0
        view[got:wanted] = bytes(wanted - got)
        self._pos += wanted
        return wanted


@contextmanager
def open_cut_short(path: str | Path, declared: int) -> Iterator[h5py.File]:
    """A truncated HDF5 file opened as if it were ``declared`` bytes long (zeros past its end), read-only.

    HDF5 refuses a file shorter than its superblock's end-of-file address; the root group's header and
    the strings of its attributes come first in a Keras file, so they can survive the cut. Whatever lay
    past the cut reads as zeros, which HDF5 rejects as a bad signature when a read reaches it.
    """
    import h5py

    remote = ranges.opened(str(path))
    if remote is not None:
        if runs_past_end(StreamBytes(remote, remote.size)):
            raise PartProblem("a global heap runs past the cut; HDF5 would loop on the zeros after it")
        # Not searched for traps before opening (that would fetch every byte): guarded as HDF5 reads.
        with h5py.File(HeapGuard(_ZeroPadded(remote, remote.size, declared), declared), "r") as h5:
            yield h5
        return
    with open(path, "rb") as file:
        if runs_past_end(FileBytes(file.fileno())):
            raise PartProblem("a global heap runs past the cut; HDF5 would loop on the zeros after it")
        real = os.fstat(file.fileno()).st_size
        with h5py.File(_ZeroPadded(file, real, declared), "r") as h5:
            yield h5
