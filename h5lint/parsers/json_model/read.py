"""Read a model stored as JSON, told apart by content: a TF.js ``model.json`` (formats.md §5), a
``model.to_json()`` architecture file, or a Keras 3 sharded weights index (``*.weights.json``).

TF.js weights are inventoried from ``weightsManifest`` (names, shapes, dtypes) and their values are
read lazily from the ``.bin`` shards at the offsets the manifest implies; only shards inside the
model's own folder are ever opened.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ... import ir
from ...codes import WEIGHTS_ONLY
from ...findings import Hit, ParseOutcome, Problem
from ...jsonutil import MAX_JSON_BYTES, JsonProblem, parse_json
from ..h5 import H5_WEIGHTS
from ..h5.files import h5_file_opener
from ..parts import (
    PartProblem,
    describe_json,
    open_part,
    part_size,
    problem,
    read_file_capped,
    some_names,
)
from . import KERAS_JSON, TFJS

if TYPE_CHECKING:  # numpy is imported for TF.js weights: not for a bare config
    import numpy as np

# How one stored element is laid out per TF.js dtype (the converter narrows everything else to these).
TFJS_DTYPES = {
    "float32": "<f4",
    "int32": "<i4",
    "bool": "|u1",
    "complex64": "<c8",
    "uint8": "|u1",
    "uint16": "<u2",
    "float16": "<f2",
}
# The largest finite float32: quantization parameters beyond it are inf once the loader uses them.
FLOAT32_MAX = 3.4028234663852886e38
GENERATED_BY_KERAS = "keras v"
SHARD_FIX = "copy every .bin file listed in weightsManifest next to model.json (or re-run tensorflowjs_converter)"
TFJS_FIX = "re-run tensorflowjs_converter on the original model"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _inside(folder: Path, relative: str) -> Path | None:
    """``folder / relative`` if that names a file below ``folder`` (no absolute paths, '..' or URLs)."""
    pure = PurePosixPath(relative.replace("\\", "/"))
    if not pure.parts or "://" in relative or pure.is_absolute() or ".." in pure.parts or ":" in pure.parts[0]:
        return None
    return folder.joinpath(*pure.parts)


def _decoded(value: Any, what: str) -> tuple[Any, tuple[str, ...]]:
    """A JSON document written as a JSON string (``json.dump(model.to_json())``) decoded once more."""
    if isinstance(value, str) and value.lstrip()[:1] == "{":
        return parse_json(value, what)
    return value, ()


# ----------------------------------------------------------------------------------------- TF.js


@dataclass(frozen=True)
class _Shard:
    file: Path
    size: int
    folder: Path  # the model's folder, which the shard must stay inside


@dataclass(frozen=True)
class _Decoder:
    """How one TF.js weight is stored and turned into values (dequantized); numpy only when values are read."""

    stored: str  # numpy type string of a stored element ("<f4", "|u1")
    scale: float | None = None  # uint8/uint16 quantization: value = stored * scale + low
    low: float = 0.0
    as_bool: bool = False
    widen: bool = False  # float16 quantization: values are float32 once loaded

    @property
    def itemsize(self) -> int:
        return int(self.stored[2:])

    def decode(self, raw: bytes) -> np.ndarray:
        import numpy as np

        values = np.frombuffer(raw, dtype=np.dtype(self.stored))
        if self.as_bool:
            return values.astype(bool)
        if self.scale is not None:
            with np.errstate(all="ignore"):  # 0 * inf is NaN, as in the loader; no warning on stderr
                return values.astype(np.float32) * np.float32(self.scale) + np.float32(self.low)
        return values.astype(np.float32) if self.widen else values


def _span_reader(shards: tuple[_Shard, ...], offset: int, count: int, decoder: _Decoder) -> Callable[[int], Iterator[np.ndarray]]:
    """Reader of ``count`` elements starting ``offset`` bytes into the concatenation of ``shards``."""

    def read_span(start: int, length: int) -> bytes:
        parts = []
        for shard in shards:
            if length <= 0:
                break
            if start >= shard.size:
                start -= shard.size
                continue
            try:
                with open_part(shard.file, shard.folder) as fh:
                    fh.seek(start)
                    part = fh.read(min(length, shard.size - start))
            except PartProblem:
                return b"".join(parts)  # swapped for a link or a FIFO since the inventory: no further values
            parts.append(part)
            length -= len(part)
            start = 0
        return b"".join(parts)

    def read(max_elements: int) -> Iterator[np.ndarray]:
        size = decoder.itemsize
        step = max(1, int(max_elements))
        try:
            for first in range(0, count, step):
                raw = read_span(offset + first * size, min(step, count - first) * size)
                usable = len(raw) - len(raw) % size
                if usable:
                    yield decoder.decode(raw[:usable])
                if usable < min(step, count - first) * size:
                    return  # a shard shrank or vanished since the inventory: no further values
        except OSError:
            return

    return read


def _float32(value: Any) -> float:
    """A quantization parameter as the float32 the loader computes with: a hostile 1e400 is inf there, and
    so are the weights dequantized with it (H5L502 then sees what a loaded model would hold)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return math.nan  # JavaScript arithmetic on a non-number
    try:
        number = float(value)
    except OverflowError:  # an integer with hundreds of digits
        return math.copysign(math.inf, value)
    return math.copysign(math.inf, number) if abs(number) > FLOAT32_MAX else number


