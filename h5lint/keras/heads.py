"""Head tracing shared by H5L201-H5L206: which activation sets the values of each model output.

An output is followed back through pass-through layers (Dropout, Reshape, Flatten ...), into
nested models and wrappers, to the layer whose activation sets its values. The layer tables are
data (data/heads.toml); a layer they do not describe (a custom class, a Lambda, a merge)
makes the head unknown, and the head rules then say nothing rather than guess.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Iterator

from .graph import MAX_NESTING, MODEL_CLASSES
from .knowledge import table
from .structure import Layer, Loss, ModelGraph, OutputSpec, TensorRef

# Activation kinds (data/heads.toml [activation]).
SIGMOID = "sigmoid"
SOFTMAX = "softmax"
LOG_SOFTMAX = "log_softmax"
LOG_SIGMOID = "log_sigmoid"
LINEAR = "linear"
OTHER = "other"
PROBABILITY = frozenset({SIGMOID, SOFTMAX})

# How a layer sets its output's activation; decides what to tell the user to change.
BY_ARGUMENT = "argument"  # an activation= config (Dense, Conv2D, Activation)
BY_LAYER = "layer"  # the layer is the activation (Softmax, ReLU, a tf.nn op)
BY_AFFINE = "affine"  # BatchNormalization & co: unbounded output whatever came before
BY_RECURRENT = "recurrent"  # an RNN's output activation

# What a loss expects (data/losses.toml "expects").
BINARY = "binary"
CATEGORICAL = "categorical"
REGRESSION = "regression"

# A hostile config can make the graph cyclic; no real pass-through chain is this long.
MAX_STEPS = 10_000


@dataclass(frozen=True)
class _Tables:
    kind_of: Mapping[str, str]
    module_prefixes: tuple[str, ...]
    argument: frozenset[str]
    unit_keys: tuple[str, ...]
    activation_layer: Mapping[str, str]
    affine: frozenset[str]
    recurrent: frozenset[str]
    recurrent_default: str
    wrapper: Mapping[str, str]
    passthrough: frozenset[str]
    passthrough_when: Mapping[str, Mapping[str, tuple[str, ...]]]
    tf_op_classes: frozenset[str]
    tf_op: Mapping[str, str]
    last_axis: frozenset[str]
    channels_first: frozenset[str]
    reduced_precision: frozenset[str]
    significant_digits: Mapping[str, str]
    renormalising_losses: frozenset[str]

    @functools.cached_property
    def known(self) -> frozenset[str]:
        """Every layer class some table describes: the built-ins the head rules can reason about."""
        return frozenset(
            self.argument
            | set(self.activation_layer)
            | self.affine
            | self.recurrent
            | set(self.wrapper)
            | self.passthrough
            | set(self.passthrough_when)
            | self.tf_op_classes
            | self.last_axis
            | MODEL_CLASSES
            | {"InputLayer"}
        )


@functools.lru_cache(maxsize=1)
def _tables() -> _Tables:
    raw = table("heads")
    return _Tables(
        kind_of={name: kind for kind, names in raw["activation"].items() for name in names},
        module_prefixes=tuple(raw["activation_modules"]["prefixes"]),
        argument=frozenset(raw["argument"]["classes"]),
        unit_keys=tuple(raw["argument"]["unit_keys"]),
        activation_layer=dict(raw["activation_layer"]),
        affine=frozenset(raw["affine"]["classes"]),
        recurrent=frozenset(raw["recurrent"]["classes"]),
        recurrent_default=raw["recurrent"]["default_activation"],
        wrapper=dict(raw["wrapper"]),
        passthrough=frozenset(raw["passthrough"]["classes"]),
        passthrough_when={
            cls: {key: tuple(values) for key, values in conditions.items()}
            for cls, conditions in raw["passthrough_when"].items()
        },
        tf_op_classes=frozenset(raw["tf_op"]["classes"]),
        tf_op=dict(raw["tf_op"]["function"]),
        last_axis=frozenset(raw["last_axis"]["preserving"]),
        channels_first=frozenset(raw["last_axis"]["channels_first"]),
        reduced_precision=frozenset(raw["dtype"]["reduced_precision"]),
        significant_digits=dict(raw["dtype"]["significant_digits"]),
        renormalising_losses=frozenset(raw["losses"]["renormalising"]),
    )


@dataclass(frozen=True)
class Activation:
    """The activation one layer applies to its output."""

    layer: Layer  # the layer applying it (the wrapped Dense of a TimeDistributed(Dense))
    kind: str  # SIGMOID, SOFTMAX, LOG_SOFTMAX, LOG_SIGMOID, LINEAR or OTHER
    name: str  # as written: "softmax", "hard_sigmoid", "tf.nn.relu", or the layer class ("ReLU")
    units: int | None  # size of the (last) axis it applies over; None = unknown
    how: str  # BY_ARGUMENT, BY_LAYER, BY_AFFINE or BY_RECURRENT


@dataclass(frozen=True)
class Head:
    """What sets one output's values."""

    output: OutputSpec
    activation: Activation | None  # None: unknown (custom class, Lambda, merge ...)
    # Pass-through layers between the activation and the output, the output's own layer first.
    through: tuple[Layer, ...] = ()


