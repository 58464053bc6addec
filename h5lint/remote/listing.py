"""One listing of a URL: the files under a prefix, with the sizes and version stamps the store gives.

A listing is content someone else controls: a name with ``..``, an absolute name or a link is
refused (reported, never joined onto the prefix), and a listing longer than the budget is cut.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .urls import child, filesystem

# Entries one listing may hold (a bucket of 100,000 models is several listings of prefixes).
MAX_ENTRIES = 1_000_000


@dataclass(frozen=True)
class Entry:
    """A remote file: its URL, its name relative to the listed prefix, and what the store says about it."""

    url: str
    relative: str
    size: int | None  # None: the listing does not say (an HTTP index page); asked for when it is read
    inner: str = ""  # its path inside its filesystem (what fsspec calls it)
    etag: str | None = None
    version: str | None = None  # S3 VersionId, GCS generation, a hub's commit
    sha256: str | None = None  # a hub's LFS sha256


@dataclass(frozen=True)
class Refused:
    relative: str
    why: str


@dataclass(frozen=True)
class Listing:
    url: str
    is_file: bool
    entries: tuple[Entry, ...]
    refused: tuple[Refused, ...] = ()
    missing: str | None = None  # why the URL names nothing


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value).strip('"')


def entry(url: str, relative: str, info: Mapping[str, Any]) -> Entry:
    """An :class:`Entry` from an fsspec ``info`` dict (each filesystem spells its stamps its own way)."""
    lfs = info.get("lfs") if isinstance(info.get("lfs"), Mapping) else {}
    etag = info.get("ETag") or info.get("etag") or info.get("blob_id") or info.get("md5Hash")
    version = info.get("VersionId") or info.get("generation") or info.get("version_id")
    if version is None and info.get("mtime") is not None and etag is None:
        version = f"mtime:{info['mtime']}"  # file://: no store stamp, the modification time is the next best
    if isinstance(etag, str) and etag.startswith("W/"):
        etag = None  # a weak validator (RFC 9110 §8.8.1) promises equivalent content, not the same bytes
    size = info.get("size")
    return Entry(
        url=url,
        relative=relative,
        size=size if isinstance(size, int) and size >= 0 else None,
        inner=str(info.get("name", "")),
        etag=_text(etag),
        version=_text(version),
        sha256=_text(lfs.get("sha256")),
    )


def _why_refused(relative: str, info: Mapping[str, Any]) -> str | None:
    parts = relative.split("/")
    if relative.startswith("/") or "\\" in relative or any(p in ("", ".", "..") for p in parts):
        return "the listing names it with '..', '.', an empty or absolute part or a backslash: not joined, not read"
    if info.get("islink"):
        return "it is a symbolic link: h5lint does not follow links out of what it scans"
    size = info.get("size")
    if size is not None and not (isinstance(size, int) and size >= 0):
        return f"the listing gives it an impossible size ({size!r})"
    return None


def _protocols(fs: Any) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def list_url(url: str) -> Listing:
    """The file ``url`` names, or every file under the prefix it names; :class:`~.urls.RemoteUnavailable`
    when this installation cannot reach its filesystem at all."""
    fs, path = filesystem(url)
    try:
        info = fs.info(path)
    except FileNotFoundError:
        return Listing(url, False, (), missing="no such file or prefix")
    except Exception as exc:  # network, permission, a server's error page
        return Listing(url, False, (), missing=f"cannot be listed ({type(exc).__name__}: {exc})")
    # HTTP has no folders: a URL ending in '/' is an index page whose links are listed.
    if info.get("type") != "directory" and not url.endswith("/"):
        why = _why_refused(posixpath.basename(path) or "?", info) if info.get("islink") else None
        if why is not None:
            return Listing(url, True, (), (Refused(posixpath.basename(path), why),))
        return Listing(url, True, (entry(url, posixpath.basename(path.rstrip("/")), info),))
    try:
        found = fs.find(path, detail=True, withdirs=False, maxdepth=None)
    except Exception as exc:
        return Listing(url, False, (), missing=f"cannot be listed ({type(exc).__name__}: {exc})")
    base = path.rstrip("/") + "/"
    # file:// walks into linked folders; what resolves outside the folder listed is refused like '..'.
    real_base = os.path.realpath(base) + os.sep if "file" in _protocols(fs) else None
    entries, refused = [], []
    for name in sorted(found)[:MAX_ENTRIES]:
        details = found[name]
        if not name.startswith(base):
            refused.append(Refused(name, "the listing names it outside the prefix listed: not read"))
            continue
        relative = name[len(base) :]
        why = _why_refused(relative, details)
        if why is None and real_base is not None and not os.path.realpath(name).startswith(real_base):
            why = "it resolves through a symbolic link to a place outside the folder listed: not followed"
        if why is not None:
            refused.append(Refused(relative, why))
        elif details.get("type", "file") == "file":
            entries.append(entry(child(url, relative), relative, details))
    return Listing(url, False, tuple(entries), tuple(refused))