def _decoder(entry: Mapping[str, Any]) -> _Decoder | None:
    """How a manifest entry's values are stored, or None when h5lint cannot read them."""
    quant = entry.get("quantization")
    if isinstance(quant, Mapping):
        layout = TFJS_DTYPES.get(str(quant.get("dtype")))
        if layout is None:
            return None
        if layout[1] == "f":
            return _Decoder(layout, widen=True)
        return _Decoder(layout, _float32(quant.get("scale", 1.0)), _float32(quant.get("min", 0.0)))
    layout = TFJS_DTYPES.get(str(entry.get("dtype")))
    if layout is None:
        return None
    return _Decoder(layout, as_bool=entry.get("dtype") == "bool")


def _manifest_groups(raw: Any) -> list[tuple[list[str], list[Mapping[str, Any]]]] | None:
    """``[(paths, weight entries)]`` of a weightsManifest, or None when it is not one."""
    if not isinstance(raw, list):
        return None
    groups = []
    for group in raw:
        if not isinstance(group, Mapping):
            return None
        paths, weights = group.get("paths"), group.get("weights")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths) or not isinstance(weights, list):
            return None
        for entry in weights:
            if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
                return None
            shape = entry.get("shape")
            if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
                return None
        groups.append((paths, weights))
    return groups


@dataclass(frozen=True)
class _Manifest:
    weights: tuple[ir.WeightLayer, ...] | None = None
    shards: tuple[str, ...] = ()
    has_optimizer_weights: bool = False


def _tfjs_weights(path: str, raw: Any, problems: list[Problem]) -> _Manifest:
    """Weight inventory from ``weightsManifest`` and the shard names it lists: one list in manifest order,
    named by variable scope (the semantic layer finds each weight's layer through the graph)."""
    if raw is None:
        return _Manifest()
    groups = _manifest_groups(raw)
    if groups is None:
        message = "weightsManifest is not a list of {paths: [...], weights: [{name, shape, dtype}]} groups"
        problems.append(problem(path, message, "file", TFJS_FIX))
        return _Manifest()
    folder = Path(path).parent
    weights: list[ir.WeightArray] = []
    shard_names: list[str] = []
    outside: list[str] = []
    missing: list[str] = []
    unusable: list[tuple[str, str]] = []  # present, but not a regular file h5lint may read
    optimizer = False
    for paths, entries in groups:
        shard_names.extend(paths)
        shards = _present_shards(folder, paths, outside, missing, unusable)
        offset: int | None = 0  # unknown after a string or unknown dtype: their byte size is not fixed
        for entry in entries:
            name, shape = entry["name"], tuple(entry["shape"])
            count = math.prod(shape)
            decoder = _decoder(entry)
            reader = None
            if decoder is not None and offset is not None:
                if shards is not None:
                    reader = _span_reader(shards, offset, count, decoder)
                offset += count * decoder.itemsize
            else:
                offset = None
            if entry.get("group") == "optimizer":  # tfjs-layers' includeOptimizer: training state, not a layer's
                optimizer = True
                continue
            weights.append(ir.WeightArray("", name, shape, str(entry.get("dtype")), name, reader))
        if shards is not None and offset is not None and sum(s.size for s in shards) < offset:
            held = sum(s.size for s in shards)
            message = f"weights shards {some_names(list(paths))} hold {held:,} bytes but weightsManifest needs {offset:,}"
            problems.append(problem(path, message, f"member:{paths[-1]}", SHARD_FIX))
    problems.extend(_absent_shards(path, outside, missing))
    for name, why in dict.fromkeys(unusable):
        problems.append(problem(path, f"weights file {name} listed in weightsManifest {why}", f"member:{name}", SHARD_FIX))
    return _Manifest((ir.WeightLayer("", tuple(weights)),), tuple(dict.fromkeys(shard_names)), optimizer)


