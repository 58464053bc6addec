"""One remote artifact made ready for its parser, in the worker that reads it.

HDF5 files and zips are read in place by byte ranges (their parsers ask :mod:`.ranges` for a file
object). The other formats' readers work on files in folders (a SavedModel's protobufs, a TF.js
model's shards next to its JSON), so their files are fetched, within the artifact's byte budget,
into a private scratch folder that is removed when the artifact is done; messages name the URL.
Shards that no enabled rule reads are laid out at their listed size without fetching a byte.
"""

from __future__ import annotations

import contextlib
import dataclasses
import posixpath
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..candidate import MISSING, NO_ACCESS, REMOTE_FILE, Candidate
from ..discover import worth_reading
from ..findings import ParseOutcome, Problem, Skipped
from ..sniff import sniff_stream
from .identity import of_entries
from .listing import Entry, entry, list_url
from .ranges import Meter, RangeFile, RemoteProblem, Session, active, opened
from .urls import RemoteUnavailable, filesystem

# Fetching whole files: bigger blocks, fewer requests.
STAGE_BLOCK_BYTES = 1 << 20


@dataclass(frozen=True)
class Ready:
    """What the engine reads for a remote candidate: its sniffed containers under its URL, from ``read_path``."""

    candidate: Candidate
    read_path: str  # the URL itself (read by ranges) or a staged copy

    def renamed(self, text: str) -> str:
        if self.read_path == self.candidate.path:
            return text
        return text.replace(self.read_path, self.candidate.path.rstrip("/"))

    def outcome(self, outcome: ParseOutcome) -> ParseOutcome:
        """``outcome`` naming the URL where it names the staged copy."""
        problems = tuple(
            Problem(p.code, dataclasses.replace(p.hit, message=self.renamed(p.hit.message))) for p in outcome.problems
        )
        artifact = outcome.artifact
        if artifact is not None:
            artifact = dataclasses.replace(artifact, path=self.renamed(artifact.path))
        return dataclasses.replace(outcome, artifact=artifact, problems=problems)


def _unreadable(candidate: Candidate, why: str, kind: str = NO_ACCESS) -> Ready:
    return Ready(dataclasses.replace(candidate, containers=(kind,), detail=why), candidate.path)


