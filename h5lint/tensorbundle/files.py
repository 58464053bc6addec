"""Opening a bundle's files for reading only, without leaving the bundle's folder or blocking.

A shard or index that is a symbolic link resolving outside its folder is refused (a checkpoint
folder could otherwise make h5lint read, and describe, any file on the machine), and so is anything
that is not a regular file: opening a FIFO blocks forever, a device can be endless. The folder
itself is taken as it resolves: whether *it* may be a link is for whoever chose to scan it.
"""

from __future__ import annotations

import os
from typing import BinaryIO

from .. import safeio
from .errors import BundleError

MISSING, OUTSIDE, NOT_A_FILE, UNREADABLE = safeio.MISSING, safeio.OUTSIDE, safeio.NOT_A_FILE, safeio.UNREADABLE


class FileProblem(BundleError):
    """A bundle file that cannot be opened; ``kind`` is one of the constants above."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def open_inside(path: str) -> BinaryIO:
    """``path`` opened for binary reading, if it resolves to a regular file inside its own folder."""
    try:
        return safeio.open_inside(path, os.path.dirname(path) or ".")
    except safeio.Refused as exc:
        raise FileProblem(exc.kind, f"{path}: {exc}") from None


def file_size(handle: BinaryIO) -> int:
    return os.fstat(handle.fileno()).st_size


def read_exactly(handle: BinaryIO, offset: int, size: int, path: str) -> bytes:
    """``size`` bytes at ``offset``; the caller has checked the range against the file size."""
    handle.seek(offset)
    try:
        data = handle.read(size)
    except OSError as exc:
        raise FileProblem(UNREADABLE, f"{path}: read error at offset {offset:,} ({exc.strerror or exc})") from None
    if len(data) != size:
        raise FileProblem(UNREADABLE, f"{path}: ends at byte {offset + len(data):,}, before byte {offset + size:,}")
    return data
