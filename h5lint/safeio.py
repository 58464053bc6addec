"""Opening an artifact's files for reading: only regular files, and only inside the artifact.

A model folder is content someone else made. A member that is a symbolic link can lead anywhere
(``config.json`` → ``/etc/passwd``, a weights shard → a device), and opening a FIFO blocks forever;
every format's members are opened through here, so none of them is read before both are ruled out.
The artifact's own folder is taken as it resolves: whether *it* may be a link is for whoever chose
to scan it (discovery reports links that leave the scan root).
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

MISSING, OUTSIDE, NOT_A_FILE, UNREADABLE = "missing", "outside", "not-a-file", "unreadable"
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


class Refused(OSError):
    """A file h5lint will not open; ``kind`` is one of the constants above, str() says why (without the path)."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind

    def __str__(self) -> str:
        return str(self.args[0])


def escapes(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> str | None:
    """Where ``path`` really leads when that is outside ``root`` (through a link, or ``..``), else None."""
    base = os.path.realpath(root)
    target = os.path.realpath(path)
    inside = target == base or target.startswith(base.rstrip(os.sep) + os.sep)
    return None if inside else target


def open_inside(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> BinaryIO:
    """``path`` opened for binary reading if it resolves to a regular file inside ``root``; else :class:`Refused`."""
    target = escapes(path, root)
    if target is not None:
        raise Refused(OUTSIDE, f"is a link to {target}, outside the artifact; h5lint does not follow it")
    try:
        # O_NOFOLLOW and O_NONBLOCK: a link swapped in after the check, or a FIFO, is not waited on.
        descriptor = os.open(os.path.realpath(path), _FLAGS)
    except FileNotFoundError:
        raise Refused(MISSING, "does not exist") from None
    except OSError as exc:
        raise Refused(UNREADABLE, f"cannot be opened ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(descriptor).st_mode
    except OSError as exc:
        os.close(descriptor)
        raise Refused(UNREADABLE, f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise Refused(NOT_A_FILE, "is not a regular file (a FIFO, socket or device); h5lint does not open it")
    handle = os.fdopen(descriptor, "rb")
    # Reads of a regular file never block; clear O_NONBLOCK anyway so later reads behave as usual.
    os.set_blocking(descriptor, True)
    return handle
