"""How messages quote and list things: one place, so every message reads alike and stays bounded."""

from __future__ import annotations

from typing import Sequence

SHOWN = 5


def listed(names: Sequence[str], most: int = SHOWN) -> str:
    """``a, b, c, d, e and 7 more``."""
    text = ", ".join(names[:most])
    return text + (f" and {len(names) - most} more" if len(names) > most else "")


def plural(count: int, word: str) -> str:
    """``1 finding``, ``3 findings``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
