"""Layer arguments older Keras wrote that Keras 3's constructors reject, and the values that make them harmless.

The table ``data/keras3_arguments.json`` is measured (``tools/gen_keras3_arguments.py``): each tf-keras layer's
default config handed to Keras 3's ``from_config``. An argument holding the value tf-keras writes by default
means what Keras 3 does without it (``time_major=False``, ``groups=1``), so dropping it keeps the model; any
other value (``time_major=True``) asks for something Keras 3 cannot express.
"""

from __future__ import annotations

import functools
from typing import Any, Mapping

from .knowledge import table
from .structure import Layer

BATCH_INPUT_SHAPE = "batch_input_shape"
INPUT_LAYER = "InputLayer"


@functools.lru_cache(maxsize=1)
def _table() -> Mapping[str, Any]:
    return table("keras3_arguments")


@functools.lru_cache(maxsize=1)
def _wrapped_only() -> Mapping[str, tuple[str, ...]]:
    # Keras 3's legacy loader strips these from top-level Lambda layers only (data/versions.toml).
    raw = table("versions")["keras3"]["rejected_arguments_when_wrapped"]
    return {name: tuple(args) for name, args in raw.items()}


def rejected_arguments(layer: Layer, wrapped: bool = False) -> tuple[str, ...]:
    """The arguments in ``layer``'s config that Keras 3 rejects, in config order.

    ``wrapped``: the layer sits inside a wrapper (TimeDistributed, Bidirectional, an RNN cell), where Keras 3's
    legacy loader no longer strips old Lambda keys. A layer stored with a ``module`` is built by Keras 3's own
    deserializer, which, unlike the legacy HDF5 path, does not turn ``batch_input_shape`` into an input shape.
    """
    rejected = set(_table()["rejected"].get(layer.class_name, ()))
    rejected |= set(_table()["build_state"].get(layer.class_name, ()))
    if wrapped:
        rejected |= set(_wrapped_only().get(layer.class_name, ()))
    if layer.module is not None and layer.class_name != INPUT_LAYER:
        rejected.add(BATCH_INPUT_SHAPE)
    return tuple(key for key in layer.config if key in rejected)


def is_build_state(class_name: str, argument: str) -> bool:
    """tf-keras recorded the shapes the layer was built with; Keras 3 builds it again from the call."""
    return argument in _table()["build_state"].get(class_name, ())


def _envelope_free(value: Any) -> Any:
    """A serialized object without the keys that only say how it was written (``module``, ``registered_name``)."""
    if isinstance(value, Mapping) and "class_name" in value:
        return {k: _envelope_free(v) for k, v in value.items() if k not in ("module", "registered_name")}
    return value


def holds_default(class_name: str, argument: str, value: Any) -> bool:
    """True when ``value`` is what tf-keras writes for ``argument`` by default (Keras 3 means that without it)."""
    defaults = _table()["rejected"].get(class_name, {})
    return argument in defaults and _envelope_free(value) == _envelope_free(defaults[argument])
