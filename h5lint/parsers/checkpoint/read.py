"""Read a TensorFlow checkpoint into the model representation, and a tensor bundle into stored weights.

:func:`read_bundle` is shared with the SavedModel parser (a SavedModel's ``variables/`` is a checkpoint):
it reads the index, checks the data shards (missing, cut short, checksums within a budget) and lists
the variables as weights whose values are streamed from their shard only when a rule asks. Optimizer
state and the writers' own bookkeeping are not weights. :func:`read` reads a checkpoint folder or a bare
bundle: one H5L002 (weights only) with the variable inventory, and the weights for the weight rules.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ... import ir
from ...codes import INCOMPLETE, UNREADABLE, WEIGHTS_ONLY
from ...findings import Hit, ParseOutcome, Problem
from ...tensorbundle import (
    OBJECT_GRAPH_KEY,
    Bundle,
    BundleEntry,
    BundleError,
    ShardProblem,
    read_checkpoint_state,
    read_index,
    shard_problems,
    tensor_chunks,
    variable_full_names,
    variable_paths,
)
from ...tensorbundle import shards as shard_kinds
from ...wording import listed, plural
from ..parts import NAMES_SHOWN, some_names
from . import CHECKPOINT, DATA_SHARD, INDEX_SUFFIX, STATE_FILE

# Tensor bytes whose CRC-32C is verified while reading: h5lint's pure-Python CRC runs at about 30 MB/s
# (tools/bench_crc32c.py), so this is half a second, the whole of a small model's checkpoint.
CRC_BUDGET = 16 << 20
# Object paths that hold no model weights: tf.train.Checkpoint counts its saves in save_counter, and a
# tf-keras SavedModel keeps metric state under keras_api (keras/saving/legacy/saved_model).
BOOKKEEPING = frozenset({"save_counter", "keras_api"})
OPTIMIZER = "optimizer"  # the object tf-keras Model and tf.train.Checkpoint(optimizer=...) name their optimizer
SLOT = "/.OPTIMIZER_SLOT/"
# The numpy name of each numeric dtype, as the weight rules read dtypes (bfloat16 streams as float32).
NUMPY_NAMES = {
    "DT_FLOAT": "float32",
    "DT_DOUBLE": "float64",
    "DT_HALF": "float16",
    "DT_BFLOAT16": "bfloat16",
    "DT_INT8": "int8",
    "DT_INT16": "int16",
    "DT_INT32": "int32",
    "DT_INT64": "int64",
    "DT_UINT8": "uint8",
    "DT_UINT16": "uint16",
    "DT_UINT32": "uint32",
    "DT_UINT64": "uint64",
    "DT_BOOL": "bool",
    "DT_COMPLEX64": "complex64",
    "DT_COMPLEX128": "complex128",
}
_NUMBERS = re.compile(r"(\d+)")

RESTORE_FAILS = "model.load_weights and tf.train.Checkpoint.restore fail on it"
FIX_COPY = "copy every file of the checkpoint (<prefix>.index and all <prefix>.data-NNNNN-of-NNNNN), or save it again"
FIX_SAVE_AGAIN = "save the checkpoint again from the training code, or fetch an intact copy"
FIX_STATE = "point the checkpoint file at a checkpoint in its folder (or pass the prefix to load_weights yourself)"


@dataclass(frozen=True)
class BundleRead:
    """What a bundle holds, as h5lint reports it."""

    bundle: Bundle
    weights: tuple[ir.WeightLayer, ...]
    inventory: tuple[str, ...]  # "layer_with_weights-0/kernel (4x8)", one per weight
    has_optimizer_weights: bool
    problems: tuple[Problem, ...]
    paths: Mapping[str, str]  # checkpoint key -> object path ("layer_with_weights-0/kernel")
    # Checkpoint key -> the key of the weight that stands for it: a variable tracked under two names (a Keras 3
    # export lists each in "variables" and "_all_variables") is stored twice and reported once.
    stored_as: Mapping[str, str]


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape) or "scalar"


def _reader(bundle: Bundle, entry: BundleEntry) -> Callable[[int], Iterator]:
    def read(max_elements: int) -> Iterator:
        # Rules cannot report I/O trouble; a shard that is missing, cut short or damaged is the parser's
        # H5L001/H5L004, and its tensors give no values here.
        try:
            yield from tensor_chunks(bundle, entry, max_elements)
        except (BundleError, OSError):
            return

    return read


def _is_training_state(path: str) -> bool:
    return path.split("/", 1)[0] == OPTIMIZER or SLOT in path


def _weight_names(path: str, full_name: str | None, layer_names: Mapping[str, str]) -> tuple[str, str]:
    """(layer, weight name) of a variable: the Keras layer its top object is (from the Keras metadata) and the
    variable's own name ("hidden/kernel"); without metadata, the first scope of that name (Keras and tf-keras
    name variables "<layer>/<weight>"), else the object path's first step."""
    top, _, rest = path.partition("/")
    if top in layer_names:
        return layer_names[top], full_name or f"{layer_names[top]}/{rest}"
    if full_name and "/" in full_name:
        return full_name.split("/", 1)[0], full_name
    return top, path  # a bare name ("Variable", "w") says less than where the variable sits


