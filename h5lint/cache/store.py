"""Cache entries on disk: one authenticated JSON file per artifact, written atomically, pruned by age.

Layout: ``<cache dir>/<run digest>/<2 hex>/<entry name>.json``, the entry name a hash of the artifact's
path, containers and whether it was named. An entry is ``h5lint-cache <layout> <HMAC>\\n<JSON body>``; the
HMAC covers the run digest, the entry name and the body, so an entry cannot be forged, edited or moved
to another artifact or run without the user's key. Entries are looked up by the parent process (a hit
never reaches a worker) and written by the worker that read the artifact, through a temporary file and a
rename, so concurrent runs and workers never see half an entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import shutil
import stat
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from ..budgets import Budgets
from ..candidate import REMOTE_FILE, Candidate
from ..findings import ArtifactReport, Skipped
from ..parsers import BY_CONTAINER, SPECS
from ..remote.urls import is_url
from ..settings import Settings
from .codec import Result, decode, encode
from .digest import LAYOUT, run_digest
from .identity import identity, recording, settled, unchanged
from .secret import NoKey, cache_key

FOLDER_NAME = ".h5lint_cache"
# Run folders kept (one per combination of h5lint, settings and budgets), the most recently used first.
MAX_RUNS = 8
# Entries not rewritten for this long are removed, checked at most once a day per run folder.
MAX_AGE_SECONDS = 30 * 86400
_PRUNE_EVERY_SECONDS = 86400
# No h5lint result comes near this; a bigger file in the cache folder is not an entry.
MAX_ENTRY_BYTES = 64 << 20
_PRUNED = ".pruned"
_GITIGNORE = "# Created by h5lint: its results cache\n*\n"
_CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# h5lint results cache: https://bford.info/cachedir/\n"


@dataclass
class CacheNotes:
    """What the run should tell about the cache (printed on stderr at the end)."""

    folder: Path
    said: list[str] = field(default_factory=list)
    rejected: int = 0  # entries that failed authentication

    def lines(self) -> list[str]:
        lines = list(self.said)
        if self.rejected:
            lines.append(
                f"h5lint: {self.rejected:,} cache entries in {self.folder} failed authentication and were ignored "
                "(written by someone else, or damaged); those artifacts were read again"
            )
        return lines


def _read_entry(path: Path) -> bytes | None:
    """The entry's bytes; None when there is none or it is not a plain file (a link, FIFO, device)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
            return None
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            return handle.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _complete(result: Result | None) -> bool:
    """Worth keeping: not cut short by a budget (None), no check crashed."""
    return isinstance(result, Skipped) or (isinstance(result, ArtifactReport) and not result.crashed_checks)


