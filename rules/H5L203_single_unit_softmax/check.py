"""H5L203 single-unit-softmax: softmax over an axis of size 1 always returns 1.0."""

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


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
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
