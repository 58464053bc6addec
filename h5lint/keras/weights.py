"""Which stored weight arrays belong to which graph layer, and bounded scans of their values.

Files name weights three ways (formats.md §1.3, §3.3): legacy HDF5 groups are layer names holding
variable names (``dense/kernel:0``, nested ``inner_seq/dense_1/kernel``, Keras 1 ``dense_1_W``);
Keras 3 stores number the variables of each saveable object (``0``, ``layer/vars/0``,
``forward_layer/cell/vars/0``, ``layers/dense/vars/0`` inside a nested model). A weight is matched to
the deepest layer its name identifies, never guessed: Keras 3 store paths inside nested models use
class-based attribute names, not layer names, so those stay with the nested model.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Protocol

from ..ir import WeightArray, WeightLayer
from . import quantization
from .knowledge import table
from .structure import Layer, ModelGraph

if TYPE_CHECKING:  # models without stored weights are checked without importing numpy
    import numpy as np


class StoredWeights(Protocol):
    """What these functions need of a :class:`~h5lint.keras.model.KerasModel`."""

    @property
    def graph(self) -> ModelGraph | None: ...

    @property
    def weights(self) -> tuple[WeightLayer, ...] | None: ...

    def weight_layer(self, name: str) -> WeightLayer | None: ...

# Elements per chunk when streaming values: bounded memory whatever the array's size.
CHUNK_ELEMENTS = 1 << 20
# Roles a Keras 3 store uses for wrapped layers, mapped to the config keys the graph uses.
_STORE_ROLES = {"forward_layer": "layer", "layer": "layer", "backward_layer": "backward_layer", "cell": "cell"}


# The kinds of the dtype names files store most, so that judging a weight's kind needs no numpy.
_KINDS = {
    **{f"float{b}": "f" for b in (16, 32, 64)},
    "bfloat16": "f",
    **{f"int{b}": "i" for b in (8, 16, 32, 64)},
    **{f"uint{b}": "u" for b in (8, 16, 32, 64)},
    "bool": "b",
    "complex64": "c",
    "complex128": "c",
}


def dtype_kind(dtype: str) -> str | None:
    """NumPy kind letter of a stored dtype name (``f`` for ``bfloat16`` too); None if unknown."""
    if dtype in _KINDS:
        return _KINDS[dtype]
    import numpy as np

    try:
        return np.dtype(dtype).kind
    except (TypeError, ValueError):
        return None


def is_float(weight: WeightArray) -> bool:
    return dtype_kind(weight.dtype) in ("f", "c")


def is_numeric(weight: WeightArray) -> bool:
    return dtype_kind(weight.dtype) in ("f", "c", "i", "u")


def all_values(weight: WeightArray, test: Callable[[np.ndarray], bool]) -> bool:
    """True if ``test`` holds for every chunk of a numeric weight with at least one value."""
    if not is_numeric(weight) or weight.size == 0:
        return False
    seen = False
    for chunk in weight.chunks(CHUNK_ELEMENTS):
        if chunk.size == 0:
            continue
        if not test(chunk):
            return False
        seen = True
    return seen


def is_all(weight: WeightArray, value: float) -> bool:
    return all_values(weight, lambda chunk: bool((chunk == value).all()))


def shape_text(weight: WeightArray) -> str:
    """``8x2`` (``scalar`` for a 0-d array), as messages show shapes."""
    return "x".join(str(d) for d in weight.shape) or "scalar"


def leaf_name(weight_name: str) -> str:
    """``kernel`` for ``dense/kernel:0``; ``dense_1_W`` for a Keras 1 name; ``0`` for a store variable."""
    return weight_name.rsplit("/", 1)[-1].split(":", 1)[0]


def param_name(stored_layer: str, weight_name: str) -> str:
    """The variable's own name: ``kernel``, ``mean``; Keras 1 ``dense_1_W`` in group ``dense_1`` gives ``W``."""
    leaf = leaf_name(weight_name)
    prefix = f"{stored_layer}_"
    return leaf[len(prefix) :] if leaf.startswith(prefix) and len(leaf) > len(prefix) else leaf


