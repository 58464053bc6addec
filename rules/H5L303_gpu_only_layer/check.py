"""H5L303: a CuDNN layer that runs only on a GPU and that TensorFlow 2 / Keras 3 no longer have."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras import knowledge
from h5lint.keras.builtins import builtin_in
from h5lint.keras.model import KerasModel
from h5lint.keras.objects import LAYERS


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.graph is None:
        return
    table = knowledge.table("removed_layers")["gpu_only"]
    target = ctx.target.line
    for layer in model.graph.walk():
        entry = table.get(layer.class_name)
        if entry is None:
            continue
        replacement = entry["replacement"]
        if builtin_in(layer.class_name, LAYERS, target):
            consequence = f"{ctx.target} still loads it, but it runs only on a GPU with cuDNN and fails on a CPU"
        else:
            consequence = f"{ctx.target} has no {layer.class_name}, so load_model fails with \"Unknown layer\""
        message = (
            f"layer {layer.location} is a {layer.class_name}; {consequence}. "
            f"{replacement} uses cuDNN by itself when a GPU is present."
        )
        fix = f"rebuild the layer as {entry['rebuild']}; {entry['weights']}; then save the model again"
        yield Hit(message, f"layer:{layer.location}", fix)
