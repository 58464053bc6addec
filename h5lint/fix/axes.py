"""Write one-element ``axis`` lists as the integer they hold, where Keras 3's own deserializer reads a layer whose
constructor takes an integer (``BatchNormalization``: ``data/versions.toml`` integer_axis_classes).

tf-keras stores ``BatchNormalization(axis=[2])`` and the like; Keras 3's legacy HDF5 loader turns such a list into
its integer (keras/src/legacy/saving/saving_utils.py ``model_from_config``), but the deserializer of ``.keras``
archives passes the list on, and ``int([2])`` fails ("int() argument must be ... not 'list'"). The same
conversion, done in the file, keeps the layer as it was.
"""

from __future__ import annotations

from ..keras.knowledge import table
from .changes import Change, Transformation
from .configs import Configs
from .walk import layer_entries

NAME = "axis-lists"


def _apply(configs: Configs) -> tuple[Configs, tuple[Change, ...]]:
    model, compile_config = configs.edited()
    changes = []
    for entry in layer_entries(model):
        axis = entry.config.get("axis")
        if "module" not in entry.entry or entry.class_name not in table("versions")["keras3"]["integer_axis_classes"]:
            continue  # Keras 3's legacy loader converts module-less layers itself; other classes take lists
        if not (isinstance(axis, list) and len(axis) == 1 and isinstance(axis[0], int)):
            continue
        entry.config["axis"] = axis[0]
        where = f"{entry.location}.axis"
        changes.append(
            Change(NAME, where, f"wrote {where} [{axis[0]}] as {axis[0]}, as Keras 3's legacy loader reads it")
        )
    return Configs(model, compile_config, configs.loader), tuple(changes)


TRANSFORMATION = Transformation(NAME, "write one-element axis lists as integers in .keras configs", _apply)