def is_store_name(weight_name: str) -> bool:
    """True for Keras 3 store variable paths (``0``, ``layer/vars/1``)."""
    parts = weight_name.split("/")
    return parts[-1].isdigit() and (len(parts) == 1 or "vars" in parts)


def children(layer: Layer) -> Iterator[Layer]:
    for _role, inner in layer.wrapped:
        yield inner
    if layer.submodel is not None:
        yield from layer.submodel.layers


def _store_owner(layer: Layer, parts: list[str]) -> Layer:
    # Only wrapper roles are followed: "layers/<x>" paths of nested models name attributes, not layers.
    current = layer
    for part in parts[: parts.index("vars")] if "vars" in parts else ():
        role = _STORE_ROLES.get(part)
        inner = next((l for r, l in current.wrapped if r == role), None) if role else None
        if inner is None:
            break
        current = inner
    return current


def owner(top: Layer, weight_name: str) -> Layer:
    """The deepest layer under the top-level layer ``top`` that the weight's name identifies."""
    parts = weight_name.split("/")
    if is_store_name(weight_name):
        return _store_owner(top, parts)
    current = top
    for part in parts[:-1]:
        if part == current.name:
            continue
        inner = next((c for c in children(current) if c.name == part), None)
        if inner is not None:
            current = inner
    return current


def top_layers(graph: ModelGraph | None) -> Mapping[str, Layer]:
    return {layer.name: layer for layer in graph.layers} if graph is not None else {}


def weight_location(model: StoredWeights, stored_layer: str, weight: WeightArray) -> str:
    """``layer:`` location of a stored weight: its graph layer when known, else the stored name."""
    top = top_layers(model.graph).get(stored_layer)
    if top is None:
        return f"layer:{stored_layer}"
    return f"layer:{owner(top, weight.name).location}"


def _scope_owners(graph: ModelGraph | None) -> dict[str, str]:
    """Top-level layer owning each layer name, nested-model layers included (their weights are stored
    under their own name scope, e.g. ``dense_1/kernel`` for ``inner_seq/dense_1``)."""
    owners: dict[str, str] = {}
    for top in graph.layers if graph else ():
        owners.setdefault(top.name, top.name)
    for layer in graph.walk() if graph else ():
        owners.setdefault(layer.name, layer.path[0])
    return owners


def _scope_owner(name: str, owners: Mapping[str, str], model_name: str | None) -> str:
    """The top-level layer a scoped weight name belongs to, from its first name scope."""
    parts = name.split("/")
    if len(parts) > 2 and parts[0] not in owners and parts[0] == model_name:
        parts = parts[1:]  # Keras 3 variable paths start with the model's name
    return owners.get(parts[0], parts[0]) if len(parts) > 1 else name


def regroup_scoped(graph: ModelGraph | None, stored: tuple[WeightLayer, ...]) -> tuple[WeightLayer, ...]:
    """Weights named by scope (TF.js), grouped by the top-level layer that owns each, in file order."""
    owners, model_name = _scope_owners(graph), graph.name if graph else None
    by_layer: dict[str, list[WeightArray]] = {}
    for entry in stored:
        for weight in entry.weights:
            layer = _scope_owner(weight.name, owners, model_name)
            by_layer.setdefault(layer, []).append(replace(weight, layer=layer))
    return tuple(WeightLayer(name, tuple(weights)) for name, weights in by_layer.items())


def layer_at(graph: ModelGraph | None, path: tuple[str, ...]) -> Layer | None:
    """The layer at a logical path, through nested models and wrappers."""
    if graph is None:
        return None
    pool: Iterable[Layer] = graph.layers
    current: Layer | None = None
    for name in path:
        current = next((layer for layer in pool if layer.name == name), None)
        if current is None:
            return None
        pool = list(children(current))
    return current


