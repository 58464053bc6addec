"""Inventories of the weights an HDF5 file stores, with lazy chunked readers.

Building an inventory reads only attributes and dataset metadata (shape, dtype, storage layout);
values are read when a rule iterates :meth:`WeightArray.chunks`, through a reader that reopens the
file (``opener``), streams the dataset in slices of bounded size and closes it again, so neither
parse time nor memory grows with the size of the weights. Datasets whose data lives in other files
(external storage, virtual datasets) are listed but never read.
"""

from __future__ import annotations

from typing import Callable, ContextManager, Iterator

import h5py
import numpy as np

from ...ir import WeightArray, WeightLayer
from ...openfiles import found_in, opened
from .attrs import AttrProblem, list_attr, read_raw, text_attr
from .limits import DTYPE_TAG_BYTES, NUMERIC_KINDS, refusal, weight_location
from .links import child, hard_links, reaches_outside, resolve, walk

Opener = Callable[[], ContextManager[h5py.File]]

# Groups of a Keras 3 weights store that hold the model's layers (2.12-2.14 wrote the second one).
KERAS3_LAYER_CONTAINERS = ("layers", "_layer_checkpoint_dependencies")
# Top-level groups of a Keras 3 store that are not layers: the model's own variables, training state.
KERAS3_NOT_LAYERS = frozenset({"vars", "optimizer", "metrics"})

def _stream(dset: h5py.Dataset, max_elements: int) -> Iterator[np.ndarray]:
    """Flat chunks of at most ``max_elements`` values, slicing the outermost axes that keep under it."""
    shape = dset.shape
    if shape is None:  # null dataspace: no values at all
        return
    if len(shape) == 0:
        yield np.asarray(dset[()]).reshape(1)
        return
    if 0 in shape:
        return
    limit = max(1, int(max_elements))
    if dset.size <= limit:  # most arrays: one read, no slicing
        yield np.asarray(dset[()]).reshape(-1)
        return
    # inner[i] = elements in one index of axis i-1, i.e. the product of shape[i:]
    inner = [1] * (len(shape) + 1)
    for axis in range(len(shape) - 1, -1, -1):
        inner[axis] = inner[axis + 1] * shape[axis]
    axis = next(a for a in range(len(shape)) if inner[a + 1] <= limit)
    step = limit // inner[axis + 1]
    for outer in np.ndindex(*shape[:axis]):
        for start in range(0, shape[axis], step):
            yield np.asarray(dset[outer + (slice(start, min(start + step, shape[axis])),)]).reshape(-1)


def _dataset(h5: h5py.File, location: str, groups: dict) -> h5py.Group | h5py.Dataset | None:
    """``resolve(h5, location)``, walking to each group once per open file: a layer's arrays share their
    group, and every array shares the path down to ``model_weights``."""
    parent, _, name = location.rpartition("/")
    if not name or name == ".":
        return resolve(h5, location)
    if parent not in groups:
        groups[parent] = resolve(h5, parent)
    group = groups[parent]
    return child(group, name) if isinstance(group, h5py.Group) else None


def value_reader(opener: Opener, location: str) -> Callable[[int], Iterator[np.ndarray]]:
    def read(max_elements: int) -> Iterator[np.ndarray]:
        # A reader is called from rules, which cannot report I/O trouble: a dataset that vanished,
        # became unreadable or points outside the file yields no (further) values.
        try:
            with opened(opener) as h5:  # one open file per artifact while the engine checks it
                dset = _dataset(h5, location, found_in(opener))
                if not isinstance(dset, h5py.Dataset) or reaches_outside(dset):
                    return
                yield from _stream(dset, max_elements)
        except (OSError, RuntimeError, ValueError, TypeError, KeyError):
            return

    return read


def _dtype_name(dset: h5py.Dataset) -> str:
    # Keras 3 stores bfloat16 variables as float32 data tagged with a ``dtype`` attribute.
    try:
        tagged = text_attr(dset, "dtype", budget=DTYPE_TAG_BYTES)
    except AttrProblem:
        tagged = None
    return tagged or str(dset.dtype)


def _refused(dset: h5py.Dataset) -> str | None:
    """Why the dataset's values are not read: it declares far more than it stores (Keras 3.15 refuses it)."""
    declared = dset.size * dset.dtype.itemsize if dset.shape is not None else 0
    try:
        stored = dset.id.get_storage_size()
    except (OSError, RuntimeError, ValueError):
        stored = 0
    return refusal(declared, stored)


def weight_array(dset: h5py.Dataset, layer: str, name: str, location: str, opener: Opener) -> WeightArray:
    """The inventory entry of one dataset (metadata only; values are read lazily)."""
    refused = _refused(dset)
    readable = dset.dtype.kind in NUMERIC_KINDS and not reaches_outside(dset) and refused is None
    return WeightArray(
        layer=layer,
        name=name,
        shape=tuple(int(d) for d in dset.shape or ()),
        dtype=_dtype_name(dset),
        location=location,
        _reader=value_reader(opener, location) if readable else None,
        refused=refused,
    )


