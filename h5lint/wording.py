"""How messages quote and list things: one place, so every message reads alike and stays bounded."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Surrogates other than U+DC80..U+DCFF, which stand for the undecodable bytes of a file name (surrogateescape).
_LONE_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")

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


def clipped(text: str, most: int) -> str:
    """``text`` if it has at most ``most`` characters, else its start and end around a marker saying how much
    was cut: a name or value in a file can be megabytes long, and a report must stay readable and small."""
    if len(text) <= most:
        return text
    marker = f"…[{len(text) - most:,} characters cut]…"
    head = most * 2 // 3
    return text[:head] + marker + text[len(text) - (most - head) :]


def encodable(text: str) -> str:
    """``text`` with each lone surrogate (a JSON ``\\ud800`` escape in a file decodes to one) written as that
    escape: no reporter can encode it, and one name must not end the report."""
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def quoted(text: str, most: int = QUOTED) -> str:
    """``'gs://bucket/model'`` for a value read from a file: at most ``most`` characters (cut with ``…``),
    quoted and with control characters escaped as Python's repr does, so one value cannot flood or break a line."""
    return repr(text if len(text) <= most else text[: most - 1] + "…")
