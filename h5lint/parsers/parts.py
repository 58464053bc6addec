"""Reading an artifact's parts (files in a folder, zip members) within budgets, and saying why one cannot be used.

Shared by every parser: sizes a zip or a file system declares can lie, a FIFO or device named like a
model part never ends, and a message about a part names the artifact first.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, BinaryIO, Mapping

from ..codes import UNREADABLE
from ..findings import Hit, Problem, Severity
from ..wording import listed

# Keras writes config.json, metadata.json, the weights store and a few assets.
MAX_MEMBERS = 10_000
# How many names a message about an artifact's contents spells out.
NAMES_SHOWN = 10


class PartProblem(Exception):
    """A part of an artifact (zip member, file in a folder) that cannot be used; str() says why."""


def problem(
    path: str,
    message: str,
    location: str = "file",
    fix: str | None = None,
    code: str = UNREADABLE,
    severity: Severity | None = None,
) -> Problem:
    return Problem(code, Hit(f"{path}: {message}", location, fix, severity))


def some_names(names: list[str]) -> str:
    """``a, b, c and 4 more`` (``none`` for no names): a bounded listing of an artifact's contents."""
    return listed(names, NAMES_SHOWN) or "none"


def read_capped(stream: BinaryIO, declared: int, cap: int) -> bytes:
    """All of ``stream`` if it is at most ``cap`` bytes; the declared size is checked first, the real one too."""
    if declared > cap:
        raise PartProblem(f"is {declared:,} bytes, over h5lint's budget of {cap:,} bytes")
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise PartProblem(f"holds more than h5lint's budget of {cap:,} bytes (it declares {declared:,})")
    return data


def regular_file_size(file: Path) -> int:
    """The size of ``file``; PartProblem unless it is a regular file (opening a FIFO blocks, a device never ends)."""
    try:
        info = os.stat(file)
    except OSError as exc:
        raise PartProblem(f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise PartProblem("is not a regular file (a FIFO, socket or device); h5lint does not open it")
    return info.st_size


def read_file_capped(file: Path, cap: int) -> bytes:
    """A regular file's bytes within ``cap`` (a FIFO or device named like a model part is refused)."""
    size = regular_file_size(file)
    try:
        with open(file, "rb") as fh:
            return read_capped(fh, size, cap)
    except OSError as exc:
        raise PartProblem(f"cannot be read ({exc.strerror or exc})") from None


def too_many_members(count: int, what: str) -> str | None:
    """Why a zip or folder listing ``count`` members is not read, or None."""
    if count <= MAX_MEMBERS:
        return None
    return f"{what} lists {count:,} members, over h5lint's budget of {MAX_MEMBERS:,}"


def describe_json(value: Any) -> str:
    """What a JSON document holds at the top, for messages about unexpected content."""
    if isinstance(value, Mapping):
        return f"top-level keys: {some_names([str(k) for k in value])}"
    kinds = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return f"the document is {kinds.get(type(value), 'null')}"
