"""How messages list names: the first few, then how many more."""

from __future__ import annotations

from typing import Sequence

SHOWN = 5


def listed(names: Sequence[str], most: int = SHOWN) -> str:
    """``a, b, c, d, e and 7 more``."""
    text = ", ".join(names[:most])
    return text + (f" and {len(names) - most} more" if len(names) > most else "")
