"""H5L101 lambda-layer: Lambda layers carry Python code that runs when the model loads."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit, Severity
from h5lint.ir import LEGACY_H5
from h5lint.keras import guards
from h5lint.keras.code import function_references, is_lambda
from h5lint.keras.model import KerasModel
from h5lint.keras.structure import Layer
from h5lint.wording import listed

# How many of the names a piece of bytecode refers to a message spells out.
_NAMES_SHOWN = 12


def _describe(layer: Layer) -> tuple[list[str], list[str]]:
    """Descriptions of each stored piece of code, and every name it refers to."""
    parts: list[str] = []
    names: list[str] = []
    for code in layer.code:
        if code.function is not None:
            parts.append(f"{code.key} is the function {code.function}, which the loader looks up by name")
            names += code.function.split(".")
            continue
        version = f"Python {code.python}" if code.python else "an unknown Python version (names read approximately)"
        defined = [f for f in code.functions if f != "<lambda>" and not f.endswith(".<lambda>")]
        label = f"marshalled bytecode of def {defined[-1]}()" if defined else "marshalled bytecode"
        refers = f" that refers to {listed(code.names, _NAMES_SHOWN)}" if code.names else ""
        parts.append(f"{code.key} is {label} from {version}{refers}")
        names += [*code.names, *code.strings]
    return parts, names


def _dangerous(names: list[str], watch: set[str]) -> list[str]:
    hits = []
    for name in names:
        for token in name.replace("/", ".").replace(" ", ".").split("."):
            if token in watch and token not in hits:
                hits.append(token)
    return hits


def _refusal(model: KerasModel, ctx: RuleContext) -> tuple[str, bool]:
    """Which loaders refuse the Lambda, and whether the target runs it without being asked.

    Keras 3 refuses Lambdas in .keras archives in every release, which the message of every format but
    legacy HDF5 says; in HDF5 files only since the CVE-2025-9905 fix, and tf-keras never does (the h5-lambda
    guard knows which target does what).
    """
    if model.format.loader != LEGACY_H5:
        return "Keras 3 refuses it unless load_model(..., safe_mode=False)", False
    guard = guards.guard(guards.H5_LAMBDA)
    unasked = guard.exposure(ctx.target) is guards.Exposure.DOES_IT
    return f"On load, {guard.consequence(ctx.target, 'runs it', 'Lambda')}", unasked


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.graph is None:
        return
    watch = set(ctx.options.get("dangerous-names", ()))
    refusal, unasked = _refusal(model, ctx)
    for layer in model.graph.walk():
        if not is_lambda(layer.class_name):
            continue
        if not layer.code and any(function_references(layer.class_name, layer.config)):
            # Keras 3 stored only the function's name: no code in the file, a name to pass (H5L301, H5L103).
            continue
        parts, names = _describe(layer)
        danger = _dangerous(names, watch)
        what = "; ".join(parts) if parts else "its function could not be read"
        message = f"Lambda layer '{layer.name}' carries code that runs when the model is loaded: {what}. {refusal}"
        if any(code.is_bytecode for code in layer.code) or not layer.code:
            message += ", and marshalled bytecode only loads under the Python version that wrote it"
        message += "."
        if danger:
            message += f" It names {', '.join(danger)}, which can run commands or touch files: do not load this model."
        yield Hit(
            message=message,
            location=f"layer:{layer.location}",
            fix="Rebuild the model with the Lambda replaced by a custom layer class registered with "
            "@keras.saving.register_keras_serializable(), or load it with safe_mode=False only if you trust its source.",
            severity=Severity.ERROR if danger or unasked else None,
        )
