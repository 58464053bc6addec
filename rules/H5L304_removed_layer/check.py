"""H5L304: a built-in class or function of the Keras that saved the file that the target Keras lacks: one it no
longer has (a tf.keras file loaded by Keras 3) or one it never had (a Keras 3 file loaded by tf-keras)."""

from __future__ import annotations

from typing import Iterator, Mapping

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.builtins import builtin_in, lines_with, module_says_keras
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
        if name in gpu_only or verdict is False or builtin_in(name, use.kind, target):
            continue
        if verdict or builtin_in(name, use.kind, writer):
            yield use


def _described(use: NamedObject) -> str:
    name = lookup_name(use)
    lines = lines_with(name, use.kind)
    mode = use.ref.config.get("mode") if use.kind == LAYERS and isinstance(use.ref.config, Mapping) else None
    what = f"{KIND_WORDS[use.kind]} {name}" + (f" (mode {mode!r})" if isinstance(mode, str) else "")
    return what + (f" (built into {', '.join(lines)} only)" if lines else "")


def _lacks(uses: list[NamedObject], model: KerasModel, ctx: RuleContext) -> str:
    """How the target lacks these names, by the direction of the skew. Names that only Keras lines newer than the
    target's have are ones the target "never had"; a name an older line (or the target's own) had is one it
    "no longer has". A name no table knows is placed by the line that wrote the file."""
    rank = KERAS_LINES.index(ctx.target.line)
    newer = set()
    for use in uses:
        lines = lines_with(lookup_name(use), use.kind) or [model.keras_line]
        newer.add(None not in lines and all(KERAS_LINES.index(line) > rank for line in lines))
    return {frozenset({True}): "never had", frozenset({False}): "no longer has"}.get(frozenset(newer), "lacks")


def _fix(names: list[str]) -> str:
    advice = table("removed_layers")["removed"]
    fixes = [f"{name}: {advice[name]['fix']}" for name in names if name in advice]
    return "; ".join(fixes) if fixes else _GENERIC_FIX


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    by_layer: dict[str, list[NamedObject]] = {}
    compiled: list[NamedObject] = []
    for use in _removed(model, ctx):
        if use.layer is not None:
            by_layer.setdefault(use.layer.location, []).append(use)
        else:
            compiled.append(use)
    for location, uses in by_layer.items():
        described = "; ".join(
            dict.fromkeys(_described(u) + ("" if u.where == f"layer {location}" else f" ({u.where})") for u in uses)
        )
        message = (
            f"layer {location} uses {described}, which {ctx.target} {_lacks(uses, model, ctx)}; "
            f"load_model fails on this layer."
        )
        yield Hit(message, f"layer:{location}", _fix(list(dict.fromkeys(lookup_name(u) for u in uses))))
    for name, uses in group_by_name(iter(compiled)).items():
        message = (
            f"{_described(uses[0])} ({places(uses)}), which {ctx.target} {_lacks(uses, model, ctx)}, makes load_model "
            "fail while compiling the loaded model (compile=False skips that step)."
        )
        fix = (
            "load with keras.models.load_model(path, compile=False) and compile again with a "
            f"{KIND_WORDS[uses[0].kind]} the target has"
        )
        yield Hit(message, f"object:{name}", fix)
