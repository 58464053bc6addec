"""Bounded access to a file's bytes, the work budget, and a cursor over one metadata block.

Every offset, length and count the file declares is checked here before it is used: a read past
the end of the file, a field past the end of its block or more work than the budget allows is an
:class:`HDF5Error`, never an IndexError or a huge allocation.
"""

from __future__ import annotations

import io
import mmap
import os
import struct

from .errors import BudgetExceeded, HDF5Error

# A file object is read in pages of this size, so that neighbouring small metadata reads (the
# usual pattern) cost one range request on a remote file.
PAGE = 64 << 10
# Pages kept per file object; metadata of a Keras file sits in a few hundred KiB.
MAX_PAGES = 256
# One metadata block (object header chunk, heap, B-tree node) is never larger than this.
MAX_BLOCK = 64 << 20

WORK_PER_OBJECT = 64

_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_UINT = {1: struct.Struct("<B"), 2: _U16, 4: _U32, 8: _U64}


class Budget:
    """Work spent on one file: one unit per structure walked (node, message, link, heap object)."""

    __slots__ = ("max_objects", "max_work", "max_attr_bytes", "objects", "work", "reads", "bytes_read")

    def __init__(self, max_objects: int, max_attr_bytes: int) -> None:
        self.max_objects = max_objects
        # Objects carry a few dozen messages, links, nodes and heap objects each.
        self.max_work = WORK_PER_OBJECT * max_objects
        self.max_attr_bytes = max_attr_bytes
        self.objects = 0
        self.work = 0
        self.reads = 0
        self.bytes_read = 0

    def spend(self, units: int = 1) -> None:
        self.work += units
        if self.work > self.max_work:
            raise BudgetExceeded(f"more than {self.max_work} structures walked ({WORK_PER_OBJECT} x max_objects)")

    def object(self) -> None:
        self.objects += 1
        if self.objects > self.max_objects:
            raise BudgetExceeded(f"more than {self.max_objects} object headers read (max_objects)")

    def attr_bytes(self, nbytes: int, what: str) -> None:
        if nbytes > self.max_attr_bytes:
            raise BudgetExceeded(f"{what}: {nbytes} bytes is over the {self.max_attr_bytes}-byte attribute budget")


class Source:
    """Random access to a file by absolute offset, with every read checked against its size."""

    def __init__(self, fileobj: io.IOBase, budget: Budget, *, owned: bool) -> None:
        self._file = fileobj
        self._owned = owned
        self._budget = budget
        self._map: mmap.mmap | None = None
        self._pages: dict[int, bytes] = {}
        try:
            fileobj.seek(0, os.SEEK_END)
            self.size = fileobj.tell()
        except (OSError, ValueError) as exc:
            raise HDF5Error(f"cannot seek in the file: {exc}") from None
        if owned and self.size:
            try:
                self._map = mmap.mmap(fileobj.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):
                self._map = None

    def read(self, offset: int, n: int, limit: int = MAX_BLOCK) -> bytes:
        """``n`` bytes at ``offset``; ``limit`` caps what one read may bring into memory."""
        if offset < 0 or n < 0 or offset + n > self.size:
            raise HDF5Error(f"read of {n} bytes at {offset} is past the end of the file ({self.size} bytes)")
        if n > limit:
            raise BudgetExceeded(f"a read of {n} bytes at {offset} is over the {limit}-byte limit")
        budget = self._budget
        budget.reads += 1
        budget.bytes_read += n
        if self._map is not None:
            return self._map[offset : offset + n]
        return self._paged(offset, n)

    def _paged(self, offset: int, n: int) -> bytes:
        first, last = offset // PAGE, (offset + n - 1) // PAGE if n else offset // PAGE
        if last - first > 2:  # a big block: one direct read, not cached
            return self._raw(offset, n)
        parts = []
        for page in range(first, last + 1):
            data = self._pages.get(page)
            if data is None:
                if len(self._pages) >= MAX_PAGES:
                    self._pages.clear()
                data = self._pages[page] = self._raw(page * PAGE, min(PAGE, self.size - page * PAGE))
            parts.append(data)
        joined = parts[0] if len(parts) == 1 else b"".join(parts)
        start = offset - first * PAGE
        return joined[start : start + n]

    def _raw(self, offset: int, n: int) -> bytes:
        try:
            self._file.seek(offset)
            data = self._file.read(n)
        except (OSError, ValueError) as exc:
            raise HDF5Error(f"cannot read {n} bytes at {offset}: {exc}") from None
        if not isinstance(data, (bytes, bytearray)) or len(data) != n:
            raise HDF5Error(f"short read of {n} bytes at {offset}")
        return bytes(data)

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None
        self._pages.clear()
        if self._owned:
            self._file.close()


