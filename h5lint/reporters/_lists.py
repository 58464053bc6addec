"""JSON lists written one element at a time, laid out as ``json.dumps(document, indent=2)`` would.

A report streams: an artifact's findings are written as it is checked, never all held. Where a list must
come after something still being written (JSON's findings after its artifacts, SARIF's notifications
after its results, JUnit's test cases after the counts) its elements wait in a :class:`Spool`, in memory up to a
limit and then in a temporary file.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import IO, Any

SPOOL_BYTES = 8 << 20


def indented(value: Any, depth: int) -> str:
    """``value`` as JSON with two-space indentation, every line but the first's start at ``depth`` levels."""
    pad = "  " * depth
    return pad + json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)


class Spool:
    """Text kept to be written later: in memory up to :data:`SPOOL_BYTES`, then in a temporary file."""

    def __init__(self) -> None:
        self._file: IO[str] | None = None

    def write(self, text: str) -> None:
        if self._file is None:
            # surrogateescape: file names that are not UTF-8 are written as the bytes they are
            self._file = tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+", encoding="utf-8", errors="surrogateescape")
        self._file.write(text)

    def replay(self) -> Iterator[str]:
        """What was written, in order; the spool is empty afterwards."""
        if self._file is not None:
            self._file.seek(0)
            while chunk := self._file.read(1 << 16):
                yield chunk
            self._file.close()
            self._file = None


class JsonList:
    """The elements of a list whose items sit at ``depth`` levels of indentation."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.count = 0
        self._spool = Spool()

    def add(self, value: Any) -> str:
        """The text that writes ``value`` as the next element."""
        text = ("," if self.count else "") + "\n" + indented(value, self.depth)
        self.count += 1
        return text

    def spool(self, value: Any) -> None:
        """Keep ``value`` to be written by :meth:`replay`."""
        self._spool.write(self.add(value))

    def close(self) -> str:
        return "\n" + "  " * (self.depth - 1) + "]" if self.count else "]"

    def replay(self) -> Iterator[str]:
        """The spooled elements and the closing bracket (the opening one is the caller's)."""
        yield from self._spool.replay()
        yield self.close()
