"""Read one discovered artifact into the model representation, by its bytes.

Each parser module exposes ``read(path) -> ParseOutcome`` and imports its heavy dependency
(h5py, protobuf) itself, so a run only loads what the files in hand need; parsers of formats that
keep the weights apart from the config also take ``read_weights`` and skip them when it is False.
Anything a parser cannot read becomes an H5L001 problem; a parser must never let an exception
escape, and this dispatcher turns any that does into H5L001 naming the file, so one bad file never
stops a run.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Iterable

from .. import discover as d
from ..findings import Hit, ParseOutcome, Problem

UNREADABLE = "H5L001"
FORMAT_MISMATCH = "H5L003"

# container -> parser module
_PARSERS = {
    d.HDF5: "h5",
    d.ZIP: "keras_zip",
    d.KERAS_DIR: "keras_zip",
    d.SAVEDMODEL_DIR: "savedmodel",
    d.JSON: "json_model",
}
# Parsers whose ``read`` takes ``read_weights``: a .keras weights store is a member of its own.
_WEIGHTS_APART = frozenset({"keras_zip"})

# What the extension promises, and how a loader that trusts it reacts.
_SUFFIX_EXPECTS = {
    ".h5": d.HDF5,
    ".hdf5": d.HDF5,
    ".h5f": d.HDF5,
    ".h5py": d.HDF5,
    ".hd5": d.HDF5,
    ".keras": d.ZIP,
    ".json": d.JSON,
}

_CONTAINER_WORDS = {
    d.HDF5: "an HDF5 file",
    d.ZIP: "a zip archive",
    d.JSON: "a JSON file",
    d.SAVEDMODEL_DIR: "a SavedModel folder",
    d.KERAS_DIR: "an unzipped Keras folder",
}

_FIX_BY_CONTAINER = {
    d.HDF5: "rename it to .h5 (Keras 3 load_model picks the reader by extension)",
    d.ZIP: "rename it to .keras (Keras 3 load_model picks the reader by extension)",
    d.SAVEDMODEL_DIR: "rename the folder without a file extension and load it with "
    "tf.saved_model.load or keras.layers.TFSMLayer",
    d.KERAS_DIR: "zip it into a .keras file, or load the folder with keras.saving.load_model",
    d.JSON: "rename it to .json and load it with keras.models.model_from_json",
}


def unreadable(path: str, message: str, fix: str | None = None) -> ParseOutcome:
    """An artifact that cannot be read: one H5L001 problem for the whole file, no model."""
    return ParseOutcome(None, (Problem(UNREADABLE, Hit(f"{path}: {message}", "file", fix)),))


def _simple_unreadable(candidate: d.Candidate) -> ParseOutcome | None:
    path, kind = candidate.path, candidate.container
    if kind == d.MISSING:
        return unreadable(path, "no such file or folder", "check the path")
    if kind == d.UNREADABLE:
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
    expected = _SUFFIX_EXPECTS.get(path.suffix.lower())
    if expected is None or expected == candidate.container:
        return None
    if candidate.container not in _CONTAINER_WORDS:
        return None  # unreadable bytes are reported by H5L001 alone
    actual = _CONTAINER_WORDS[candidate.container]
    message = (
        f"{candidate.path}: named '{path.suffix}' but is {actual}; it was read by its bytes, "
        f"but loaders that trust the extension will fail on it"
    )
    return Problem(FORMAT_MISMATCH, Hit(message, "file", _FIX_BY_CONTAINER.get(candidate.container)))


def load_parsers(containers: Iterable[str]) -> None:
    """Import the parsers of these containers now, e.g. once before worker processes are forked."""
    for container in set(containers) & _PARSERS.keys():
        importlib.import_module(f"{__name__}.{_PARSERS[container]}")


def read_candidate(candidate: d.Candidate, read_weights: bool = True) -> ParseOutcome:
    """Parse one candidate; never raises. ``read_weights=False``: no enabled rule looks at stored weights."""
    simple = _simple_unreadable(candidate)
    if simple is not None:
        return simple
    module_name = _PARSERS[candidate.container]
    try:
        module = importlib.import_module(f"{__name__}.{module_name}")
        if module_name in _WEIGHTS_APART:
            outcome = module.read(candidate.path, read_weights=read_weights)
        else:
            outcome = module.read(candidate.path)
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