def _absent_shards(path: str, outside: list[str], missing: list[str]) -> list[Problem]:
    """One problem per cause (outside the folder, missing), listing every shard file it concerns."""
    found = []
    outside, missing = list(dict.fromkeys(outside)), list(dict.fromkeys(missing))
    if outside:
        one = len(outside) == 1
        what = f"weights file {outside[0]} is" if one else f"{len(outside)} weights files ({some_names(outside)}) are"
        message = f"{what} not inside the model's folder; h5lint does not read {'it' if one else 'them'}"
        found.append(problem(path, message, f"member:{outside[0]}", SHARD_FIX))
    if missing:
        what = (
            f"weights file {missing[0]} listed in weightsManifest is missing"
            if len(missing) == 1
            else f"{len(missing)} weights files listed in weightsManifest are missing ({some_names(missing)})"
        )
        found.append(problem(path, f"{what}; loading the model fails", f"member:{missing[0]}", SHARD_FIX))
    return found


def _present_shards(
    folder: Path, names: list[str], outside: list[str], missing: list[str], unusable: list[tuple[str, str]]
) -> tuple[_Shard, ...] | None:
    """The group's shard files, or None (noting each absent or unusable one) when any cannot be read."""
    shards = []
    for name in names:
        file = _inside(folder, name)
        if file is None:
            outside.append(name)
            continue
        try:
            shards.append(_Shard(file, part_size(file, folder), folder))
        except PartProblem as exc:
            if os.path.lexists(file):
                unusable.append((name, str(exc)))
            else:
                missing.append(name)
    return tuple(shards) if len(shards) == len(names) else None


def _tfjs(path: str, doc: Mapping[str, Any], nonstandard: tuple[str, ...]) -> ParseOutcome:
    problems: list[Problem] = []
    topology = doc.get("modelTopology")
    generated_by, converted_by = _text(doc.get("generatedBy")), _text(doc.get("convertedBy"))
    producer = converted_by or generated_by
    name = Path(path).name
    if doc.get("format") == "graph-model" or (isinstance(topology, Mapping) and "node" in topology):
        manifest = _tfjs_weights(path, doc.get("weightsManifest"), problems)
        artifact = ir.ModelArtifact(
            path=path,
            format=TFJS,
            layout="graph-model",
            # A graph model's generatedBy is the TensorFlow version that wrote the graph.
            versions=ir.VersionTags(tensorflow_version=generated_by, writer="tfjs-converter", producer=producer),
            weights=manifest.weights,
            files=(name, *manifest.shards),
            nonstandard_json=nonstandard,
        )
        return ParseOutcome(artifact, tuple(problems))

    # A topology that cannot be read is reported; the weights manifest and its shards are still checked.
    model_config: Any = None
    training: Any = None
    try:
        topology, found = _decoded(topology, "modelTopology")
        if isinstance(topology, Mapping) and "model_config" in topology:  # the converter's HDF5-attribute wrapper
            model_config, in_config = _decoded(topology.get("model_config"), "modelTopology.model_config")
            training, in_training = _decoded(topology.get("training_config"), "modelTopology.training_config")
            found += in_config + in_training
        else:  # a bare architecture, as tfjs-layers' own model.save writes it
            model_config, training = topology, doc.get("trainingConfig")
        nonstandard = tuple(sorted({*nonstandard, *found}))
    except JsonProblem as exc:
        problems.append(problem(path, str(exc), "file", TFJS_FIX))
    else:
        if not isinstance(model_config, Mapping) or not isinstance(model_config.get("class_name"), str):
            message = f"modelTopology holds no Keras model config ({describe_json(model_config)})"
            problems.append(problem(path, message, "file", TFJS_FIX))
            model_config = None

    wrapper = topology if isinstance(topology, Mapping) else {}
    keras_version = _text(wrapper.get("keras_version"))
    if keras_version is None and generated_by and generated_by.startswith(GENERATED_BY_KERAS):
        keras_version = generated_by[len(GENERATED_BY_KERAS) :]
    manifest = _tfjs_weights(path, doc.get("weightsManifest"), problems)
    artifact = ir.ModelArtifact(
        path=path,
        format=TFJS,
        layout=_text(doc.get("format")) or "layers-model",
        versions=ir.VersionTags(
            keras_version=keras_version,
            backend=_text(wrapper.get("backend")),
            producer=producer,
        ),
        keras=ir.KerasConfig(model_config, training, where="modelTopology") if model_config is not None else None,
        weights=manifest.weights,
        has_optimizer_weights=manifest.has_optimizer_weights,
        files=(name, *manifest.shards),
        nonstandard_json=nonstandard,
    )
    return ParseOutcome(artifact, tuple(problems))


# ------------------------------------------------------------------------- sharded weights index


