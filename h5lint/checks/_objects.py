"""Every class and function a model names, with its kind and where it is used, and what Keras has built in.

A saved model names objects in many places: layer classes (also wrapped layers, RNN cells and nested
models), the serialized objects inside each layer config (activations, initializers, regularizers,
constraints, dtype policies), what ``compile()`` recorded (losses, metrics, optimizer) and the class of
a subclassed top-level model. Each dialect writes them differently (formats.md §2.3-2.5, §1.6): bare
strings, legacy ``{"class_name", "config"}``, Keras 3 envelopes with ``module``/``registered_name``,
function envelopes whose real name is in ``config``, and Keras 1 dicts that carry only ``name``.

Whether a name is built in is decided per Keras line with ``rules/knowledge/keras_builtins.json``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from ..catalog import knowledge
from ..ir import Layer, ModelArtifact, ObjectRef
from ..training import object_ref
from ..versions import writer_for
from . import RuleContext, Target

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
}

# Kinds whose lookups also accept another kind's names: an activation may be an activation layer
# object (LeakyReLU), a metric may be a loss function, a layer entry may be a nested model.
_ALSO_ACCEPTS = {ACTIVATIONS: (LAYERS,), METRICS: (LOSSES,), LAYERS: (MODELS,), MODELS: (LAYERS,)}
# Metric/loss wrappers that record the function they wrap as "fn".
_WRAPPERS = frozenset({"MeanMetricWrapper", "LossFunctionWrapper", "SumOverBatchSizeMetricWrapper"})
# Config keys that hold other layers: graph.walk() already visits them.
_LAYER_KEYS = frozenset({"layer", "backward_layer", "cell", "cells", "layers"})
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


def config_object(value: Any) -> ObjectRef | None:
    """The object a config value names, in every dialect; None for plain values (``"float32"``)."""
    if isinstance(value, Mapping) and "class_name" not in value and isinstance(value.get("name"), str):
        # Keras 1 writes some nested objects as {"name": "L1L2Regularizer", "l1": ...}.
        return ObjectRef(value["name"], config=value)
    return object_ref(value)


def _layer_objects(layer: Layer) -> Iterator[NamedObject]:
    yield NamedObject(layer.object, MODELS if layer.submodel is not None else LAYERS, f"layer {layer.location}", layer)
    for key, value in layer.config.items():
        kind = _config_key_kind(str(key))
        if kind is None or key in _LAYER_KEYS or value is None:
            continue
        if kind == DTYPE_POLICIES and not isinstance(value, Mapping):
            continue  # a plain dtype or policy name string
        ref = config_object(value)
        if ref is not None:
            yield NamedObject(ref, kind, f"{key} of layer {layer.location}", layer)


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


def named_objects(model: ModelArtifact) -> Iterator[NamedObject]:
    """Every use of a class or function in the model, in file order."""
    for use in _all_uses(model):
        # "?" stands for a missing or non-string class_name: a broken config, not an object name.
        if use.ref.class_name not in ("", "?"):
            yield use


def _all_uses(model: ModelArtifact) -> Iterator[NamedObject]:
    graph = model.graph
    if graph is not None:
        if graph.kind == "subclassed":
            yield NamedObject(ObjectRef(graph.class_name, graph.registered_name, graph.module), MODELS, "top-level model")
        for layer in graph.walk():
            yield from _layer_objects(layer)
    training = model.training
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


# ------------------------------------------------------------------------------- what is built in
@functools.lru_cache(maxsize=1)
def _builtins() -> Mapping[str, Any]:
    table = knowledge("keras_builtins")
    folded = set(table.get("case_insensitive_kinds", ()))
    lines: dict[str, dict[str, frozenset[str]]] = {}
    for line, kinds in table["lines"].items():
        lines[line] = {
            kind: frozenset(n.lower() for n in names) if kind in folded else frozenset(names)
            for kind, names in kinds.items()
        }
    shorthands = {kind: frozenset(names) for kind, names in table.get("compile_shorthands", {}).items()}
    return {"lines": lines, "folded": folded, "markers": frozenset(table.get("markers", ())), "shorthands": shorthands}


KERAS_LINES = ("keras-1", "keras-2", "tf.keras", "tf-keras", "keras-3")


def target_line(target: Target) -> str:
    """The Keras line a configured runtime loads models with."""
    if target.package == "tf-keras":
        return "tf-keras"
    if target.package in ("tf.keras", "tensorflow"):
        return "keras-3" if target.keras_major == 3 else "tf.keras"
    if target.keras_major == 1:
        return "keras-1"
    if target.keras_major == 2:
        # The keras package 2.0-2.3 was standalone Keras; 2.4-2.15 shipped tf.keras.
        versions = [v for v in re.findall(r"\d+(?:\.\d+)*", target.spec) if v.startswith("2")]
        line = writer_for(versions[0]) if versions else None
        return line or "tf.keras"
    return "keras-3"


def writer_line(model: ModelArtifact) -> str | None:
    writer = model.versions.writer
    return writer if writer in KERAS_LINES else None


def _names_in(line: str, kind: str) -> Iterator[frozenset[str]]:
    kinds = _builtins()["lines"][line]
    for k in (kind, *_ALSO_ACCEPTS.get(kind, ())):
        yield kinds.get(k, frozenset())


def builtin_in(name: str, kind: str, line: str | None) -> bool:
    """Whether Keras line ``line`` (any line when None) has ``name`` built in as a ``kind``."""
    table = _builtins()
    if name in table["markers"] or name in table["shorthands"].get(kind, ()):
        return True
    lines = KERAS_LINES if line is None else (line,)
    key = name.lower() if kind in table["folded"] else name
    return any(key in names for one in lines for names in _names_in(one, kind))


def _loss_names() -> frozenset[str]:
    table = knowledge("losses")["loss"]
    return frozenset(n for canonical, entry in table.items() for n in (canonical, *entry.get("aliases", ())))


def lookup_name(obj: NamedObject) -> str:
    """The name a loader looks up: the registered key when it has one, else the class/function name."""
    return obj.ref.key


_KERAS_PACKAGES = frozenset({"keras", "tf_keras", "tensorflow"})


def module_says_keras(obj: NamedObject) -> bool | None:
    """What a Keras 3 ``module`` field says: Keras's own (True), other code (False), or nothing (None).

    Any module outside Keras (``my_pkg.layers``) is the project's code even when the class shares a
    Keras name. Functions carry ``module: "builtins"`` whatever they are, so for them the name decides.
    """
    module = obj.ref.module
    if not module or module == "builtins":
        return None
    return module.split(".", 1)[0] in _KERAS_PACKAGES


def builtin_for(obj: NamedObject, model: ModelArtifact, ctx: RuleContext) -> bool:
    """Built into the line that wrote the file or into the target line (so the loader knows it)."""
    verdict = module_says_keras(obj)
    if verdict is not None:
        return verdict
    name = lookup_name(obj)
    if obj.kind in (LOSSES, METRICS) and name in _loss_names():
        return True
    return builtin_in(name, obj.kind, writer_line(model)) or builtin_in(name, obj.kind, target_line(ctx.runtime))


def left_to_security_rules(obj: NamedObject) -> bool:
    """A module or built-in that runs code when imported or called: H5L103's finding, never a custom object.

    Advising ``custom_objects={"system": system}`` for an ``os.system`` envelope would be wrong.
    """
    table = knowledge("foreign_modules")
    module = obj.ref.module or ""
    root = module.split(".", 1)[0]
    if root in table["dangerous_modules"] or module in table["dangerous_modules"]:
        return True
    return root == "builtins" and obj.ref.class_name in table["dangerous_builtins"]


def needs_code(obj: NamedObject, model: ModelArtifact, ctx: RuleContext) -> bool:
    """Neither Keras nor the project provides it, and it is not a security rule's finding."""
    return not builtin_for(obj, model, ctx) and not declared(obj, ctx) and not left_to_security_rules(obj)