@dataclass(frozen=True)
class _Frame:
    """One (possibly nested) model graph being walked, and where it is called from."""

    graph: ModelGraph
    by_name: Mapping[str, Layer] = field(compare=False)
    owner: Layer | None = None  # the nested-model layer of the parent graph
    call: int = 0  # which call of ``owner``
    parent: "_Frame | None" = None


def _frame(graph: ModelGraph, owner: Layer | None = None, call: int = 0, parent: _Frame | None = None) -> _Frame:
    return _Frame(graph, {layer.name: layer for layer in graph.layers}, owner, call, parent)


@dataclass(frozen=True)
class _Step:
    """One call of a layer: output ``tensor`` of call ``node`` of ``layer`` in ``frame``."""

    layer: Layer
    node: int
    tensor: int
    frame: _Frame


def _keras_module(module: Any) -> bool:
    return isinstance(module, str) and any(
        module == prefix or module.startswith(prefix + ".") for prefix in _tables().module_prefixes
    )


def is_builtin(layer: Layer) -> bool:
    """A Keras layer h5lint's tables describe (not a registered or user-module class of that name)."""
    if layer.registered_name is not None:
        return False
    if layer.module is not None and not _keras_module(layer.module):
        return False
    return layer.class_name in _tables().known


def _traceable_model(layer: Layer) -> bool:
    inner = layer.submodel
    return inner is not None and inner.kind != "subclassed" and is_builtin(layer)


def _producer(frame: _Frame, ref: TensorRef) -> _Step | None:
    """The layer call producing ``ref``; for a nested model, the call inside it that produces it."""
    for _ in range(MAX_NESTING):
        layer = frame.by_name.get(ref.layer)
        if layer is None:
            return None
        if not _traceable_model(layer):
            return _Step(layer, ref.node_index, ref.tensor_index, frame)
        inner = layer.submodel
        assert inner is not None
        if not 0 <= ref.tensor_index < len(inner.outputs):
            return None
        frame, ref = _frame(inner, layer, ref.node_index, frame), inner.outputs[ref.tensor_index]
    return None


def _input_index(graph: ModelGraph, layer: Layer) -> int | None:
    for index, ref in enumerate(graph.inputs):
        if ref.layer == layer.name:
            return index
    return None


def _input(step: _Step) -> _Step | None:
    """The call producing the (first) input of ``step``; a nested model's input is its caller's."""
    calls = step.layer.inbound
    if 0 <= step.node < len(calls) and calls[step.node]:
        return _producer(step.frame, calls[step.node][0])
    frame = step.frame
    if frame.owner is None or frame.parent is None:
        return None  # an input of the whole model
    index = _input_index(frame.graph, step.layer)
    outer = frame.owner.inbound
    if index is None or not 0 <= frame.call < len(outer) or index >= len(outer[frame.call]):
        return None
    return _producer(frame.parent, outer[frame.call][index])


def _function_kind(value: Any) -> tuple[str | None, str]:
    """(kind, name as written) of an ``activation`` config value; kind None = custom/unknown."""
    tables = _tables()
    if value is None:
        return LINEAR, "linear"
    if isinstance(value, str):
        return tables.kind_of.get(value), value
    if isinstance(value, Mapping):
        cls, module = value.get("class_name"), value.get("module")
        inner = value.get("config")
        if cls == "function" and isinstance(inner, str):
            # Built-ins serialize as bare strings; an envelope is a built-in only from a Keras module.
            return (tables.kind_of.get(inner) if _keras_module(module) else None), inner
        # An activation layer object (Keras 3 Dense(activation=keras.layers.LeakyReLU())).
        layer_kind = tables.activation_layer.get(cls) if isinstance(cls, str) else None
        axis = inner.get("axis", -1) if isinstance(inner, Mapping) else -1
        builtin = (module is None or _keras_module(module)) and value.get("registered_name") in (None, cls)
        if layer_kind not in (None, BY_ARGUMENT) and builtin and _is_last_axis(axis):
            return layer_kind, str(cls)
        return None, str(cls)
    return None, repr(value)


def _positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _channels_first(config: Mapping[str, Any]) -> bool:
    first = _tables().channels_first
    return any(isinstance(config.get(key), str) and config[key] in first for key in ("data_format", "dim_ordering"))


