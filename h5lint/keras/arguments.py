"""Stored constructor arguments a target release's classes do not take, and which stored values make them harmless.

Loaders rebuild every serialized object by calling its class with the stored config
(``cls.from_config(config)`` -> ``cls(**config)``), so an argument the target release's class does not take fails
the load ("Unrecognized keyword arguments passed to DepthwiseConv2D: {'groups': 1}", "Error when deserializing
class 'Dense'" for an initializer's ``dtype``, "Argument(s) not recognized: {'lr': ...}"). Which release takes
what is measured per release (:mod:`.releases`, ``data/keras_releases.json``); what Keras 3's legacy loader strips
from a config before that is ``data/versions.toml`` (``keras3.legacy_loader_strips``).

An argument holding the value its writer puts there by default means what Keras 3 does without it
(``time_major=False``, ``groups=1``), so dropping it keeps the model; any other value (``time_major=True``) asks
for something the target cannot express. What a writer puts into a config by default is not always its
constructor's default (tf-keras writes ``rng_type='stateful'`` for a constructor default of None, and initializers
as serialized objects), so the values tf-keras writes are measured from its configs
(``data/keras3_arguments.json``, ``tools/gen_keras3_arguments.py``); ``keras_releases.json`` holds constructor
defaults, which stand in for other writers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Iterator

from . import releases
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
from .versions import KERAS_1, KERAS_3, Target, parse_target

BATCH_INPUT_SHAPE = "batch_input_shape"
INPUT_LAYER = "InputLayer"
# Kinds whose stored configs a loader passes to the class as keyword arguments.
CONFIG_KINDS = (INITIALIZERS, REGULARIZERS, CONSTRAINTS)


@functools.lru_cache(maxsize=1)
def _written() -> Mapping[str, Any]:
    return table("keras3_arguments")


@functools.lru_cache(maxsize=1)
def _keras3() -> Mapping[str, Any]:
    return table("versions")["keras3"]


@functools.lru_cache(maxsize=1)
def newest_keras3() -> Target:
    """What ``h5lint fix`` writes for: the newest measured Keras 3 release."""
    return parse_target("keras>=3")


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


def rejected_keys(
    kind: str, class_name: str, config: Mapping[str, Any], target: Target, skip: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """The keys of ``config`` that ``class_name`` of the target's release does not take, in config order; none
    when the table does not know the class there (a class the release lacks is another reason)."""
    release = target.release
    accepted = releases.arguments(kind, class_name, target.line, release) if release is not None else None
    if accepted is None:
        return ()
    return tuple(str(key) for key in config if key not in skip and accepted.rejects(str(key)))


def layer_rejections(layer: Layer, wrapped: bool, target: Target | None = None) -> tuple[str, ...]:
    """The arguments in ``layer``'s config that the target (the newest Keras 3 when None) rejects.

    ``wrapped``: the layer sits inside a wrapper (TimeDistributed, Bidirectional, an RNN cell), where Keras 3's
    legacy loader strips nothing; a layer stored with a ``module`` is built by Keras 3's own deserializer, which
    strips nothing either (so ``batch_input_shape`` fails there).
    """
    target = target or newest_keras3()
    return rejected_keys(LAYERS, layer.class_name, layer.config, target, _legacy_strips(layer, not wrapped, target))


def is_build_state(class_name: str, argument: str) -> bool:
    """tf-keras recorded the shapes the layer was built with; Keras 3 builds it again from the call."""
    return argument in _written()["build_state"].get(class_name, ())


def _envelope_free(value: Any) -> Any:
    """A serialized object without the keys that only say how it was written (``module``, ``registered_name``)."""
    if isinstance(value, Mapping) and "class_name" in value:
        return {k: _envelope_free(v) for k, v in value.items() if k not in ("module", "registered_name")}
    return value


def holds_default(class_name: str, argument: str, value: Any) -> bool:
    """True when ``value`` is what tf-keras writes for ``argument`` by default (Keras 3 means that without it)."""
    defaults = _written()["rejected"].get(class_name, {})
    return argument in defaults and _envelope_free(value) == _envelope_free(defaults[argument])


def _same_value(stored: Any, default: Any) -> bool:
    """Whether a stored value is the default: floats are stored as float32 ("lr": 0.0010000000474974513)."""
    if isinstance(stored, float) and isinstance(default, (int, float)) and not isinstance(default, bool):
        return math.isclose(stored, default, rel_tol=1e-6)
    return bool(stored == default and type(stored) is type(default))


def _written_default(kind: str, class_name: str, argument: str, value: Any, model: KerasModel) -> bool:
    if kind == LAYERS and holds_default(class_name, argument, value):
        return True
    writer = model.keras_line
    if writer is None:
        return False
    known = releases.default(kind, class_name, argument, writer, model.keras_release)
    return known is not releases.NO_DEFAULT and _same_value(value, known)


def _judge(
    kind: str,
    class_name: str,
    config: Mapping[str, Any],
    where: str,
    target: Target,
    model: KerasModel,
    skip: frozenset[str] = frozenset(),
) -> Rejected | None:
    found = rejected_keys(kind, class_name, config, target, skip)
    if not found:
        return None
    return Rejected(
        where=where,
        kind=kind,
        class_name=class_name,
        arguments=found,
        at_default=tuple(a for a in found if _written_default(kind, class_name, a, config[a], model)),
        values=tuple((a, config[a]) for a in found),
    )


def _walk(model: KerasModel) -> Iterator[Layer]:
    return model.graph.walk() if model.graph is not None else iter(())


def _wrapped_layers(model: KerasModel) -> frozenset[tuple[str, ...]]:
    """Paths of the layers that sit inside a wrapper (not listed by a Sequential/Functional config itself)."""
    return frozenset(below.path for layer in _walk(model) for _role, inner in layer.wrapped for below in inner.walk())


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
    wrapped = _wrapped_layers(model)
    for layer in _walk(model):
        if layer.submodel is not None:
            continue  # models rebuild from their own config layout, not as constructor arguments
        strips = _legacy_strips(layer, layer.path not in wrapped, target)
        hit = _judge(LAYERS, layer.class_name, layer.config, f"layer {layer.location}", target, model, strips)
        if hit is not None:
            found.append(hit)
    for use in model.named_objects:
        config = use.ref.config if isinstance(use.ref.config, Mapping) else None
        if config is None or module_says_keras(use) is False:
            continue
        if use.kind in CONFIG_KINDS:
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
