"""Every class and function a model names, with its kind and where it is used.

A saved model names objects in many places: layer classes (also wrapped layers, RNN cells and nested
models), the serialized objects inside each layer config (activations, initializers, regularizers,
constraints, dtype policies, the functions a Keras 3 Lambda names), what ``compile()`` recorded
(losses, metrics, optimizer) and the class of a subclassed top-level model. Each dialect writes them
differently (formats.md §2.3-2.5, §1.6): bare strings, legacy ``{"class_name", "config"}``, Keras 3
envelopes with ``module``/``registered_name``, function envelopes whose real name is in ``config``, and
Keras 1 dicts that carry only ``name``.

Whether a name is built in is :mod:`.builtins`' question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from ..wording import listed
from .code import function_references
from .refs import LAYER_KEYS, config_object, object_ref
from .structure import Layer, ModelGraph, ObjectRef, TrainingConfig

LAYERS = "layers"
MODELS = "models"
ACTIVATIONS = "activations"
INITIALIZERS = "initializers"
REGULARIZERS = "regularizers"
CONSTRAINTS = "constraints"
LOSSES = "losses"
METRICS = "metrics"
OPTIMIZERS = "optimizers"
DTYPE_POLICIES = "dtype_policies"
FUNCTIONS = "functions"  # a function a Lambda layer names instead of storing its code

# What each kind is called in messages.
KIND_WORDS = {
    LAYERS: "layer class",
    MODELS: "model class",
    ACTIVATIONS: "activation function",
    INITIALIZERS: "initializer",
    REGULARIZERS: "regularizer",
    CONSTRAINTS: "constraint",
    LOSSES: "loss",
    METRICS: "metric",
    OPTIMIZERS: "optimizer",
    DTYPE_POLICIES: "dtype policy",
    FUNCTIONS: "function",
}

# Metric/loss wrappers that record the function they wrap as "fn".
_WRAPPERS = frozenset({"MeanMetricWrapper", "LossFunctionWrapper", "SumOverBatchSizeMetricWrapper"})
_MAX_DEPTH = 32


@dataclass(frozen=True)
class NamedObject:
    """One use of a class or function the model names."""

    ref: ObjectRef
    kind: str
    where: str  # "layer dense_1", "activation of layer dense_1", "loss of output out_a", "the compiled optimizer"
    layer: Layer | None = None  # the layer the use belongs to, None for compile() objects

    @property
    def name(self) -> str:
        return self.ref.class_name


# ------------------------------------------------------------------------------------ the walk
def _config_key_kind(key: str) -> str | None:
    """The kind of object a layer-config key holds (Keras 1-3 spellings), None for other keys."""
    if key == "activation" or key.endswith("_activation"):
        return ACTIVATIONS
    if key.endswith("_initializer") or key == "init" or key.endswith("_init"):
        return INITIALIZERS
    if key.endswith("_regularizer"):
        return REGULARIZERS
    if key.endswith("_constraint"):
        return CONSTRAINTS
    if key == "dtype":
        return DTYPE_POLICIES
    return None


def _layer_objects(layer: Layer) -> Iterator[NamedObject]:
    yield NamedObject(layer.object, MODELS if layer.submodel is not None else LAYERS, f"layer {layer.location}", layer)
    for key, value in layer.config.items():
        kind = _config_key_kind(str(key))
        if kind is None or key in LAYER_KEYS or value is None:
            continue
        if kind == DTYPE_POLICIES and not isinstance(value, Mapping):
            continue  # a plain dtype or policy name string
        ref = config_object(value)
        if ref is not None:
            yield NamedObject(ref, kind, f"{key} of layer {layer.location}", layer)
    for key, envelope in function_references(layer.class_name, layer.config):
        ref = object_ref(envelope)
        if ref is not None:
            yield NamedObject(ref, FUNCTIONS, f"{key} of layer {layer.location}", layer)


def _wrapped_function(ref: ObjectRef, kind: str, where: str) -> Iterator[NamedObject]:
    """The function a MeanMetricWrapper/LossFunctionWrapper wraps (its config "fn")."""
    config = ref.config if isinstance(ref.config, Mapping) else {}
    if ref.class_name in _WRAPPERS and config.get("fn") is not None:
        inner = object_ref(config["fn"])
        if inner is not None:
            yield NamedObject(inner, kind, where)


def _compile_value(value: Any, kind: str, where: str, outputs: tuple[str, ...], depth: int = 0) -> Iterator[NamedObject]:
    """Losses/metrics as compile() recorded them: one object, a dict by output, a list (of lists) by output."""
    if depth > _MAX_DEPTH or value is None:
        return
    if isinstance(value, Mapping) and not isinstance(value.get("class_name"), str):
        for key, item in value.items():
            yield from _compile_value(item, kind, f"{kind_word_of(kind)} of output {key}", outputs, depth + 1)
        return
    if isinstance(value, list):
        by_output = len(outputs) > 1 and len(value) == len(outputs)
        for index, item in enumerate(value):
            here = f"{kind_word_of(kind)} of output {outputs[index]}" if by_output else where
            yield from _compile_value(item, kind, here, outputs if not by_output else (), depth + 1)
        return
    ref = object_ref(value)
    if ref is not None:
        yield NamedObject(ref, kind, where)
        yield from _wrapped_function(ref, kind, where)


def kind_word_of(kind: str) -> str:
    return KIND_WORDS[kind]


def _optimizers(value: Any, where: str, depth: int = 0) -> Iterator[NamedObject]:
    ref = object_ref(value)
    if ref is None or depth > _MAX_DEPTH:
        return
    yield NamedObject(ref, OPTIMIZERS, where)
    config = ref.config if isinstance(ref.config, Mapping) else {}
    # LossScaleOptimizer wraps the optimizer that does the work.
    for key in ("inner_optimizer", "optimizer"):
        if isinstance(config.get(key), Mapping):
            yield from _optimizers(config[key], f"inner optimizer of {where}", depth + 1)


def named_objects(graph: ModelGraph | None, training: TrainingConfig | None) -> tuple[NamedObject, ...]:
    """Every use of a class or function in the model, in file order."""
    # "?" stands for a missing or non-string class_name: a broken config, not an object name.
    return tuple(use for use in _all_uses(graph, training) if use.ref.class_name not in ("", "?"))


def _all_uses(graph: ModelGraph | None, training: TrainingConfig | None) -> Iterator[NamedObject]:
    if graph is not None:
        if graph.kind == "subclassed":
            yield NamedObject(ObjectRef(graph.class_name, graph.registered_name, graph.module), MODELS, "top-level model")
        for layer in graph.walk():
            yield from _layer_objects(layer)
    if training is None:
        return
    raw = training.raw
    outputs = graph.output_names if graph is not None else ()
    yield from _compile_value(raw.get("loss"), LOSSES, "the compiled loss", outputs)
    for key in ("metrics", "weighted_metrics"):
        yield from _compile_value(raw.get(key), METRICS, "the compiled metrics", outputs)
    optimizer = raw.get("optimizer_config", raw.get("optimizer"))
    if optimizer is not None:
        yield from _optimizers(optimizer, "the compiled optimizer")


def lookup_name(obj: NamedObject) -> str:
    """The name a loader looks up: the registered key when it has one, else the class/function name."""
    return obj.ref.key


def places(uses: list[NamedObject]) -> str:
    """``layer a, activation of layer b and 3 more`` for messages."""
    return listed(list(dict.fromkeys(u.where for u in uses)))


def group_by_name(uses: Iterable[NamedObject]) -> dict[str, list[NamedObject]]:
    """Uses grouped by the name a loader looks up, in first-use order."""
    groups: dict[str, list[NamedObject]] = {}
    for use in uses:
        groups.setdefault(lookup_name(use), []).append(use)
    return groups
