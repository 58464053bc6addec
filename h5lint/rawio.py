"""A base for the read-only, seekable file objects h5lint hands to h5py and zipfile.

HDF5's file-object driver and zipfile need ``seek``/``tell``/``readinto`` over some bytes that are not one
plain file: a stored zip member in place, a remote object read by ranges, a truncated file padded with zeros.
Only ``readinto`` differs between them.
"""

from __future__ import annotations

import io


class SizedReader(io.RawIOBase):
    """Position bookkeeping over ``size`` bytes; subclasses read from ``self._pos`` in ``readinto``."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self._size = size
        self._pos = 0

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos
