"""Drop layer arguments Keras 3 rejects where they hold the value tf-keras writes by default.

``LSTM(time_major=False)``, ``DepthwiseConv2D(groups=1)``, ``SpatialDropout1D(trainable=True)`` ... (the measured
tables :mod:`h5lint.keras.arguments` reads): Keras 3 has no such argument, and without it behaves as tf-keras did
with that value, so the predictions stay. ``MultiHeadAttention`` shapes are build state and go whatever they
hold. Any other value (``time_major=True``) stays, and the file is refused for it.
"""

from __future__ import annotations

from ..keras.arguments import (
    BATCH_INPUT_SHAPE,
    holds_default,
    is_build_state,
    layer_rejections,
)
from ..keras.structure import Layer
from .changes import Change, Transformation, shown
from .configs import Configs
from .walk import layer_entries

NAME = "drop-default-arguments"


def _apply(configs: Configs) -> tuple[Configs, tuple[Change, ...]]:
    model, compile_config = configs.edited()
    changes = []
    for entry in layer_entries(model):
        config = entry.config
        # The table is keyed by class; what the semantic layer judges, this edit undoes (batch_input_shape has
        # its own transformation).
        layer = Layer(entry.path[-1], entry.class_name, entry.path, config, module=entry.entry.get("module"))
        for argument in layer_rejections(layer, entry.wrapped):
            if argument == BATCH_INPUT_SHAPE:
                continue
            value = config[argument]
            if is_build_state(entry.class_name, argument):
                why = "build state; Keras 3 builds the layer from its call"
            elif holds_default(entry.class_name, argument, value):
                why = "tf-keras's default, what Keras 3 does without it"
            else:
                continue
            del config[argument]
            where = f"{entry.location}.{argument}"
            changes.append(Change(NAME, where, f"dropped {where} ({shown(value)}): {why}"))
    return Configs(model, compile_config, configs.loader), tuple(changes)


TRANSFORMATION = Transformation(
    NAME,
    "drop layer arguments Keras 3 rejects where they hold tf-keras's default (time_major=False, groups=1, ...)",
    _apply,
)
