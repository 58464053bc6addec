"""H5L301: the file names a class or function that neither Keras nor the project provides."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.builtins import needs_code, third_party_package
from h5lint.keras.model import KerasModel
from h5lint.keras.objects import KIND_WORDS, group_by_name, places


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    custom = (
        use
        for use in model.named_objects
        if needs_code(use, model.keras_line, ctx.target, ctx.custom_objects) and third_party_package(use) is None
    )
    for key, uses in group_by_name(custom).items():
        first = uses[0]
        kind = KIND_WORDS[first.kind]
        registered = ">" in key
        python_name = first.ref.class_name
        message = (
            f"custom {kind} '{key}' is not built into Keras ({model.describe_writer()}; target {ctx.target}); "
            f"used in {places(uses)}. load_model cannot find it and fails unless it is given "
            f"custom_objects={{\"{key}\": {python_name}}}"
            + (" or the module that registers it is imported first." if registered else ".")
        )
        fix = (
            f"load with keras.models.load_model(path, custom_objects={{\"{key}\": {python_name}}})"
            + (f" after importing the module that defines {python_name} (its @register_keras_serializable "
               f"registers '{key}')" if registered else "")
            + f"; if the project provides it, declare it: custom-objects = [\"{key}\"] in [tool.h5lint]"
        )
        yield Hit(message, f"object:{key}", fix)
