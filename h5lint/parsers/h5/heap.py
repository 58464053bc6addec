"""Damaged HDF5 global heaps that would trap the HDF5 library, found in the bytes before h5py reads a string.

HDF5 keeps variable-length strings, so nearly every Keras attribute, in global heap collections
(blocks that start with ``GCOL``). Its decoder walks a collection object by object, moving on by
the size each one declares, and a free-space object (index 0) that declares 0 bytes never moves
it on: the library spins forever in C (seen up to HDF5 2.0), where no alarm can interrupt it. Such
a collection takes a few flipped bytes to make, so h5lint looks for one before it reads any string.
Layout (HDF5 file format spec, "Global Heap"): signature, version 1, 3 reserved bytes, collection
size; then objects of index (2 bytes), reference count (2), 4 reserved bytes, size, data padded
to 8 bytes.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import BinaryIO, Iterator, Union

SIGNATURE = b"GCOL"
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
VERSION = 1
MIN_COLLECTION_BYTES = 4096  # HDF5 refuses smaller collections
LENGTH_SIZES = (2, 4, 8, 16, 32)  # what a superblock may declare for "size of lengths"
# Objects walked over all collections; Keras files have one per string attribute element.
MAX_OBJECTS = 1_000_000
# A file is searched this much at a time, so memory stays bounded whatever its size.
SEARCH_WINDOW = 16 << 20


class FileBytes:
    """The bytes of an open file, read on demand with ``pread``.

    Not a memory map: a map needs address space the size of the file (more than the per-file memory
    budget allows for a big model, and then the check would be skipped), and a file truncated while
    it is mapped kills the process with SIGBUS where a read just comes back short.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._size = os.fstat(fd).st_size

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, key: int | slice) -> bytes | int:
        if isinstance(key, slice):
            start, stop, _ = key.indices(self._size)
            return os.pread(self._fd, max(0, stop - start), start)
        raw = os.pread(self._fd, 1, key)
        if not raw:
            raise IndexError(key)
        return raw[0]


