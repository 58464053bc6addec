"""Normalise what ``compile()`` recorded: losses per output, metrics, optimizer.

Losses come as a string, a serialized loss object, a Keras 3 function envelope, a dict keyed by
output name, a list by output position, or one loss for every output (formats.md §1.6, §3.2).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, Iterator

from .knowledge import table
from .refs import flag, object_ref
from .structure import Loss, ModelGraph, ObjectRef, OutputSpec, TrainingConfig


@functools.lru_cache(maxsize=1)
def _loss_aliases() -> Mapping[str, str]:
    names: dict[str, str] = {}
    for canonical, entry in table("losses")["loss"].items():
        names[canonical] = canonical
        for alias in entry.get("aliases", ()):
            names[alias] = canonical
    return names


def canonical_loss_name(name: str) -> str:
    """``mean_squared_error`` for ``mse``/``MeanSquaredError``; other names unchanged."""
    aliases = _loss_aliases()
    if name in aliases:
        return aliases[name]
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return aliases.get(snake, name)


def _loss(value: Any) -> Loss | None:
    ref = object_ref(value)
    if ref is None:
        return None
    config = ref.config if isinstance(ref.config, Mapping) else {}
    # tf-keras LossFunctionWrapper records the function it wraps as "fn".
    fn = config.get("fn") if isinstance(config.get("fn"), str) else None
    name = canonical_loss_name(fn or ref.class_name) if not ref.registered_name else ref.registered_name
    return Loss(name=name, object=ref, from_logits=flag(config.get("from_logits", False)), config=config)


def _is_object(value: Mapping[str, Any]) -> bool:
    return isinstance(value.get("class_name"), str) and "config" in value


def _per_output(value: Any, names: tuple[str, ...]) -> list[Any]:
    """Spread a loss/loss_weights value over the outputs: one for all, by name, or by position."""
    if value is None:
        return [None] * len(names)
    if isinstance(value, Mapping) and not _is_object(value):
        return [value.get(name) for name in names]
    if isinstance(value, list):
        if len(value) == len(names):
            return list(value)
        if len(value) == 1:
            return [value[0]] * len(names)
        return [value[i] if i < len(value) else None for i in range(len(names))]
    return [value] * len(names)


def _objects(value: Any, depth: int = 0) -> Iterator[ObjectRef]:
    """Every loss/metric object named in a (possibly nested) loss or metrics value."""
    if depth > 16 or value is None:
        return
    if isinstance(value, list):
        for item in value:
            yield from _objects(item, depth + 1)
    elif isinstance(value, Mapping) and not _is_object(value):
        for item in value.values():
            yield from _objects(item, depth + 1)
    else:
        ref = object_ref(value)
        if ref is not None:
            yield ref


def build_training(raw: Mapping[str, Any], source: str) -> TrainingConfig:
    optimizer = raw.get("optimizer_config", raw.get("optimizer"))
    metrics = [raw.get("metrics"), raw.get("weighted_metrics")]
    return TrainingConfig(
        source=source,
        optimizer=object_ref(optimizer),
        loss_objects=tuple(_objects(raw.get("loss"))),
        metric_objects=tuple(_objects(metrics)),
        raw=raw,
    )


def output_specs(graph: ModelGraph | None, training: TrainingConfig | None) -> tuple[OutputSpec, ...]:
    if graph is None:
        return ()
    names = graph.output_names
    raw = training.raw if training else {}
    losses = _per_output(raw.get("loss"), names)
    weights = _per_output(raw.get("loss_weights"), names)
    specs = []
    for name, ref, loss, weight in zip(names, graph.outputs, losses, weights):
        specs.append(
            OutputSpec(
                name=name,
                tensor=ref,
                loss=_loss(loss),
                loss_weight=float(weight) if isinstance(weight, (int, float)) and not isinstance(weight, bool) else None,
            )
        )
    return tuple(specs)
