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
import platform
from dataclasses import replace
from pathlib import Path

from .. import candidate as d
from ..codes import FORMAT_MISMATCH, UNREADABLE
from ..findings import Hit, ParseOutcome, Problem
from ..ir import Format
from . import checkpoint, h5, json_model, keras_zip, savedmodel
from .spec import FormatSpec

# Sniffing order: a file is read by every spec whose sniff accepts its bytes, in this order.
SPECS: tuple[FormatSpec, ...] = (
    h5.SPEC,
    keras_zip.ZIP,
    savedmodel.SPEC,  # before checkpoint.SPEC: a SavedModel owns its variables/ bundle
    keras_zip.FOLDER,
    json_model.SPEC,
    checkpoint.SPEC,
)
BY_CONTAINER = {spec.container: spec for spec in SPECS}
FORMATS: tuple[Format, ...] = tuple(dict.fromkeys(f for spec in SPECS for f in spec.formats))


def _import_reader(module: str):
    # h5py's import asks platform for the processor name, which on Linux runs `uname -p` found through PATH
    # (a venv's bin/ first): no program may start during a scan, so the answer is given beforehand.
    platform.uname().__dict__.setdefault("processor", platform.machine())
    return importlib.import_module(module)


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
    if kind == d.OUTSIDE:
        return unreadable(path, candidate.detail or "a link out of the folder", "scan the file it points at directly")
    if kind == d.EMPTY:
        return unreadable(path, "the file is empty (0 bytes)", "re-export or re-download the model")
    if kind == d.LFS_POINTER:
        return unreadable(
            path,
            "this is a Git LFS pointer (a small text file), not the model itself",
            "run 'git lfs pull' (or check out with LFS installed) so the real model file replaces the pointer",
        )
    if kind == d.PICKLE:
        return unreadable(
            path,
            f"the bytes are {candidate.detail or 'a Python pickle'}, not a Keras model: no Keras loader reads it, and "
            "unpickling it (pickle.load, joblib.load) runs whatever code it names; h5lint recognised it by its first "
            "bytes and did not unpickle it",
            "do not unpickle it unless you trust where it came from; save a Keras model with model.save('model.keras') "
            "and give pickles a .pkl name",
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
    if promised is not None and candidate.container == d.PICKLE:
        # A pickle under a model's name is a trap for whoever trusts the name: say so, unread or not.
        message = (
            f"{candidate.path}: named '{path.suffix}' but is a Python pickle, not {promised.words}: Keras's loaders "
            f"fail on it, and the name hides that loading it the way it was saved (pickle.load, joblib.load) runs the "
            f"code it names"
        )
        return Problem(FORMAT_MISMATCH, Hit(message, "file", "rename it to .pkl, or replace it by the saved model"))
    actual = BY_CONTAINER.get(candidate.container)
    if promised is None or actual is None or promised is actual:
        return None  # unreadable bytes are reported by H5L001 alone
    message = (
        f"{candidate.path}: named '{path.suffix}' but is {actual.words}; it was read by its bytes, "
        f"but loaders that trust the extension will fail on it"
    )
    return Problem(FORMAT_MISMATCH, Hit(message, "file", actual.rename_fix))


def read_candidate(candidate: d.Candidate, read_weights: bool = True, extension_checked: bool = True) -> ParseOutcome:
    """Parse one candidate as its first container; never raises.

    ``read_weights=False``: no enabled rule looks at stored weights. ``extension_checked=False``: the bytes
    are several containers at once, and the extension cannot be judged against one of them.
    """
    simple = _simple_unreadable(candidate)
    if simple is not None:
        mismatch = _mismatch(candidate)
        return ParseOutcome(None, (mismatch, *simple.problems)) if mismatch else simple
    try:
        reader = _import_reader(BY_CONTAINER[candidate.container].reader)
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
    mismatch = _mismatch(candidate) if extension_checked else None
    if mismatch is not None:
        outcome = replace(outcome, problems=(mismatch, *outcome.problems))
    return outcome
