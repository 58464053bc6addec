"""A Keras HDF5 file read through h5py: what the own reader (own.py) hands over, remote files, Keras 0.3
and Keras 3 weight stores. Every problem becomes a :class:`Problem` in h5py's words; nothing escapes."""

from __future__ import annotations

import re
from typing import Callable

import h5py

from ... import ir
from ...findings import ParseOutcome, Problem
from ...jsonutil import JsonProblem, parse_json
from ..parts import PartProblem, some_names
from . import (
    H5_FULL,
    H5_WEIGHTS,
    KERAS03_WEIGHTS,
    KERAS3_MARKERS,
    KERAS3_WEIGHTS,
    LEGACY_FULL,
    LEGACY_WEIGHTS,
)
from .attrs import (
    AttrProblem,
    AttrUnreadable,
    has_list_attr,
    list_attr,
    present,
    text_attr,
)
from .files import heap_trap_before_open, open_cut_short, open_h5
from .limits import VERSION_TAG_BYTES
from .links import hard_links, outside_references, resolve
from .outcomes import REEXPORT, opener, problem, weights_only_outcome
from .weights import (
    Opener,
    keras03_weights,
    keras3_has_optimizer_weights,
    keras3_weights,
    legacy_weights,
)

# HDF5's message for a file shorter than its superblock records.
_TRUNCATED = re.compile(r"truncated file: eof = (\d+).*?stored_eof = (\d+)")



class _Unreadable(Exception):
    """Raised inside this module to turn into H5L001 with the message given."""

    def __init__(
        self, message: str, fix: str | None = REEXPORT, not_a_model: bool = False,
        versions: ir.VersionTags | None = None,
    ) -> None:
        super().__init__(message)
        self.fix = fix
        self.not_a_model = not_a_model
        self.versions = versions  # what the file still says about its writer


def read(path: str) -> ParseOutcome:
    """The outcome of reading ``path`` through h5py: every problem becomes a :class:`Problem`."""
    trap = heap_trap_before_open(path)
    if trap is not None:
        return _fail(path, _Unreadable(trap))
    try:
        h5 = open_h5(path)
    except PermissionError as exc:
        return _fail(path, _Unreadable(f"cannot be opened ({exc.strerror or exc})", "check the file's permissions"))
    except (OSError, RuntimeError, ValueError) as exc:
        return _fail(path, _Unreadable(_open_error(exc)), _cut_short_versions(path, exc))
    try:
        with h5:
            return _read_open(path, h5)
    except _Unreadable as exc:
        return _fail(path, exc)
    except AttrProblem as exc:  # an attribute HDF5 cannot even look up
        return _fail(path, _Unreadable(str(exc)))
    except (OSError, RuntimeError) as exc:
        # HDF5 reports damaged metadata (bad B-tree, unreadable object header) this way mid-walk.
        return _fail(path, _Unreadable(f"truncated or corrupt HDF5: {exc}; re-export or re-download it"))
    except (ValueError, KeyError, TypeError) as exc:
        # h5py's way of refusing objects it cannot represent (unknown datatypes, odd dataspaces).
        message = f"the HDF5 structure cannot be read ({type(exc).__name__}: {exc}); re-export or re-download it"
        return _fail(path, _Unreadable(message))


def _open_error(exc: BaseException) -> str:
    text = str(exc)
    sizes = _TRUNCATED.search(text)
    if sizes:
        have, want = (int(sizes.group(i)) for i in (1, 2))
        return (
            f"truncated HDF5 file: it is {have:,} bytes but its superblock says {want:,} "
            "(cut short in transfer, by a quota or while saving); re-export or re-download it"
        )
    if "file signature not found" in text:
        return f"not an HDF5 file after all ({text}); re-export or re-download it"
    return f"truncated or corrupt HDF5: {text}; re-export or re-download it"


def _fail(path: str, exc: _Unreadable, versions: ir.VersionTags | None = None) -> ParseOutcome:
    return ParseOutcome(
        None,
        (problem(path, str(exc), exc.fix),),
        versions=versions or exc.versions,
        not_a_model=str(exc) if exc.not_a_model else None,
    )


def _cut_short_versions(path: str, exc: BaseException) -> ir.VersionTags | None:
    """The version tags of a truncated file's root, when they lie before the cut."""
    sizes = _TRUNCATED.search(str(exc))
    if sizes is None:
        return None
    try:
        with open_cut_short(path, int(sizes.group(2))) as h5:
            tags = ir.VersionTags(
                keras_version=_optional_text(h5, "keras_version"), backend=_optional_text(h5, "backend")
            )
    except (OSError, RuntimeError, ValueError, KeyError, TypeError, PartProblem, AttrProblem):
        return None  # the root itself lay past the cut
    return tags if tags.keras_version or tags.backend else None


def _read_open(path: str, h5: h5py.File) -> ParseOutcome:
    references = outside_references(h5)
    if present(h5, "model_config"):
        return _full_model(path, h5, references)
    if has_list_attr(h5, "layer_names"):
        return _weights_only(path, h5, references, LEGACY_WEIGHTS, lambda: legacy_weights(h5, opener(path), ""))
    if present(h5, "nb_layers"):
        return _weights_only(path, h5, references, KERAS03_WEIGHTS, lambda: keras03_weights(h5, opener(path)))
    roots = dict(hard_links(h5))
    if any(isinstance(roots.get(name), h5py.Group) for name in KERAS3_MARKERS):
        return _weights_only(path, h5, references, KERAS3_WEIGHTS, lambda: keras3_weights(h5, opener(path)))
    model_weights = roots.get("model_weights")
    if isinstance(model_weights, h5py.Group) and has_list_attr(model_weights, "layer_names"):
        # A full-model file whose model_config was stripped: load_weights still finds the weights here.
        stripped = opener(path)
        return _weights_only(
            path, h5, references, LEGACY_WEIGHTS, lambda: legacy_weights(model_weights, stripped, "model_weights")
        )
    listed = some_names(sorted(roots))
    raise _Unreadable(
        "an HDF5 file but not a Keras model: it has neither model_config nor layer_names at the root, "
        f"nor a Keras 3 weights layout (root groups: {listed})",
        "point h5lint at a Keras model file, or exclude this file from the scan",
        not_a_model=True,
    )


