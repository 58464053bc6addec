"""H5L201 missing-final-activation: a probability loss on an output that is not squashed into probabilities."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.heads import (
    BINARY,
    CATEGORICAL,
    LINEAR,
    LOG_SIGMOID,
    LOG_SOFTMAX,
    PROBABILITY,
    describe,
    describe_loss,
    from_logits_fix,
    logits_fn,
    loss_expects,
    probability_activation,
    route,
    use_activation,
)
from h5lint.keras.model import KerasModel

_EXPECTED = {
    BINARY: "a probability in [0, 1] per unit",
    CATEGORICAL: "a probability distribution over the last axis",
}
_RETURNED = {
    LINEAR: "unbounded logits",
    LOG_SOFTMAX: "log-probabilities (values <= 0)",
    LOG_SIGMOID: "log-probabilities (values <= 0)",
}


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    for head in model.heads:
        loss, act = head.output.loss, head.activation
        if loss is None or act is None or loss.from_logits or act.kind in PROBABILITY:
            continue
        expects = loss_expects(loss)
        if expects not in _EXPECTED:
            continue
        wanted = probability_activation(expects)
        returned = _RETURNED.get(act.kind, f"'{act.name}' values")
        message = (
            f"Output '{head.output.name}' is compiled with {describe_loss(loss)}, which expects "
            f"{_EXPECTED[expects]}, but its values come from {describe(act)}{route(head)} with no {wanted}: "
            f"predict() returns {returned}, not probabilities, and training clips them into (0, 1), "
            "so the loss and its gradients are wrong wherever they fall outside."
        )
        fix = use_activation(act, wanted)
        # Logits are the right input for from_logits=True; relu/tanh outputs or log-sigmoids are not.
        takes_logits = act.kind == LINEAR or (act.kind == LOG_SOFTMAX and expects == CATEGORICAL)
        if takes_logits and logits_fn(loss):
            fix += f", or keep the logits and {from_logits_fix(loss)}"
        yield Hit(message, f"output:{head.output.name}", fix)
