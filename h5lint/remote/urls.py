"""Which paths are URLs, and the fsspec filesystem that serves one (with the extra to install when it is missing)."""

from __future__ import annotations

from typing import Any

# scheme -> the package fsspec needs for it (None: fsspec alone).
SCHEMES = {
    "s3": "s3fs",
    "gs": "gcsfs",
    "gcs": "gcsfs",
    "hf": "huggingface_hub",
    "http": "aiohttp",
    "https": "aiohttp",
    "file": None,
}
EXTRA = "pip install 'h5lint[remote]'"


class RemoteUnavailable(Exception):
    """A URL h5lint cannot reach from this installation or this address; str() says what to do."""


def scheme(path: str) -> str | None:
    head, sep, _ = path.partition("://")
    return head.lower() if sep and head.lower() in SCHEMES else None


def is_url(path: str) -> bool:
    return scheme(path) is not None


def filesystem(url: str) -> tuple[Any, str]:
    """``(fsspec filesystem, path inside it)`` for ``url``; credentials come from each filesystem's usual
    environment and configuration files, never from h5lint."""
    try:
        import fsspec.core
    except ImportError:
        raise RemoteUnavailable(f"reading {scheme(url)}:// URLs needs fsspec: {EXTRA}") from None
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:
        package = SCHEMES.get(scheme(url) or "") or getattr(exc, "name", None) or "its fsspec backend"
        raise RemoteUnavailable(f"reading {scheme(url)}:// URLs needs {package}: {EXTRA}") from None
    except ValueError as exc:
        raise RemoteUnavailable(f"not a URL h5lint can read ({exc})") from None


def child(url: str, relative: str) -> str:
    """The URL of ``relative`` (``/``-separated, already checked to stay inside) under the prefix ``url``."""
    return url.rstrip("/") + "/" + relative
