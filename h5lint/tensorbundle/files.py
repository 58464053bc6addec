"""Opening a bundle's files for reading only, without leaving the bundle's folder or blocking.

A shard or index that is a symbolic link resolving outside its folder is refused (a checkpoint
folder could otherwise make h5lint read, and describe, any file on the machine), and so is anything
that is not a regular file: opening a FIFO blocks forever, a device can be endless. The folder
itself is taken as it resolves: whether *it* may be a link is for whoever chose to scan it.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from .errors import BundleError

MISSING, OUTSIDE, NOT_A_FILE, UNREADABLE = "missing", "outside-folder", "not-a-file", "unreadable"


class FileProblem(BundleError):
    """A bundle file that cannot be opened; ``kind`` is one of the constants above."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def open_inside(path: str) -> BinaryIO:
    """``path`` opened for binary reading, if it resolves to a regular file inside its own folder."""
    folder = os.path.realpath(os.path.dirname(path) or ".")
    target = os.path.realpath(path)
    if not target.startswith(folder.rstrip(os.sep) + os.sep):
        raise FileProblem(
            OUTSIDE, f"{path}: a link to {target}, outside the bundle's folder; h5lint does not follow it"
        )
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(target, flags)
    except FileNotFoundError:
        raise FileProblem(MISSING, f"{path}: no such file") from None
    except OSError as exc:
        raise FileProblem(UNREADABLE, f"{path}: cannot be opened ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(descriptor).st_mode
    except OSError as exc:
        os.close(descriptor)
        raise FileProblem(UNREADABLE, f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise FileProblem(NOT_A_FILE, f"{path}: not a regular file")
    return os.fdopen(descriptor, "rb")


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
