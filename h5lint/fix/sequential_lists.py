"""Write Sequential configs stored as a bare list of layers (standalone Keras 2.2.2 and earlier) as a dict.

Keras 3's legacy loader reads ``config`` as a dict (``config["config"].pop("batch_input_shape", None)`` in
keras/src/legacy/saving/saving_utils.py) and fails on a list; ``{"name": ..., "layers": [...]}`` is the form
every later Keras writes, with the same layers in the same order.
"""

from __future__ import annotations

from .changes import Change, Transformation
from .configs import Configs
from .walk import models

NAME = "sequential-layer-lists"


def _apply(configs: Configs) -> tuple[Configs, tuple[Change, ...]]:
    model, compile_config = configs.edited()
    changes = []
    for sub in list(models(model)):
        if sub.get("class_name") == "Sequential" and isinstance(sub.get("config"), list):
            name = sub.get("name") if isinstance(sub.get("name"), str) else "sequential"
            sub["config"] = {"name": name, "layers": sub["config"]}
            changes.append(
                Change(NAME, f"{name}.config", f"wrote the layer list of Sequential '{name}' as {{name, layers}}")
            )
    return Configs(model, compile_config, configs.loader), tuple(changes)


TRANSFORMATION = Transformation(NAME, "write bare-list Sequential configs as {name, layers}", _apply)
