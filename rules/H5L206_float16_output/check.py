"""H5L206 float16-output: under mixed precision the final activation (or the output) is float16."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.heads import (
    PROBABILITY,
    compute_dtype,
    describe,
    significant_digits,
)
from h5lint.keras.model import KerasModel


def _consequence(kind: str | None, dtype: str) -> str:
    """What a 16-bit output does to the values of an activation of this kind (None: unknown)."""
    if kind in PROBABILITY:
        effect = "probabilities round to exactly 0 or 1 and the loss's logarithms blow up"
    else:
        overflow = " and values above 65504 overflow to inf" if dtype == "float16" else ""
        effect = f"small differences between predictions vanish{overflow}"
    return (
        f"A {dtype} number keeps {significant_digits(dtype)} significant digits, so {effect}; Keras's mixed-precision "
        "guide says to keep the model's output float32."
    )


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    for head in model.heads:
        act = head.activation
        dtype = compute_dtype(act.layer.dtype_policy) if act is not None else None
        if act is not None and dtype is not None:
            message = (
                f"Output '{head.output.name}' comes from {describe(act)}, whose dtype policy is "
                f"'{act.layer.dtype_policy}': it computes the output in {dtype}. {_consequence(act.kind, dtype)}"
            )
            fix = f"pass dtype='float32' to layer '{act.layer.location}'"
            if act.kind in PROBABILITY:
                fix += f", or make it linear and end the model with keras.layers.Activation('{act.name}', dtype='float32')"
            yield Hit(message, f"layer:{act.layer.location}", fix)
            continue
        # Otherwise the output's dtype is that of the nearest pass-through layer recording a policy:
        # Keras layers cast their floating inputs to their own compute dtype.
        last = next((layer for layer in head.through if layer.dtype_policy), None)
        dtype = compute_dtype(last.dtype_policy) if last is not None else None
        if last is None or dtype is None:
            continue
        message = (
            f"Output '{head.output.name}' passes through layer '{last.location}' ({last.class_name}), whose dtype "
            f"policy is '{last.dtype_policy}': it casts the output to {dtype}. "
            f"{_consequence(act.kind if act else None, dtype)}"
        )
        yield Hit(message, f"layer:{last.location}", f"pass dtype='float32' to layer '{last.location}'")
