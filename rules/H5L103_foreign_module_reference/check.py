"""H5L103 foreign-module-reference: a Keras config that makes the loader import a non-Keras module."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras import knowledge
from h5lint.keras.model import KerasModel
from h5lint.keras.refs import serialized_objects
from h5lint.keras.release_loading import (
    first_refused,
    imports_modules,
    non_modeling_functions,
    refuses_function,
)
from h5lint.keras.structure import ObjectRef
from h5lint.keras.versions import KERAS_3, Target, change_words


@dataclass(frozen=True)
class _Reason:
    text: str
    gadget: str | None = None  # "module.name" of a Keras function that downloads or disables safe mode


def _reason(ref: ObjectRef, table: Mapping[str, Any]) -> _Reason | None:
    module, name, registered = ref.module or "", ref.class_name, ref.registered_name or ""
    root = module.split(".", 1)[0]
    if module and (root in table["dangerous_modules"] or module in table["dangerous_modules"]):
        return _Reason(f"module '{module}' (object '{name}')")
    if root == "builtins" and name in table["dangerous_builtins"]:
        # "builtins" is how Keras 3 writes any plain function; only these names reach Python's built-ins.
        return _Reason(
            f"the function '{name}' with module 'builtins' (Keras's encoding of a plain function), which Keras "
            f"before 3.9 resolves to Python's built-in {name}()"
        )
    if f"{module}.{name}" in table["keras_gadgets"]:
        return _Reason(f"'{module}.{name}', which downloads files or disables Keras's safe mode", f"{module}.{name}")
    if f"{module}.{name}" in non_modeling_functions():
        return _Reason(f"'{module}.{name}', a Keras loading/saving API that no model config needs", f"{module}.{name}")
    package = registered.split(">", 1)[0] if ">" in registered else ""
    if package and package.split(".", 1)[0] in table["dangerous_modules"]:
        return _Reason(f"registered name '{registered}'")
    return None


def _reasons(refs: Iterable[ObjectRef], table: Mapping[str, Any]) -> list[_Reason]:
    return [reason for reason in (_reason(ref, table) for ref in refs) if reason]


def _verdict(reasons: list[_Reason], target: Target) -> str:
    """What the target's loader does with what the config names."""
    gadgets = [r.gadget for r in reasons if r.gadget]
    foreign = [r for r in reasons if not r.gadget]
    parts = []
    if foreign and target.line == KERAS_3:
        if imports_modules(target):
            parts.append(f"the target {target.runtime} imports and calls what a config names, so loading this file "
                         "runs code outside Keras (the CVE-2025-1550 pattern)")
        else:
            parts.append(f"Keras {change_words('module_allowlist')} and later refuse to import it, so load_model fails "
                         "on the target, but Keras 3.0-3.8 import and call it (the CVE-2025-1550 pattern)")
    elif foreign:
        parts.append("Keras imports and calls what a config names, so loading this file runs code outside Keras "
                     "(the CVE-2025-1550 pattern)")
    refused = [g for g in gadgets if refuses_function(g, target)]
    if refused:
        since = max(first_refused(g) for g in refused)
        parts.append(f"Keras {since} and later refuse to deserialize {', '.join(refused)}, so load_model fails on "
                     "the target, but older Keras calls it while loading")
    elif gadgets and target.line == KERAS_3:
        parts.append(f"the target {target.runtime} calls it while loading")
    elif gadgets:
        parts.append(f"Keras 3 before {change_words('refused_functions')} calls it while loading")
    return "; ".join(parts)


def _hit(reasons: list[_Reason], where: str, location: str, target: Target) -> Hit:
    unique = list(dict.fromkeys(r.text for r in reasons))
    return Hit(
        message=f"{where} names {', '.join(unique)}: {_verdict(reasons, target)}.",
        location=location,
        fix="Do not load this file. Upgrade Keras to 3.11 or later (3.9 refuses foreign modules, 3.11 loading "
        "functions) and keep safe_mode=True; re-export the model from trusted code.",
    )


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    table = knowledge.table("foreign_modules")
    graph = model.graph
    if graph is not None:
        top = _reasons([ObjectRef(graph.class_name, graph.registered_name, graph.module)], table)
        if top:
            yield _hit(top, f"The model class {graph.class_name!r}", "file", ctx.target)
        for layer in graph.walk():
            reasons = _reasons([layer.object, *serialized_objects(layer.config)], table)
            if reasons:
                yield _hit(reasons, f"Layer '{layer.name}'", f"layer:{layer.location}", ctx.target)
    if model.training is not None:
        reasons = _reasons(serialized_objects(model.training.raw), table)
        if reasons:
            yield _hit(reasons, "The training configuration", "training", ctx.target)
