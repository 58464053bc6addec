"""Legacy Keras HDF5 files read through h5lint's own HDF5 reader (:mod:`h5lint.hdf5`), not libhdf5.

The default path for a legacy full model or weights-only file (formats.md §1): libhdf5 decodes no
string, so no global-heap scan is needed first (heap.py), and every walk is bounded by the reader's
budgets. It takes a file only when the file reads cleanly and whole, and then finds exactly what the
h5py path in model.py finds; anything else raises :class:`HandOff` and model.py reads the file
through h5py, whose words the problems keep: an attribute that is absent where a list is chunked, not
a clean string or over a budget, broken JSON, a structure the reader does not support or finds
malformed, a truncated file, a Keras 0.3 or Keras 3 store, a file that is not a Keras model. Weight
values, when a rule iterates them, are read straight from the file where they are one contiguous block
(contiguous.py), else through h5py.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, NamedTuple

from ... import ir
from ...hdf5 import Array, Dataset, Group, HDF5Error, open_hdf5
from ...hdf5.messages import LINK, LINK_INFO, SYMBOL_TABLE
from ...jsonutil import JsonProblem, parse_json
from . import H5_FULL, H5_WEIGHTS, KERAS3_MARKERS, LEGACY_FULL, LEGACY_WEIGHTS, limits
from .contiguous import RawOpener, contiguous_reader
from .limits import MIN_BOMB_BYTES, NUMERIC_KINDS, refusal, weight_location

if TYPE_CHECKING:
    from .weights import Opener

# numpy's names for the element types h5py maps HDF5's to (str(dataset.dtype)), by the reader's kinds;
# any other kind (compound, enum, array, opaque, reference ...) is handed to h5py.
_NUMPY_KINDS = {"int": ("i", "int"), "uint": ("u", "uint"), "float": ("f", "float"), "complex": ("c", "complex")}
_STRING_KINDS = ("string", "vlen-string")
# numpy kinds whose stored bytes are the values as h5py returns them (HDF5's bool is an enum: h5py's reader).
_DIRECT_KINDS = frozenset("iufc")


class Openers(NamedTuple):
    """How a weight reader opens the file again: through h5py, or as plain bytes (contiguous.py)."""

    h5py: Opener
    raw: RawOpener


class HandOff(Exception):
    """The file is read through h5py instead; the message says why (tests and the differential test)."""


class Found(NamedTuple):
    artifact: ir.ModelArtifact
    layer_names: tuple[str, ...]  # what H5L002 lists for a weights-only file


def read(path: str, opener: Opener) -> Found:
    """The artifact of a legacy Keras HDF5 file, or :class:`HandOff`."""
    try:
        # A file object, not a path: the reader would memory-map a path, and a file truncated while
        # mapped kills the process (SIGBUS) where a read just comes back short.
        file = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise HandOff(f"cannot be opened: {exc}") from None
    try:
        with file, open_hdf5(file, max_objects=limits.MAX_OBJECTS, max_attr_bytes=limits.MAX_ATTR_BYTES) as h5:
            return _read_open(path, h5.root, Openers(opener, functools.partial(open, path, "rb")))
    except HDF5Error as exc:
        raise HandOff(str(exc)) from exc


def _read_open(path: str, root: Group, openers: Openers) -> Found:
    references = _outside_references(root)
    if "model_config" in root.attrs:
        return Found(_full_model(path, root, references, openers), ())
    if _has_list(root, "layer_names"):
        weights = _legacy_weights(root, openers, "")
        names = _list(root, "layer_names") or ()
        return Found(_weights_only(path, root, references, weights), names)
    if "nb_layers" in root.attrs:
        raise HandOff("a Keras 0.3 weights file")
    if any(_hard_group(root, name) for name in KERAS3_MARKERS):
        raise HandOff("a Keras 3 weights store")
    model_weights = _hard_group(root, "model_weights")
    if model_weights is not None and _has_list(model_weights, "layer_names"):
        weights = _legacy_weights(model_weights, openers, "model_weights")
        return Found(_weights_only(path, root, references, weights), tuple(layer.name for layer in weights))
    raise HandOff("not a Keras model")


def _full_model(path: str, root: Group, references: tuple[ir.H5Reference, ...], openers: Openers) -> ir.ModelArtifact:
    model_config, nonstandard = _json(root, "model_config")
    if model_config is None:
        raise HandOff("model_config holds null")
    training_config = None
    if "training_config" in root.attrs:
        training_config, more = _json(root, "training_config")
        nonstandard = tuple(sorted(set(nonstandard) | set(more)))
    model_weights = _group(_resolve(root, "model_weights"))
    return ir.ModelArtifact(
        path=path,
        format=H5_FULL,
        layout=LEGACY_FULL,
        versions=_versions(root),
        keras=ir.KerasConfig(model_config, training_config, where="model_config attribute"),
        weights=() if model_weights is None else _legacy_weights(model_weights, openers, "model_weights"),
        has_optimizer_weights=_group(_resolve(root, "optimizer_weights")) is not None,
        h5_references=references,
        nonstandard_json=nonstandard,
    )


def _weights_only(
    path: str, root: Group, references: tuple[ir.H5Reference, ...], weights: tuple[ir.WeightLayer, ...]
) -> ir.ModelArtifact:
    return ir.ModelArtifact(
        path=path,
        format=H5_WEIGHTS,
        layout=LEGACY_WEIGHTS,
        versions=_versions(root),
        weights=weights,
        has_optimizer_weights=_group(_resolve(root, "optimizer_weights")) is not None,
        h5_references=references,
    )


def _json(obj: Group, name: str) -> tuple[object, tuple[str, ...]]:
    try:
        return parse_json(_text(obj, name), f"{name} attribute")
    except JsonProblem as exc:
        raise HandOff(str(exc)) from None


def _versions(root: Group) -> ir.VersionTags:
    """keras_version / backend from the root, else from ``model_weights``, as model.py's ``_versions``."""
    places = [root]
    model_weights = _group(_resolve(root, "model_weights"))
    if model_weights is not None:
        places.append(model_weights)
    found: dict[str, str | None] = {}
    for name in ("keras_version", "backend"):
        found[name] = None
        for place in places:
            if name in place.attrs:
                text = _text(place, name, limits.VERSION_TAG_BYTES).strip()
                found[name] = text or None
            if found[name]:
                break
    return ir.VersionTags(keras_version=found["keras_version"], backend=found["backend"])


