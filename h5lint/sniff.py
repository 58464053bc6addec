"""Which containers a file's bytes are: every format spec whose sniff accepts them, in SPECS order.

A file may be two things at once (a zip whose stored member puts an HDF5 signature at a user-block
offset): it is then read as each, so neither reading can hide what the other would report.
"""

from __future__ import annotations

from typing import BinaryIO

from .candidate import EMPTY, LFS_POINTER, PICKLE, UNKNOWN
from .parsers import SPECS
from .pickles import describe_head

LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/"
SNIFF_BYTES = 4096
FILE_SPECS = tuple(spec for spec in SPECS if spec.sniff is not None)


def sniff(path: str) -> tuple[tuple[str, ...], str | None]:
    """The containers of the file at ``path``, and what it is when that is worth saying (a pickle);
    raises OSError when it cannot be read."""
    with open(path, "rb") as fh:
        return sniff_stream(fh)


def sniff_stream(fh: BinaryIO) -> tuple[tuple[str, ...], str | None]:
    """:func:`sniff` of the open file ``fh`` (read from its start)."""
    head = fh.read(SNIFF_BYTES)
    if not head:
        return (EMPTY,), None
    found = tuple(spec.container for spec in FILE_SPECS if spec.sniff is not None and spec.sniff(head, fh))
    if found:
        return found, None
    if head.startswith(LFS_POINTER_PREFIX):
        return (LFS_POINTER,), None
    pickled = describe_head(head)
    return ((PICKLE,), pickled) if pickled else ((UNKNOWN,), None)
