"""H5L203 single-unit-softmax: softmax over an axis of size 1 always returns 1.0.

Judged from the layer config when the model has one; a SavedModel without one (Keras 3 ``export()``,
``tf.Module``) is judged from its graph: a ``Softmax`` / ``LogSoftmax`` op whose values a serving output
returns, when that output's last dimension is 1.
"""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.heads import (
    LOG_SOFTMAX,
    SOFTMAX,
    applied_activations,
    describe,
    use_activation,
)
from h5lint.keras.model import KerasModel
from h5lint.keras.tfgraph import GraphHead, outputs_named

_GRAPH_FIX = (
    "for a yes/no output end the model with a 1-unit sigmoid and compile with binary_crossentropy; for N classes "
    "give the layer before the softmax N units; then export the model again"
)


def _graph_hits(model: KerasModel) -> Iterator[Hit]:
    by_op: dict[str, dict[tuple[str, str], list[GraphHead]]] = {}
    for head in model.graph_heads:
        act = head.activation
        if act is not None and act.op in ("Softmax", "LogSoftmax") and head.last_dim == 1:
            by_op.setdefault(act.op, {}).setdefault((act.function, act.node), []).append(head)
    for op, places in by_op.items():
        constant = "0.0" if op == "LogSoftmax" else "1.0"
        found = "; ".join(f"{heads[0].activation.place} feeds {outputs_named(heads)}" for heads in places.values())
        message = (
            f"{found}, whose last dimension is 1: {op} normalises a single value, so the output is always "
            f"{constant} whatever the input; predictions are constant and nothing before it can learn."
        )
        yield Hit(message, f"op:{op}", _GRAPH_FIX)


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    yield from _graph_hits(model)
    for act in applied_activations(model.graph):
        if act.kind not in (SOFTMAX, LOG_SOFTMAX) or act.units != 1:
            continue
        constant = "0.0" if act.kind == LOG_SOFTMAX else "1.0"
        message = (
            f"In {describe(act)}, {act.name} runs over an axis of size 1: "
            f"it normalises a single value, so the result is always {constant} whatever the input; "
            "predictions are constant and nothing before this layer can learn."
        )
        fix = (
            f"for a yes/no output {use_activation(act, 'sigmoid')} and compile with binary_crossentropy; "
            "for N classes give the layer before the softmax N units"
        )
        yield Hit(message, f"layer:{act.layer.location}", fix)
