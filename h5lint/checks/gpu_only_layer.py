"""H5L303: a CuDNN layer that runs only on a GPU and that TensorFlow 2 / Keras 3 no longer have."""

from __future__ import annotations

from typing import Iterator

from ..catalog import knowledge
from ..findings import Hit
from ..ir import ModelArtifact
from . import RuleContext
from ._objects import LAYERS, builtin_in, target_line

CODE = "H5L303"


def check(model: ModelArtifact, ctx: RuleContext) -> Iterator[Hit]:
    if model.graph is None:
        return
    table = knowledge("removed_layers")["gpu_only"]
    target = target_line(ctx.runtime)
    for layer in model.graph.walk():
        entry = table.get(layer.class_name)
        if entry is None:
            continue
        replacement = entry["replacement"]
        if builtin_in(layer.class_name, LAYERS, target):
            consequence = f"{ctx.runtime} still loads it, but it runs only on a GPU with cuDNN and fails on a CPU"
        else:
            consequence = f"{ctx.runtime} has no {layer.class_name}, so load_model fails with \"Unknown layer\""
        message = (
            f"layer {layer.location} is a {layer.class_name}; {consequence}. "
            f"{replacement} uses cuDNN by itself when a GPU is present."
        )
        fix = f"rebuild the layer as {entry['rebuild']}; {entry['weights']}; then save the model again"
        yield Hit(message, f"layer:{layer.location}", fix)
