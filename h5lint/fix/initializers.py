"""Drop the ``dtype`` tf.keras 1.x-2.1 recorded in initializer configs (``GlorotUniform(dtype='float32')``).

Keras 3's initializers take no such argument and refuse the layer ("Error when deserializing class 'Conv1D'").
An initializer only makes the first values of a weight: a loaded model reads its weights from the file, so
without the argument it predicts the same. Which arguments Keras 3's initializers take is measured per release
(:mod:`h5lint.keras.arguments`); every one they do not take is dropped, for the same reason.
"""

from __future__ import annotations

from ..keras.arguments import newest_keras3, rejected_keys
from ..keras.objects import INITIALIZERS
from .changes import Change, Transformation, shown
from .configs import Configs
from .walk import layer_entries

NAME = "initializer-keys"


def _apply(configs: Configs) -> tuple[Configs, tuple[Change, ...]]:
    target = newest_keras3()
    model, compile_config = configs.edited()
    changes = []
    for entry in layer_entries(model):
        for key, value in entry.config.items():
            inner = value.get("config") if isinstance(value, dict) else None
            name = value.get("class_name") if isinstance(value, dict) else None
            if not key.endswith("_initializer") or not isinstance(inner, dict) or not isinstance(name, str):
                continue
            for argument in rejected_keys(INITIALIZERS, name, inner, target):
                dropped = inner.pop(argument)
                where = f"{entry.location}.{key}.{argument}"
                changes.append(
                    Change(NAME, where, f"dropped {where} ({shown(dropped)}): the weights are loaded, not made")
                )
    return Configs(model, compile_config, configs.loader), tuple(changes)


TRANSFORMATION = Transformation(NAME, "drop the dtype tf.keras 1.x-2.1 recorded in initializer configs", _apply)
