"""H5L202 double-activation: from_logits=True on an output that already ends in sigmoid/softmax.

Judged from the compile config when the model has one; in a SavedModel without one, from the training
functions its graph keeps: a ``SoftmaxCrossEntropyWithLogits`` / ``SparseSoftmaxCrossEntropyWithLogits`` op
(a loss that applies softmax itself) whose logits come from a ``Softmax`` or ``Sigmoid`` op.
"""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.heads import (
    BY_LAYER,
    PROBABILITY,
    describe,
    describe_loss,
    logits_fn,
    loss_class,
    route,
)
from h5lint.keras.model import KerasModel

# Where the loss's own activation maps inputs that are already in [0, 1].
_STUCK = {"sigmoid": "between 0.5 and 0.73", "softmax": "close to uniform"}


def _graph_hits(model: KerasModel) -> Iterator[Hit]:
    by_op: dict[str, list[str]] = {}
    for found in model.graph_losses:
        by_op.setdefault(found.loss.op, []).append(
            f"{found.loss.place} takes as logits the output of {found.activation.place}"
        )
    for op, places in by_op.items():
        message = (
            f"{'; '.join(places)}: the loss applies softmax to values that are already squashed into [0, 1], "
            "so its probabilities stay close to uniform, training barely moves, and the trained model returns "
            "badly calibrated probabilities."
        )
        fix = (
            "pass the logits (the values before the softmax/sigmoid) to the loss, or keep the activation and use "
            "a loss that expects probabilities (keras.losses.SparseCategoricalCrossentropy(from_logits=False))"
        )
        yield Hit(message, f"op:{op}", fix)


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    yield from _graph_hits(model)
    for head in model.heads:
        loss, act = head.output.loss, head.activation
        if loss is None or act is None or not loss.from_logits or act.kind not in PROBABILITY:
            continue
        again = (logits_fn(loss) or "sigmoid/softmax").rsplit(".", 1)[-1]
        stuck = _STUCK.get(again, "in a narrow range")
        message = (
            f"Output '{head.output.name}' is compiled with {describe_loss(loss)}, which applies {again} to "
            f"the predictions itself, but they already come from {describe(act)}{route(head)}: the loss "
            f"squashes values that are already in [0, 1] a second time, so its probabilities stay {stuck}, "
            "training barely moves, and predict() returns badly calibrated probabilities."
        )
        if act.how == BY_LAYER:
            drop = f"remove layer '{act.layer.location}'"
        else:
            drop = f"set activation='linear' on layer '{act.layer.location}'"
        fix = (
            f"compile with keras.losses.{loss_class(loss)}(from_logits=False) to keep the "
            f"{act.name} head, or {drop} and keep from_logits=True"
        )
        yield Hit(message, f"output:{head.output.name}", fix)