def owned_weights(model: StoredWeights, layer: Layer) -> list[WeightArray]:
    """Stored weights that belong to ``layer``.

    tf.keras names the weights of a layer wrapped alone (TimeDistributed(Dense)) in its wrapper's
    scope (``td/kernel:0``), so a wrapped layer with none of its own takes its single wrapper's.
    """
    top = top_layers(model.graph).get(layer.path[0])
    stored = model.weight_layer(layer.path[0])
    if top is None or stored is None:
        return []
    found = [w for w in stored.weights if owner(top, w.name).path == layer.path]
    parent = layer_at(model.graph, layer.path[:-1]) if len(layer.path) > 1 else None
    if not found and parent is not None and len(parent.wrapped) == 1 and parent.wrapped[0][1].path == layer.path:
        found = [w for w in stored.weights if owner(top, w.name).path == parent.path]
    return found


@functools.lru_cache(maxsize=1)
def _weighted_classes() -> frozenset[str]:
    return frozenset(table("layer_weights")["weighted"]["classes"])


def owns_weights(layer: Layer) -> bool:
    """True if the layer always owns weights: a built-in weighted class, or a wrapper/model holding one."""
    if layer.registered_name is None and layer.class_name in _weighted_classes():
        return True
    if layer.submodel is not None:
        return any(owns_weights(inner) for inner in layer.submodel.layers)
    return any(owns_weights(inner) for _role, inner in layer.wrapped)


def saved_unbuilt(model: StoredWeights) -> tuple[Layer, ...]:
    """The top-level layers that own weights, when the file lists its layers but stores no weight at all.

    Keras creates a layer's weights when the layer is built (its first call, or an input shape), and
    saves what exists: a model saved before it was built lists every layer with an empty weight group.
    Its config rebuilds an unbuilt model too, so loading matches nothing to nothing and succeeds; the
    layers get new random weights at their first call. Empty when the file stores any weight.
    """
    if model.graph is None or not model.weights or any(entry.weights for entry in model.weights):
        return ()
    return tuple(layer for layer in model.graph.layers if owns_weights(layer))


@functools.lru_cache(maxsize=1)
def kernel_classes() -> Mapping[str, tuple[str, ...]]:
    """Classes whose kernel is their first variable -> config keys giving its last dimension."""
    return {name: tuple(entry.get("last_dim", ())) for name, entry in table("layer_weights")["kernel"].items()}


def kernel_of(model: StoredWeights, layer: Layer) -> WeightArray | None:
    """The one kernel stored for ``layer`` (a built-in Dense or convolution), None when it cannot be told:
    a quantized layer whose mode stores another layout (int4, GPTQ, AWQ) has no such kernel, and its scales
    and zero points are never taken for one."""
    if layer.class_name not in kernel_classes() or layer.registered_name is not None:
        return None
    if not quantization.kernel_layout(layer):
        return None
    weights = owned_weights(model, layer)
    named = [w for w in weights if param_name(layer.path[0], w.name) in ("kernel", "W")]
    if not named and weights and all(is_store_name(w.name) for w in weights):
        named = [w for w in weights if leaf_name(w.name) == "0"]
    return named[0] if len(named) == 1 else None


def expected_last_dim(layer: Layer) -> tuple[str, int] | None:
    """The config key and value the layer's kernel must end with (``("units", 8)``), when known."""
    if layer.registered_name is not None:
        return None
    for key in kernel_classes().get(layer.class_name, ()):
        value = layer.config.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return key, value
    return None


def kernel_fits(layer: Layer, kernel: WeightArray) -> bool:
    """False when the kernel's last dimension contradicts the layer's ``units`` / ``filters``."""
    expected = expected_last_dim(layer)
    return expected is None or (bool(kernel.shape) and kernel.shape[-1] == expected[1])