def _units(layer: Layer) -> int | None:
    """Size of the layer's last output axis when its config says it (units, filters ...)."""
    if _channels_first(layer.config):
        return None
    for key in _tables().unit_keys:
        if key in layer.config:
            return _positive_int(layer.config[key])
    return None


def _last_axis(step: _Step | None) -> int | None:
    """Size of the last axis of the tensor ``step`` produces, when the config tells it."""
    tables = _tables()
    for _ in range(MAX_STEPS):
        if step is None or step.tensor != 0 or not is_builtin(step.layer):
            return None
        layer = step.layer
        config = layer.config
        if _channels_first(config):
            return None
        if layer.class_name == "InputLayer":
            shape = config.get("batch_shape", config.get("batch_input_shape"))
            if isinstance(shape, list) and shape:
                return _positive_int(shape[-1])
            step = _input(step)
            continue
        if layer.class_name == "Reshape":
            target = config.get("target_shape")
            return _positive_int(target[-1]) if isinstance(target, list) and target else None
        inner = dict(layer.wrapped).get("layer") if tables.wrapper.get(layer.class_name) == "same" else None
        sized = inner if inner is not None else layer
        if any(key in sized.config for key in tables.unit_keys):
            return _units(sized)
        if sized.class_name in tables.last_axis and is_builtin(sized):
            step = _input(step)
            continue
        return None
    return None


def _is_last_axis(axis: Any) -> bool:
    return axis == -1 or axis == [-1]


def _applied(layer: Layer, at: _Step) -> Activation | None:
    """The activation ``layer`` applies, fed by the inputs of ``at`` (the wrapper's call for a wrapped layer)."""
    tables = _tables()
    if not is_builtin(layer):
        return None
    cls, config = layer.class_name, layer.config
    if cls in tables.wrapper:
        inner = dict(layer.wrapped).get("layer")
        found = _applied(inner, at) if inner is not None else None
        if found is None or tables.wrapper[cls] == "same":
            return found
        return replace(found, units=None) if found.kind in (LINEAR, OTHER) else None
    if cls in tables.argument:
        kind, name = _function_kind(config.get("activation", "linear"))
        return Activation(layer, kind, name, _units(layer), BY_ARGUMENT) if kind else None
    if cls in tables.activation_layer:
        spec = tables.activation_layer[cls]
        if spec == BY_ARGUMENT:
            kind, name = _function_kind(config.get("activation"))
        else:
            kind, name = spec, cls
        if kind is None:
            return None
        units = _last_axis(_input(at)) if _is_last_axis(config.get("axis", -1)) else None
        return Activation(layer, kind, name, units, BY_ARGUMENT if spec == BY_ARGUMENT else BY_LAYER)
    if cls in tables.affine:
        return Activation(layer, LINEAR, cls, None, BY_AFFINE)
    if cls in tables.recurrent:
        kind, name = _function_kind(config.get("activation", tables.recurrent_default))
        return Activation(layer, kind, name, None, BY_RECURRENT) if kind in (LINEAR, OTHER) else None
    if cls in tables.tf_op_classes:
        function = config.get("function")
        kind = tables.tf_op.get(function) if isinstance(function, str) else None
        if kind is None or kind == "passthrough":
            return None
        return Activation(layer, kind, f"tf.{function}", None, BY_LAYER)
    return None


def _passes_through(layer: Layer) -> bool:
    tables = _tables()
    if not is_builtin(layer):
        return False
    cls = layer.class_name
    if cls in tables.passthrough:
        return True
    if cls in tables.passthrough_when:
        return all(
            layer.config.get(key, allowed[0]) in allowed for key, allowed in tables.passthrough_when[cls].items()
        )
    if cls in tables.tf_op_classes:
        function = layer.config.get("function")
        return isinstance(function, str) and tables.tf_op.get(function) == "passthrough"
    return False


def _trace(output: OutputSpec, root: _Frame) -> Head:
    step = _producer(root, output.tensor)
    through: list[Layer] = []
    for _ in range(MAX_STEPS):
        if step is None or step.tensor != 0:
            break
        layer = step.layer
        if layer.class_name == "InputLayer" and is_builtin(layer):
            step = _input(step)  # the input of a nested model: continue in its caller
            continue
        if not _passes_through(layer):
            return Head(output, _applied(layer, step), tuple(through))
        through.append(layer)
        step = _input(step)
    return Head(output, None, tuple(through))


def trace_heads(graph: ModelGraph | None, outputs: tuple[OutputSpec, ...]) -> tuple[Head, ...]:
    """The head of every model output, in output order."""
    if graph is None:
        return ()
    root = _frame(graph)
    return tuple(_trace(output, root) for output in outputs)