# --- attributes, as attrs.py reads them from h5py --------------------------------------------------


def _value(obj: Group | Dataset, name: str, budget: int | None = None) -> object:
    """The attribute's value, after attrs.py's size checks (which hand off where h5py's path refuses)."""
    info = obj.attrs.info(name)
    if info.shape is None:
        raise HandOff(f"{name}: a null dataspace")
    count = 1
    for dim in info.shape:
        count *= dim
    if info.dtype.vlen:
        if count > limits.MAX_VLEN_ELEMENTS:
            raise HandOff(f"{name}: over the budget of strings")
    elif info.dtype.size * count > (limits.MAX_ATTR_BYTES if budget is None else budget):
        raise HandOff(f"{name}: over the budget of bytes")
    return obj.attrs[name]


def _as_text(value: object, kind: str) -> str:
    # h5py gives a fixed-length string as bytes (decoded here as attrs.to_text does) and a variable-length
    # one as str; one that is not UTF-8 it refuses or decodes its own way.
    if kind not in _STRING_KINDS:
        raise HandOff(f"a {kind} where a string belongs")
    if isinstance(value, str):
        return value
    if isinstance(value, bytes) and kind == "string":
        return value.decode("utf-8", "surrogateescape")
    raise HandOff("a variable-length string that is not UTF-8")


def _text(obj: Group | Dataset, name: str, budget: int | None = None) -> str:
    """A string attribute that is present (scalar, or an array of one string, as attrs.to_text takes)."""
    value = _value(obj, name, budget)
    if isinstance(value, Array):
        if len(value) != 1:
            raise HandOff(f"{name}: {len(value)} strings where one belongs")
        return _as_text(value[0], value.dtype.kind)
    return _as_text(value, obj.attrs.info(name).dtype.kind)


def _has_list(obj: Group, name: str) -> bool:
    return name in obj.attrs or f"{name}0" in obj.attrs


def _list(obj: Group, name: str) -> tuple[str, ...] | None:
    """A list of names stored whole or chunked as ``name0``, ``name1`` ...; None if absent."""
    if name in obj.attrs:
        return _list_value(obj, name)
    names: list[str] = []
    index = 0
    while f"{name}{index}" in obj.attrs:
        if index >= limits.MAX_CHUNKS:
            raise HandOff(f"{name}: too many chunks")
        names.extend(_list_value(obj, f"{name}{index}"))
        index += 1
    return tuple(names) if index else None


def _list_value(obj: Group, name: str) -> tuple[str, ...]:
    value = _value(obj, name)
    if isinstance(value, Array):
        # An empty array of any type is the empty list (a layer without weights).
        return tuple(_as_text(item, value.dtype.kind) for item in value) if value else ()
    return (_as_text(value, obj.attrs.info(name).dtype.kind),)


# --- links, as links.py walks them through h5py --------------------------------------------------


