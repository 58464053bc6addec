"""H5L303: a CuDNN layer that runs only on a GPU and that TensorFlow 2 / Keras 3 no longer have."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras import knowledge
from h5lint.keras.builtins import builtin_in
from h5lint.keras.model import KerasModel
from h5lint.keras.objects import LAYERS
from h5lint.wording import listed


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.graph is None:
        return
    table = knowledge.table("removed_layers")["gpu_only"]
    target = ctx.target.line
    # One finding per CuDNN class, listing its layers: the class is the cause, the fix is the same for each.
    by_class: dict[str, list[str]] = {}
    for layer in model.graph.walk():
        if layer.class_name in table:
            by_class.setdefault(layer.class_name, []).append(layer.location)
    for class_name, locations in by_class.items():
        entry = table[class_name]
        replacement = entry["replacement"]
        if builtin_in(class_name, LAYERS, target):
            consequence = f"{ctx.target} still loads it, but it runs only on a GPU with cuDNN and fails on a CPU"
        else:
            consequence = f"{ctx.target} has no {class_name}, so load_model fails with \"Unknown layer\""
        layers = f"layer {locations[0]} is a" if len(locations) == 1 else f"layers {listed(locations)} are"
        message = f"{layers} {class_name}; {consequence}. {replacement} uses cuDNN by itself when a GPU is present."
        fix = f"rebuild each as {entry['rebuild']}; {entry['weights']}; then save the model again"
        yield Hit(message, f"object:{class_name}", fix)
