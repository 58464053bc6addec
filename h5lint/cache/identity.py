"""An artifact's identity: what must be unchanged for its cached result to stand.

A file: its stat (device, inode, size, mtime, ctime, mode). A folder: its own stat and the lstat of every
member below it, by name (links are not followed: readers refuse links that leave the artifact, and a
link inside it leads to a member listed in its own right). A file whose reader also opened or listed
files next to it (TF.js weight shards, a checkpoint's data shards and ``checkpoint`` file): those, and
the folder's own stat, which changes whenever a file is added, removed or renamed in it. What the reader
opened is learnt from Python's audit events while the artifact is read (:func:`recording`), so a new
reader that opens siblings is covered without being listed here.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from collections.abc import Iterator
from typing import Any

# A file changed this recently may change again within the filesystem clock's tick: not cached.
SETTLE_SECONDS = 2.0

Signature = list[int]


def signature(info: os.stat_result) -> Signature:
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_mode]


def state(path: str, follow: bool = True) -> Signature | None:
    """The path's signature, or None when nothing is there (a missing file is a state too)."""
    try:
        return signature(os.stat(path) if follow else os.lstat(path))
    except OSError:
        return None


def _members(folder: str) -> list[list[Any]]:
    found: list[list[Any]] = []
    pending = [""]
    while pending:
        relative = pending.pop()
        with os.scandir(os.path.join(folder, relative)) as entries:
            listed = sorted(entries, key=lambda e: e.name)
        for entry in listed:
            info = entry.stat(follow_symlinks=False)
            name = os.path.join(relative, entry.name)
            found.append([name, signature(info)])
            if stat.S_ISDIR(info.st_mode):
                pending.append(name)
    return found


def identity(path: str, with_folder: bool = True) -> dict[str, Any] | None:
    """The identity of the artifact at ``path`` (absolute, or relative to the working directory), or None
    when it cannot be taken (gone, unreadable): such an artifact is not cached. ``with_folder``: also the
    state of the folder it is in (what a file whose reader opened siblings depends on)."""
    try:
        top = os.stat(path)
        tree = _members(path) if stat.S_ISDIR(top.st_mode) else None
        folder = state(os.path.dirname(os.path.abspath(path))) if with_folder else None
    except OSError:
        return None
    return {"top": signature(top), "tree": tree, "folder": folder, "siblings": {}}


def settled(found: dict[str, Any], now: float | None = None) -> bool:
    """Whether nothing in the identity changed within the last SETTLE_SECONDS."""
    limit = int(((now if now is not None else time.time()) - SETTLE_SECONDS) * 1e9)
    signatures = [found["top"], *(s for _, s in found["tree"] or ()), *(s for s in found["siblings"].values() if s)]
    return all(max(s[3], s[4]) < limit for s in signatures)


def unchanged(path: str, found: dict[str, Any]) -> bool:
    """Whether ``path`` still has the identity ``found`` (taken by :func:`identity` and :func:`recording`)."""
    now = identity(path, with_folder=bool(found["siblings"]))
    if now is None or now["top"] != found["top"] or now["tree"] != found["tree"]:
        return False
    if not found["siblings"]:
        return True
    return now["folder"] == found["folder"] and all(state(p) == s for p, s in found["siblings"].items())


# ------------------------------------------------------------------------------- what a reader opened

# While a file artifact is read: (its absolute path, its folder, the siblings met so far).
_reading: tuple[str, str, dict[str, Signature | None]] | None = None
_EVENTS = frozenset({"open", "os.listdir", "os.scandir"})


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if _reading is None or event not in _EVENTS or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    artifact, folder, siblings = _reading
    target = os.path.abspath(os.fsdecode(os.fspath(args[0])))
    if target != artifact and target not in siblings and (target == folder or target.startswith(folder + os.sep)):
        siblings[target] = state(target)  # before it is read: a change while reading shows next time


_installed = False


@contextlib.contextmanager
def recording(path: str, found: dict[str, Any]) -> Iterator[None]:
    """Within this block, files opened and folders listed next to the file artifact at ``path`` join its
    identity ``found``, each with its state when first met."""
    global _reading, _installed
    if found["tree"] is not None:
        yield  # a folder: every member is in its identity already
        return
    if not _installed:
        sys.addaudithook(_hook)  # for the life of the process; it returns at once outside this block
        _installed = True
    artifact = os.path.abspath(path)
    _reading = (artifact, os.path.dirname(artifact), found["siblings"])
    try:
        yield
    finally:
        _reading = None
