"""What a model holds, as ``h5lint inspect`` shows it: a ``model.summary()`` and what only the file knows.

Built from the semantic model alone: layers with their key arguments, output activation, trainable flag and
parameter count (the element counts of the weights the file stores for them, never their values), nested models,
inputs, outputs with loss / metrics / ``from_logits``, optimizer, dtype policies, custom objects, Lambda and
stateful layers, weight totals, SavedModel signatures, and the load call. Renderers live in :mod:`h5lint.inspect`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..findings import LoadCall
from ..ir import SavedModelInfo, TensorSpec, VersionTags, WeightArray
from .builtins import needs_code, third_party_package
from .loading import load_call
from .model import KerasModel
from .objects import group_by_name
from .refs import object_ref
from .shapes import dims
from .structure import Layer, ModelGraph
from .versions import Target
from .weights import owned_weights

# Config keys that say what a layer does, in the order a summary shows them (the first few present).
KEY_ARGUMENTS = (
    "units",
    "filters",
    "kernel_size",
    "strides",
    "pool_size",
    "size",
    "depth_multiplier",
    "rate",
    "input_dim",
    "output_dim",
    "num_heads",
    "key_dim",
    "target_shape",
    "dims",
    "axis",
    "padding",
    "return_sequences",
    "return_state",
    "go_backwards",
    "merge_mode",
    "n",
    "cropping",
    "mode",
    "epsilon",
)
_SHOWN_ARGUMENTS = 4
_RECURRENT_WRAPPERS = ("Bidirectional", "TimeDistributed")


@dataclass(frozen=True)
class WeightSummary:
    name: str  # as stored ("dense/kernel:0", "0", "layers/dense/vars/0")
    shape: tuple[int, ...]
    dtype: str


@dataclass(frozen=True)
class LayerRow:
    """One row of the layer table; nested-model and wrapped layers follow their parent with a larger depth."""

    location: str  # "head/h1"
    name: str
    class_name: str
    depth: int
    key_config: tuple[tuple[str, Any], ...] = ()
    activation: str | None = None
    trainable: bool | None = None
    dtype_policy: str | None = None
    # Elements of the weights the file stores for this layer (nested models and wrappers: of everything inside);
    # None when the format stores no weights h5lint can see.
    params: int | None = None
    weights: tuple[WeightSummary, ...] = ()
    inbound: tuple[str, ...] = ()  # "hidden[0][0]" per input of its first call
    stateful: bool = False
    is_lambda: bool = False
    is_model: bool = False
    registered_name: str | None = None


@dataclass(frozen=True)
class InputSummary:
    name: str
    shape: tuple[int | None, ...] | None  # batch dimension first; None when not recorded
    dtype: str | None


@dataclass(frozen=True)
class OutputSummary:
    name: str
    layer: str
    activation: str | None  # what squashes the output (None: unknown, e.g. a custom layer)
    loss: str | None
    from_logits: bool | None  # None when not compiled
    loss_weight: float | None
    metrics: tuple[str, ...] = ()


@dataclass(frozen=True)
class WeightTotals:
    arrays: int
    parameters: int  # elements
    bytes: int | None  # None when a dtype's size is unknown
    by_dtype: Mapping[str, int] = field(default_factory=dict)  # elements per dtype
    unassigned: tuple[str, ...] = ()  # stored weight groups no graph layer owns


@dataclass(frozen=True)
class SignatureSummary:
    key: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]


@dataclass(frozen=True)
class ModelSummary:
    path: str
    format: str
    layout: str | None
    versions: VersionTags
    target: str
    model_class: str | None = None
    model_name: str | None = None
    kind: str | None = None  # sequential, functional, subclassed
    inputs: tuple[InputSummary, ...] = ()
    layers: tuple[LayerRow, ...] = ()
    nested_models: tuple[str, ...] = ()
    outputs: tuple[OutputSummary, ...] = ()
    optimizer: str | None = None
    learning_rate: Any = None
    dtype_policies: Mapping[str, int] = field(default_factory=dict)  # policy name -> layers using it
    custom_objects: tuple[str, ...] = ()
    third_party: tuple[str, ...] = ()
    lambda_layers: tuple[str, ...] = ()
    stateful_layers: tuple[str, ...] = ()
    weights: WeightTotals | None = None
    signatures: tuple[SignatureSummary, ...] = ()
    load: LoadCall | None = None
    problem: str | None = None


# ----------------------------------------------------------------------------------------------- layers
def _activation(config: Mapping[str, Any]) -> str | None:
    value = config.get("activation")
    if value is None:
        return None
    ref = object_ref(value)
    return ref.key if ref is not None else None


def _key_config(config: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    found = []
    for key in KEY_ARGUMENTS:
        value = config.get(key)
        if key in config and value is not None and value is not False and not isinstance(value, Mapping):
            found.append((key, value))
        if len(found) == _SHOWN_ARGUMENTS:
            break
    return tuple(found)


def _stateful(layer: Layer) -> bool:
    return layer.config.get("stateful") is True


def _inbound(layer: Layer) -> tuple[str, ...]:
    return tuple(f"{r.layer}[{r.node_index}][{r.tensor_index}]" for r in (layer.inbound[0] if layer.inbound else ()))


def _stored(model: KerasModel, layer: Layer, top: bool) -> tuple[int | None, tuple[WeightArray, ...]]:
    if model.weights is None:
        return None, ()
    if top:
        stored = model.weight_layer(layer.name)
        arrays = stored.weights if stored is not None else ()
        return sum(w.size for w in arrays), arrays
    arrays = tuple(owned_weights(model, layer))
    if not arrays and _unattributed(model, layer.path[0]):
        return None, ()  # the file names its weights in a way that does not say which inner layer owns them
    return sum(w.size for w in arrays), arrays


def _unattributed(model: KerasModel, top_name: str) -> bool:
    """True when weights stored for a wrapper or nested model are not all owned by a layer inside it (Keras 3
    stores name a nested model's variables by attribute paths such as ``layers/dense/vars/0``)."""
    top = next((layer for layer in model.graph.layers if layer.name == top_name), None) if model.graph else None
    stored = model.weight_layer(top_name)
    if top is None or stored is None or not (top.wrapped or top.submodel):
        return False
    inner = {id(w) for layer in top.walk() if layer is not top for w in owned_weights(model, layer)}
    return any(id(w) not in inner for w in stored.weights)


def _rows(model: KerasModel, layer: Layer, depth: int) -> Iterator[LayerRow]:
    params, arrays = _stored(model, layer, depth == 0)
    # A top-level row counts everything stored under its name; the rows below it show where that goes.
    yield LayerRow(
        location=layer.location,
        name=layer.name,
        class_name=layer.class_name,
        depth=depth,
        key_config=_key_config(layer.config),
        activation=_activation(layer.config),
        trainable=layer.config.get("trainable") if isinstance(layer.config.get("trainable"), bool) else None,
        dtype_policy=layer.dtype_policy,
        params=params,
        weights=tuple(WeightSummary(w.name, w.shape, w.dtype) for w in arrays)
        if not layer.wrapped and not layer.submodel
        else (),
        inbound=_inbound(layer),
        stateful=_stateful(layer),
        is_lambda=bool(layer.code),
        is_model=layer.submodel is not None,
        registered_name=layer.registered_name,
    )
    for _role, inner in layer.wrapped:
        yield from _rows(model, inner, depth + 1)
    if layer.submodel is not None:
        for inner in layer.submodel.layers:
            yield from _rows(model, inner, depth + 1)


# ----------------------------------------------------------------------------------------------- inputs
def _inputs(graph: ModelGraph) -> tuple[InputSummary, ...]:
    found = []
    layers = {layer.name: layer for layer in graph.layers}
    for ref in graph.inputs:
        layer = layers.get(ref.layer)
        if layer is None:
            continue
        config = layer.config
        shape = None
        for key in ("batch_shape", "batch_input_shape"):
            listed_dims = dims(config.get(key))
            if listed_dims is not None:
                shape = tuple(d if isinstance(d, int) and not isinstance(d, bool) else None for d in listed_dims)
                break
        dtype = config.get("dtype") if isinstance(config.get("dtype"), str) else layer.dtype_policy
        found.append(InputSummary(layer.name, shape, dtype))
    return tuple(found)


# ---------------------------------------------------------------------------------------------- outputs
def _metric_names(value: Any) -> list[str]:
    names = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, list):
            names += _metric_names(item)
            continue
        ref = object_ref(item)
        if ref is not None:
            config = ref.config if isinstance(ref.config, Mapping) else {}
            names.append(config.get("name") if isinstance(config.get("name"), str) else ref.key)
    return names