def _resolve(group: Group, path: str) -> Group | Dataset | None:
    """links.resolve: ``path`` relative to ``group`` whatever its leading '/', through hard and in-file soft links."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raise HandOff("a name that is not UTF-8 (h5py cannot look it up)") from None
    found = group.get(path.lstrip("/"))
    return found if isinstance(found, (Group, Dataset)) else None


def _group(obj: Group | Dataset | None) -> Group | None:
    if not isinstance(obj, Group):
        return None
    header = obj.header
    if header.find(SYMBOL_TABLE) is None and header.find(LINK_INFO) is None and header.find(LINK) is None:
        # The reader calls any object without a dataset's or datatype's messages a group; libhdf5 does not.
        raise HandOff(f"{obj.name}: an object of no type libhdf5 knows")
    return obj


def _hard_group(root: Group, name: str) -> Group | None:
    link = root.link(name)
    return _group(root.get(name)) if link is not None and link.kind == "hard" else None


def _outside_references(root: Group) -> tuple[ir.H5Reference, ...]:
    """links.outside_references: every external link, externally stored and virtual dataset (none followed)."""
    found: list[ir.H5Reference] = []
    seen = {root.address}
    pending: list[tuple[str, Group]] = [("", root)]
    visited = 0
    while pending:
        prefix, current = pending.pop()
        below: list[tuple[str, Group]] = []
        for link in sorted(current.links(), key=lambda link: link.name):
            visited += 1
            if visited > limits.MAX_OBJECTS:
                raise HandOff("more links than links.walk visits")
            path = f"{prefix}{link.name}"
            if link.kind == "external":
                found.append(ir.H5Reference("external-link", f"/{path}", link.target))
            if link.kind != "hard":
                continue
            if "/" in link.name or link.name == ".":
                raise HandOff(f"a link named {link.name!r}")
            obj = current.get(link.name)
            if isinstance(obj, Dataset):
                found.extend(_dataset_references(f"/{path}", obj))
            elif _group(obj) is not None and obj.address not in seen:
                seen.add(obj.address)
                below.append((f"{path}/", obj))
        pending.extend(reversed(below))
    return tuple(sorted(found, key=lambda ref: (ref.location, ref.kind, ref.target)))


def _dataset_references(location: str, dset: Dataset) -> list[ir.H5Reference]:
    found = [ir.H5Reference("external-storage", location, name) for name, _offset, _size in dset.external_files]
    if dset.virtual:
        targets = sorted({f"{file}:{name}" for file, name in dset.virtual_sources})
        if not targets:
            raise HandOff(f"{location}: a virtual dataset without sources")
        found.extend(ir.H5Reference("virtual-dataset", location, target) for target in targets)
    return found


# --- weights, as weights.py inventories them --------------------------------------------------------


def _legacy_weights(group: Group, openers: Openers, group_path: str) -> tuple[ir.WeightLayer, ...]:
    """weights.legacy_weights: one entry per listed layer that has a group, its listed datasets that exist."""
    layers: list[ir.WeightLayer] = []
    for layer_name in _list(group, "layer_names") or ():
        layer_group = _group(_resolve(group, layer_name))
        if layer_group is None:
            continue
        weights = []
        for weight_name in _list(layer_group, "weight_names") or ():
            dset = _resolve(layer_group, weight_name)
            if isinstance(dset, Dataset):
                location = weight_location(group_path, layer_name, weight_name)
                weights.append(_weight_array(dset, layer_name, weight_name, location, openers))
        layers.append(ir.WeightLayer(layer_name, tuple(weights)))
    return tuple(layers)


def _weight_array(dset: Dataset, layer: str, name: str, location: str, openers: Openers) -> ir.WeightArray:
    numpy_kind, dtype_name, itemsize = _numpy_type(dset)
    if "dtype" in dset.attrs:  # Keras 3 tags bfloat16 variables stored as float32
        dtype_name = _text(dset, "dtype", limits.DTYPE_TAG_BYTES) or dtype_name
    shape = dset.shape
    declared = 0
    if shape is not None:
        declared = itemsize
        for dim in shape:
            declared *= dim
    refused = refusal(declared, dset.storage_size if declared > MIN_BOMB_BYTES else 0)
    outside = bool(dset.external_files) or dset.virtual
    readable = numpy_kind in NUMERIC_KINDS and not outside and refused is None
    reader = None
    if readable:
        offset = dset.data_offset
        if offset is not None and numpy_kind in _DIRECT_KINDS and declared <= dset.storage_size:
            order = ">" if dset.dtype.byteorder == ">" else "<"
            reader = contiguous_reader(openers.raw, offset, declared // itemsize, f"{order}{numpy_kind}{itemsize}")
        else:
            from .weights import (
                value_reader,  # h5py: only for what is not one block in this file
            )

            reader = value_reader(openers.h5py, location)
    return ir.WeightArray(
        layer=layer,
        name=name,
        shape=tuple(shape or ()),
        dtype=dtype_name,
        location=location,
        _reader=reader,
        refused=refused,
    )


def _numpy_type(dset: Dataset) -> tuple[str, str, int]:
    """numpy's kind, name and item size of the type h5py reads the dataset as."""
    dtype = dset.dtype
    if dtype.kind == "bool":
        return "b", "bool", 1
    if dtype.kind == "vlen-string":
        return "O", "object", 8
    if dtype.kind == "string":
        return "S", f"|S{dtype.size}", dtype.size
    sizes = (2, 4, 8) if dtype.kind == "float" else (8, 16) if dtype.kind == "complex" else (1, 2, 4, 8)
    if dtype.kind not in _NUMPY_KINDS or dtype.size not in sizes:
        raise HandOff(f"{dset.name}: a {dtype.kind} of {dtype.size} bytes")
    code, word = _NUMPY_KINDS[dtype.kind]
    if dtype.size > 1 and dtype.byteorder != "<":
        return code, dtype.numpy_str, dtype.size  # numpy names a big-endian type by its code ('>f4')
    return code, f"{word}{dtype.size * 8}", dtype.size
