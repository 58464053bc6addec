"""H5L103 foreign-module-reference: a Keras config that makes the loader import a non-Keras module."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras import knowledge
from h5lint.keras.graph import WRAPPED_KEYS
from h5lint.keras.model import KerasModel

MAX_DEPTH = 64


def _reason(obj: Mapping[str, Any], table: Mapping[str, Any]) -> str | None:
    module = obj.get("module") if isinstance(obj.get("module"), str) else ""
    class_name = obj.get("class_name") if isinstance(obj.get("class_name"), str) else ""
    name = obj["config"] if class_name == "function" and isinstance(obj.get("config"), str) else class_name
    registered = obj.get("registered_name") if isinstance(obj.get("registered_name"), str) else ""
    root = module.split(".", 1)[0]
    if module and (root in table["dangerous_modules"] or module in table["dangerous_modules"]):
        return f"module '{module}' (object '{name}')"
    if root == "builtins" and name in table["dangerous_builtins"]:
        return f"the built-in function '{name}'"
    if f"{module}.{name}" in table["keras_gadgets"]:
        return f"'{module}.{name}', which downloads files or disables Keras's safe mode"
    package = registered.split(">", 1)[0] if ">" in registered else ""
    if package and package.split(".", 1)[0] in table["dangerous_modules"]:
        return f"registered name '{registered}'"
    return None


def _scan(value: Any, table: Mapping[str, Any], depth: int = 0) -> Iterator[str]:
    """Reasons found in a config, not descending into wrapped layers or nested models (scanned as layers)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, Mapping):
        if "class_name" in value:
            reason = _reason(value, table)
            if reason:
                yield reason
        for key, item in value.items():
            if key not in WRAPPED_KEYS and key != "layers":
                yield from _scan(item, table, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _scan(item, table, depth + 1)


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
        envelope = {"module": graph.module, "class_name": graph.class_name, "registered_name": graph.registered_name}
        top = [r for r in (_reason(envelope, table),) if r]
        if top:
            yield _hit(top, f"The model class {graph.class_name!r}", "file")
        for layer in graph.walk():
            entry = {"module": layer.module, "class_name": layer.class_name, "registered_name": layer.registered_name}
            reasons = [r for r in (_reason(entry, table),) if r] + list(_scan(dict(layer.config), table))
            if reasons:
                yield _hit(reasons, f"Layer '{layer.name}'", f"layer:{layer.location}")
    if model.training is not None:
        reasons = list(_scan(dict(model.training.raw), table))
        if reasons:
            yield _hit(reasons, "The training configuration", "training")
