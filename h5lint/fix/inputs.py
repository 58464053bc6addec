"""Give input shapes to InputLayers only: ``batch_input_shape`` on other layers is moved or dropped.

tf-keras records the input shape of a Sequential model's first layer as that layer's ``batch_input_shape``
(and ``Embedding`` always writes one). Keras 3's own deserializer rejects the argument on any layer but an
InputLayer, and its legacy HDF5 loader turns it into an input shape with one axis too many when no InputLayer
comes first. So a Sequential model that starts without an InputLayer gets one holding that shape (what tf-keras
built for it: same shape, same dtype, named ``<layer>_input``), and every other copy that Keras 3's own
deserializer would read (layers stored with a ``module``) is dropped: an InputLayer already gives the shape.
"""

from __future__ import annotations

from typing import Any

from ..keras.arguments import BATCH_INPUT_SHAPE, INPUT_LAYER
from .changes import Change, Transformation, shown
from .configs import Configs
from .walk import Json, layer_entries, model_layers, models

NAME = "input-shapes"
# Policies whose variables are float32 while they compute in 16 bits (tf-keras Input takes the variable dtype).
_MIXED = ("mixed_float16", "mixed_bfloat16")


def _input_dtype(config: Json) -> str:
    dtype = config.get("dtype")
    if isinstance(dtype, dict):
        inner = dtype.get("config")
        dtype = inner.get("name") if isinstance(inner, dict) else None
    if not isinstance(dtype, str) or dtype in _MIXED:
        return "float32"
    return dtype


def _input_layer(first: Json, shape: Any) -> Json:
    config = first.get("config") if isinstance(first.get("config"), dict) else {}
    name = f"{config.get('name', 'layer')}_input"
    layer = {
        "class_name": INPUT_LAYER,
        "config": {"batch_shape": shape, "dtype": _input_dtype(config), "sparse": False, "name": name},
    }
    if "module" in first:  # read by Keras 3's own deserializer, which finds classes by module
        layer = {"module": "keras.layers", **layer, "registered_name": None}
    return layer


def _first_layers_get_inputs(model: Any) -> list[Change]:
    changes = []
    for sub in models(model):
        layers = model_layers(sub)
        if not layers or not isinstance(layers[0], dict) or "inbound_nodes" in layers[0]:
            continue  # functional models have their InputLayers
        first = layers[0]
        config = first.get("config")
        if first.get("class_name") == INPUT_LAYER or not isinstance(config, dict) or BATCH_INPUT_SHAPE not in config:
            continue
        shape = config.pop(BATCH_INPUT_SHAPE)
        layers.insert(0, _input_layer(first, shape))
        where = f"{config.get('name', 'the first layer')}.{BATCH_INPUT_SHAPE}"
        changes.append(
            Change(NAME, where, f"moved {where} ({shown(shape)}) to a new InputLayer '{layers[0]['config']['name']}'")
        )
    return changes


def _drop_copies(model: Any) -> list[Change]:
    changes = []
    for entry in layer_entries(model):
        if entry.class_name == INPUT_LAYER or BATCH_INPUT_SHAPE not in entry.config or "module" not in entry.entry:
            continue  # Keras 3's legacy loader turns the copies it reads into a harmless input_shape
        value = entry.config.pop(BATCH_INPUT_SHAPE)
        where = f"{entry.location}.{BATCH_INPUT_SHAPE}"
        changes.append(Change(NAME, where, f"dropped {where} ({shown(value)}): an InputLayer gives the input shape"))
    return changes


def _apply(configs: Configs) -> tuple[Configs, tuple[Change, ...]]:
    model, compile_config = configs.edited()
    changes = _first_layers_get_inputs(model) + _drop_copies(model)
    return Configs(model, compile_config, configs.loader), tuple(changes)


TRANSFORMATION = Transformation(
    NAME,
    "move a Sequential model's first-layer batch_input_shape to a new InputLayer and drop the copies other layers "
    "carry",
    _apply,
)
