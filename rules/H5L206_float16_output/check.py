"""H5L206 float16-output: under mixed precision the final activation (or the output) is float16.

Judged from the layers' dtype policies when the model has a config; a SavedModel without one is judged
from its graph: a serving output of dtype float16 / bfloat16, or a 16-bit ``Softmax`` / ``LogSoftmax`` /
``Sigmoid`` whose values it returns (also when cast back to float32 after it).
"""

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
from h5lint.keras.tfgraph import (
    ACTIVATIONS,
    GraphHead,
    outputs_named,
    reduced_precision,
)


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


def _graph_hits(model: KerasModel) -> Iterator[Hit]:
    by_location: dict[str, list[tuple[GraphHead, str]]] = {}
    for head in model.graph_heads:
        act = head.activation
        computed = reduced_precision(act.dtype) if act is not None else None
        returned = reduced_precision(head.output.dtype)
        if act is not None and computed is not None:
            by_location.setdefault(f"op:{act.op}", []).append((head, computed))
        elif returned is not None:
            by_location.setdefault(f"output:{head.output.name}", []).append((head, returned))
    for location, found in by_location.items():
        heads = [head for head, _ in found]
        dtype = found[0][1]
        act = heads[0].activation
        if location.startswith("op:") and act is not None:
            cast = "" if reduced_precision(heads[0].output.dtype) else f" (cast to {heads[0].output.dtype} after it)"
            what = f"{outputs_named(heads)} returns the values of {act.place}, which computes in {dtype}{cast}"
            fix = "give the layer that applies the activation dtype='float32' (or end the model with "
            fix += f"keras.layers.Activation('{ACTIVATIONS[act.op]}', dtype='float32')), then export the model again"
        else:
            what = f"{outputs_named(heads)} is {dtype} ({heads[0].output.dtype})"
            fix = "give the model's output layer dtype='float32', then export the model again"
        kind = ACTIVATIONS.get(act.op) if act is not None else None
        yield Hit(f"Under mixed precision, {what}. {_consequence(kind, dtype)}", location, fix)


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    yield from _graph_hits(model)
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
