"""Decode a Keras ``model_config`` (Keras 1, 2, tf.keras, tf-keras or 3) into a :class:`ModelGraph`.

The same model is written in several dialects (formats.md §2): Sequential as a bare list or a dict,
functional models as ``Model`` or ``Functional``, inbound nodes as 3-/4-element lists, flat
TFOpLambda lists or Keras 3 ``{"args", "kwargs"}`` dicts, nested models referenced at node 1
(Keras 2) or node 0 (Keras 3). Everything here is defensive: a config is untrusted JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Callable, Iterator

from .code import stored_code
from .refs import (
    WRAPPED_KEYS,
    as_dict,
    as_int,
    as_str,
    dtype_policy_name,
    split_class_name,
)
from .structure import Layer, ModelGraph, TensorRef

MODEL_CLASSES = frozenset({"Sequential", "Functional", "Model"})
MAX_NESTING = 64


class ConfigProblem(ValueError):
    """A model config h5lint cannot make a graph of; the message says where."""


def _is_ref(value: Any) -> bool:
    return (
        isinstance(value, list)
        and 3 <= len(value) <= 4
        and isinstance(value[0], str)
        and isinstance(value[1], int)
        and isinstance(value[2], int)
        and value[0] != "_CONSTANT_VALUE"
    )


def _keras_tensors(value: Any, depth: int = 0) -> Iterator[TensorRef]:
    """Every ``__keras_tensor__`` history inside a Keras 3 node's args/kwargs, in call order."""
    if depth > MAX_NESTING:
        return
    if isinstance(value, Mapping):
        if value.get("class_name") == "__keras_tensor__":
            history = as_dict(value.get("config")).get("keras_history")
            if isinstance(history, list) and len(history) >= 3 and isinstance(history[0], str):
                yield TensorRef(history[0], as_int(history[1]), as_int(history[2]))
            return
        for item in value.values():
            yield from _keras_tensors(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _keras_tensors(item, depth + 1)


def _legacy_refs(value: Any, depth: int = 0) -> Iterator[TensorRef]:
    """``[layer, node, tensor(, kwargs)]`` references in a Keras 1/2 node, including kwargs."""
    if depth > MAX_NESTING:
        return
    if _is_ref(value):
        yield TensorRef(value[0], value[1], value[2])
        if len(value) == 4:
            yield from _legacy_refs(value[3], depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _legacy_refs(item, depth + 1)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _legacy_refs(item, depth + 1)


def _nodes(raw: Any) -> tuple[tuple[TensorRef, ...], ...]:
    if not isinstance(raw, list):
        return ()
    if _is_ref(raw):  # a single flat TFOpLambda node written without the outer list
        return (tuple(_legacy_refs(raw)),)
    calls = []
    for node in raw:
        if isinstance(node, Mapping):
            calls.append(tuple(_keras_tensors([node.get("args"), node.get("kwargs")])))
        else:
            calls.append(tuple(_legacy_refs(node)))
    return tuple(calls)


def _is_model_entry(class_name: str, config: Any) -> bool:
    if isinstance(config, list):
        return class_name == "Sequential"
    cfg = as_dict(config)
    return class_name in MODEL_CLASSES and "layers" in cfg or ("layers" in cfg and "output_layers" in cfg)


def _wrapped(config: Mapping[str, Any], path: tuple[str, ...], depth: int) -> tuple[tuple[str, Layer], ...]:
    inner: list[tuple[str, Layer]] = []
    used: set[str] = set()
    for key in WRAPPED_KEYS:
        value = config.get(key)
        entries: list[tuple[str, Any]] = []
        if isinstance(value, Mapping) and "class_name" in value:
            cells = as_dict(value.get("config")).get("cells")
            if value.get("class_name") == "StackedRNNCells" and isinstance(cells, list):
                entries = [(f"{key}/{i}", c) for i, c in enumerate(cells)]
            else:
                entries = [(key, value)]
        elif isinstance(value, list):  # RNN(cell=[...]) stores the list directly
            entries = [(f"{key}/{i}", c) for i, c in enumerate(value) if isinstance(c, Mapping)]
        for role, entry in entries:
            name = as_str(as_dict(entry.get("config")).get("name")) or role
            if name in used:
                name = role
            used.add(name)
            inner.append((role, _layer(entry, path + (name,), depth + 1)))
    return tuple(inner)


def _layer(entry: Any, path: tuple[str, ...], depth: int) -> Layer:
    if depth > MAX_NESTING:
        raise ConfigProblem(f"layers nest deeper than {MAX_NESTING} levels at {'/'.join(path)}")
    entry = as_dict(entry)
    class_name, registered = split_class_name(entry.get("class_name"), entry.get("registered_name"))
    raw_config = entry.get("config")
    config = as_dict(raw_config)
    submodel = None
    if _is_model_entry(class_name, raw_config):
        submodel = _graph(entry, path, depth + 1)
    return Layer(
        name=path[-1],
        class_name=class_name,
        path=path,
        config=config,
        registered_name=registered,
        module=as_str(entry.get("module")),
        inbound=_nodes(entry.get("inbound_nodes")),
        dtype_policy=dtype_policy_name(config.get("dtype")),
        dtype_policy_class=as_str(as_dict(config.get("dtype")).get("class_name")),
        wrapped=_wrapped(config, path, depth) if submodel is None else (),
        submodel=submodel,
        code=stored_code(class_name, config),
    )


def _layer_name(entry: Any, index: int) -> str:
    e = as_dict(entry)
    name = as_str(e.get("name")) or as_str(as_dict(e.get("config")).get("name"))
    return name if name else f"{str(e.get('class_name', 'layer')).lower()}_{index}"


def _leaf_refs(value: Any, key: str | None = None, depth: int = 0) -> Iterator[tuple[str | None, TensorRef]]:
    """Triples in ``input_layers``/``output_layers``: a list of triples, a bare triple or a structure."""
    if depth > MAX_NESTING:
        return
    if isinstance(value, list) and len(value) >= 3 and isinstance(value[0], str):
        yield key, TensorRef(value[0], as_int(value[1]), as_int(value[2]))
    elif isinstance(value, list):
        for item in value:
            yield from _leaf_refs(item, None, depth + 1)
    elif isinstance(value, Mapping):
        for k, item in value.items():
            yield from _leaf_refs(item, str(k), depth + 1)


def _nested_model_ref_fix(layers: list[Layer]) -> Callable[[TensorRef], TensorRef]:
    """Keras 1/2 reference a nested model's first call as node 1 (node 0 is its own input node)."""
    models = {l.name for l in layers if l.submodel is not None and l.submodel.kind != "subclassed"}

    def fix(ref: TensorRef) -> TensorRef:
        if ref.layer in models and ref.node_index > 0:
            return TensorRef(ref.layer, ref.node_index - 1, ref.tensor_index)
        return ref

    return fix


def _shift_nested_model_refs(layers: list[Layer], fix: Callable[[TensorRef], TensorRef]) -> list[Layer]:
    return [replace(layer, inbound=tuple(tuple(fix(r) for r in call) for call in layer.inbound)) for layer in layers]


def _graph(model_config: Mapping[str, Any], path: tuple[str, ...], depth: int) -> ModelGraph:
    if depth > MAX_NESTING:
        raise ConfigProblem(f"models nest deeper than {MAX_NESTING} levels at {'/'.join(path)}")
    class_name, registered = split_class_name(model_config.get("class_name"), model_config.get("registered_name"))
    raw = model_config.get("config")
    module = as_str(model_config.get("module"))
    cfg = as_dict(raw)
    name = as_str(cfg.get("name"))
    if isinstance(raw, list) or (class_name == "Sequential" and isinstance(cfg.get("layers"), list)):
        entries = raw if isinstance(raw, list) else cfg["layers"]
        layers = []
        names: set[str] = set()
        for i, entry in enumerate(entries):
            lname = _layer_name(entry, i)
            if lname in names:
                lname = f"{lname}_{i}"
            names.add(lname)
            layer = _layer(entry, path + (lname,), depth)
            if layers:
                layer = replace(layer, inbound=((TensorRef(layers[-1].name),),))
            layers.append(layer)
        outputs = (TensorRef(layers[-1].name),) if layers else ()
        inputs = (TensorRef(layers[0].name),) if layers else ()
        return ModelGraph(
            class_name=class_name,
            name=name,
            layers=tuple(layers),
            inputs=inputs,
            outputs=outputs,
            output_names=tuple(r.layer for r in outputs),
            registered_name=registered,
            module=module,
            config=cfg,
            kind="sequential",
            stored_as_list=isinstance(raw, list),
        )
    if isinstance(cfg.get("layers"), list) and ("output_layers" in cfg or class_name in MODEL_CLASSES):
        entries = cfg["layers"]
        keras3 = any(
            isinstance(node, Mapping)
            for entry in entries
            if isinstance(as_dict(entry).get("inbound_nodes"), list)
            for node in as_dict(entry)["inbound_nodes"]
        )
        layers = [_layer(entry, path + (_layer_name(entry, i),), depth) for i, entry in enumerate(entries)]
        outputs = list(_leaf_refs(cfg.get("output_layers")))
        if not keras3:
            # The model's own outputs reference nested models the same way as its layers do.
            fix = _nested_model_ref_fix(layers)
            layers = _shift_nested_model_refs(layers, fix)
            outputs = [(key, fix(ref)) for key, ref in outputs]
        return ModelGraph(
            class_name=class_name,
            name=name,
            layers=tuple(layers),
            inputs=tuple(ref for _k, ref in _leaf_refs(cfg.get("input_layers"))),
            outputs=tuple(ref for _k, ref in outputs),
            output_names=tuple(key or ref.layer for key, ref in outputs),
            registered_name=registered,
            module=module,
            config=cfg,
            kind="functional",
        )
    return ModelGraph(
        class_name=class_name,
        name=name,
        layers=(),
        registered_name=registered,
        module=module,
        config=cfg,
        kind="subclassed",
    )


def build_graph(model_config: Any) -> ModelGraph:
    """The layer graph of a ``{"class_name", "config"}`` model config in any Keras dialect."""
    if not isinstance(model_config, Mapping) or "class_name" not in model_config:
        raise ConfigProblem('the model config is not a {"class_name": ..., "config": ...} object')
    return _graph(model_config, (), 0)