def _weights(
    bundle: Bundle, paths: Mapping[str, str], layer_names: Mapping[str, str]
) -> tuple[tuple[ir.WeightLayer, ...], tuple[str, ...], bool, dict[str, str]]:
    full_names = variable_full_names(bundle)
    by_layer: dict[str, list[ir.WeightArray]] = {}
    inventory: list[str] = []
    optimizer = False
    first_copy: dict[tuple, str] = {}
    stored_as: dict[str, str] = {}
    for entry in bundle.entries:
        if entry.slice_of is not None or entry.key == OBJECT_GRAPH_KEY:
            continue  # slices are parts of the tensor whose entry lists them
        path = paths.get(entry.key, entry.key)
        if _is_training_state(path):
            optimizer = True
            continue
        if path.split("/", 1)[0] in BOOKKEEPING:
            continue
        full_name = full_names.get(entry.key)
        if full_name is not None and entry.crc32c is not None:
            same = (full_name, entry.dtype_code, entry.shape, entry.size, entry.crc32c)
            if same in first_copy:
                stored_as[entry.key] = first_copy[same]
                continue
            first_copy[same] = entry.key
        stored_as[entry.key] = entry.key
        layer, name = _weight_names(path, full_name, layer_names)
        weight = ir.WeightArray(
            layer=layer,
            name=name,
            shape=entry.shape,
            dtype=NUMPY_NAMES.get(entry.dtype, entry.dtype),
            location=entry.key,
            _reader=None if entry.sliced else _reader(bundle, entry),
        )
        by_layer.setdefault(layer, []).append(weight)
        inventory.append(f"{path} ({_shape(entry.shape)})")
    layers = tuple(ir.WeightLayer(name, tuple(weights)) for name, weights in by_layer.items())
    return layers, tuple(inventory), optimizer, stored_as


def _member(base: str, name: str) -> str:
    return f"member:{base}{name}"


def _shard_problems(
    bundle: Bundle, paths: Mapping[str, str], artifact: str, base: str, effect: str, copy_fix: str
) -> list[Problem]:
    """One problem per damaged file (missing shards are H5L004, damage H5L001), from the reader's findings."""
    index_name = os.path.basename(bundle.index_path)
    by_place: dict[str, list[ShardProblem]] = {}
    for found in shard_problems(bundle, crc_budget=CRC_BUDGET):
        if found.kind != shard_kinds.CRC_UNCHECKED:  # past the budget: simply not verified
            by_place.setdefault(found.shard or index_name, []).append(found)
    problems = []
    for name, found in by_place.items():
        if any(f.kind == shard_kinds.MISSING_SHARD for f in found):
            keys = [key for f in found for key in f.keys]
            held = some_names([paths.get(k, k) for k in keys])
            stored = plural(len(keys), "tensor")
            message = f"{artifact}: {base}{name} is missing, but the index stores {stored} there ({held})"
            problems.append(Problem(INCOMPLETE, Hit(f"{message}; {effect}", _member(base, name), copy_fix)))
            continue
        details = "; ".join(f.message for f in found[:NAMES_SHOWN])
        more = f"; and {len(found) - NAMES_SHOWN} more problems" if len(found) > NAMES_SHOWN else ""
        message = f"{artifact}: {base}{name} is damaged: {details}{more}; {effect}"
        problems.append(Problem(UNREADABLE, Hit(message, _member(base, name), FIX_SAVE_AGAIN)))
    return problems


