"""Shapes as configs record them: JSON lists, or keras_metadata.pb's ``{"class_name": "__tuple__"}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Config keys that give a layer's or an input's full shape, batch dimension first (Keras 1/2, Keras 3,
# Sequential's recorded build shape).
BATCH_SHAPE_KEYS = ("batch_input_shape", "batch_shape", "build_input_shape")


def dims(value: Any) -> list[Any] | None:
    """A shape as a list: JSON lists, or keras_metadata's ``{"class_name": "__tuple__", "items": [...]}``."""
    if isinstance(value, Mapping):
        value = value.get("items")
    return value if isinstance(value, list) else None


def batch_size(config: Mapping[str, Any]) -> int | None:
    """The batch size a layer or model config fixes, None when it records none."""
    for key in BATCH_SHAPE_KEYS:
        shape = dims(config.get(key))
        if shape and isinstance(shape[0], int) and not isinstance(shape[0], bool):
            return shape[0]
    size = config.get("batch_size")
    return size if isinstance(size, int) and not isinstance(size, bool) else None