class StreamBytes:
    """The bytes of a seekable binary file object, read on demand (its position is left where it was)."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self._stream = stream
        self._size = size

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, key: int | slice) -> bytes | int:
        start, stop = (key.indices(self._size)[:2]) if isinstance(key, slice) else (key, key + 1)
        here = self._stream.tell()
        try:
            self._stream.seek(start)
            raw = self._stream.read(max(0, stop - start))
        finally:
            self._stream.seek(here)
        if isinstance(key, slice):
            return raw
        if not raw:
            raise IndexError(key)
        return raw[0]


Data = Union[bytes, FileBytes, StreamBytes]


def _superblock(data: Data) -> int:
    """Offset of the superblock: at 0, 512, 1024 ... in a file, anywhere in a zip holding a stored one."""
    offset = 0
    while offset + 8 <= len(data):
        if data[offset : offset + 8] == HDF5_SIGNATURE:
            return offset
        offset = 512 if offset == 0 else offset * 2
    return next(_occurrences(data, HDF5_SIGNATURE), -1)


def _length_size(data: Data) -> int | None:
    """Bytes of a length field, as the superblock declares it (None if there is no usable one)."""
    offset = _superblock(data)
    if offset < 0 or offset + 16 > len(data):
        return None
    size = data[offset + 14] if data[offset + 8] < 2 else data[offset + 10]
    return size if size in LENGTH_SIZES else None


def _number(data: Data, at: int, size: int) -> int:
    return int.from_bytes(data[at : at + size], "little")


def _walk(data: Data, start: int, length: int, budget: list[int]) -> bool:
    """True if HDF5 would loop forever on the collection at ``start``; spends ``budget`` per object."""
    if data[start + 4] != VERSION:
        return False
    size = _number(data, start + 8, length)
    end = start + size
    if size < MIN_COLLECTION_BYTES or end > len(data):
        return False  # HDF5 refuses it, or cannot read it whole
    if size <= SEARCH_WINDOW and not isinstance(data, bytes):  # one read, not one per object
        return _walk(data[start:end], 0, length, budget)
    pos = start + 8 + length
    while pos + 8 + length <= end:  # a shorter tail is taken as free space in one step
        budget[0] -= 1
        if budget[0] < 0:
            return False
        index, declared = _number(data, pos, 2), _number(data, pos + 8, length)
        if index == 0 and declared == 0:
            return True
        need = 8 + length + (declared + 7) // 8 * 8 if index else declared
        if pos + need > end:
            return False  # HDF5 stops with an overflow error
        pos += need
    return False


def heap_trap(data: Data) -> str | None:
    """Why the HDF5 library would never finish reading strings from ``data`` (a whole file), or None."""
    length = _length_size(data)
    if length is None:
        return None  # HDF5 cannot open it; its own error says why
    budget = [MAX_OBJECTS]
    for at in _occurrences(data, SIGNATURE):
        why = _verdict(data, at, length, budget)
        if why is not None:
            return why
    return None


def _verdict(data: Data, at: int, length: int, budget: list[int]) -> str | None:
    """Why the collection at ``at`` traps HDF5 (or the objects walked so far are too many), else None."""
    if _walk(data, at, length, budget):
        return (
            f"corrupt HDF5 global heap at offset {at:,}: its free-space object declares 0 bytes, on which "
            "the HDF5 library loops forever, so h5lint reads nothing from the file"
        )
    if budget[0] < 0:
        return (
            f"its global heaps hold more than {MAX_OBJECTS:,} objects, over h5lint's budget "
            "(Keras writes one per string)"
        )
    return None


def runs_past_end(data: Data) -> bool:
    """True if a global heap collection in ``data`` (a file cut short) declares more bytes than are left.

    Read from a copy padded with zeros, such a collection's tail is free-space objects of 0 bytes, on
    which HDF5 loops forever (see :func:`heap_trap`).
    """
    length = _length_size(data)
    if length is None:
        return False
    for at in _occurrences(data, SIGNATURE):
        if at + 8 + length > len(data) or at + _number(data, at + 8, length) > len(data):
            return True
    return False


def _occurrences(data: Data, signature: bytes) -> Iterator[int]:
    """Offsets of every ``signature`` in ``data``, in order, searched one SEARCH_WINDOW at a time."""
    for start in range(0, len(data), SEARCH_WINDOW):
        stop = min(start + SEARCH_WINDOW, len(data))
        # A signature starting in this window may end in the next one.
        window = data[start : stop + len(signature) - 1]
        at = window.find(signature)
        while 0 <= at < stop - start:
            yield start + at
            at = window.find(signature, at + 1)


def file_heap_trap(path: str | Path) -> str | None:
    """:func:`heap_trap` of a file; None when it cannot be opened (h5py cannot open it either)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        return heap_trap(FileBytes(fd))
    except OSError as exc:
        # Unchecked, the file might trap HDF5; it is not handed to it.
        return f"it cannot be read to check it for global heaps that trap HDF5 ({exc.strerror or exc})"
    finally:
        os.close(fd)


class HeapGuard(io.RawIOBase):
    """A file object for h5py that checks each global heap collection before HDF5 reads it.

    Searching a whole file first (:func:`file_heap_trap`) reads every byte, which for a remote file
    means downloading it. HDF5 reads a collection starting at its address, so every collection it is
    about to walk passes through here first; a trap makes the read fail, and h5py reports an error
    instead of spinning.
    """

    def __init__(self, stream: BinaryIO, size: int) -> None:
        super().__init__()
        self._stream = stream
        self._data = StreamBytes(stream, size)
        self._length: int | None = None
        self._checked: set[int] = set()
        self._budget = [MAX_OBJECTS]
        self._trap: str | None = None  # once found, every later read fails too: HDF5 may retry a read

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._stream.tell()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._stream.seek(offset, whence)

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._trap is not None:
            raise OSError(self._trap)
        start = self._stream.tell()
        count = self._stream.readinto(buffer)
        data = bytes(memoryview(buffer)[:count])
        at = data.find(SIGNATURE)
        while at >= 0:
            self._check(start + at)
            at = data.find(SIGNATURE, at + 1)
        return count

    def _check(self, at: int) -> None:
        if at in self._checked:
            return
        self._checked.add(at)
        if self._length is None:
            self._length = _length_size(self._data) or 0
        why = _verdict(self._data, at, self._length, self._budget) if self._length else None
        if why is not None:
            self._trap = why
            raise OSError(why)
