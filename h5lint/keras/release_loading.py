"""What single Keras releases changed about loading a config, judged against the target's release.

A built-in class the target release does not have (measured per release, :mod:`.releases`), the load rules
Keras 3 releases changed (``[keras3.since]`` in ``data/versions.toml``: the module allow-list, refused
functions, ``registered_name`` on built-ins, nested-container weight groups), quantization modes, backend
modules and the tf.keras store prefix. :mod:`.loadability` turns these into the reasons a target cannot load
a file; the stored arguments a release rejects are :mod:`.arguments`'s, and what safe mode refuses from which
release (TFSMLayer, vocabulary paths, .h5 Lambdas) is :mod:`.guards`'s.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Iterator

from .. import ir
from . import quantization, releases
from .builtins import builtin_in, module_says_keras
from .knowledge import table
from .model import KerasModel
from .objects import (
    LAYERS,
    NamedObject,
)
from .structure import Layer
from .versions import (
    KERAS_3,
    KERAS_LINES,
    TF_KERAS,
    TF_KERAS_PACKAGE,
    Target,
    change_words,
    version_tuple,
)


@functools.lru_cache(maxsize=1)
def _keras3() -> Mapping[str, Any]:
    return table("versions")["keras3"]


def _walk(model: KerasModel) -> Iterator[Layer]:
    return model.graph.walk() if model.graph is not None else iter(())


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
