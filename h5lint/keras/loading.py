"""What a target runtime's loader does with a model's config, judged with the per-release tables.

Loaders rebuild every serialized object by calling its class with the stored config
(``cls.from_config(config)`` -> ``cls(**config)``), so an argument the target release's class does
not take fails the load ("Unrecognized keyword arguments passed to DepthwiseConv2D: {'groups': 1}",
"Error when deserializing class 'Dense'" for an initializer's ``dtype``, "Argument(s) not recognized:
{'lr': ...}"), and a class the release does not have fails it too. Which release takes what is
measured (:mod:`.releases`); what the loaders do to a config before that is in ``data/versions.toml``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from . import quantization, releases
from .builtins import builtin_in, module_says_keras
from .knowledge import table
from .model import KerasModel
from .objects import (
    CONSTRAINTS,
    INITIALIZERS,
    LAYERS,
    OPTIMIZERS,
    REGULARIZERS,
    NamedObject,
    lookup_name,
)
from .structure import Layer
from .. import ir
from .versions import (
    KERAS_1,
    KERAS_3,
    KERAS_LINES,
    TF_KERAS,
    TF_KERAS_PACKAGE,
    Target,
    change_words,
    version_tuple,
)

# Kinds whose stored configs a loader passes to the class as keyword arguments.
_CONFIG_KINDS = (INITIALIZERS, REGULARIZERS, CONSTRAINTS)


@functools.lru_cache(maxsize=1)
def _keras3() -> Mapping[str, Any]:
    return table("versions")["keras3"]


@dataclass(frozen=True)
class Rejected:
    """Arguments a stored object carries that the target release's class does not take."""

    where: str  # "layer conv_dw", "kernel_initializer of layer dense", "the compiled optimizer"
    kind: str  # objects.LAYERS, INITIALIZERS, ... OPTIMIZERS
    class_name: str
    arguments: tuple[str, ...]
    # Those of ``arguments`` whose stored value is the default of the release that wrote the file, so
    # deleting them changes nothing.
    at_default: tuple[str, ...] = ()
    # ``arguments`` with their stored values, for messages ("groups=1").
    values: tuple[tuple[str, Any], ...] = ()


def _legacy_strips(layer: Layer, top_level: bool, target: Target) -> frozenset[str]:
    """Arguments Keras 3's legacy loader removes before it builds a layer: only for layers stored without a
    ``module`` that a Sequential/Functional config lists itself (it deserializes wrapped layers directly)."""
    if target.line != KERAS_3 or not top_level or layer.module is not None:
        return frozenset()
    strips = _keras3()["legacy_loader_strips"]
    return frozenset(strips.get("*", ())) | frozenset(strips.get(layer.class_name, ()))


def _same_value(stored: Any, default: Any) -> bool:
    """Whether a stored value is the default: floats are stored as float32 ("lr": 0.0010000000474974513)."""
    if isinstance(stored, float) and isinstance(default, (int, float)) and not isinstance(default, bool):
        return math.isclose(stored, default, rel_tol=1e-6)
    return bool(stored == default and type(stored) is type(default))


def _written_default(kind: str, class_name: str, argument: str, value: Any, writer: str | None, release: str | None) -> bool:
    if writer is None:
        return False
    known = releases.default(kind, class_name, argument, writer, release)
    return known is not releases.NO_DEFAULT and _same_value(value, known)


def _judge(
    kind: str, class_name: str, config: Mapping[str, Any], where: str, target: Target, model: KerasModel,
    skip: frozenset[str] = frozenset(),
) -> Rejected | None:
    release = target.release
    if release is None:
        return None
    accepted = releases.arguments(kind, class_name, target.line, release)
    if accepted is None:
        return None  # a class the release does not have: classes_unknown_to says so
    found = [str(key) for key in config if key not in skip and accepted.rejects(str(key))]
    if not found:
        return None
    writer, written = model.keras_line, model.keras_release
    return Rejected(
        where=where,
        kind=kind,
        class_name=class_name,
        arguments=tuple(found),
        at_default=tuple(a for a in found if _written_default(kind, class_name, a, config[a], writer, written)),
        values=tuple((a, config[a]) for a in found),
    )


def _top_level_layers(model: KerasModel) -> frozenset[tuple[str, ...]]:
    """Paths of the layers a Sequential/Functional config lists itself (not wrapped in another layer)."""
    wrapped = {below.path for layer in _walk(model) for _role, inner in layer.wrapped for below in inner.walk()}
    return frozenset(layer.path for layer in _walk(model) if layer.path not in wrapped)


def _walk(model: KerasModel) -> Iterator[Layer]:
    return model.graph.walk() if model.graph is not None else iter(())


