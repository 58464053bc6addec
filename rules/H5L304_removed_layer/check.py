"""H5L304: a built-in class or function of the Keras that saved the file that the target Keras lacks: one it no
longer has (a tf.keras file loaded by Keras 3) or one it never had (a Keras 3 file loaded by tf-keras)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.builtins import (
    builtin_in,
    known_to_target,
    lines_with,
    module_says_keras,
)
from h5lint.keras.knowledge import table
from h5lint.keras.model import KerasModel
from h5lint.keras.objects import (
    KIND_WORDS,
    LAYERS,
    NamedObject,
    group_by_name,
    lookup_name,
    places,
)
from h5lint.keras.versions import KERAS_LINES

_GENERIC_FIX = "rebuild the model with a class the target has (or load it with the Keras line that saved it)"


def _removed(model: KerasModel, ctx: RuleContext) -> Iterator[NamedObject]:
    gpu_only = table("removed_layers")["gpu_only"]  # reported by H5L303
    writer, target = model.keras_line, ctx.target.line
    for use in model.named_objects:
        name = lookup_name(use)
        verdict = module_says_keras(use)
        if name in gpu_only or verdict is False or builtin_in(name, use.kind, target) or known_to_target(use, ctx.target):
            continue
        if verdict or builtin_in(name, use.kind, writer):
            yield use


def _described(uses: list[NamedObject]) -> str:
    name = lookup_name(uses[0])
    lines = lines_with(name, uses[0].kind)
    modes = [
        use.ref.config.get("mode")
        for use in uses
        if use.kind == LAYERS and isinstance(use.ref.config, Mapping) and isinstance(use.ref.config.get("mode"), str)
    ]
    shown = ", ".join(repr(mode) for mode in dict.fromkeys(modes))
    what = f"{KIND_WORDS[uses[0].kind]} {name}" + (f" (mode {shown})" if shown else "")
    return what + (f" (built into {', '.join(lines)} only)" if lines else "")


def _never_had(uses: list[NamedObject], model: KerasModel, ctx: RuleContext) -> bool:
    """Whether the skew runs backwards: every Keras line that has the name (for a name no table knows, the line
    that wrote the file) is newer than the target's, so the target never had it rather than no longer has it."""
    lines = lines_with(lookup_name(uses[0]), uses[0].kind) or [model.keras_line]
    rank = KERAS_LINES.index(ctx.target.line)
    return None not in lines and all(KERAS_LINES.index(line) > rank for line in lines)


def _fix(name: str) -> str:
    advice = table("removed_layers")["removed"]
    return f"{name}: {advice[name]['fix']}" if name in advice else _GENERIC_FIX


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    # One finding per removed class or function, listing every place that uses it: one cause, one finding.
    for name, uses in group_by_name(_removed(model, ctx)).items():
        never_had = _never_had(uses, model, ctx)
        layers = list(dict.fromkeys(use.layer.location for use in uses if use.layer is not None))
        if layers:
            where = "it" if len(layers) == 1 else f"the first of these {len(layers)} layers"
            message = (
                f"{_described(uses)} is used in {places(uses)}, and {ctx.target} "
                f"{'never had' if never_had else 'no longer has'} it: "
                f"load_model fails on {where}."
            )
            yield Hit(message, f"object:{name}", _fix(name))
            continue
        message = (
            f"{_described(uses)} ({places(uses)}) {'was never in' if never_had else 'is gone from'} {ctx.target}; load_model "
            "fails while compiling the loaded model (compile=False skips that step)."
        )
        fix = (
            "load with keras.models.load_model(path, compile=False) and compile again with a "
            f"{KIND_WORDS[uses[0].kind]} the target has"
        )
        yield Hit(message, f"object:{name}", fix)
