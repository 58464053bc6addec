"""Artifact paths as code-scanning services want them: relative to the repository root, POSIX, URIs.

GitHub resolves relative paths against the checkout root, so SARIF and annotations name files
relative to the git root around the working directory (or the working directory outside git).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from ..remote.urls import is_url


def source_root(start: Path | None = None) -> Path:
    """The nearest folder holding ``.git`` (a folder, or a file in worktrees), else ``start``."""
    here = Path(os.path.realpath(start or Path.cwd()))
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def relative_path(path: str, root: Path) -> str | None:
    """``path`` relative to ``root`` with ``/`` separators and symlinks resolved; None if outside.

    A relative path is already relative to the root (the engine names artifacts that way); a URL is
    never inside it.
    """
    if is_url(path):
        return None
    if not os.path.isabs(path):
        return Path(path).as_posix()
    real = Path(os.path.realpath(path))
    try:
        return real.relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        return None


def display_path(path: str, root: Path) -> str:
    """Repository-relative when possible, else the path as the user gave it (POSIX separators)."""
    relative = relative_path(path, root)
    if relative is None and is_url(path):
        return path  # Path() would fold the '//' of the scheme
    return relative if relative is not None else Path(path).as_posix()


def uri_reference(path: str, root: Path) -> tuple[str, bool]:
    """A percent-encoded URI for ``path`` and whether it is relative to ``root`` (a URL is its own URI).

    Relative references keep ``/`` and encode everything else reserved, so a ``:`` in a file
    name cannot be mistaken for a URI scheme; paths outside the root become absolute ``file:`` URIs.
    """
    if is_url(path):  # a remote artifact is named by its URL (reserved characters kept, the rest encoded)
        return quote(path, safe=":/?#[]@!$&'()*+,;=%~", errors="surrogateescape"), False
    relative = relative_path(path, root)
    if relative is not None:
        return quote(relative, safe="/", errors="surrogateescape"), True
    return Path(os.path.realpath(path)).as_uri(), False


def root_uri(root: Path) -> str:
    return Path(os.path.realpath(root)).as_uri().rstrip("/") + "/"
