"""Which containers a file's bytes are: every format spec whose sniff accepts them, in SPECS order.

A file may be two things at once (a zip whose stored member puts an HDF5 signature at a user-block
offset): it is then read as each, so neither reading can hide what the other would report.
"""

from __future__ import annotations

from typing import BinaryIO

from .candidate import EMPTY, LFS_POINTER, UNKNOWN
from .parsers import SPECS

LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/"
SNIFF_BYTES = 4096
FILE_SPECS = tuple(spec for spec in SPECS if spec.sniff is not None)


def sniff(path: str) -> tuple[str, ...]:
    """The containers of the file at ``path``; raises OSError when it cannot be read."""
    with open(path, "rb") as fh:
        return sniff_stream(fh)


def sniff_stream(fh: BinaryIO) -> tuple[str, ...]:
    """The containers of the open file ``fh`` (read from its start); raises OSError when it cannot be read."""
    head = fh.read(SNIFF_BYTES)
    if not head:
        return (EMPTY,)
    found = tuple(spec.container for spec in FILE_SPECS if spec.sniff is not None and spec.sniff(head, fh))
    if found:
        return found
    return (LFS_POINTER,) if head.startswith(LFS_POINTER_PREFIX) else (UNKNOWN,)
