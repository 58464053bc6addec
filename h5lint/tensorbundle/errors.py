"""The one exception a tensor bundle's bad bytes raise."""

from __future__ import annotations


class BundleError(ValueError):
    """A bundle file that cannot be read as TensorFlow writes it; the message says what and where."""


def quote_key(key: bytes | str, limit: int = 120) -> str:
    """A key for a message: quoted, escaped, and cut short (hostile keys can be megabytes long)."""
    text = key.decode("utf-8", "backslashreplace") if isinstance(key, bytes) else key
    shown = text[:limit].encode("unicode_escape").decode("ascii").replace('"', '\\"')
    return f'"{shown}"' + (f"... ({len(text):,} characters)" if len(text) > limit else "")
