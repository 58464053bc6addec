"""How messages quote and list things: one place, so every message reads alike and stays bounded."""

from __future__ import annotations

from typing import Sequence

SHOWN = 5
# How many characters of a name or value from a file a message quotes.
QUOTED = 60


def listed(names: Sequence[str], most: int = SHOWN) -> str:
    """``a, b, c, d, e and 7 more``."""
    text = ", ".join(names[:most])
    return text + (f" and {len(names) - most} more" if len(names) > most else "")


def plural(count: int, word: str) -> str:
    """``1 finding``, ``3 findings``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def quoted(text: str, most: int = QUOTED) -> str:
    """``'gs://bucket/model'`` for a value read from a file: at most ``most`` characters (cut with ``…``),
    quoted and with control characters escaped as Python's repr does, so one value cannot flood or break a line."""
    return repr(text if len(text) <= most else text[: most - 1] + "…")
