"""What discovery hands to the parsers: a path and the container its bytes (or folder) turned out to be."""

from __future__ import annotations

from dataclasses import dataclass

# Containers that are not a format: what discovery found instead of something to parse.
LFS_POINTER = "lfs-pointer"
EMPTY = "empty"
UNKNOWN = "unknown"
MISSING = "missing"
NO_ACCESS = "no-access"  # stat or read failed (permissions, I/O error)
SPECIAL = "special"  # a FIFO, socket or device
PICKLE = "pickle"  # a Python pickle, recognised by its first bytes and never unpickled (detail says what it is)


@dataclass(frozen=True)
class Candidate:
    path: str
    container: str  # a FormatSpec's container, or one of the constants above
    detail: str | None = None  # why it is unreadable/special