def _resolves_directly(use: NamedObject, target: Target) -> bool:
    """Whether the target's loader builds the compiled optimizer from this name with its stored config.

    A name only the writer's registry knows ("Custom>Adam") is resolved by Keras 3's legacy compile
    from the config's ``name`` instead (keras/src/legacy/saving/saving_utils.py
    _resolve_compile_arguments_compat), which drops the stored arguments.
    """
    return builtin_in(lookup_name(use), OPTIMIZERS, target.line, target.release)


def rejected_arguments(model: KerasModel, target: Target) -> tuple[Rejected, ...]:
    """Every stored layer, initializer, regularizer, constraint and compiled optimizer whose config holds
    arguments the target release does not accept. Keras 1 configs are not judged: only standalone
    Keras 2 converts them, and H5L403 says so once for the whole file."""
    if model.keras_line == KERAS_1 or target.release is None:
        return ()
    found: list[Rejected] = []
    top_level = _top_level_layers(model)
    for layer in _walk(model):
        if layer.submodel is not None:
            continue  # models rebuild from their own config layout, not as constructor arguments
        strips = _legacy_strips(layer, layer.path in top_level, target)
        hit = _judge(LAYERS, layer.class_name, layer.config, f"layer {layer.location}", target, model, strips)
        if hit is not None:
            found.append(hit)
    for use in model.named_objects:
        config = use.ref.config if isinstance(use.ref.config, Mapping) else None
        if config is None or module_says_keras(use) is False:
            continue
        if use.kind in _CONFIG_KINDS:
            hit = _judge(use.kind, use.ref.class_name, config, use.where, target, model)
        elif use.kind == OPTIMIZERS and model.training is not None and model.training.source == "training_config":
            if not _resolves_directly(use, target):
                continue
            hit = _judge(OPTIMIZERS, use.ref.class_name, config, use.where, target, model)
        else:
            continue
        if hit is not None:
            found.append(hit)
    return tuple(found)


@dataclass(frozen=True)
class Unknown:
    """A built-in class of some Keras release that the target release does not have."""

    location: str
    class_name: str
    # Where it is built in instead: "added in Keras 3.9", "tf.keras / tf-keras only", ...
    note: str


def _span_note(name: str, kind: str, target: Target) -> str:
    span = releases.object_span(name, kind, target.line)
    if span is not None and target.release is not None:
        first, last = span
        if releases.has_object(name, kind, target.line):
            measured = releases.measured(target.line)
            if measured.index(first) > measured.index(target.release):
                return f"added in {_line_words(target.line)} {first}"
            return f"removed after {_line_words(target.line)} {last}"
    lines = [line for line in KERAS_LINES if builtin_in(name, kind, line)]
    return f"built into {' / '.join(lines)} only"


def _line_words(line: str) -> str:
    return {KERAS_3: "Keras"}.get(line, line)


def classes_unknown_to(model: KerasModel, target: Target) -> tuple[Unknown, ...]:
    """Layers whose class is a Keras built-in somewhere but not in the target release."""
    found = []
    for layer in _walk(model):
        use = NamedObject(layer.object, LAYERS, f"layer {layer.location}", layer)
        if module_says_keras(use) is False or layer.registered_name:
            continue  # the project's own class, or one registered by a package: the custom-object rules' business
        name = layer.class_name
        if builtin_in(name, LAYERS, target.line, target.release) or not builtin_in(name, LAYERS, None):
            continue
        found.append(Unknown(layer.location, name, _span_note(name, LAYERS, target)))
    return tuple(found)


# ----------------------------------------------------------------- what single releases changed
@dataclass(frozen=True)
class Place:
    """Where a config (or the weights store) holds something a release changed, and the value that matters."""

    location: str
    value: str


# Lookup layers whose `vocabulary` may be a file path (keras/src/layers/preprocessing/index_lookup.py).
_LOOKUP_LAYERS = frozenset({"StringLookup", "IntegerLookup"})


def vocabulary_files(model: KerasModel) -> tuple[Place, ...]:
    """StringLookup/IntegerLookup layers whose stored ``vocabulary`` is a file path or URL, not a list."""
    return tuple(
        Place(layer.location, layer.config["vocabulary"])
        for layer in _walk(model)
        if layer.class_name in _LOOKUP_LAYERS and isinstance(layer.config.get("vocabulary"), str)
    )


def tfsm_layers(model: KerasModel) -> tuple[Place, ...]:
    """TFSMLayer layers, with the SavedModel path each loads."""
    return tuple(
        Place(layer.location, str(layer.config.get("filepath", "?")))
        for layer in _walk(model)
        if layer.class_name == "TFSMLayer"
    )


def _is_keras_module(module: str | None) -> bool:
    return module is not None and (module == "keras" or module.startswith("keras."))