def declared(obj: NamedObject, ctx: RuleContext) -> bool:
    """The project says it provides this object (setting ``custom-objects``)."""
    names = {obj.ref.class_name, obj.ref.key}
    if obj.ref.registered_name:
        names.add(obj.ref.registered_name)
    return bool(names & ctx.custom_objects)


# ------------------------------------------------------------------------------- third-party
@dataclass(frozen=True)
class Package:
    key: str
    pip: str
    import_line: str
    load: str
    note: str | None


@functools.lru_cache(maxsize=1)
def _packages() -> tuple[dict[str, Package], dict[str, Package], tuple[tuple[str, Package], ...]]:
    by_name: dict[str, Package] = {}
    by_prefix: dict[str, Package] = {}
    modules: list[tuple[str, Package]] = []
    for key, entry in knowledge("third_party")["package"].items():
        package = Package(key, entry["pip"], entry["import"], entry["load"], entry.get("note"))
        for name in entry.get("names", ()):
            by_name.setdefault(name, package)
        for prefix in entry.get("prefixes", ()):
            by_prefix[prefix] = package
        for module in entry.get("modules", ()):
            modules.append((module, package))
    return by_name, by_prefix, tuple(modules)


def third_party_package(obj: NamedObject) -> Package | None:
    """The known package an object comes from: by Keras 3 module, registration prefix or name."""
    by_name, by_prefix, modules = _packages()
    module = obj.ref.module or ""
    for prefix, package in modules:
        if module == prefix or module.startswith(prefix + "."):
            return package
    key = lookup_name(obj)
    if ">" in key:
        return by_prefix.get(key.split(">", 1)[0])
    return by_name.get(key)


def describe_runtime(model: ModelArtifact, ctx: RuleContext) -> str:
    """``saved by tf-keras 2.21.0, target keras>=3`` for messages."""
    versions = model.versions
    writer = writer_line(model)
    saved = f"saved by {writer} {versions.keras_version}" if writer else "saved by an unknown Keras version"
    return f"{saved}; target {ctx.runtime}"


def places(uses: list[NamedObject], limit: int = 5) -> str:
    """``layer a, activation of layer b and 3 more`` for messages."""
    wheres = list(dict.fromkeys(u.where for u in uses))
    shown = ", ".join(wheres[:limit])
    return shown + (f" and {len(wheres) - limit} more" if len(wheres) > limit else "")


def group_by_name(uses: Iterator[NamedObject]) -> dict[str, list[NamedObject]]:
    """Uses grouped by the name a loader looks up, in first-use order."""
    groups: dict[str, list[NamedObject]] = {}
    for use in uses:
        groups.setdefault(lookup_name(use), []).append(use)
    return groups
