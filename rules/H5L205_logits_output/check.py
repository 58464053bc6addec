"""H5L205 logits-output: a linear head trained with from_logits=True; predict() returns logits."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.heads import LINEAR, describe, describe_loss, logits_fn, route
from h5lint.keras.model import KerasModel


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    for head in model.heads:
        loss, act = head.output.loss, head.activation
        if loss is None or act is None or not loss.from_logits or act.kind != LINEAR:
            continue
        fn = logits_fn(loss)
        if fn is None:
            continue
        message = (
            f"Output '{head.output.name}' comes from {describe(act)}{route(head)} and is compiled with "
            f"{describe_loss(loss)}: training is right, but predict() returns logits, not probabilities; "
            f"apply {fn} to the predictions to get them."
        )
        fix = (
            f"probabilities = {fn}(model.predict(x)); or export a model that returns them: "
            f"keras.Sequential([model, keras.layers.Activation('{fn.rsplit('.', 1)[-1]}')])"
        )
        yield Hit(message, f"output:{head.output.name}", fix)
