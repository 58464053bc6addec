"""What identifies a remote artifact's bytes without reading them: the key a results cache stores it under.

A store stamps every object (S3 ETag and VersionId, GCS generation, a hub's LFS sha256), and the
stamp changes when the bytes do, so an unchanged artifact is recognised from a listing alone. A
folder artifact (SavedModel) is identified by all of its members' stamps. Without any stamp (a
server that sends no ETag) there is no key, and the artifact must be read again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .listing import Entry, list_url


@dataclass(frozen=True)
class Identity:
    url: str
    size: int | None
    etag: str | None = None
    version: str | None = None
    sha256: str | None = None
    members: str | None = None  # a folder artifact: sha256 over its members' names, sizes and stamps

    @property
    def key(self) -> str | None:
        """``url`` plus every stamp, one string; None when the store gave no stamp to trust."""
        stamps = (self.etag, self.version, self.sha256, self.members)
        if all(stamp is None for stamp in stamps):
            return None
        fields = (self.url, str(self.size), *(stamp or "" for stamp in stamps))
        return "\x1f".join(fields)


def _total(entries: list[Entry] | tuple[Entry, ...]) -> int | None:
    sizes = [e.size for e in entries]
    return None if None in sizes else sum(s for s in sizes if s is not None)


def of_entries(url: str, entries: list[Entry] | tuple[Entry, ...]) -> Identity:
    """The identity of the artifact at ``url`` made of ``entries`` (one for a file, the members of a folder)."""
    if len(entries) == 1 and entries[0].url == url:
        e = entries[0]
        return Identity(url, e.size, e.etag, e.version, e.sha256)
    if any(e.etag is None and e.version is None and e.sha256 is None for e in entries) or not entries:
        return Identity(url, _total(entries))
    digest = hashlib.sha256()
    for e in sorted(entries, key=lambda e: e.relative):
        digest.update("\x1f".join((e.relative, str(e.size), e.etag or "", e.version or "", e.sha256 or "")).encode())
        digest.update(b"\x1e")
    return Identity(url, _total(entries), members=digest.hexdigest())


def identify(url: str) -> Identity:
    """The identity of the file or folder artifact at ``url``, from one listing (no file's bytes are read)."""
    listing = list_url(url)
    return of_entries(url.rstrip("/") if not listing.is_file else url, listing.entries)
