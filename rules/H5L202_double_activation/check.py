"""H5L202 double-activation: from_logits=True on an output that already ends in sigmoid/softmax."""

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


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
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
