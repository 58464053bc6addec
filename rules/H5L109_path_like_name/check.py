"""H5L109 path-like-name: asset file names and layer names shaped like paths that leave their folder."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit, Severity
from h5lint.keras.model import KerasModel
from h5lint.pathnames import PathShape, path_shape
from h5lint.wording import quoted


def _how(shape: PathShape) -> str:
    if shape.scheme is not None:
        return f"is a {shape.scheme}:// URL"
    if shape.absolute:
        return "is an absolute path"
    return "climbs up with '..'"


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.savedmodel is not None:
        for name in model.savedmodel.asset_files:
            shape = path_shape(name)
            if shape.escapes:
                yield Hit(
                    message=f"SavedModel asset {quoted(name)} {_how(shape)}: TensorFlow joins asset names onto "
                    "assets/ and reads that file when the SavedModel is loaded, so it reads a file outside the "
                    "folder (TensorFlow itself writes plain file names).",
                    location=f"member:assets/{name}",
                    fix="Do not load this SavedModel; re-export it from trusted code (tf.saved_model.save copies "
                    "each asset into assets/).",
                    severity=Severity.ERROR,
                )
    if model.graph is None:
        return
    for layer in model.graph.walk():
        shape = path_shape(layer.name)
        if shape.escapes:
            yield Hit(
                message=f"Layer name {quoted(layer.name)} {_how(shape)}; Keras never writes such a name (Keras 3 "
                "refuses '/' in names), and a tool that turns layer names into file paths is led outside its "
                "folder by it.",
                location=f"layer:{layer.location}",
                fix="Treat the file as edited by hand: re-save the model from trusted code, or rename the layer to a "
                "plain name.",
            )