def _json_attr(h5: h5py.File, name: str) -> tuple[object, tuple[str, ...]] | None:
    """Parsed JSON of a root attribute, None if absent; raises AttrProblem / JsonProblem."""
    text = text_attr(h5, name)
    if text is None:
        return None
    return parse_json(text, f"{name} attribute")


def _versions(h5: h5py.File) -> ir.VersionTags:
    """keras_version / backend from the root, else from ``model_weights`` (both are written by Keras 2)."""
    places = [h5]
    model_weights = resolve(h5, "model_weights")
    if isinstance(model_weights, h5py.Group):
        places.append(model_weights)
    found: dict[str, str | None] = {}
    unread = False
    for name in ("keras_version", "backend"):
        found[name] = None
        for place in places:
            try:
                found[name] = _optional_text(place, name)
            except AttrUnreadable:
                unread = True
            if found[name]:
                break
    return ir.VersionTags(keras_version=found["keras_version"], backend=found["backend"], unread=unread)


def _optional_text(obj: h5py.HLObject, name: str) -> str | None:
    # A version tag that is not a string (or is absurdly large) is as good as absent; one HDF5 cannot
    # decode raises AttrUnreadable.
    try:
        text = text_attr(obj, name, budget=VERSION_TAG_BYTES)
    except AttrUnreadable:
        raise
    except AttrProblem:
        return None
    return text.strip() if text and text.strip() else None


def _full_model(path: str, h5: h5py.File, references: tuple[ir.H5Reference, ...]) -> ParseOutcome:
    # A part that cannot be read is reported and the rest is still read: a broken model_config must not
    # hide the weights, the links out of the file or the version tags.
    problems: list[Problem] = []
    model_config, nonstandard = None, ()
    try:
        model_config, nonstandard = _json_attr(h5, "model_config") or (None, ())
    except (AttrProblem, JsonProblem) as exc:
        problems.append(problem(path, str(exc)))
    else:
        if model_config is None:
            problems.append(problem(path, "model_config attribute holds null, not a model"))
    training_config = None
    try:
        parsed = _json_attr(h5, "training_config")
    except (AttrProblem, JsonProblem) as exc:
        # The architecture is fine; only compile() state is lost (load_model(compile=False) still works).
        problems.append(problem(path, str(exc), "re-save the model, or load it with compile=False and compile again"))
        parsed = None
    if parsed is not None:
        training_config, more = parsed
        nonstandard = tuple(sorted(set(nonstandard) | set(more)))
    weights, weight_problem = _weights(
        path, lambda: _full_model_weights(h5, opener(path)), "the model_weights group"
    )
    problems.extend(weight_problem)
    artifact = ir.ModelArtifact(
        path=path,
        format=H5_FULL,
        layout=LEGACY_FULL,
        versions=_versions(h5),
        keras=ir.KerasConfig(model_config, training_config, where="model_config attribute"),
        weights=weights,
        has_optimizer_weights=isinstance(resolve(h5, "optimizer_weights"), h5py.Group),
        h5_references=references,
        nonstandard_json=nonstandard,
    )
    return ParseOutcome(artifact, tuple(problems))


def _full_model_weights(h5: h5py.File, opener: Opener) -> tuple[ir.WeightLayer, ...]:
    model_weights = resolve(h5, "model_weights")
    if not isinstance(model_weights, h5py.Group):
        return ()  # load_model would fail looking for it; rules see a model without stored weights
    return legacy_weights(model_weights, opener, "model_weights")


def _weights(
    path: str, build: Callable[[], tuple[ir.WeightLayer, ...]], where: str
) -> tuple[tuple[ir.WeightLayer, ...] | None, list[Problem]]:
    try:
        return build(), []
    except AttrProblem as exc:
        return None, [problem(path, f"{exc} (in {where}); the weights cannot be loaded")]


def _weights_only(
    path: str,
    h5: h5py.File,
    references: tuple[ir.H5Reference, ...],
    layout: str,
    build: Callable[[], tuple[ir.WeightLayer, ...]],
) -> ParseOutcome:
    weights, problems = _weights(path, build, "the weight name lists")
    if layout == KERAS3_WEIGHTS:
        has_optimizer = keras3_has_optimizer_weights(h5)
    else:
        has_optimizer = isinstance(resolve(h5, "optimizer_weights"), h5py.Group)
    artifact = ir.ModelArtifact(
        path=path,
        format=H5_WEIGHTS,
        layout=layout,
        versions=_versions(h5),
        weights=weights,
        has_optimizer_weights=has_optimizer,
        h5_references=references,
    )
    return weights_only_outcome(artifact, _layer_names(h5, layout, weights), problems)


def _layer_names(h5: h5py.File, layout: str, weights: tuple[ir.WeightLayer, ...] | None) -> tuple[str, ...]:
    if layout == LEGACY_WEIGHTS and has_list_attr(h5, "layer_names"):
        try:
            return list_attr(h5, "layer_names") or ()
        except AttrProblem:
            return ()
    return tuple(layer.name for layer in weights or ())


