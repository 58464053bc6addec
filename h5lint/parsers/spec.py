"""What a parser declares about the format it reads: one object per format, everything else derives from it.

Discovery sniffs files and claims folders with it, the dispatcher picks the reader and words
H5L003 (extension mismatch) with it, and the docs (README formats table, pre-commit file patterns)
are generated from the list of specs in :mod:`h5lint.parsers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

from ..ir import Format


@dataclass(frozen=True)
class FormatSpec:
    container: str  # what discovery calls it: "hdf5", "zip", "json", "savedmodel-dir", "keras-dir"
    words: str  # how messages name it: "an HDF5 file"
    formats: tuple[Format, ...]  # what reading it can give
    # The module whose ``read(path, read_weights) -> ParseOutcome`` reads it (imported on first use; it may
    # import heavy libraries). It never raises; read_weights=False means no enabled rule looks at stored
    # weights, so a format that keeps them apart from the config may leave them unopened.
    reader: str
    recognised_by: str  # for the docs: "the HDF5 signature (also behind a user block)"
    reads: str  # for the docs: what h5lint reads from it
    # Files: whether the first bytes (and, when needed, the open file) are this container's.
    sniff: Callable[[bytes, BinaryIO], bool] | None = None
    # Folders: whether a folder is one artifact of this format.
    claims_folder: Callable[[Path], bool] | None = None
    # The artifact a member file given by name belongs to (pre-commit passes members): its folder, or the
    # file that stands for it (a checkpoint's index); None when it is not one of this format's members.
    owner_of: Callable[[Path], Path | None] | None = None
    # Extensions that promise this container; a file with one whose bytes are another is H5L003.
    suffixes: tuple[str, ...] = ()
    # File names that mean "meant to be a model of this format", so unreadable bytes are worth a finding.
    model_suffixes: tuple[str, ...] = ()
    # How to fix a file whose extension promises another container.
    rename_fix: str | None = None
    # A sniffed file met while walking a folder counts as a model only when this says so (None: always).
    found_by_walk: Callable[[Path], bool] | None = None
    # Folders: the member files findings are shown on (code scanning links files), first present wins.
    anchors: tuple[str, ...] = ()
    # Regular expressions (pre-commit's ``files``) of the names of this format's files and members.
    commit_patterns: tuple[str, ...] = ()
