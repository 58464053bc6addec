"""H5L502 non-finite-weights: a stored weight array holds NaN or Inf.

Values are streamed in bounded chunks; only floating-point arrays are read (integer, boolean, string
and object arrays cannot hold NaN and are never touched). One finding per layer, listing each bad
array with its counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.ir import WeightArray
from h5lint.keras.model import KerasModel
from h5lint.keras.weights import CHUNK_ELEMENTS, is_float, shape_text, weight_location


@dataclass(frozen=True)
class _Count:
    weight: WeightArray
    nan: int
    inf: int


def _count(weight: WeightArray) -> _Count:
    nan = inf = 0
    for chunk in weight.chunks(CHUNK_ELEMENTS):
        import numpy as np  # here, not at import: only stored values need it (chunks come as arrays)

        nan += int(np.count_nonzero(np.isnan(chunk)))
        inf += int(np.count_nonzero(np.isinf(chunk)))
    return _Count(weight, nan, inf)


def _describe(count: _Count) -> str:
    parts = [f"{n} {label}" for n, label in ((count.nan, "NaN"), (count.inf, "Inf")) if n]
    return f"'{count.weight.name}' ({shape_text(count.weight)}, {count.weight.size} values): {' and '.join(parts)}"


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    by_location: dict[str, list[_Count]] = {}
    for stored in model.weights or ():
        for weight in stored.weights:
            if not is_float(weight) or weight.size == 0:
                continue
            count = _count(weight)
            if count.nan or count.inf:
                by_location.setdefault(weight_location(model, stored.name, weight), []).append(count)
    for location, counts in by_location.items():
        layer = location.removeprefix("layer:")
        listed = "; ".join(_describe(c) for c in counts)
        yield Hit(
            f"Layer '{layer}' stores non-finite weights: {listed}. Every value computed from them is NaN "
            f"or Inf whatever the input, so the predictions that depend on this layer are meaningless.",
            location,
            "Retrain from the last checkpoint whose weights are finite (lower the learning rate, clip "
            "gradients with clipnorm=1.0, check the data for NaN), or restore this layer's weights from a "
            "good copy; keras.callbacks.TerminateOnNaN() stops training before such weights are saved.",
        )
