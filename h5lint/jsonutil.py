"""JSON as Keras writes it (Python's dialect, with NaN/Infinity), read within budgets."""

from __future__ import annotations

import json
import re
from typing import Any

MAX_JSON_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 200


class JsonProblem(ValueError):
    """JSON that cannot be used; the message says what and where."""


# What the depth scan looks at: a whole string (escapes included; an unterminated one runs to the end) or a
# bracket. Matched in C, so the scan costs a Python step per bracket and string, not per character.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def _too_deep_at(text: str, max_depth: int) -> int | None:
    """Offset where nesting exceeds ``max_depth`` (outside strings), or None."""
    if text.count("[") + text.count("{") <= max_depth:
        return None  # nesting never exceeds the number of opening brackets: most configs stop here
    depth = 0
    for token in _TOKENS.finditer(text):
        first = text[token.start()]
        if first in "[{":
            depth += 1
            if depth > max_depth:
                return token.start()
        elif first in "]}":
            depth -= 1
    return None


def parse_json(
    data: str | bytes, what: str, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_DEPTH
) -> tuple[Any, tuple[str, ...]]:
    """Parse ``data`` (named ``what`` in messages); return the value and the non-standard literals used."""
    if len(data) > max_bytes:
        raise JsonProblem(f"{what} is {len(data):,} bytes, over h5lint's budget of {max_bytes:,} bytes")
    if isinstance(data, bytes):
        # As json.loads does with bytes, and so every Keras loader: UTF-8, UTF-16 or UTF-32, with or
        # without a byte order mark. Reading only UTF-8 would let a re-encoded config hide its contents.
        encoding = json.detect_encoding(data)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise JsonProblem(f"{what} is not {encoding.upper()} text (bad byte at offset {exc.start})") from None
    else:
        text = data
    too_deep = _too_deep_at(text, max_depth)
    if too_deep is not None:
        raise JsonProblem(f"{what} nests deeper than {max_depth} levels (at offset {too_deep})")
    seen: set[str] = set()

    def constant(name: str) -> float:
        seen.add(name)
        return float(name.replace("Infinity", "inf"))

    try:
        value = json.loads(text, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise JsonProblem(f"invalid JSON at offset {exc.pos} in {what}: {exc.msg}") from None
    except RecursionError:
        raise JsonProblem(f"{what} nests too deeply to read") from None
    return value, tuple(sorted(seen))