def registered_builtins(model: KerasModel) -> tuple[Place, ...]:
    """Objects stored with a Keras module and a ``registered_name`` that differs from their class name:
    without the package that registers that name, the loader resolves them to the Keras built-in."""
    found = []
    for use in model.named_objects:
        ref = use.ref
        if _is_keras_module(ref.module) and ref.registered_name and ref.registered_name != ref.class_name:
            found.append(Place(use.where, f"{ref.class_name} as {ref.registered_name}"))
    return tuple(dict.fromkeys(found))


def _container_segment(part: str) -> bool:
    return part == "container" or (part.startswith("container_") and part[len("container_") :].isdigit())


def nested_container_weights(model: KerasModel) -> tuple[Place, ...]:
    """Weights stored below ``container``/``container_N`` groups: sub-layers of nested lists (Keras >= 3.15)."""
    found = []
    for layer in model.weights or ():
        for weight in layer.weights:
            parts = weight.location.split("/")
            if any(_container_segment(part) for part in parts[:-1]):
                found.append(Place(layer.name, weight.location.rsplit("/vars/", 1)[0]))
    return tuple(dict.fromkeys(found))


def imports_modules(target: Target) -> bool:
    """Whether the target's loader imports a config's ``module`` to find a class that is neither built in nor
    registered: Keras 3 before 3.9 imports any module; later releases only Keras's own packages."""
    return target.line == KERAS_3 and not target.has_change("module_allowlist")


def allowed_module(module: str) -> bool:
    """Whether Keras >= 3.9 still imports ``module`` when a config names it."""
    return module.split(".", 1)[0] in _keras3()["refused"]["module_allowlist"]


def non_modeling_functions() -> frozenset[str]:
    """Keras functions that load, save, download or turn safety off, which Keras 3 refuses in a config from 3.11
    (loading APIs) or 3.15 (every non-modeling API) on."""
    refused = _keras3()["refused"]
    return frozenset(refused["refused_functions"]) | frozenset(refused["refused_functions_widened"])


def first_refused(qualified: str) -> str:
    """The Keras release that started refusing the function ``module.name`` in a config ("3.11.0")."""
    widened = qualified in _keras3()["refused"]["refused_functions_widened"]
    return change_words("refused_functions_widened" if widened else "refused_functions")


def refuses_function(qualified: str, target: Target) -> bool:
    """Whether the target's loader refuses to deserialize the function ``module.name`` (a Keras loading or
    other non-modeling API, or a function reached by importing a ``keras.src`` module), so load_model fails."""
    if not target.has_change("refused_functions"):
        return False
    refused = set(_keras3()["refused"]["refused_functions"])
    if target.has_change("refused_functions_widened"):
        refused |= set(_keras3()["refused"]["refused_functions_widened"])
    # Not an exported name: found by importing its module, which Keras >= 3.11 allows for KerasSaveable
    # classes only ("Could not deserialize ... because it is not a KerasSaveable subclass").
    return qualified in refused or qualified.startswith("keras.src.")


def backend_modules(model: KerasModel, target: Target) -> tuple[Place, ...]:
    """Objects serialized under another Keras 3 backend's module than the target's (a PyTorch optimizer)."""
    prefix = _keras3()["backend_modules"]["prefix"]
    found = []
    for use in model.named_objects:
        module = use.ref.module or ""
        backend = module[len(prefix) :].split(".", 1)[0] if module.startswith(prefix) else None
        if backend and backend != target.backend and backend != "common":
            found.append(Place(use.where, module))
    return tuple(dict.fromkeys(found))


def unsupported_quantization(model: KerasModel, target: Target) -> tuple[Place, ...]:
    """Layers quantized in a mode the target's Keras 3 release does not have yet (``value``: the mode)."""
    if target.line != KERAS_3:
        return ()
    found = []
    for layer in _walk(model):
        mode = quantization.mode(layer)
        first = version_tuple(quantization.modes().get(mode or "", ""))
        if mode is not None and first is not None and target.version < first:
            found.append(Place(layer.location, mode))
    return tuple(found)


def store_prefix_skew(model: KerasModel, target: Target) -> str | None:
    """Where a tf.keras / tf-keras target's loader looks for this .keras archive's layer weights when that is
    not where its saver put them: ``"prefix"`` (the store uses ``_layer_checkpoint_dependencies/``, the
    target only ``layers/``), ``"layers"`` (the other way round), None when they agree or cannot be told."""
    if target.line not in (TF_KERAS, TF_KERAS_PACKAGE) or model.format.loader != ir.KERAS_ARCHIVE:
        return None
    facts = table("versions")["keras2_store"]
    locations = [w.location for layer in model.weights or () for w in layer.weights]
    if not locations or target.release is None:
        return None
    prefixed = any(location.startswith(facts["prefix"]) for location in locations)
    plain = any(location.startswith("layers/") for location in locations)
    target_prefixed = target.release in facts["prefix_releases"]
    if prefixed and not plain and not target_prefixed:
        return "prefix"
    if plain and not prefixed and target_prefixed:
        return "layers"
    return None
