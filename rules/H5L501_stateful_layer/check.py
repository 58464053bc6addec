"""H5L501 stateful-layer: a recurrent layer keeps its state between calls and fixes the batch size."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.knowledge import table
from h5lint.keras.model import KerasModel
from h5lint.keras.refs import flag
from h5lint.keras.shapes import batch_size
from h5lint.keras.structure import Layer, ModelGraph

_FIX = (
    "Call reset_states() on the stateful layers between independent sequences (tf.keras / tf-keras: "
    "model.reset_states(); Keras 3: layer.reset_state() on each stateful layer), and feed batches of "
    "exactly the recorded size. To serve one sequence at a time, rebuild the same architecture with "
    "stateful=False and copy the weights: stateless.set_weights(model.get_weights())."
)


@functools.lru_cache(maxsize=1)
def _table() -> Mapping[str, Any]:
    return table("recurrent")


def _is_stateful(layer: Layer) -> bool:
    builtin = layer.registered_name is None and layer.class_name in _table()["stateful"]["classes"]
    return builtin and flag(layer.config.get("stateful"))


def _stored(layer: Layer) -> str:
    """``stateful=True``, or the value as stored when it is not a bool (``stateful=-1``, which Keras takes as True)."""
    value = layer.config.get("stateful")
    return "stateful=True" if value is True else f"stateful={value!r}, which Keras takes as True"


def _graphs_along(graph: ModelGraph, path: tuple[str, ...]) -> list[ModelGraph]:
    """The models enclosing the layer at ``path``, innermost first."""
    found = [graph]
    current: ModelGraph | Layer | None = graph
    for name in path[:-1]:
        if isinstance(current, ModelGraph):
            current = current.layer(name)
        elif isinstance(current, Layer):
            current = next((l for _r, l in current.wrapped if l.name == name), None)
        if current is None:
            break
        if isinstance(current, Layer) and current.submodel is not None:
            current = current.submodel
            found.append(current)
    return found[::-1]


def _batch_size(graph: ModelGraph, layer: Layer, wrappers: list[Layer]) -> int | None:
    """The fixed batch size: the layer's own shape, its wrappers', else an input of an enclosing model."""
    for holder in (layer, *wrappers):
        size = batch_size(holder.config)
        if size is not None:
            return size
    for model in _graphs_along(graph, layer.path):
        sizes = [batch_size(l.config) for l in model.layers if l.class_name == "InputLayer"]
        sizes += [batch_size(model.layers[0].config)] if model.layers else []
        sizes += [batch_size(model.config)]
        known = [s for s in sizes if s is not None]
        if known:
            return known[0]
    return None


def _bidirectional_pair(layer: Layer) -> list[Layer] | None:
    """Both directions of a Bidirectional wrapper (the backward one implied when not stored)."""
    table = _table()["bidirectional"]
    if layer.class_name not in table["classes"]:
        return None
    roles = dict(layer.wrapped)
    forward = roles.get(table["forward_role"])
    if forward is None:
        return None
    return [forward, roles.get(table["backward_role"], forward)]


def _message(subject: str, batch: int | None) -> str:
    size = (
        f"the batch size is fixed at {batch}: every predict()/fit() call must pass batches of exactly {batch}"
        if batch is not None
        else "the batch size is fixed (the file does not record it)"
    )
    return (
        f"{subject}: the state left by one batch is the "
        f"initial state of the next, so predictions depend on what was run before unless "
        f"reset_states() is called, and {size}."
    )


def _visit(graph: ModelGraph, layer: Layer, wrappers: list[Layer]) -> Iterator[Hit]:
    pair = _bidirectional_pair(layer)
    if pair is not None and all(_is_stateful(inner) for inner in pair):
        subject = (
            f"{layer.class_name} layer '{layer.location}' runs a stateful {pair[0].class_name} "
            f"({_stored(pair[0])}) in both directions"
        )
        yield Hit(_message(subject, _batch_size(graph, pair[0], [layer, *wrappers])), f"layer:{layer.location}", _FIX)
        return
    if _is_stateful(layer):
        subject = f"{layer.class_name} layer '{layer.location}' is stateful ({_stored(layer)})"
        yield Hit(_message(subject, _batch_size(graph, layer, wrappers)), f"layer:{layer.location}", _FIX)
    for _role, inner in layer.wrapped:
        yield from _visit(graph, inner, [layer, *wrappers])
    if layer.submodel is not None:
        for nested in layer.submodel.layers:
            yield from _visit(graph, nested, [])


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.graph is None:
        return
    for layer in model.graph.layers:
        yield from _visit(model.graph, layer, [])