def _copy(source: RangeFile, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    source.seek(0)
    with open(dest, "wb") as out:
        shutil.copyfileobj(source, out, STAGE_BLOCK_BYTES)


def _placeholder(file: Entry, dest: Path) -> None:
    """A file of the listed size whose bytes are never read (sparse: it takes no disk)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "wb") as out:
        try:
            out.truncate(file.size or 0)
        except (OSError, OverflowError):
            pass  # a size no file system holds: the parser sees an empty file and says it is short


def _stage(fs: Any, files: list[tuple[Entry, bool]], root: Path, meter: Meter) -> None:
    """``(entry, fetch)`` pairs laid out under ``root`` by their relative names (checked by the listing)."""
    for file, fetch in files:
        if file.size is None:
            file = entry(file.url, file.relative, fs.info(file.inner))
        dest = root.joinpath(*file.relative.split("/"))
        if fetch:
            _copy(RangeFile(fs, file.inner, file.size or 0, meter, STAGE_BLOCK_BYTES), dest)
        else:
            _placeholder(file, dest)


def _siblings_named(url: str, text: bytes) -> list[Entry]:
    """Files beside a JSON model whose names its text mentions (TF.js shards, sharded Keras weights)."""
    listing = list_url(url.rsplit("/", 1)[0] + "/")
    return [e for e in listing.entries if "/" not in e.relative and e.url != url and e.relative.encode() in text]


@dataclass
class Seen:
    """The stamps of what reading an artifact used (the results cache keeps them with its result): the
    artifact's own from the listing taken when it was read, and each sibling file fetched beside it."""

    stamp: str | None = None
    siblings: dict[str, str | None] = dataclasses.field(default_factory=dict)


_seen: Seen | None = None


@contextlib.contextmanager
def noting() -> Iterator[Seen]:
    """Within this block, reading a remote artifact notes the stamps of what it used."""
    global _seen
    _seen = Seen()
    try:
        yield _seen
    finally:
        _seen = None


def _spoil() -> None:
    if _seen is not None:
        _seen.stamp = None  # a server's error or a budget stopped the read: not a result to keep


def _note_read(url: str, entries: list[Entry] | tuple[Entry, ...]) -> None:
    """The artifact at ``url`` is read as listed now (one file, or a folder's members)."""
    if _seen is not None:
        _seen.stamp = of_entries(url, entries).key


def _note_siblings(entries: list[Entry]) -> None:
    """Files fetched beside the artifact that its result depends on."""
    if _seen is not None:
        _seen.siblings.update((e.url, of_entries(e.url, (e,)).key) for e in entries)


@contextlib.contextmanager
def prepared(candidate: Candidate, read_weights: bool, meter: Meter) -> Iterator[Ready | Skipped]:
    """``candidate`` ready to read (sniffed, staged when its format needs files); the scratch folder lives
    until the block ends, since the rules' weight readers open its files lazily."""
    url = candidate.path
    try:
        fs, inner = filesystem(url)
    except RemoteUnavailable as exc:
        yield _unreadable(candidate, str(exc))
        return
    session = Session(meter)
    with active(session), tempfile.TemporaryDirectory(prefix="h5lint-remote-") as scratch:
        try:
            ready = _prepare(candidate, fs, inner, read_weights, session, Path(scratch))
        except RemoteProblem as exc:  # raised before any parser ran: this artifact cannot be read
            ready = _unreadable(candidate, str(exc))
            _spoil()
        except Exception as exc:  # a store's or server's error while listing or fetching: a finding, not a crash
            ready = _unreadable(candidate, f"cannot be fetched ({type(exc).__name__}: {exc})")
            _spoil()
        yield ready
        if meter.problem is not None:
            _spoil()


def _prepare(candidate: Candidate, fs: Any, inner: str, read_weights: bool, session: Session, scratch: Path) -> Ready | Skipped:
    url, meter = candidate.path, session.meter
    if candidate.container != REMOTE_FILE:  # a folder artifact the listing recognised
        listing = list_url(url.rstrip("/") + "/")  # as a prefix, also where (HTTP) nothing says it is a folder
        if listing.missing is not None:
            return _unreadable(candidate, listing.missing)
        _note_read(url, listing.entries)
        root = scratch / (posixpath.basename(inner.rstrip("/")) or "artifact")
        _stage(fs, [(e, True) for e in listing.entries], root, meter)
        return Ready(candidate, str(root))
    try:
        info = fs.info(inner)
    except FileNotFoundError:
        return _unreadable(candidate, "no such file", MISSING)
    except Exception as exc:
        return _unreadable(candidate, f"cannot be listed ({type(exc).__name__}: {exc})")
    file = entry(url, posixpath.basename(inner), info)
    if file.size is None:
        return _unreadable(candidate, f"the server gives no usable size for it ({info.get('size')!r})")
    _note_read(url, (file,))
    session.files[url] = (fs, inner, file.size)
    head = opened(url)
    assert head is not None
    containers, detail = sniff_stream(head)
    found = dataclasses.replace(candidate, containers=containers, detail=detail)
    if not candidate.named and not worth_reading(containers[0], Path(file.relative)):
        return Skipped(url, "not a model")
    if "json" not in containers:
        return Ready(found, url)  # HDF5 and zips by ranges; what is not a model needs no bytes more
    # The URL's last part names the copy (JSON readers judge names), unless it could step out of scratch.
    local = scratch / (file.relative if file.relative not in ("", ".", "..") else "model.json")
    _copy(head, local)  # through the blocks sniffing fetched
    text = local.read_bytes()
    siblings = _siblings_named(url, text)
    _note_siblings(siblings)
    _stage(fs, [(e, read_weights) for e in siblings], scratch, meter)
    return Ready(found, str(local))
