"""Walk the layer entries of a raw model config (a working copy), the way Keras builds them.

:mod:`h5lint.keras.graph` decodes a config into frozen types to judge it; a transformation needs the JSON
objects themselves to edit them, so this walk yields the very dicts of a working copy: every layer of a
Sequential or functional model, of nested models, and layers inside wrappers (TimeDistributed.layer,
Bidirectional layer/backward_layer, RNN cells).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from ..keras.graph import MAX_NESTING, WRAPPED_KEYS

Json = dict  # a JSON object of a working copy (edited in place by the transformation that owns the copy)


@dataclass(frozen=True)
class Entry:
    """One layer entry of a working copy: ``{"class_name", "config", ...}``."""

    path: tuple[str, ...]  # layer names from the top-level model ("head", "h1")
    entry: Json
    wrapped: bool = False  # inside a wrapper or an RNN

    @property
    def class_name(self) -> str:
        name = self.entry.get("class_name")
        return name.rsplit(">", 1)[-1] if isinstance(name, str) else "?"

    @property
    def config(self) -> Json:
        config = self.entry.get("config")
        return config if isinstance(config, dict) else {}

    @property
    def location(self) -> str:
        return "/".join(self.path)


def model_layers(model: Any) -> list[Any] | None:
    """The layer list of a Sequential or functional model config (a bare-list Sequential's list itself)."""
    if not isinstance(model, dict):
        return None
    config = model.get("config")
    if isinstance(config, list):
        return config
    if isinstance(config, dict) and isinstance(config.get("layers"), list):
        return config["layers"]
    return None


def _name(entry: Json, fallback: str) -> str:
    config = entry.get("config")
    name = config.get("name") if isinstance(config, dict) else None
    name = name if isinstance(name, str) else entry.get("name")
    return name if isinstance(name, str) and name else fallback


def _wrapped(entry: Json) -> Iterator[tuple[str, Json]]:
    config = entry.get("config")
    if not isinstance(config, dict) or model_layers(entry) is not None:
        return
    for key in WRAPPED_KEYS:
        value = config.get(key)
        if isinstance(value, dict) and value.get("class_name") == "StackedRNNCells":
            cells = value.get("config", {}).get("cells") if isinstance(value.get("config"), dict) else None
            yield from ((f"{key}/{i}", c) for i, c in enumerate(cells or []) if isinstance(c, dict))
        elif isinstance(value, dict) and "class_name" in value:
            yield key, value
        elif isinstance(value, list):
            yield from ((f"{key}/{i}", c) for i, c in enumerate(value) if isinstance(c, dict))


def _walk(entry: Json, path: tuple[str, ...], wrapped: bool, depth: int) -> Iterator[Entry]:
    if depth > MAX_NESTING:
        return
    yield Entry(path, entry, wrapped)
    for role, inner in _wrapped(entry):
        yield from _walk(inner, path + (_name(inner, role),), True, depth + 1)
    yield from _model(entry, path, depth + 1)


def _model(model: Json, path: tuple[str, ...], depth: int) -> Iterator[Entry]:
    for index, layer in enumerate(model_layers(model) or []):
        if isinstance(layer, dict):
            yield from _walk(layer, path + (_name(layer, f"layer_{index}"),), False, depth)


def layer_entries(model: Any) -> Iterator[Entry]:
    """Every layer entry of a model config, depth first in file order (nested models' layers after the model)."""
    if isinstance(model, dict):
        yield from _model(model, (), 0)


def models(model: Any, depth: int = 0) -> Iterator[Json]:
    """The model config and every nested model config in it (Sequential or functional)."""
    if not isinstance(model, dict) or depth > MAX_NESTING or model_layers(model) is None:
        return
    yield model
    for layer in model_layers(model) or []:
        yield from models(layer, depth + 1)
