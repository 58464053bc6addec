"""What discovery hands to the engine: a path, the container its bytes or folder are (when known), and
whether the user named it."""

from __future__ import annotations

from dataclasses import dataclass

# Containers that are not a format: what discovery or sniffing found instead of something to parse.
LFS_POINTER = "lfs-pointer"
EMPTY = "empty"
UNKNOWN = "unknown"
MISSING = "missing"
NO_ACCESS = "no-access"  # stat or read failed (permissions, I/O error)
SPECIAL = "special"  # a FIFO, socket or device
OUTSIDE = "outside"  # a symbolic link met while walking that leads out of the folder being walked
PICKLE = "pickle"  # a Python pickle, recognised by its first bytes and never unpickled (detail says what it is)
# A file named by URL: its bytes are sniffed by the worker that reads it, so listing a bucket reads none.
REMOTE_FILE = "remote-file"


@dataclass(frozen=True)
class Candidate:
    path: str  # as reports name it: relative to the project root, or absolute outside it
    # FormatSpec containers (a file can be two at once: a polyglot), or one of the constants above.
    containers: tuple[str, ...]
    detail: str | None = None  # why it is unreadable/special
    named: bool = True  # given by the user (it must be a model); False: found while walking a folder
    # A URL's identity from the listing that found it (remote.identity.Identity.key): its results-cache key.
    stamp: str | None = None

    @property
    def container(self) -> str:
        return self.containers[0]