def _metrics_by_output(model: KerasModel) -> list[tuple[str, ...]]:
    names = [o.name for o in model.outputs]
    raw = model.training.raw.get("metrics") if model.training is not None else None
    if raw is None:
        return [()] * len(names)
    if isinstance(raw, Mapping) and not isinstance(raw.get("class_name"), str):
        return [tuple(_metric_names(raw.get(name))) for name in names]
    if isinstance(raw, list) and len(names) > 1 and len(raw) == len(names) and all(isinstance(i, list) for i in raw):
        return [tuple(_metric_names(item)) for item in raw]
    every = tuple(_metric_names(raw))  # one list for all outputs (Keras 2), or a single metric
    return [every] * len(names)


def _outputs(model: KerasModel) -> tuple[OutputSummary, ...]:
    heads = model.heads
    metrics = _metrics_by_output(model)
    found = []
    for index, output in enumerate(model.outputs):
        head = heads[index] if index < len(heads) else None
        loss = output.loss
        found.append(
            OutputSummary(
                name=output.name,
                layer=output.tensor.layer,
                activation=head.activation.name if head is not None and head.activation is not None else None,
                loss=loss.name if loss is not None else None,
                from_logits=loss.from_logits if loss is not None else None,
                loss_weight=output.loss_weight,
                metrics=metrics[index] if index < len(metrics) else (),
            )
        )
    return tuple(found)


