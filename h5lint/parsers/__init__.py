"""Read one discovered artifact into the model representation, by its bytes.

Every format h5lint reads is declared once, by its parser, as a :class:`~.spec.FormatSpec` in
:data:`SPECS`; discovery, the dispatcher, the H5L003 wording and the generated docs all derive from
that list. A spec's module is light; its reader imports its heavy dependency (h5py, protobuf) itself,
so a run only loads what the files in hand need. Anything a parser cannot read becomes an H5L001
problem; a parser must never let an exception escape, and this dispatcher turns any that does into
H5L001 naming the file, so one bad file never stops a run.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Iterable

from .. import candidate as d
from ..codes import FORMAT_MISMATCH, UNREADABLE
from ..findings import Hit, ParseOutcome, Problem
from ..ir import Format
from . import h5, json_model, keras_zip, orbax, savedmodel
from .spec import FormatSpec

# Sniffing order: the first spec whose sniff accepts a file's bytes reads it.
SPECS: tuple[FormatSpec, ...] = (
    h5.SPEC,
    keras_zip.ZIP,
    savedmodel.SPEC,
    keras_zip.FOLDER,
    orbax.SPEC,
    json_model.SPEC,
)
BY_CONTAINER = {spec.container: spec for spec in SPECS}
FORMATS: tuple[Format, ...] = tuple(dict.fromkeys(f for spec in SPECS for f in spec.formats))


def format_named(name: str) -> Format:
    """The format reported as ``name`` ("h5-full")."""
    return next(f for f in FORMATS if f.name == name)


def unreadable(path: str, message: str, fix: str | None = None) -> ParseOutcome:
    """An artifact that cannot be read: one H5L001 problem for the whole file, no model."""
    return ParseOutcome(None, (Problem(UNREADABLE, Hit(f"{path}: {message}", "file", fix)),))


def _simple_unreadable(candidate: d.Candidate) -> ParseOutcome | None:
    path, kind = candidate.path, candidate.container
    if kind == d.MISSING:
        return unreadable(path, "no such file or folder", "check the path")
    if kind == d.NO_ACCESS:
        return unreadable(path, f"cannot be read ({candidate.detail})", "check the file's permissions")
    if kind == d.SPECIAL:
        return unreadable(path, candidate.detail or "not a regular file", "point h5lint at a model file")
    if kind == d.EMPTY:
        return unreadable(path, "the file is empty (0 bytes)", "re-export or re-download the model")
    if kind == d.LFS_POINTER:
        return unreadable(
            path,
            "this is a Git LFS pointer (a small text file), not the model itself",
            "run 'git lfs pull' (or check out with LFS installed) so the real model file replaces the pointer",
        )
    if kind == d.UNKNOWN:
        return unreadable(
            path,
            "the bytes are not HDF5, zip, JSON or SavedModel protobuf, so no Keras loader can read it",
            "check that the file is a saved Keras/TensorFlow model and was not corrupted in transfer",
        )
    return None


def _mismatch(candidate: d.Candidate) -> Problem | None:
    path = Path(candidate.path)
    suffix = path.suffix.lower()
    promised = next((spec for spec in SPECS if suffix in spec.suffixes), None)
    actual = BY_CONTAINER.get(candidate.container)
    if promised is None or actual is None or promised is actual:
        return None  # unreadable bytes are reported by H5L001 alone
    message = (
        f"{candidate.path}: named '{path.suffix}' but is {actual.words}; it was read by its bytes, "
        f"but loaders that trust the extension will fail on it"
    )
    return Problem(FORMAT_MISMATCH, Hit(message, "file", actual.rename_fix))


def load_parsers(containers: Iterable[str]) -> None:
    """Import the readers of these containers now, e.g. once before worker processes are forked."""
    for container in set(containers) & BY_CONTAINER.keys():
        importlib.import_module(BY_CONTAINER[container].reader)


def read_candidate(candidate: d.Candidate, read_weights: bool = True) -> ParseOutcome:
    """Parse one candidate; never raises. ``read_weights=False``: no enabled rule looks at stored weights."""
    simple = _simple_unreadable(candidate)
    if simple is not None:
        return simple
    try:
        reader = importlib.import_module(BY_CONTAINER[candidate.container].reader)
        outcome = reader.read(candidate.path, read_weights=read_weights)
    except RecursionError:
        outcome = unreadable(candidate.path, "the model's structure is nested too deeply to read", None)
    except MemoryError:
        outcome = unreadable(
            candidate.path,
            "reading it needed more memory than h5lint's per-file budget (or the machine) allows",
            "raise the budget with --max-memory MIB (0 turns it off), or exclude the file if it is not a model",
        )
    except Exception as exc:  # a parser bug must not stop the run; say where it happened
        outcome = unreadable(
            candidate.path,
            f"h5lint could not read it ({type(exc).__name__}: {exc})",
            "please report this file's format to h5lint",
        )
    mismatch = _mismatch(candidate)
    if mismatch is not None:
        outcome = ParseOutcome(outcome.artifact, (mismatch, *outcome.problems))
    return outcome
