"""H5L504 unadapted-normalization: a Normalization layer was saved with its initial statistics.

A Normalization layer built without ``mean``/``variance`` creates the variables ``mean`` (zeros),
``variance`` (ones) and ``count`` (zero) and fills them in ``adapt()`` (keras/src/layers/preprocessing/
normalization.py, tf_keras/src/layers/preprocessing/normalization.py). Stored mean all 0 and variance all 1
means ``adapt()`` never ran. tf-keras also counts the samples it adapted on; Keras 3 keeps ``count`` at 0
even after ``adapt()``, so a count above 0 proves adaptation but a count of 0 proves nothing. Without
stored weights (a SavedModel, a JSON architecture) nothing is said.
"""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.ir import WeightArray
from h5lint.keras.model import KerasModel
from h5lint.keras.structure import Layer
from h5lint.keras.weights import (
    all_values,
    is_all,
    is_store_name,
    leaf_name,
    owned_weights,
    param_name,
)

NORMALIZATION = "Normalization"
# Variable names, and their order in a Keras 3 store (variables 0, 1, 2).
_STATISTICS = ("mean", "variance", "count")


def _statistics(model: KerasModel, layer: Layer) -> dict[str, WeightArray]:
    weights = owned_weights(model, layer)
    if weights and all(is_store_name(w.name) for w in weights):
        by_index = {leaf_name(w.name): w for w in weights}
        return {name: by_index[str(i)] for i, name in enumerate(_STATISTICS) if str(i) in by_index}
    return {param_name(layer.path[0], w.name): w for w in weights if param_name(layer.path[0], w.name) in _STATISTICS}


def _unadapted(stats: dict[str, WeightArray]) -> bool:
    if "mean" not in stats or "variance" not in stats:
        return False
    if "count" in stats and all_values(stats["count"], lambda chunk: bool((chunk > 0).any())):
        return False
    return is_all(stats["mean"], 0) and is_all(stats["variance"], 1)


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.graph is None or not model.weights:
        return
    for layer in model.graph.walk():
        if layer.class_name != NORMALIZATION or layer.registered_name is not None:
            continue
        if layer.config.get("mean") is not None or layer.config.get("variance") is not None:
            continue  # statistics given in the constructor: nothing to adapt
        if not _unadapted(_statistics(model, layer)):
            continue
        yield Hit(
            f"Normalization layer '{layer.location}' still has its initial statistics (mean 0, variance 1): "
            f"adapt() was never called before saving, so it passes inputs through unscaled and the layers "
            f"after it see raw values instead of the standardised ones they should be trained on.",
            f"layer:{layer.location}",
            f"Call model.get_layer('{layer.name}').adapt(training_features) before training (or pass "
            f"mean= and variance= to keras.layers.Normalization), retrain, and save again.",
        )
