"""Reading an artifact's parts (files in a folder, zip members) within budgets, and saying why one cannot be used.

Shared by every parser: sizes a zip or a file system declares can lie, a FIFO or device named like a
model part never ends, and a message about a part names the artifact first.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from .. import safeio
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


def open_part(file: Path, root: Path | None) -> BinaryIO:
    """A part opened for reading, if it is a regular file resolving inside ``root`` (the artifact's folder;
    None for a file scanned on its own, whose place discovery judged); else PartProblem."""
    try:
        return safeio.open_inside(file, root if root is not None else os.path.dirname(os.path.realpath(file)))
    except safeio.Refused as exc:
        raise PartProblem(str(exc)) from None


def part_size(file: Path, root: Path | None) -> int:
    """The size of a part that :func:`open_part` accepts (for readers that open it by name themselves)."""
    with open_part(file, root) as fh:
        return os.fstat(fh.fileno()).st_size


def read_file_capped(file: Path, cap: int, root: Path | None) -> bytes:
    """The bytes of a part :func:`open_part` accepts, within ``cap``."""
    with open_part(file, root) as fh:
        try:
            return read_capped(fh, os.fstat(fh.fileno()).st_size, cap)
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
