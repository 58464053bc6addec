"""Name every class by a module Keras 3 can import.

Keras 3's own deserializer (``.keras`` archives, ``model_from_json``, wrapped layers) finds a class by its
``module``: tf-keras archives name their model class in ``tf_keras.src.engine.functional`` and tf.keras 2.13-2.15
in ``keras.src.engine.functional``, which Keras 3 cannot import ("Could not locate class 'Functional'"); legacy
``model.to_json()`` output names no module at all; and tf.keras up to about 2.12 stored the layer inside a
Bidirectional or TimeDistributed wrapper without one. The same classes live in Keras 3's modules
(``data/versions.toml`` [keras3.module_renames], and ``keras.layers`` for built-in layers), so naming those
changes nothing else. Inside a legacy model config only the top-level model and wrapped layers need one: Keras
3 reads module-less layers of a model through its legacy loader.
"""

from __future__ import annotations

from typing import Any

from ..ir import MODEL_FROM_JSON
from ..keras.builtins import builtin_in
from ..keras.knowledge import table
from ..keras.objects import LAYERS
from ..keras.versions import KERAS_3
from .changes import Change, Transformation
from .configs import Configs
from .walk import Json, layer_entries, models

NAME = "keras3-modules"
# What Keras 3 writes as the module of its model classes (keras/src/models/*.py serialize as such).
_MODEL_MODULES = {"Functional": "keras.src.models.functional", "Sequential": "keras", "Model": "keras"}
# How Keras 3 itself names the top-level model of an architecture (model.to_json()).
_REGISTERED = {"Functional": "Functional"}


def _renamed(objects: list[Json], where: str) -> list[Change]:
    renames = table("versions")["keras3"]["module_renames"]
    changes = []
    for obj in objects:
        module = obj.get("module")
        if isinstance(module, str) and module in renames:
            obj["module"] = renames[module]
            changes.append(
                Change(NAME, where, f"renamed module {module} of {obj.get('class_name')} to {renames[module]}")
            )
    return changes


def _give_module(obj: Json, module: str, what: str) -> Change:
    # Keras writes "module" first and "registered_name" after "config"; the same order reads alike.
    fields = {"module": module, **obj}
    fields.setdefault("registered_name", _REGISTERED.get(str(obj.get("class_name"))))
    obj.clear()
    obj.update(fields)
    return Change(NAME, what, f"named the module of {what} ({obj.get('class_name')}): {module}")


def _apply_to(model: Any, architecture: bool) -> list[Change]:
    if not isinstance(model, dict):
        return []
    changes = _renamed(list(models(model)), "model classes")
    changes += _renamed([e.entry for e in layer_entries(model)], "layers")
    top = model.get("class_name")
    if architecture and "module" not in model and isinstance(top, str) and top in _MODEL_MODULES:
        changes.append(_give_module(model, _MODEL_MODULES[str(top)], "the top-level model"))
    for entry in layer_entries(model):
        if not entry.wrapped or "module" in entry.entry or not builtin_in(entry.class_name, LAYERS, KERAS_3):
            continue
        changes.append(_give_module(entry.entry, "keras.layers", f"wrapped layer {entry.location}"))
    return changes


def _apply(configs: Configs) -> tuple[Configs, tuple[Change, ...]]:
    model, compile_config = configs.edited()
    changes = _apply_to(model, architecture=configs.loader == MODEL_FROM_JSON)
    return Configs(model, compile_config, configs.loader), tuple(changes)


TRANSFORMATION = Transformation(NAME, "name classes by modules Keras 3 imports (model classes, wrapped layers)", _apply)
