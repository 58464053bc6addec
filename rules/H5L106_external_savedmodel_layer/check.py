"""H5L106 external-savedmodel-layer: a TFSMLayer makes load_model load a SavedModel from outside the file."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit, Severity
from h5lint.keras import guards
from h5lint.keras.model import KerasModel
from h5lint.keras.outside import TFSM_LAYER, savedmodel_path
from h5lint.pathnames import described, path_shape
from h5lint.wording import quoted


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.graph is None:
        return
    guard = guards.guard(guards.TFSM_LAYER)
    # A loader that does it without being asked makes any TFSMLayer an error; so does a path that leaves
    # the working folder (a URL, an absolute path, '..'), which no one ships next to a model by accident.
    unasked = guard.exposure(ctx.target) is guards.Exposure.DOES_IT
    for layer in model.graph.walk():
        path = savedmodel_path(layer)
        if path is None:
            continue
        yield Hit(
            message=f"TFSMLayer {quoted(layer.name)} makes load_model run the SavedModel at {described(path)}, which "
            "is not in this file, with the loading process's permissions: "
            f"{guard.consequence(ctx.target, 'loads it', TFSM_LAYER)}.",
            location=f"layer:{layer.location}",
            fix="Do not load this file with safe_mode=False unless you trust it and that SavedModel; rebuild the "
            "model with the SavedModel's layers and weights inside it, or create the TFSMLayer in your own code "
            "from a SavedModel you ship.",
            severity=Severity.ERROR if unasked or path_shape(path).escapes else None,
        )