class Cursor:
    """Sequential decoding of one block; ``o`` and ``l`` are the file's sizes of offsets and lengths."""

    __slots__ = ("buf", "pos", "end", "what", "o", "l")

    def __init__(self, buf: bytes, what: str, o: int, l: int, pos: int = 0, end: int | None = None) -> None:  # noqa: E741
        self.buf = buf
        self.pos = pos
        self.end = len(buf) if end is None else min(end, len(buf))
        self.what = what
        self.o = o
        self.l = l

    def fail(self, message: str) -> HDF5Error:
        return HDF5Error(f"{self.what}: {message}")

    def need(self, n: int) -> None:
        if n < 0 or self.pos + n > self.end:
            raise self.fail(f"needs {n} more bytes at {self.pos}, has {self.end - self.pos}")

    @property
    def left(self) -> int:
        return self.end - self.pos

    def u8(self) -> int:
        if self.pos >= self.end:
            self.need(1)
        v = self.buf[self.pos]
        self.pos += 1
        return v

    def u16(self) -> int:
        if self.pos + 2 > self.end:
            self.need(2)
        v = _U16.unpack_from(self.buf, self.pos)[0]
        self.pos += 2
        return v

    def u32(self) -> int:
        if self.pos + 4 > self.end:
            self.need(4)
        v = _U32.unpack_from(self.buf, self.pos)[0]
        self.pos += 4
        return v

    def u64(self) -> int:
        if self.pos + 8 > self.end:
            self.need(8)
        v = _U64.unpack_from(self.buf, self.pos)[0]
        self.pos += 8
        return v

    def uint(self, n: int) -> int:
        if self.pos + n > self.end:
            self.need(n)
        fixed = _UINT.get(n)
        v = fixed.unpack_from(self.buf, self.pos)[0] if fixed else int.from_bytes(self.buf[self.pos : self.pos + n], "little")
        self.pos += n
        return v

    def offset(self) -> int | None:
        """An address; all bits set means 'undefined' and comes back as None."""
        n = self.o
        v = self.uint(n)
        return None if v == (1 << (8 * n)) - 1 else v

    def length(self) -> int:
        return self.uint(self.l)

    def take(self, n: int) -> bytes:
        self.need(n)
        v = self.buf[self.pos : self.pos + n]
        self.pos += n
        return v

    def skip(self, n: int) -> None:
        self.need(n)
        self.pos += n

    def cstring(self) -> bytes:
        """Bytes up to a NUL (consumed); the NUL must be inside the block."""
        nul = self.buf.find(b"\0", self.pos, self.end)
        if nul < 0:
            raise self.fail("string without its terminating NUL")
        v = self.buf[self.pos : nul]
        self.pos = nul + 1
        return v

    def align(self, boundary: int, origin: int = 0) -> None:
        """Skip padding up to the next multiple of ``boundary`` counted from ``origin``."""
        rem = (self.pos - origin) % boundary
        if rem:
            self.skip(min(boundary - rem, self.end - self.pos))

    def signature(self, expected: bytes) -> None:
        if self.take(len(expected)) != expected:
            raise self.fail(f"signature {expected.decode()} missing")


def bytes_needed(value: int) -> int:
    """Bytes the HDF5 library uses to encode numbers up to ``value`` (its 'limit encode size')."""
    return (value.bit_length() - 1) // 8 + 1 if value > 0 else 1
