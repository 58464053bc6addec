"""The artifacts under a URL, from one listing: no file's bytes are read here.

Folder formats (SavedModel, unzipped Keras, checkpoints) are recognised by member names, so the
listing is laid out as empty files in a private scratch folder and each format's own
``claims_folder`` judges it, exactly as on disk. Files are passed on unsniffed (``REMOTE_FILE``):
the worker that reads one sniffs its first bytes, so a client listing a bucket for Dask reads nothing.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from ..candidate import MISSING, NO_ACCESS, OUTSIDE, REMOTE_FILE, Candidate
from ..parsers import SPECS
from ..settings import Settings
from .identity import of_entries
from .listing import Entry, list_url
from .urls import RemoteUnavailable, child

FOLDER_SPECS = tuple(spec for spec in SPECS if spec.claims_folder is not None)


def _hidden_or_excluded(relative: str, settings: Settings) -> bool:
    parts = PurePosixPath(relative).parts
    folders = ["/".join(parts[: i + 1]) for i in range(len(parts) - 1)]
    if any(part.startswith(".") for part in parts[:-1]):
        return True  # .git, .cache ...: skipped like hidden folders on disk
    return settings.exclude.matches(relative, False) or any(settings.exclude.matches(f, True) for f in folders)


def _claimed(entries: list[Entry]) -> dict[str, str]:
    """``{folder relative to the prefix ("" for the prefix itself): container}`` for folders a format claims."""
    # Every ancestor, not only the folders holding files: an Orbax checkpoint's own folder holds only step
    # folders, and it must be judged before them, as discovery on disk does.
    parents = {str(p) for e in entries for p in PurePosixPath(e.relative).parents}
    folders = sorted(parents | {"."}, key=lambda f: (f.count("/"), f))
    claimed: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="h5lint-listing-") as scratch:
        for e in entries:
            empty = Path(scratch, e.relative)
            try:
                empty.parent.mkdir(parents=True, exist_ok=True)
                empty.touch()
            except (OSError, ValueError):
                continue  # a name that is also a folder's ("a" and "a/b"): a file, never a folder member
        for folder in folders:
            inside = "" if folder == "." else folder
            if any(inside == c or inside.startswith(c + "/") or c == "" for c in claimed):
                continue  # members of an artifact already claimed
            spec = next((s for s in FOLDER_SPECS if s.claims_folder and s.claims_folder(Path(scratch, folder))), None)
            if spec is not None:
                claimed[inside] = spec.container
    return claimed


def _owner(relative: str, claimed: dict[str, str]) -> str | None:
    return next((c for c in claimed if c == "" or relative.startswith(c + "/")), None)


def candidates(url: str, settings: Settings) -> Iterator[Candidate]:
    """Every artifact under ``url`` in listing order (folder artifacts where their first member is listed)."""
    try:
        listing = list_url(url)
    except RemoteUnavailable as exc:
        yield Candidate(url, (NO_ACCESS,), str(exc))
        return
    if listing.missing is not None:
        kind = MISSING if listing.missing == "no such file or prefix" else NO_ACCESS
        yield Candidate(url, (kind,), listing.missing)
        return
    for refused in listing.refused:
        yield Candidate(child(url, refused.relative), (OUTSIDE,), refused.why, named=False)
    if listing.is_file:
        yield from (Candidate(e.url, (REMOTE_FILE,), stamp=of_entries(e.url, (e,)).key) for e in listing.entries)
        return
    # In the order a walk of the same folder on disk gives: by name within each folder, a folder's contents
    # where the folder is listed.
    entries = sorted(
        (e for e in listing.entries if not _hidden_or_excluded(e.relative, settings)), key=lambda e: e.relative.split("/")
    )
    claimed = _claimed(entries)
    # A folder artifact is read from its whole listing (hidden members too), so all of it is its identity.
    members: dict[str, list[Entry]] = {}
    for e in listing.entries:
        owner = _owner(e.relative, claimed)
        if owner is not None:  # named relative to its folder, as reading the folder lists it
            relative = e.relative[len(owner) + 1 :] if owner else e.relative
            members.setdefault(owner, []).append(dataclasses.replace(e, relative=relative))
    done: set[str] = set()
    for e in entries:
        owner = _owner(e.relative, claimed)
        if owner is None:
            yield Candidate(e.url, (REMOTE_FILE,), named=False, stamp=of_entries(e.url, (e,)).key)
        elif owner not in done:
            done.add(owner)
            folder = child(url, owner) if owner else url.rstrip("/")
            stamp = of_entries(folder, members[owner]).key
            yield Candidate(folder, (claimed[owner],), named=owner == "", stamp=stamp)
