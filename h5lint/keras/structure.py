"""The decoded structure of a Keras model: layer graph, outputs, losses, compile state, stored code.

Built from a raw config by :mod:`h5lint.keras.graph` and :mod:`h5lint.keras.training`; every Keras
dialect (1, 2, tf.keras, tf-keras, 3) ends up in these types, so rules never see dialect differences.
Raw configs stay available on each layer (``config``) because rules need arbitrary keys.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Iterator


@dataclass(frozen=True)
class StoredCode:
    """A piece of code a layer config carries (a Lambda's ``function``, ``output_shape`` or ``mask``).

    Either a function Keras imports by name (``function``), or marshalled bytecode whose names were read
    without unmarshalling it (``names``, ``strings``, ``functions``, ``python``).
    """

    key: str  # the config key holding it
    function: str | None = None  # "module.name" of a function referenced by name
    names: tuple[str, ...] = ()  # what the bytecode refers to: globals, attributes, imports (first-use order)
    strings: tuple[str, ...] = ()  # string constants in the bytecode
    functions: tuple[str, ...] = ()  # co_name of each code object ("<lambda>", "halve")
    python: str | None = None  # the Python that wrote it ("3.12", "3.11 or 3.12", "3.8-3.10"); None = unknown
    # The Python minors that can have written it ((3, 11), (3, 12)); None when h5lint cannot tell.
    pythons: tuple[tuple[int, int], ...] | None = None

    @property
    def is_bytecode(self) -> bool:
        return self.function is None


@dataclass(frozen=True)
class TensorRef:
    """One edge end: output ``tensor_index`` of call ``node_index`` of layer ``layer``."""

    layer: str
    node_index: int = 0
    tensor_index: int = 0


@dataclass(frozen=True)
class ObjectRef:
    """A serialized Keras object named inside a config (class or function).

    ``class_name`` is the bare name (``Dense``, ``my_act``); ``registered_name`` is the ``pkg>Name``
    registration key when the file records one; ``module`` is the Keras 3 ``module`` field.
    """

    class_name: str
    registered_name: str | None = None
    module: str | None = None
    config: Any = None

    @property
    def key(self) -> str:
        """The name ``custom_objects`` must be keyed by."""
        return self.registered_name if self.registered_name and ">" in self.registered_name else self.class_name


@dataclass(frozen=True)
class Layer:
    """One layer of a model graph (or the wrapped layer / cell inside a wrapper).

    ``path`` is the logical location from the top-level model, e.g. ``("inner_seq", "dense_1")`` or
    ``("bilstm", "forward_layer", "lstm_cell")``; it never contains indices so it survives re-saves.
    """

    name: str
    class_name: str
    path: tuple[str, ...]
    config: Mapping[str, Any] = field(default_factory=dict, compare=False)
    registered_name: str | None = None
    module: str | None = None
    # One entry per call of the layer in its enclosing model; each call lists its input tensors.
    inbound: tuple[tuple[TensorRef, ...], ...] = ()
    # Normalised dtype policy name ("float32", "mixed_float16", ...), None when not recorded.
    dtype_policy: str | None = None
    # The class a serialized policy object names ("Policy", "DTypePolicy"); None for a plain dtype string.
    dtype_policy_class: str | None = None
    # Wrapped layers (TimeDistributed.layer, Bidirectional forward/backward, RNN cells) by role.
    wrapped: tuple[tuple[str, "Layer"], ...] = ()
    # A nested Sequential/Functional model used as a layer.
    submodel: "ModelGraph | None" = None
    # Code the config carries (Lambda layers), decoded once when the graph is built.
    code: tuple["StoredCode", ...] = ()

    @property
    def location(self) -> str:
        return "/".join(self.path)

    @property
    def object(self) -> ObjectRef:
        return ObjectRef(self.class_name, self.registered_name, self.module, self.config)

    def walk(self) -> Iterator["Layer"]:
        """This layer, then every wrapped layer and nested-model layer below it, depth first."""
        yield self
        for _role, inner in self.wrapped:
            yield from inner.walk()
        if self.submodel is not None:
            yield from self.submodel.walk()


@dataclass(frozen=True)
class ModelGraph:
    """A Sequential, Functional or subclassed model's layer graph.

    For a Sequential model ``inputs``/``outputs`` are synthesised from the layer order, so rules can
    treat every model as a graph. A subclassed model has no layers (its graph is Python code).
    """

    class_name: str
    name: str | None
    layers: tuple[Layer, ...]
    inputs: tuple[TensorRef, ...] = ()
    outputs: tuple[TensorRef, ...] = ()
    # What loss/metric dicts are keyed by: the output layer names, or the keys of a Keras 3 dict
    # of outputs; same order as ``outputs``.
    output_names: tuple[str, ...] = ()
    registered_name: str | None = None
    module: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # "sequential", "functional" or "subclassed"
    kind: str = "functional"
    # A Sequential config stored as a bare list of layers (standalone Keras 2.2.2 and earlier).
    stored_as_list: bool = False

    def layer(self, name: str) -> Layer | None:
        for layer in self.layers:
            if layer.name == name:
                return layer
        return None

    @functools.cached_property
    def _walked(self) -> tuple[Layer, ...]:
        return tuple(inner for layer in self.layers for inner in layer.walk())

    def walk(self) -> Iterator[Layer]:
        """Every layer, wrapped and nested ones included, depth first; walked once per graph, however many
        rules and semantic-layer facts ask."""
        return iter(self._walked)


@dataclass(frozen=True)
class Loss:
    """The loss one output is trained with."""

    # Canonical snake_case function name ("binary_crossentropy", "mean_squared_error") when the
    # loss is a built-in; otherwise the name as written ("h5lint>my_loss", "crf_loss").
    name: str
    # Class/function as serialized (``BinaryCrossentropy``, ``binary_crossentropy``, ``h5lint>my_loss``).
    object: ObjectRef
    from_logits: bool = False
    config: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class OutputSpec:
    """One model output, in model order."""

    name: str  # the output layer's name (what loss/metric dicts are keyed by)
    tensor: TensorRef
    loss: Loss | None = None
    loss_weight: float | None = None


@dataclass(frozen=True)
class TrainingConfig:
    """What ``compile()`` recorded (``training_config``, ``compile_config`` or keras_metadata)."""

    source: str  # "training_config", "compile_config", "keras_metadata"
    optimizer: ObjectRef | None = None
    # Losses/metrics exactly as configured, kept for rules that look at every named object.
    loss_objects: tuple[ObjectRef, ...] = ()
    metric_objects: tuple[ObjectRef, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)
