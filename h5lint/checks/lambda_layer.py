"""H5L101 lambda-layer: Lambda layers carry Python code that runs when the model loads."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from ..findings import Hit, Severity
from ..ir import Layer, ModelArtifact
from . import RuleContext
from ._bytecode import CodeNames, code_bytes, read_code_names

CODE = "H5L101"

# Config keys that can hold code, with the key that says how it is stored (Keras 1/2).
_CODE_KEYS = (("function", "function_type"), ("output_shape", "output_shape_type"), ("mask", "mask_type"))


def _is_lambda(layer: Layer) -> bool:
    return layer.class_name == "Lambda" or layer.class_name.endswith(".Lambda")


def _stored(value: Any, kind: Any, module: Any) -> tuple[str, CodeNames | None] | None:
    """What one code-carrying value holds: ("bytecode", names) or ("function", None) with a qualified name."""
    if isinstance(value, Mapping) and value.get("class_name") == "__tuple__":  # keras_metadata.pb JSON
        value = value.get("items")
    if isinstance(value, list) and value and isinstance(value[0], str):
        return "bytecode", read_code_names(code_bytes(value[0]))
    if isinstance(value, Mapping):
        inner = value.get("config")
        if value.get("class_name") == "__lambda__" and isinstance(inner, Mapping):
            code = inner.get("code")
            if not isinstance(code, str) and isinstance(inner.get("value"), list):
                code = inner["value"][0] if inner["value"] else None
            if isinstance(code, str):
                return "bytecode", read_code_names(code_bytes(code))
            return None
        if value.get("class_name") == "function" and isinstance(inner, str):
            mod = value.get("module")
            return (f"{mod}.{inner}" if isinstance(mod, str) and mod else inner), None
        return None
    if isinstance(value, str) and kind == "function":
        return (f"{module}.{value}" if isinstance(module, str) and module else value), None
    if isinstance(value, str) and kind == "lambda":
        return "bytecode", read_code_names(code_bytes(value))
    return None


def _describe(layer: Layer) -> tuple[list[str], list[str]]:
    """Descriptions of each stored piece of code, and every name it refers to."""
    parts: list[str] = []
    names: list[str] = []
    for key, kind_key in _CODE_KEYS:
        stored = _stored(layer.config.get(key), layer.config.get(kind_key), layer.config.get("module"))
        if stored is None:
            continue
        label, code = stored
        if code is None:
            parts.append(f"{key} is the function {label}, which Keras imports by name when loading")
            names += label.split(".")
            continue
        refs = list(dict.fromkeys(code.names))
        version = f"Python {code.layout}" if code.layout else "an unknown Python version (names read approximately)"
        shown = ", ".join(refs[:12]) + (f" and {len(refs) - 12} more" if len(refs) > 12 else "")
        defined = [f for f in code.functions if f != "<lambda>" and not f.endswith(".<lambda>")]
        label = f"marshalled bytecode of def {defined[-1]}()" if defined else "marshalled bytecode"
        parts.append(f"{key} is {label} from {version}" + (f" that refers to {shown}" if refs else ""))
        names += refs + code.strings
    return parts, names


def _dangerous(names: list[str], watch: set[str]) -> list[str]:
    hits = []
    for name in names:
        for token in name.replace("/", ".").replace(" ", ".").split("."):
            if token in watch and token not in hits:
                hits.append(token)
    return hits


def check(model: ModelArtifact, ctx: RuleContext) -> Iterator[Hit]:
    if model.graph is None:
        return
    watch = set(ctx.options.get("dangerous-names", ()))
    for layer in model.graph.walk():
        if not _is_lambda(layer):
            continue
        parts, names = _describe(layer)
        danger = _dangerous(names, watch)
        what = "; ".join(parts) if parts else "its function could not be read"
        message = (
            f"Lambda layer '{layer.name}' carries code that runs when the model is loaded: {what}. "
            "Keras 3 refuses it unless load_model(..., safe_mode=False), and marshalled bytecode only loads "
            "under the Python version that wrote it."
        )
        if danger:
            message += f" It names {', '.join(danger)}, which can run commands or touch files: do not load this model."
        yield Hit(
            message=message,
            location=f"layer:{layer.location}",
            fix="Rebuild the model with the Lambda replaced by a custom layer class registered with "
            "@keras.saving.register_keras_serializable(), or load it with safe_mode=False only if you trust its source.",
            severity=Severity.ERROR if danger else None,
        )