def _sharded(path: str, doc: Mapping[str, Any], nonstandard: tuple[str, ...]) -> ParseOutcome:
    from ..keras_zip.sharded import read_sharded

    file = Path(path)
    # Every entry next to the index, links included: a shard that is a link out of the folder is refused by the
    # opener (h5lint never follows links out of an artifact), not taken for a missing file.
    siblings = [p.name for p in file.parent.iterdir()] if file.parent.is_dir() else []
    store = read_sharded(path, file.name, doc, siblings, lambda shard: h5_file_opener(file.parent / shard, file.parent))
    if store is None:
        message = "weight_map is not an object mapping variable paths to shard file names"
        return ParseOutcome(None, (problem(path, message, "file", "re-save the weights with model.save_weights"),))
    layers = [layer.name for layer in store.contents.weights or ()]
    held = f"it holds weights for {len(layers)} layers ({some_names(layers)})" if layers else "it holds no layer weights"
    message = (
        f"Keras 3 sharded weights index (.weights.json): no model config, so load_model cannot rebuild the "
        f"model; {held} in {len(store.shards)} shards ({some_names(list(store.shards))})"
    )
    fix = (
        "load it with model.load_weights(...) into the model built by the same code, or save the whole model "
        "with model.save('model.keras')"
    )
    artifact = ir.ModelArtifact(
        path=path,
        format=H5_WEIGHTS,
        layout="sharded-weights",
        # Only Keras 3 (ShardedH5IOStore) writes this index.
        versions=ir.VersionTags(writer="keras-3"),
        weights=store.contents.weights,
        has_optimizer_weights=store.contents.has_optimizer_weights,
        h5_references=store.contents.h5_references,
        files=(file.name, *store.shards),
        nonstandard_json=nonstandard,
    )
    return ParseOutcome(artifact, (Problem(WEIGHTS_ONLY, Hit(message, "file", fix)), *store.problems))


# ------------------------------------------------------------------------------ architecture JSON


def _architecture(path: str, doc: Mapping[str, Any], nonstandard: tuple[str, ...], layout: str) -> ParseOutcome:
    # A Keras 3 config.json read on its own carries the compile config too.
    training, source = (doc.get("compile_config"), "compile_config") if "compile_config" in doc else (None, "training_config")
    keras_version = _text(doc.get("keras_version"))
    artifact = ir.ModelArtifact(
        path=path,
        format=KERAS_JSON,
        layout=layout,
        versions=ir.VersionTags(keras_version=keras_version, backend=_text(doc.get("backend"))),
        keras=ir.KerasConfig(doc, training, training_source=source, where="the architecture JSON"),
        files=(Path(path).name,),
        nonstandard_json=nonstandard,
    )
    return ParseOutcome(artifact, ())


# A key of a Keras/TF.js model or of a sharded weights index; the closing quote may be escaped, so JSON
# encoded twice ({\"class_name\": ...}) is recognised too, but a mention inside a string (a README-like
# JSON saying "class_name='system'") is not.
_MODEL_JSON_KEY = re.compile(rb'(?:modelTopology|class_name|weight_map|weightsManifest)\\?"\s*:')


def read(path: str, read_weights: bool = True) -> ParseOutcome:
    """A JSON file: TF.js model.json, architecture JSON or sharded weights index, by its content."""
    name = Path(path).name
    data = b""
    try:
        data = read_file_capped(Path(path), MAX_JSON_BYTES, None)
        doc, nonstandard = parse_json(data, name)
        layout = "architecture"
        if isinstance(doc, str):
            doc, nonstandard = _decoded(doc, f"the JSON string {name} holds")
            layout = "architecture-in-json-string"  # json.dump(model.to_json()): load with json.load first
    except PartProblem as exc:
        return ParseOutcome(None, (problem(path, f"the file {exc}", "file", "check the file"),))
    except JsonProblem as exc:
        # Broken JSON that names model keys is a broken model; other broken JSON is no model at all.
        broken = problem(path, str(exc), "file", "re-export the file; it is not valid JSON")
        return ParseOutcome(None, (broken,), not_a_model=None if _MODEL_JSON_KEY.search(data) else str(exc))
    if isinstance(doc, Mapping):
        if "modelTopology" in doc:
            return _tfjs(path, doc, nonstandard)
        if "weight_map" in doc:
            return _sharded(path, doc, nonstandard)
        if isinstance(doc.get("class_name"), str) and "config" in doc:
            return _architecture(path, doc, nonstandard, layout)
    message = f"JSON but not a Keras/TF.js model ({describe_json(doc)})"
    fix = "point h5lint at a model file, or exclude this file in [tool.h5lint]"
    return ParseOutcome(None, (problem(path, message, "file", fix),), not_a_model=message)
