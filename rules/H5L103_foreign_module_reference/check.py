"""H5L103 foreign-module-reference: a Keras config that makes the loader import a non-Keras module."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras import knowledge
from h5lint.keras.model import KerasModel
from h5lint.keras.refs import serialized_objects
from h5lint.keras.structure import ObjectRef


def _reason(ref: ObjectRef, table: Mapping[str, Any]) -> str | None:
    module, name, registered = ref.module or "", ref.class_name, ref.registered_name or ""
    root = module.split(".", 1)[0]
    if module and (root in table["dangerous_modules"] or module in table["dangerous_modules"]):
        return f"module '{module}' (object '{name}')"
    if root == "builtins" and name in table["dangerous_builtins"]:
        # "builtins" is how Keras 3 writes any plain function; only these names reach Python's built-ins.
        return (
            f"the function '{name}' with module 'builtins' (Keras's encoding of a plain function), which Keras "
            f"before 3.9 resolves to Python's built-in {name}()"
        )
    if f"{module}.{name}" in table["keras_gadgets"]:
        return f"'{module}.{name}', which downloads files or disables Keras's safe mode"
    package = registered.split(">", 1)[0] if ">" in registered else ""
    if package and package.split(".", 1)[0] in table["dangerous_modules"]:
        return f"registered name '{registered}'"
    return None


def _reasons(refs: Iterable[ObjectRef], table: Mapping[str, Any]) -> list[str]:
    return [reason for reason in (_reason(ref, table) for ref in refs) if reason]


def _hit(reasons: list[str], where: str, location: str) -> Hit:
    unique = list(dict.fromkeys(reasons))
    return Hit(
        message=f"{where} names {', '.join(unique)}: Keras imports and calls what a config names, so loading this "
        "file runs code outside Keras (the CVE-2025-1550 pattern).",
        location=location,
        fix="Do not load this file. Upgrade Keras to 3.9 or later and keep safe_mode=True; re-export the model from "
        "trusted code.",
    )


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    table = knowledge.table("foreign_modules")
    graph = model.graph
    if graph is not None:
        top = _reasons([ObjectRef(graph.class_name, graph.registered_name, graph.module)], table)
        if top:
            yield _hit(top, f"The model class {graph.class_name!r}", "file")
        for layer in graph.walk():
            reasons = _reasons([layer.object, *serialized_objects(layer.config)], table)
            if reasons:
                yield _hit(reasons, f"Layer '{layer.name}'", f"layer:{layer.location}")
    if model.training is not None:
        reasons = _reasons(serialized_objects(model.training.raw), table)
        if reasons:
            yield _hit(reasons, "The training configuration", "training")