def applied_activations(graph: ModelGraph | None) -> Iterator[Activation]:
    """The activation of every layer call in the model, nested models included."""
    if graph is None:
        return
    yield from _frame_activations(_frame(graph), 0)


def _frame_activations(frame: _Frame, depth: int) -> Iterator[Activation]:
    for layer in frame.graph.layers:
        if layer.submodel is not None:
            if _traceable_model(layer) and depth < MAX_NESTING:
                assert layer.submodel is not None
                yield from _frame_activations(_frame(layer.submodel, layer, 0, frame), depth + 1)
            continue
        for node in range(max(1, len(layer.inbound))):
            found = _applied(layer, _Step(layer, node, 0, frame))
            if found is not None:
                yield found


# ----------------------------------------------------------------------------------------------
# Losses (data/losses.toml)


def _loss_entry(loss: Loss) -> Mapping[str, Any]:
    entry = table("losses")["loss"].get(loss.name)
    return entry if isinstance(entry, Mapping) else {}


def loss_expects(loss: Loss) -> str | None:
    """BINARY, CATEGORICAL, REGRESSION, "other", or None for a loss h5lint does not know."""
    return _loss_entry(loss).get("expects")


def logits_fn(loss: Loss) -> str | None:
    """The function that turns this loss's logits into probabilities (``keras.activations.softmax``)."""
    return _loss_entry(loss).get("logits_fn")


def loss_class(loss: Loss) -> str:
    """The ``keras.losses`` class of a built-in loss (``BinaryCrossentropy``), for code in fixes."""
    plain = loss.name.replace("_", "")
    for alias in _loss_entry(loss).get("aliases", ()):
        if alias[:1].isupper() and alias.lower() == plain:
            return alias
    return loss.object.class_name


def renormalises(loss: Loss) -> bool:
    """True for categorical losses that divide the predictions by their sum (constant on one unit)."""
    return loss.name in _tables().renormalising_losses


def describe_loss(loss: Loss) -> str:
    written = loss.object.class_name
    return f"{written}(from_logits=True)" if loss.from_logits else f"'{written}'"


def from_logits_fix(loss: Loss) -> str:
    return f"compile with keras.losses.{loss_class(loss)}(from_logits=True)"


def probability_activation(expects: str | None) -> str:
    """The activation a head needs for a loss expecting ``expects`` (BINARY or CATEGORICAL)."""
    return "sigmoid" if expects == BINARY else "softmax"


# ----------------------------------------------------------------------------------------------
# Wording shared by the head rules


def describe(activation: Activation) -> str:
    """``layer 'out' (Dense, activation 'linear')`` and the like."""
    layer = activation.layer
    if activation.how == BY_AFFINE:
        return f"layer '{layer.location}' ({layer.class_name}, an affine rescaling)"
    if activation.how == BY_LAYER and activation.name == layer.class_name:
        return f"layer '{layer.location}' ({layer.class_name})"
    if activation.how == BY_LAYER:
        return f"layer '{layer.location}' ({layer.class_name} {activation.name})"
    return f"layer '{layer.location}' ({layer.class_name}, activation '{activation.name}')"


def route(head: Head) -> str:
    """`` (then Reshape 'r', Dropout 'd')``: the pass-through layers after the activation, in call order."""
    if not head.through:
        return ""
    steps = ", ".join(f"{layer.class_name} '{layer.location}'" for layer in reversed(head.through))
    return f" (then {steps})"


def use_activation(activation: Activation, wanted: str) -> str:
    """What to change so that ``activation``'s layer applies ``wanted`` instead."""
    layer = activation.layer
    if activation.how == BY_ARGUMENT:
        return f"set activation='{wanted}' on layer '{layer.location}'"
    if activation.how == BY_LAYER:
        return f"replace layer '{layer.location}' by keras.layers.Activation('{wanted}')"
    if activation.how == BY_RECURRENT:
        return f"add keras.layers.Dense(n, activation='{wanted}') after layer '{layer.location}'"
    return f"add keras.layers.Activation('{wanted}') after layer '{layer.location}'"


# ----------------------------------------------------------------------------------------------
# Dtype policies


def compute_dtype(policy: str | None) -> str | None:
    """``float16`` for ``mixed_float16`` (and quantized ``int8_from_mixed_float16``); None if not 16-bit."""
    if not policy:
        return None
    base = policy.rsplit("_from_", 1)[-1]
    if base not in _tables().reduced_precision:
        return None
    return "float16" if base == "half" else base.removeprefix("mixed_")


def significant_digits(dtype: str) -> str:
    """``about 3`` for float16: how many decimal digits the compute dtype keeps."""
    return _tables().significant_digits.get(dtype, "few")
