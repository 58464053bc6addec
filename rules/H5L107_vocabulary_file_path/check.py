"""H5L107 vocabulary-file-path: a lookup layer's vocabulary is a file path or URL that load_model reads."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit, Severity
from h5lint.keras import guards
from h5lint.keras.model import KerasModel
from h5lint.keras.outside import vocabulary_path
from h5lint.keras.versions import KERAS_3, version_text, version_tuple
from h5lint.pathnames import described, path_shape
from h5lint.wording import quoted


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.graph is None:
        return
    guard = guards.guard(guards.VOCABULARY_FILE)
    unasked = guard.exposure(ctx.target) is guards.Exposure.DOES_IT
    # The releases that refuse a path in safe mode are the ones that stopped writing one (keras #21751): a
    # path in a file they wrote was put there by hand.
    version = version_tuple(model.versions.keras_version)
    edited = model.keras_line == KERAS_3 and version is not None and guard.refuses_in(version)
    for layer in model.graph.walk():
        path = vocabulary_path(layer)
        if path is None:
            continue
        message = (
            f"{layer.class_name} {quoted(layer.name)} reads its vocabulary from {described(path)}, outside this "
            "file, when the model is loaded: "
            f"{guard.consequence(ctx.target, 'reads it', layer.class_name)}."
        )
        if edited:
            message += f" Keras {version_text(version)}, which wrote the file, stores vocabularies in assets/ and never a path here."
        yield Hit(
            message=message,
            location=f"layer:{layer.location}",
            fix="Re-save the model with the vocabulary as a list (layer.set_vocabulary(words) before saving) or with "
            f"Keras {guard.fixed_text} or later, which stores the file in assets/; do not load it with safe_mode=False.",
            severity=Severity.ERROR if unasked or edited or path_shape(path).escapes else None,
        )