def read_bundle(
    index: Path,
    artifact: str,
    base: str,
    effect: str,
    copy_fix: str = FIX_COPY,
    layer_names: Mapping[str, str] | None = None,
) -> BundleRead | Problem:
    """The bundle whose index is ``index``, or the H5L001 problem saying why the index cannot be read.

    ``artifact`` starts messages, ``base`` is the folder of the bundle inside the artifact ("variables/")
    for locations, ``effect`` says what the damage does to loading, ``copy_fix`` how to get a missing
    shard back, and ``layer_names`` maps the first step of an object path ("layer_with_weights-0") to the
    Keras layer it is, when the artifact says so.
    """
    try:
        bundle = read_index(index)
    except BundleError as exc:
        message = f"{artifact}: {base}{index.name} cannot be read as a checkpoint index: {exc}; {effect}"
        return Problem(UNREADABLE, Hit(message, _member(base, index.name), FIX_SAVE_AGAIN))
    paths = variable_paths(bundle)
    weights, inventory, optimizer, stored_as = _weights(bundle, paths, layer_names or {})
    problems = _shard_problems(bundle, paths, artifact, base, effect, copy_fix)
    if bundle.object_graph_problem and not problems:
        # Keys still name the variables (their paths), so only the graph's extra names are lost; a shard
        # that is missing or damaged already explains why it cannot be read.
        message = f"{artifact}: {base}{index.name}: the object graph cannot be read ({bundle.object_graph_problem})"
        problems.append(Problem(UNREADABLE, Hit(f"{message}; {effect}", _member(base, index.name), FIX_SAVE_AGAIN)))
    return BundleRead(bundle, weights, inventory, optimizer, tuple(problems), paths, stored_as)


# --- a checkpoint artifact ----------------------------------------------------------------------


def _natural(name: str) -> list:
    """Sort key that puts ckpt-10 after ckpt-9."""
    return [int(part) if part.isdigit() else part for part in _NUMBERS.split(name)]


def _indexes(folder: Path) -> list[Path]:
    try:
        names = sorted((n for n in os.listdir(folder) if n.endswith(INDEX_SUFFIX)), key=_natural)
    except OSError:
        return []
    return [folder / n for n in names if (folder / n).is_file()]


@dataclass(frozen=True)
class _Choice:
    index: Path | None  # the checkpoint read, None when the folder holds none
    of: int  # how many checkpoints the folder holds
    problems: tuple[Problem, ...] = ()


def _latest(folder: Path, artifact: str) -> _Choice:
    """The checkpoint the ``checkpoint`` file names (what tf.train.latest_checkpoint restores), else the last
    index by name; a state file that names none usable is a problem of its own."""
    indexes = _indexes(folder)
    location = _member("", STATE_FILE)
    try:
        state = read_checkpoint_state(folder / STATE_FILE)
    except BundleError as exc:
        problem = Problem(UNREADABLE, Hit(f"{artifact}: {exc}", location, FIX_STATE))
        return _Choice(indexes[-1] if indexes else None, len(indexes), (problem,))
    problems = [
        Problem(INCOMPLETE, Hit(f"{artifact}: {STATE_FILE}: {why}", location, FIX_STATE)) for why in state.problems
    ]
    if state.prefix is not None:
        named = Path(state.prefix + INDEX_SUFFIX)
        if named.is_file():
            return _Choice(named, len(indexes), tuple(problems))
        message = (
            f"{artifact}: {STATE_FILE} names checkpoint {state.model_checkpoint_path!r}, but {named.name} is not in "
            f"the folder; tf.train.latest_checkpoint finds nothing and restoring it fails"
        )
        problems.append(Problem(INCOMPLETE, Hit(message, _member("", named.name), FIX_COPY)))
    return _Choice(indexes[-1] if indexes else None, len(indexes), tuple(problems))