def legacy_weights(group: h5py.Group, opener: Opener, group_path: str) -> tuple[WeightLayer, ...]:
    """Weights of a ``model_weights`` group or a weights-only root (``layer_names`` / ``weight_names``).

    One entry per listed layer that has a group; weights named in ``weight_names`` but missing from
    the file are left out (so rules see exactly what a loader would find). Raises ``AttrProblem``
    when a name list cannot be read.
    """
    layers: list[WeightLayer] = []
    for layer_name in list_attr(group, "layer_names") or ():
        layer_group = resolve(group, layer_name)
        if not isinstance(layer_group, h5py.Group):
            continue
        weights = []
        for weight_name in list_attr(layer_group, "weight_names") or ():
            dset = resolve(layer_group, weight_name)
            if isinstance(dset, h5py.Dataset):
                location = weight_location(group_path, layer_name, weight_name)
                weights.append(weight_array(dset, layer_name, weight_name, location, opener))
        layers.append(WeightLayer(layer_name, tuple(weights)))
    return tuple(layers)


def keras03_weights(h5: h5py.File, opener: Opener) -> tuple[WeightLayer, ...]:
    """Keras 0.3 weights: root ``nb_layers``, groups ``layer_<k>`` with ``nb_params`` datasets ``param_<p>``."""
    layers: list[WeightLayer] = []
    for k in range(_count_attr(h5, "nb_layers")):
        layer_group = resolve(h5, f"layer_{k}")
        if not isinstance(layer_group, h5py.Group):
            continue
        layer_name = f"layer_{k}"
        weights = []
        for p in range(_count_attr(layer_group, "nb_params")):
            dset = resolve(layer_group, f"param_{p}")
            if isinstance(dset, h5py.Dataset):
                weights.append(weight_array(dset, layer_name, f"param_{p}", f"{layer_name}/param_{p}", opener))
        layers.append(WeightLayer(layer_name, tuple(weights)))
    return tuple(layers)


def _count_attr(obj: h5py.HLObject, name: str, limit: int = 1_000_000) -> int:
    value = read_raw(obj, name, budget=64)
    try:
        count = int(np.asarray(value).reshape(-1)[0])
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0
    return min(max(count, 0), limit)


def _variable_order(path: str) -> tuple[str, int, str]:
    # Variables are datasets 0, 1, ... 10: order them as numbers within their vars group.
    folder, _, leaf = path.rpartition("/")
    return (folder, int(leaf) if leaf.isdigit() else 1 << 62, leaf)


def _vars_name(group: h5py.Group) -> str | None:
    """The ``name`` attribute Keras >= 3.6 puts on a saveable object's ``vars`` group."""
    own_vars = resolve(group, "vars")
    return text_attr(own_vars, "name") if isinstance(own_vars, h5py.Group) else None


def _variables(group: h5py.Group, layer_name: str, store_path: str, opener: Opener) -> tuple[WeightArray, ...]:
    """Datasets directly inside a ``vars`` group anywhere below ``group``, in variable order."""
    found = [
        (path, obj)
        for path, _link, obj in walk(group)
        if isinstance(obj, h5py.Dataset) and path.rpartition("/")[0].rpartition("/")[2] == "vars"
    ]
    weights = []
    for path, dset in sorted(found, key=lambda item: _variable_order(item[0])):
        weight_name = path[len("vars/") :] if path.startswith("vars/") else path
        weights.append(weight_array(dset, layer_name, weight_name, weight_location(store_path, path), opener))
    return tuple(weights)


def _keras3_layer(group: h5py.Group, store_path: str, opener: Opener) -> WeightLayer:
    """One saveable object of a store: its own ``vars`` and those of sub-objects (cells, wrapped layers)."""
    layer_name = _vars_name(group) or store_path
    return WeightLayer(layer_name, _variables(group, layer_name, store_path, opener))


def keras3_weights(h5: h5py.File, opener: Opener) -> tuple[WeightLayer, ...]:
    """Weights of a Keras 3 / tf-keras weights store (``model.weights.h5``, ``x.weights.h5``).

    One entry per top-level layer (``layers/<x>``, ``_layer_checkpoint_dependencies/<x>``, or an
    attribute group of a subclassed model such as ``d``), named by the ``name`` attribute of its
    ``vars`` group (Keras >= 3.6) or else by its store path (``layers/dense_1``); weights of wrapped
    layers and cells are included under their relative path (``forward_layer/cell/vars/0``). The
    model's own variables (root ``vars``) appear as one more entry when there are any. ``optimizer``
    and ``metrics`` are training state, not layer weights (see :func:`keras3_has_optimizer_weights`).
    Raises ``AttrProblem`` when a ``name`` attribute cannot be read.
    """
    layers: list[WeightLayer] = []
    own_vars = resolve(h5, "vars")
    if isinstance(own_vars, h5py.Group):
        model_name = _vars_name(h5) or "vars"
        own = tuple(
            weight_array(obj, model_name, path, f"vars/{path}", opener)
            for path, obj in sorted(hard_links(own_vars), key=lambda item: _variable_order(item[0]))
            if isinstance(obj, h5py.Dataset)
        )
        if own:
            layers.append(WeightLayer(model_name, own))
    for name, obj in hard_links(h5):
        if not isinstance(obj, h5py.Group) or name in KERAS3_NOT_LAYERS:
            continue
        if name in KERAS3_LAYER_CONTAINERS:
            layers.extend(
                _keras3_layer(sub, f"{name}/{sub_name}", opener)
                for sub_name, sub in hard_links(obj)
                if isinstance(sub, h5py.Group)
            )
        else:
            layers.append(_keras3_layer(obj, name, opener))
    return tuple(layers)


def keras3_has_optimizer_weights(h5: h5py.File) -> bool:
    """True if the store's ``optimizer`` group holds any variable."""
    optimizer = resolve(h5, "optimizer")
    if not isinstance(optimizer, h5py.Group):
        return False
    return any(isinstance(obj, h5py.Dataset) for _path, _link, obj in walk(optimizer))
