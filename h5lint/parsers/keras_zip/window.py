"""A stored zip member as a seekable file of its own: an offset window over the zip's bytes.

Python 3.11's ``ZipFile.open()`` restarts a member stream from its first byte on every backward
seek, and HDF5 seeks back and forth, so h5py on a 400 MB stored weights store re-reads it for each
jump (800 MB for a metadata walk over a file object). A stored member's bytes are the zip's own
bytes at a known place, so a window over them is read in place, a range at a time. Compressed
members have no such place and are never windowed.
"""

from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO

from ...rawio import SizedReader
from ..parts import PartProblem

_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then name and extra-field lengths at offset 26
_LOCAL_SIGNATURE = b"PK\x03\x04"


def member_window(raw: BinaryIO, info: zipfile.ZipInfo, size: int) -> Window:
    """The bytes of stored member ``info`` in the zip ``raw`` (``size`` bytes long); PartProblem if the
    local header is missing or the data would run past the end of the zip."""
    if info.compress_type != zipfile.ZIP_STORED:
        raise PartProblem("is compressed, so it has no place in the zip to read in place")
    raw.seek(info.header_offset)
    header = raw.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        raise PartProblem("has a local header cut off by the end of the zip")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != _LOCAL_SIGNATURE:
        raise PartProblem("has no local header where the central directory says it starts")
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    if start + info.compress_size > size:
        raise PartProblem(f"runs past the end of the zip ({info.compress_size:,} bytes from offset {start:,})")
    return Window(raw, start, info.compress_size)


class Window(SizedReader):
    """Bytes ``start .. start + length`` of ``raw``, as a file starting at 0."""

    def __init__(self, raw: BinaryIO, start: int, length: int) -> None:
        super().__init__(length)
        self._raw, self._start = raw, start

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), max(0, self._size - self._pos))
        self._raw.seek(self._start + self._pos)
        count = self._raw.readinto(view[:wanted]) if wanted else 0
        self._pos += count
        return count