# ---------------------------------------------------------------------------------------------- weights
def _nbytes(dtype: str) -> int | None:
    if dtype == "bfloat16":
        return 2
    import numpy as np

    try:
        size = np.dtype(dtype).itemsize
    except (TypeError, ValueError):
        return None
    return size if size > 0 else None


def _totals(model: KerasModel) -> WeightTotals | None:
    if model.weights is None:
        return None
    arrays = [w for entry in model.weights for w in entry.weights]
    by_dtype: Counter[str] = Counter()
    total_bytes: int | None = 0
    for weight in arrays:
        by_dtype[weight.dtype] += weight.size
        size = _nbytes(weight.dtype)
        total_bytes = None if size is None or total_bytes is None else total_bytes + size * weight.size
    graph_names = {layer.name for layer in model.graph.layers} if model.graph is not None else set()
    unassigned = tuple(e.name for e in model.weights if e.weights and e.name not in graph_names) if graph_names else ()
    return WeightTotals(len(arrays), sum(by_dtype.values()), total_bytes, dict(sorted(by_dtype.items())), unassigned)


def _signatures(info: SavedModelInfo | None) -> tuple[SignatureSummary, ...]:
    if info is None:
        return ()
    return tuple(SignatureSummary(s.key, s.inputs, s.outputs) for s in info.signatures)


# ------------------------------------------------------------------------------------------------- model
def _learning_rate(model: KerasModel) -> Any:
    optimizer = model.training.optimizer if model.training is not None else None
    config = optimizer.config if optimizer is not None and isinstance(optimizer.config, Mapping) else {}
    value = config.get("learning_rate", config.get("lr"))
    ref = object_ref(value) if isinstance(value, Mapping) else None
    return ref.key if ref is not None else value


def summarize(model: KerasModel, target: Target) -> ModelSummary:
    graph = model.graph
    layers: tuple[LayerRow, ...] = ()
    if graph is not None:
        layers = tuple(row for layer in graph.layers for row in _rows(model, layer, 0))
    custom = [u for u in model.named_objects if needs_code(u, model.keras_line, target, frozenset())]
    third = sorted({p.pip for p in (third_party_package(u) for u in custom) if p is not None})
    optimizer = model.training.optimizer if model.training is not None else None
    all_layers = list(graph.walk()) if graph is not None else []
    return ModelSummary(
        path=model.path,
        format=model.format.name,
        layout=model.layout,
        versions=model.versions,
        target=str(target),
        model_class=graph.class_name if graph is not None else None,
        model_name=graph.name if graph is not None else None,
        kind=graph.kind if graph is not None else None,
        inputs=_inputs(graph) if graph is not None else (),
        layers=layers,
        nested_models=tuple(layer.location for layer in all_layers if layer.submodel is not None),
        outputs=_outputs(model),
        optimizer=optimizer.key if optimizer is not None else None,
        learning_rate=_learning_rate(model),
        dtype_policies=dict(Counter(layer.dtype_policy for layer in all_layers if layer.dtype_policy)),
        custom_objects=tuple(group_by_name(u for u in custom if third_party_package(u) is None)),
        third_party=tuple(third),
        lambda_layers=tuple(layer.location for layer in all_layers if layer.code),
        stateful_layers=tuple(layer.location for layer in all_layers if _stateful(layer)),
        weights=_totals(model),
        signatures=_signatures(model.savedmodel),
        load=load_call(model, target),
        problem=model.problem,
    )
