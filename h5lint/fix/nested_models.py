"""Renumber Keras 2 references to nested models the way Keras 3 counts calls.

Keras 2 gives a nested model (a Sequential or functional model used as a layer) a node of its own for its
inputs, so the first call of it is node 1 in the outer model's ``inbound_nodes`` and ``output_layers``; Keras 3
counts calls from 0 (keras/src/models/functional.py ``deserialize_node``), fails with "list index out of range"
and leaves the layers after it unresolved. Each such reference is moved down by one: the same call, numbered
as Keras 3 numbers it (what Keras 3 itself writes for nested models).
"""

from __future__ import annotations

from typing import Any, Iterator

from .changes import Change, Transformation
from .configs import Configs
from .walk import Json, model_layers, models

NAME = "nested-model-references"


def _refs(value: Any) -> Iterator[list]:
    """``[layer, node, tensor(, kwargs)]`` lists inside a legacy node or ``output_layers`` value."""
    if isinstance(value, list):
        if len(value) >= 3 and isinstance(value[0], str) and isinstance(value[1], int) and isinstance(value[2], int):
            yield value
            return
        for item in value:
            yield from _refs(item)
    elif isinstance(value, dict) and "args" not in value:
        for item in value.values():
            yield from _refs(item)


def _nested(model: Json) -> set[str]:
    names = set()
    for layer in model_layers(model) or []:
        if isinstance(layer, dict) and model_layers(layer) is not None:
            config = layer.get("config") if isinstance(layer.get("config"), dict) else {}
            name = layer.get("name") or config.get("name")
            if isinstance(name, str):
                names.add(name)
    return names


def _renumber(value: Any, where: str, nested: set[str]) -> list[Change]:
    changes = []
    for ref in _refs(value):
        if ref[0] in nested and ref[1] >= 1:
            ref[1] -= 1
            changes.append(
                Change(
                    NAME,
                    where,
                    f"renumbered {where}: call {ref[1] + 1} of nested model '{ref[0]}' is node {ref[1]} in Keras 3",
                )
            )
    return changes


def _apply(configs: Configs) -> tuple[Configs, tuple[Change, ...]]:
    model, compile_config = configs.edited()
    changes: list[Change] = []
    for sub in models(model):
        nested = _nested(sub)
        layers = model_layers(sub) or []
        if not nested or not isinstance(sub.get("config"), dict) or "output_layers" not in sub["config"]:
            continue  # only functional configs reference calls by node
        for layer in layers:
            if isinstance(layer, dict) and isinstance(layer.get("inbound_nodes"), list):
                name = layer.get("name") or "?"
                changes += _renumber(layer["inbound_nodes"], f"{name}.inbound_nodes", nested)
        changes += _renumber(
            sub["config"]["output_layers"], f"{sub['config'].get('name') or 'model'}.output_layers", nested
        )
    return Configs(model, compile_config, configs.loader), tuple(changes)


TRANSFORMATION = Transformation(
    NAME, "renumber Keras 2 references to nested models (first call = node 1) the Keras 3 way (node 0)", _apply
)
