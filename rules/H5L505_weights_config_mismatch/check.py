"""H5L505 weights-config-mismatch: the stored weights do not fit the model config, so loading fails.

Only checks that hold for every correct file are made:

* legacy HDF5 full models list every layer of ``model.layers`` in ``model_weights`` (weightless ones
  with an empty list), so a config layer that always has weights (Dense, Conv, LSTM, BatchNormalization
  ..., wrappers and nested models holding one) but no stored weights, or stored weights for a name the
  config does not have, means the two halves of the file disagree; Keras loads them by position, so
  it fails with "Layer count mismatch" / "Weight count mismatch" or puts weights in the wrong layers;
* in any format, a Dense / Conv kernel whose last dimension is not the configured ``units`` /
  ``filters``, which ``set_weights`` rejects.
"""

from __future__ import annotations

from typing import Iterator

from h5lint import ir
from h5lint.checks import RuleContext
from h5lint.findings import Hit, Severity
from h5lint.keras.model import KerasModel
from h5lint.keras.structure import Layer
from h5lint.keras.weights import (
    expected_last_dim,
    kernel_fits,
    kernel_of,
    owns_weights,
    saved_unbuilt,
    shape_text,
)
from h5lint.wording import listed

_FIX = (
    "Re-export the model from the code that trained it (model.save(...)) instead of editing the file; if only "
    "the weights are good, rebuild the model in code and load them with model.load_weights(path, "
    "skip_mismatch=False) to see exactly which layer disagrees."
)


def _layer_lists(model: KerasModel) -> Iterator[Hit]:
    graph = model.graph
    assert graph is not None and model.weights is not None
    stored = {entry.name: entry for entry in model.weights}
    for layer in graph.layers:
        entry = stored.get(layer.name)
        if owns_weights(layer) and (entry is None or not entry.weights):
            what = "lists it without weights" if entry is not None else "stores no weights for it"
            yield Hit(
                f"Layer '{layer.name}' ({layer.class_name}) has weights in the model config, but the file {what} "
                f"(model_weights/{layer.name}): load_model matches stored layers to the config by position and "
                f"fails ('Layer count mismatch') or fills the wrong layers.",
                f"layer:{layer.name}",
                _FIX,
            )
    names = {layer.name for layer in graph.layers}
    for entry in model.weights:
        if entry.name not in names and entry.weights:
            yield Hit(
                f"The file stores weights for a layer named '{entry.name}' ({len(entry.weights)} arrays), but the "
                f"model config has no such layer: the weights and the architecture come from different models.",
                f"layer:{entry.name}",
                _FIX,
            )


def _kernel_shapes(model: KerasModel) -> Iterator[Hit]:
    assert model.graph is not None
    for layer in model.graph.walk():
        expected = expected_last_dim(layer)
        kernel = kernel_of(model, layer) if expected is not None else None
        if expected is None or kernel is None or kernel_fits(layer, kernel):
            continue
        key, value = expected
        yield Hit(
            f"Layer '{layer.location}' ({layer.class_name}) is configured with {key}={value}, but its stored "
            f"kernel '{kernel.name}' has shape {shape_text(kernel)}, whose last dimension must be {value}: "
            f"load_model fails when it sets the weights.",
            f"layer:{layer.location}",
            _FIX,
        )


def _unbuilt(layers: tuple[Layer, ...]) -> Hit:
    return Hit(
        f"No weights are stored for any of its layers ({listed([layer.location for layer in layers])}): the model "
        "was saved before it was built (never called on data, trained or given an input shape), so it holds no "
        "trained weights. Keras 3's "
        "load_model loads it all the same, and the layers get new random weights at their first call: predict() "
        "returns what an untrained model computes.",
        "file",
        "build the model before saving it (start it with keras.Input(shape=...), or call it on a batch), train it, "
        "and save it again; to share only the architecture, save model.to_json() instead",
        Severity.WARNING,
    )


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.graph is None or model.weights is None:
        return
    unbuilt = saved_unbuilt(model)
    if unbuilt:
        yield _unbuilt(unbuilt)  # not a mismatch: config and weights agree that nothing was built
        return
    if model.format.loader == ir.LEGACY_H5:
        yield from _layer_lists(model)
    yield from _kernel_shapes(model)
