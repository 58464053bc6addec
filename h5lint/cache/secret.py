"""The per-user key that authenticates cache entries.

It lives in the user's cache home (``$XDG_CACHE_HOME/h5lint/cache-key``, else ``~/.cache/h5lint``), never
in a project or a scanned folder, readable by its owner only (0600). Whoever can read it can forge
entries, so a key file that others could have written or read is not used: the cache is then off.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

KEY_FILE = "cache-key"
_KEY_BYTES = 32


class NoKey(OSError):
    """No usable key: the message says why (the cache is then off for the run)."""


def user_cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "h5lint"


def _read(path: Path) -> bytes:
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NoKey(f"{path} is not a regular file")
        if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o077):
            raise NoKey(f"{path} must belong to you and be readable by you only (chmod 600)")
        data = os.read(descriptor, _KEY_BYTES * 2 + 1)
    finally:
        os.close(descriptor)
    if len(data) != _KEY_BYTES:
        raise NoKey(f"{path} is not an h5lint cache key ({len(data)} bytes); delete it to make a new one")
    return data


def _create(path: Path) -> None:
    """Write a new key where none exists; two runs racing both end up reading the one that won."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{KEY_FILE}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, secrets.token_bytes(_KEY_BYTES))
    finally:
        os.close(descriptor)
    try:
        os.link(temporary, path)  # fails if another run made one first: theirs is kept
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def cache_key(home: Path | None = None) -> bytes:
    """The user's key, made on first use. Raises :class:`NoKey` (an OSError) when none can be had."""
    path = (home or user_cache_home()) / KEY_FILE
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    try:
        _create(path)
        return _read(path)
    except NoKey:
        raise
    except OSError as exc:
        raise NoKey(f"cannot make the cache key {path}: {exc.strerror or exc}") from None
