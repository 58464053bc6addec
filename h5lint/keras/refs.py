"""Serialized Keras object references, in every dialect, and the small JSON guards configs need.

A config names a class or function as a bare string (``"relu"``, legacy ``"h5lint>my_act"``), a legacy
``{"class_name", "config"}`` dict, a Keras 3 envelope with ``module`` / ``registered_name``, a function
envelope whose real name is in ``config`` (``{"class_name": "function", "config": "halve"}``), or a
Keras 1 dict that carries only ``name`` (formats.md §2.3-2.5). A config is untrusted JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Iterator

from .structure import ObjectRef

# Config keys whose value is a layer wrapped by this one (TimeDistributed, Bidirectional, RNN ...).
WRAPPED_KEYS = ("layer", "backward_layer", "cell")
# Config keys that hold other layers, which the graph walks as layers of their own.
LAYER_KEYS = frozenset({*WRAPPED_KEYS, "cells", "layers"})
MAX_DEPTH = 64
# Root packages of the modules a Keras 3 ``module`` field names for Keras's own objects.
KERAS_PACKAGES = frozenset({"keras", "tf_keras", "tensorflow"})


def as_dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def names_class(class_name: str, bare: str) -> bool:
    """Whether a layer's ``class_name`` names the class ``bare``: ``Lambda``, or ``keras.layers.core.Lambda`` as
    some Keras 2 configs qualify it."""
    return class_name == bare or class_name.endswith("." + bare)


def module_is_keras(module: str | None) -> bool:
    """A Keras 3 ``module`` field that is absent (older dialects) or inside Keras's own packages."""
    return not module or module.split(".", 1)[0] in KERAS_PACKAGES


def flag(value: Any) -> bool:
    """A boolean argument as Keras reads it: by truthiness (``if self.stateful:``), never checked to be a bool.

    A config keeps whatever the writer's code passed, so ``-1``, ``1`` and even ``"false"`` are on.
    """
    return bool(value)


def split_class_name(raw: Any, registered: Any = None) -> tuple[str, str | None]:
    """``("ScaleLayer", "h5lint>ScaleLayer")`` from a legacy ``"h5lint>ScaleLayer"`` or Keras 3 fields."""
    name = as_str(raw) or "?"
    reg = as_str(registered)
    if ">" in name:
        return name.rsplit(">", 1)[1], name
    if reg and ">" in reg:
        return name, reg
    return name, None


def dtype_policy_name(value: Any) -> str | None:
    """``"mixed_float16"`` from ``"mixed_float16"``, a Policy/DTypePolicy dict, or None."""
    if isinstance(value, str):
        return value
    cfg = as_dict(value).get("config")
    if isinstance(cfg, Mapping):
        return as_str(cfg.get("name"))
    return None


def is_function_envelope(value: Any) -> bool:
    """Keras 3's (and tf-keras's) serialized function: ``{"class_name": "function", "config": "halve", ...}``.

    Its ``module`` is ``"builtins"`` for any plain Python function (the module of Python's function type),
    so it says nothing about where the function lives.
    """
    return isinstance(value, Mapping) and value.get("class_name") == "function" and isinstance(value.get("config"), str)


def object_ref(value: Any) -> ObjectRef | None:
    """A serialized Keras object (string name, legacy or Keras 3 dict, function envelope)."""
    if isinstance(value, str):
        class_name, registered = split_class_name(value)
        return ObjectRef(class_name, registered)
    if not isinstance(value, Mapping) or not isinstance(value.get("class_name"), str):
        return None
    config = value.get("config")
    module = as_str(value.get("module"))
    if is_function_envelope(value):
        # The real name is the config string.
        class_name, registered = split_class_name(config)
        return ObjectRef(class_name, registered, module)
    class_name, registered = split_class_name(value["class_name"], value.get("registered_name"))
    return ObjectRef(class_name, registered, module, config if isinstance(config, Mapping) else None)


def config_object(value: Any) -> ObjectRef | None:
    """The object a config value names, in every dialect; None for plain values (``"float32"``)."""
    if isinstance(value, Mapping) and "class_name" not in value and isinstance(value.get("name"), str):
        # Keras 1 writes some nested objects as {"name": "L1L2Regularizer", "l1": ...}.
        return ObjectRef(value["name"], config=value)
    return object_ref(value)


def serialized_objects(config: Any, depth: int = 0) -> Iterator[ObjectRef]:
    """Every serialized object a config holds at any depth (activations, initializers, losses, dtype policies,
    objects nested in their configs), not descending into the layers it wraps (the graph walks those)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(config, Mapping):
        if "class_name" in config:
            ref = object_ref(config)
            if ref is not None:
                yield ref
        for key, item in config.items():
            if key not in WRAPPED_KEYS and key != "layers":
                yield from serialized_objects(item, depth + 1)
    elif isinstance(config, list):
        for item in config:
            yield from serialized_objects(item, depth + 1)
