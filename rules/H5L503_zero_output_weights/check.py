"""H5L503 zero-output-weights: an output layer's kernel is all zeros, so predictions ignore the input.

The layer that sets each output comes from the shared head tracing (through pass-through layers,
wrappers and nested models); an Activation/Softmax/normalisation layer at the head is followed back to
the layer that feeds it. Only a kernel that can be told apart reliably is read: Dense and convolution
kernels by name, or variable 0 of a Keras 3 weights store. A SavedModel without a Keras config is judged
from its graph: the ``MatMul`` / convolution that computes a serving output (through its activation and
bias add), whose kernel variable the graph names.
"""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.ir import WeightArray
from h5lint.keras.heads import MAX_STEPS, Head, is_builtin
from h5lint.keras.model import KerasModel
from h5lint.keras.structure import Layer
from h5lint.keras.tfgraph import GraphHead, outputs_named
from h5lint.keras.weights import (
    is_all,
    kernel_classes,
    kernel_fits,
    kernel_of,
    layer_at,
    shape_text,
)


def _kernel_layer(model: KerasModel, head: Head) -> Layer | None:
    """The layer whose kernel computes this output.

    Past the head's activation layer (an Activation, Softmax, BatchNormalization ...) the walk goes back
    through built-in layers called once on one tensor: such a layer maps a constant input to a constant
    output, so a zero kernel before it still makes the prediction constant.
    """
    if head.activation is None:
        return None
    layer: Layer | None = head.activation.layer
    for _ in range(MAX_STEPS):
        if layer is None or layer.class_name in kernel_classes() or layer.wrapped:
            return layer
        calls = layer.inbound
        if not is_builtin(layer) or len(calls) != 1 or len(calls[0]) != 1:
            return None
        layer = layer_at(model.graph, layer.path[:-1] + (calls[0][0].layer,))
    return None


_FIX = (
    "Check how the weights were produced: an un-trained or re-initialised head (kernel_initializer="
    "'zeros', set_weights with zeros, a failed load_weights(skip_mismatch=True)) or a training run "
    "that collapsed (dead units, excessive L1/L2). Retrain or restore the weights, then compare "
    "predict() on two different inputs before shipping."
)


def _graph_hits(model: KerasModel) -> Iterator[Hit]:
    stored = {w.location: w for layer in model.weights or () for w in layer.weights}
    by_kernel: dict[str, list[GraphHead]] = {}
    for head in model.graph_heads:
        if head.kernel is not None and head.kernel in stored:
            by_kernel.setdefault(head.kernel, []).append(head)
    for key, heads in by_kernel.items():
        kernel: WeightArray = stored[key]
        if heads[0].kernel_op is None or not is_all(kernel, 0):
            continue
        served = outputs_named(heads)
        yield Hit(
            f"{served[:1].upper()}{served[1:]} is computed by {heads[0].kernel_op.place} from the variable "
            f"'{kernel.name}' ({shape_text(kernel)}), which is all zeros: that op's result is 0 whatever the "
            "input, so every prediction is the same constant.",
            f"layer:{kernel.layer}",
            _FIX,
        )


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if not model.weights:
        return
    yield from _graph_hits(model)
    reported: set[str] = set()
    for head in model.heads:
        layer = _kernel_layer(model, head)
        kernel = kernel_of(model, layer) if layer is not None else None
        if layer is None or kernel is None or layer.location in reported:
            continue
        if not kernel_fits(layer, kernel) or not is_all(kernel, 0):
            continue  # a kernel that does not fit its layer is H5L505's finding
            continue
        reported.add(layer.location)
        yield Hit(
            f"Layer '{layer.location}' ({layer.class_name}), which computes output '{head.output.name}', has an "
            f"all-zero kernel '{kernel.name}' ({shape_text(kernel)}): its output is its bias whatever the input, "
            f"so every prediction is the same constant.",
            f"layer:{layer.location}",
            _FIX,
        )