@dataclass(frozen=True)
class ResultCache:
    run: Path  # <cache dir>/<run digest>
    base: str  # the folder candidate paths are relative to (the project root)
    key: bytes = field(repr=False)
    digest: str
    writable: bool
    notes: CacheNotes
    # Remote folders listed this run to judge siblings: {folder URL: {file URL: stamp}}.
    listings: dict[str, dict[str, str | None]] = field(default_factory=dict, repr=False, compare=False)

    def _path(self, candidate: Candidate) -> str:
        return os.path.join(self.base, candidate.path)

    def _cacheable(self, candidate: Candidate) -> bool:
        """Real formats only: missing and special paths are cheap to report and have no identity to keep. A
        URL's identity is the stamp its listing gave (remote.identity); a URL without one is read again."""
        if is_url(candidate.path):
            return candidate.stamp is not None and all(c in BY_CONTAINER or c == REMOTE_FILE for c in candidate.containers)
        return all(c in BY_CONTAINER for c in candidate.containers)

    def _stamp_now(self, url: str) -> str | None:
        """The stamp the store gives ``url`` now, from one listing of its folder per run."""
        from ..remote.identity import (
            of_entries,  # URLs only: a local run imports nothing remote
        )
        from ..remote.listing import list_url

        folder = url.rsplit("/", 1)[0] + "/"
        if folder not in self.listings:
            try:
                self.listings[folder] = {e.url: of_entries(e.url, (e,)).key for e in list_url(folder).entries}
            except Exception:  # noqa: BLE001 -- a listing that fails proves nothing: the artifact is read again
                self.listings[folder] = {}
        return self.listings[folder].get(url)

    def _remote_unchanged(self, candidate: Candidate, found: dict[str, Any]) -> bool:
        siblings = found["siblings"]
        return found["stamp"] == candidate.stamp and all(
            key is not None and self._stamp_now(url) == key for url, key in siblings.items()
        )

    def _name(self, candidate: Candidate) -> str:
        text = json.dumps([candidate.path, candidate.containers, candidate.named, candidate.detail])
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def _entry(self, name: str) -> Path:
        return self.run / name[:2] / f"{name}.json"

    def _header(self, name: str, body: bytes) -> bytes:
        mac = hmac.new(self.key, b"\0".join((self.digest.encode(), name.encode(), body)), hashlib.sha256)
        return b"h5lint-cache %d %s" % (LAYOUT, mac.hexdigest().encode())

    def lookup(self, candidate: Candidate) -> Result | None:
        """The cached result when the artifact and everything else that made it are unchanged."""
        if not self._cacheable(candidate):
            return None
        name = self._name(candidate)
        data = _read_entry(self._entry(name))
        if data is None:
            return None
        header, _, body = data.partition(b"\n")
        if not hmac.compare_digest(header, self._header(name, body)):
            self.notes.rejected += 1
            return None
        try:
            entry = json.loads(body)
            if is_url(candidate.path):
                if not self._remote_unchanged(candidate, entry["identity"]):
                    return None
                result = decode(entry["result"])
                return replace(result, bytes_fetched=0) if isinstance(result, ArtifactReport) else result
            if not unchanged(self._path(candidate), entry["identity"]):
                return None
            return decode(entry["result"])
        except (ValueError, KeyError, TypeError):
            return None  # written by this user's h5lint, so a bug or an old layout: read the artifact again

    def through(self, candidate: Candidate, work: Callable[[], Result | None]) -> Result | None:
        """``work()``, whose result is saved for next time when it is complete (not cut short by a budget,
        no crashed check) and the artifact did not change within the last seconds."""
        if not (self.writable and self._cacheable(candidate)):
            return work()
        if is_url(candidate.path):
            return self._through_remote(candidate, work)
        found = identity(self._path(candidate))
        if found is None:
            return work()
        with recording(self._path(candidate), found):
            result = work()
        if _complete(result) and settled(found):
            assert result is not None
            self._write(self._name(candidate), {"identity": found, "result": encode(result)})
        return result

    def _through_remote(self, candidate: Candidate, work: Callable[[], Result | None]) -> Result | None:
        # Read in workers only: a local run never imports the remote reader.
        from ..remote.read import noting

        with noting() as seen:
            result = work()
        # Kept only when the artifact read is the one listed (not changed in between) and all it used is stamped.
        if _complete(result) and seen.stamp == candidate.stamp and None not in seen.siblings.values():
            assert result is not None
            found = {"stamp": candidate.stamp, "siblings": seen.siblings}
            self._write(self._name(candidate), {"identity": found, "result": encode(result)})
        return result

    def _write(self, name: str, entry: dict[str, Any]) -> None:
        body = json.dumps(entry, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        path = self._entry(name)
        temporary = path.with_name(f".{name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(exist_ok=True)
            with open(temporary, "wb") as handle:
                handle.write(self._header(name, body) + b"\n" + body)
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()  # a full disk loses an entry, never the run

    def prune(self) -> None:
        """Drop run folders beyond the MAX_RUNS most recent, and entries of this run folder not rewritten
        for MAX_AGE_SECONDS (checked once a day)."""
        if not self.writable:
            return
        with contextlib.suppress(OSError):
            runs = sorted((p for p in self.run.parent.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
            for old in runs[:-MAX_RUNS]:
                shutil.rmtree(old, ignore_errors=True)
            stamp = self.run / _PRUNED
            now = time.time()
            if stamp.exists() and now - stamp.stat().st_mtime < _PRUNE_EVERY_SECONDS:
                return
            stamp.touch()
            for shard in self.run.iterdir():
                if shard.is_dir():
                    for entry in shard.iterdir():
                        if now - entry.stat().st_mtime > MAX_AGE_SECONDS:
                            entry.unlink()


def _model_folder_around(folder: Path) -> Path | None:
    """The model folder (SavedModel, Keras folder, checkpoint folder ...) ``folder`` lies in, if any."""
    real = Path(os.path.realpath(folder))
    for ancestor in (real, *real.parents):
        try:
            if any(spec.claims_folder is not None and spec.claims_folder(ancestor) for spec in SPECS):
                return ancestor
        except OSError:
            continue  # a folder that cannot be searched claims nothing
    return None


def _prepare(folder: Path, run: Path) -> None:
    """The cache folder (ignored by git, tagged as a cache for backup tools) and this run's folder in it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
        if not (folder / name).exists():
            (folder / name).write_text(text)
    run.mkdir(exist_ok=True)
    os.utime(run)  # the most recently used run folder is the last pruned
    probe = run / f".probe.{os.getpid()}"
    probe.write_bytes(b"")
    probe.unlink()


def open_cache(
    folder: Path, settings: Settings, budgets: Budgets, base: Path
) -> tuple[ResultCache | None, CacheNotes]:
    """The cache in ``folder`` for a run with these settings, or None when it cannot be used, and what to
    tell about it. A folder that cannot be written is still read."""
    notes = CacheNotes(folder)
    model = _model_folder_around(folder)
    if model is not None:
        notes.said.append(f"h5lint: results cache off: {folder} lies inside the model folder {model}, which h5lint "
                          "never writes to and whose contents it does not trust; give --cache-dir")
        return None, notes
    try:
        key = cache_key()
    except NoKey as exc:
        notes.said.append(f"h5lint: results cache off: {exc}")
        return None, notes
    digest = run_digest(settings, budgets)
    run = folder / digest[:32]
    writable = True
    try:
        _prepare(folder, run)
    except OSError as exc:
        writable = False
        reason = exc.strerror or str(exc)
        notes.said.append(
            f"h5lint: the results cache {folder} cannot be written ({reason}); results are read from it but not saved"
        )
    return ResultCache(run, str(base), key, digest, writable, notes), notes