def _chosen(target: Path, artifact: str) -> _Choice:
    if target.is_dir():
        return _latest(target, artifact)
    if target.name == STATE_FILE:
        return _latest(target.parent, artifact)
    shard = DATA_SHARD.fullmatch(target.name)
    if shard is None:
        return _Choice(target, 1)
    index = target.with_name(shard.group("prefix") + INDEX_SUFFIX)
    if index.is_file():
        return _Choice(index, 1)
    message = f"{artifact}: a checkpoint data shard without its index {index.name}, so nothing can restore it"
    return _Choice(None, 0, (Problem(INCOMPLETE, Hit(message, _member("", index.name), FIX_COPY)),))


def _base(target: Path, index: Path) -> str:
    """Where the bundle is inside the artifact ("" beside the checkpoint file, "sub/" when it names sub/ckpt)."""
    folder = target if target.is_dir() else target.parent
    inside = os.path.relpath(index.parent, folder)
    return "" if inside == os.curdir else Path(inside).as_posix() + "/"


def _files(target: Path, index: Path | None) -> tuple[str, ...]:
    if target.is_dir():
        try:
            return tuple(sorted(n for n in os.listdir(target) if (target / n).is_file()))
        except OSError:
            return ()
    if index is None:
        return (target.name,)
    prefix = index.name[: -len(INDEX_SUFFIX)]
    try:
        names = os.listdir(index.parent)
    except OSError:
        names = []
    shards = sorted(n for n in names if (m := DATA_SHARD.fullmatch(n)) is not None and m.group("prefix") == prefix)
    return (index.name, *shards)


def _weights_only(artifact: str, index: Path, contents: BundleRead, of: int) -> Problem:
    shown = listed(list(contents.inventory), NAMES_SHOWN) or "no variables"
    which = f"the latest of {of} checkpoints, {index.name}" if of > 1 else index.name
    optimizer = ", plus optimizer state" if contents.has_optimizer_weights else ""
    message = (
        f"TensorFlow checkpoint ({which}): weights only, no model config, so load_model cannot rebuild the model; "
        f"it holds {plural(len(contents.inventory), 'variable')} ({shown}){optimizer}. "
        "h5lint checks their values (H5L502), "
        "but without a layer config it cannot tell which is an output kernel or what shape a layer needs "
        "(H5L503, H5L505 are not judged)"
    )
    prefix = index.name[: -len(INDEX_SUFFIX)]
    fix = (
        f"restore it with model.load_weights('{prefix}') (the prefix, without .index) into the model built by the "
        "same code, or tf.train.Checkpoint(model=model).restore(...); to ship a model, save it whole with "
        "model.save('model.keras')"
    )
    return Problem(WEIGHTS_ONLY, Hit(message, "file", fix))


def read(path: str, read_weights: bool = True) -> ParseOutcome:
    target = Path(path)
    choice = _chosen(target, path)
    problems = list(choice.problems)
    if choice.index is None:
        if not problems:
            message = f"{path}: a checkpoint folder without any <prefix>{INDEX_SUFFIX}, so there is nothing to restore"
            problems.append(Problem(INCOMPLETE, Hit(message, "file", FIX_COPY)))
        return ParseOutcome(None, tuple(problems))
    contents = read_bundle(choice.index, path, _base(target, choice.index), RESTORE_FAILS)
    if isinstance(contents, Problem):
        return ParseOutcome(None, (*problems, contents))
    layout = "object-based" if contents.bundle.object_graph is not None else "name-based"
    artifact = ir.ModelArtifact(
        path=path,
        format=CHECKPOINT,
        layout=layout,
        weights=contents.weights,
        has_optimizer_weights=contents.has_optimizer_weights,
        files=_files(target, choice.index),
    )
    weights_only = _weights_only(path, choice.index, contents, choice.of)
    return ParseOutcome(artifact, (weights_only, *problems, *contents.problems))
