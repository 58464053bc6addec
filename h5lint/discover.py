"""Turn the paths a user gives into the artifacts to check, without reading any file's content.

Folders are walked (iteratively, so no nesting depth ends the run) skipping the configured excludes,
what ``.gitignore`` files ignore, hidden folders, symlinked folders and links that leave the folder
being walked. A folder that a parser's spec claims (SavedModel, unzipped Keras) is one artifact, and a
member file given by name (pre-commit passes ``saved_model.pb``) maps back to its folder. A file is
recognised by its first bytes (:mod:`.sniff`); the walk passes on only files that may be models, and
each candidate says whether the user named it (it must then be a model) or the walk found it (a worker
skips it when reading shows it is clearly not one).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec

from .candidate import (
    EMPTY,
    LFS_POINTER,
    MISSING,
    NO_ACCESS,
    OUTSIDE,
    PICKLE,
    SPECIAL,
    UNKNOWN,
    Candidate,
)
from .parsers import SPECS
from .remote.urls import is_url
from .settings import Settings
from .sniff import FILE_SPECS, sniff

FOLDER_SPECS = tuple(spec for spec in SPECS if spec.claims_folder is not None)
GITIGNORE = ".gitignore"
# Names that say "this is meant to be a model", so unreadable bytes are worth a finding.
MODEL_SUFFIXES = tuple(dict.fromkeys(s for spec in SPECS for s in spec.model_suffixes)) + (".model",)
_WALK_FILTERS = {spec.container: spec.found_by_walk for spec in FILE_SPECS}


def worth_reading(container: str, path: Path) -> bool:
    """Whether a file met while walking may be a model (a worker decides the rest by reading it)."""
    if container in (EMPTY, UNKNOWN, LFS_POINTER, NO_ACCESS, PICKLE):
        return path.name.lower().endswith(MODEL_SUFFIXES)  # garbage named like a model is worth a finding
    found_by_walk = _WALK_FILTERS.get(container)
    return found_by_walk is None or found_by_walk(path)


@dataclass(frozen=True)
class _Ignore:
    base: str  # root-relative folder the .gitignore sits in ("" for the root)
    spec: GitIgnoreSpec

    def matches(self, relative: str, is_dir: bool) -> bool:
        if self.base and not relative.startswith(self.base + "/"):
            return False
        inner = relative[len(self.base) + 1 :] if self.base else relative
        return self.spec.match_file(inner + ("/" if is_dir else ""))


class Walker:
    """Discovery for one run: ``relative(path)`` names paths as reports do (root-relative or absolute)."""

    def __init__(self, settings: Settings, root: Path | None) -> None:
        self.settings = settings
        self.root = root.resolve() if root is not None else None

    def relative(self, path: Path) -> str:
        absolute = Path(os.path.abspath(path))
        base = self.root or Path.cwd().resolve()
        try:
            return absolute.relative_to(base).as_posix() or "."
        except ValueError:
            try:
                return Path(os.path.realpath(path)).relative_to(base).as_posix() or "."
            except ValueError:
                return absolute.as_posix() if self.root is not None else str(path)

    def name(self, path: Path, relative: str | None = None) -> str:
        """The candidate's path: root-relative with a root, else as the user wrote it."""
        if self.root is None:
            return str(path)
        return relative if relative is not None else self.relative(path)

    def _excluded(self, relative: str, is_dir: bool, ignores: list[_Ignore]) -> bool:
        if self.settings.exclude.matches(relative, is_dir):
            return True
        return self.settings.respect_gitignore and any(i.matches(relative, is_dir) for i in ignores)

    def _gitignore(self, folder: Path, relative: str | None = None) -> _Ignore | None:
        if not self.settings.respect_gitignore:
            return None
        file = folder / GITIGNORE
        try:
            if not file.is_file():
                return None
            lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return None
        relative = relative if relative is not None else self.relative(folder)
        return _Ignore("" if relative == "." else relative, GitIgnoreSpec.from_lines(lines))

    def _ancestor_ignores(self, folder: Path) -> list[_Ignore]:
        """The .gitignore files between the root and ``folder`` (they apply inside it too)."""
        if self.root is None or not self.settings.respect_gitignore:
            return []
        real = Path(os.path.realpath(folder))
        if real != self.root and self.root not in real.parents:
            return []
        chain = [self.root, *reversed([p for p in real.parents if self.root in p.parents])]
        return [i for i in (self._gitignore(p) for p in chain if p != real) if i is not None]

    def _folder_candidate(self, folder: Path, named: bool, relative: str | None = None) -> Candidate | None:
        try:
            for spec in FOLDER_SPECS:
                assert spec.claims_folder is not None
                if spec.claims_folder(folder):
                    return Candidate(self.name(folder, relative), (spec.container,), named=named)
        except OSError as exc:  # a folder without search permission: Path.is_file raises EACCES
            return Candidate(self.name(folder, relative), (NO_ACCESS,), exc.strerror or str(exc), named)
        return None

    def _owning_artifact(self, path: Path) -> Candidate | None:
        for spec in FOLDER_SPECS:
            owner = spec.owner_of(path) if spec.owner_of is not None else None
            if owner is not None:
                return self._folder_candidate(owner, True) or Candidate(self.name(owner), (spec.container,))
        return None

    def _file(self, path: Path, named: bool, relative: str | None = None) -> Candidate:
        name = self.name(path, relative)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            return Candidate(name, (MISSING,), "no such file or folder", named)
        except OSError as exc:
            return Candidate(name, (NO_ACCESS,), exc.strerror or str(exc), named)
        if not stat.S_ISREG(mode):
            return Candidate(name, (SPECIAL,), "not a regular file (FIFO, socket or device); skipped", named)
        try:
            return Candidate(name, *sniff(str(path)), named)
        except OSError as exc:
            return Candidate(name, (NO_ACCESS,), exc.strerror or str(exc), named)

    def _worth_reading(self, candidate: Candidate, path: Path) -> bool:
        return worth_reading(candidate.container, path)

    def _walk(self, start: Path) -> Iterator[Candidate]:
        # A stack of suspended folder listings instead of recursion: no nesting depth ends the run, and
        # the order is still depth first in name order, a folder's contents where the folder is listed.
        top = Path(os.path.realpath(start))
        seen: set[tuple[int, int]] = set()
        stack = [self._listing(start, self.relative(start), self._ancestor_ignores(start), top, seen)]
        while stack:
            item = next(stack[-1], None)
            if item is None:
                stack.pop()
            elif isinstance(item, Candidate):
                yield item
            else:
                stack.append(self._listing(*item, top, seen))

    def _listing(
        self, folder: Path, relative: str, ignores: list[_Ignore], top: Path, seen: set[tuple[int, int]]
    ) -> Iterator[Candidate | tuple[Path, str, list[_Ignore]]]:
        """One folder's candidates, and its subfolders to walk, in name order.

        ``relative`` is the folder's name as reports give it; its entries' names are derived from it, not
        recomputed (which resolves every component: quadratic in the depth of the tree).
        """
        try:
            st = folder.stat()
            if (st.st_dev, st.st_ino) in seen:
                return
            seen.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield Candidate(self.name(folder, relative), (NO_ACCESS,), exc.strerror or str(exc), False)
            return
        own = self._gitignore(folder, relative)
        inner = ignores + [own] if own is not None else ignores
        for entry in entries:
            path = Path(entry.path)
            inside = entry.name if relative == "." else f"{relative}/{entry.name}"
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_link = entry.is_symlink()
            except OSError:
                continue
            if (is_dir and entry.name.startswith(".")) or self._excluded(inside, is_dir, inner):
                continue  # .git, .venv, .cache ... and what the project excludes
            if is_dir:
                owned = self._folder_candidate(path, False, inside)
                yield owned if owned is not None else (path, inside, inner)
                continue
            if is_link:
                target = Path(os.path.realpath(path))
                if target.is_dir() or not target.exists():
                    continue  # a link to a folder (never followed), a dangling or looping link
                if top not in target.parents:
                    why = f"a symbolic link to {target}, outside the folder being scanned; not followed"
                    if path.name.lower().endswith(MODEL_SUFFIXES):
                        yield Candidate(self.name(path, inside), (OUTSIDE,), why, False)
                    continue
            candidate = self._file(path, False, inside)
            if candidate.container != SPECIAL and self._worth_reading(candidate, path):
                yield candidate

    def discover(self, paths: Iterable[str]) -> Iterator[Candidate]:
        """Every artifact under ``paths``, each once, in the order given (folders sorted by name)."""
        paths = list(paths)
        # One path never yields a candidate twice; only several (a folder and a file in it) can overlap, and
        # remembering every path of a 100,000-file walk would grow the run by its size.
        seen: set[str] | None = set() if len(paths) > 1 else None
        for raw in paths:
            found = remote_candidates(raw, self.settings) if is_url(raw) else self._named(Path(raw))
            for candidate in found:
                if seen is None:
                    yield candidate
                elif candidate.path not in seen:
                    seen.add(candidate.path)
                    yield candidate

    def _named(self, path: Path) -> Iterator[Candidate]:
        try:
            is_dir = path.is_dir()
            if self.settings.force_exclude and self._excluded(
                self.relative(path), is_dir, self._ancestor_ignores(path.parent)
            ):
                return
            if is_dir:
                # A model folder, or a folder inside one (a SavedModel's variables/): the model is checked.
                owned = self._folder_candidate(path, True) or self._owning_artifact(path)
                if owned is not None:
                    yield owned
                else:
                    yield from self._walk(path)
                return
            owner = self._owning_artifact(path) if path.is_file() else None
        except OSError as exc:  # a path inside a folder without search permission
            yield Candidate(self.name(path), (NO_ACCESS,), exc.strerror or str(exc))
            return
        yield owner if owner is not None else self._file(path, named=not self.settings.skip_non_models)


def remote_candidates(url: str, settings: Settings) -> Iterator[Candidate]:
    # Imported for URLs only: a local run never loads fsspec.
    from .remote.discover import candidates

    return candidates(url, settings)


def discover(paths: Iterable[str], settings: Settings | None = None, root: Path | None = None) -> Iterator[Candidate]:
    """Candidates under ``paths``; without settings, the default excludes and .gitignore apply."""
    return Walker(settings or Settings(enabled=()), root).discover(paths)
