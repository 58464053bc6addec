"""H5L301: the file names a class or function that neither Keras nor the project provides."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.builtins import needs_code, third_party_package
from h5lint.keras.model import KerasModel
from h5lint.keras.objects import KIND_WORDS, NamedObject, group_by_name, places
from h5lint.keras.release_loading import allowed_module, imports_modules
from h5lint.keras.versions import Target, change_words, version_text


def _imported_module(use: NamedObject, target: Target) -> str | None:
    """The module the target's loader imports to find the object (Keras 3 before 3.9), None when it does not."""
    module = use.ref.module
    if not module or module == "builtins" or allowed_module(module) or not imports_modules(target):
        return None
    return module


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
        imported = _imported_module(first, ctx.target)
        found_by = (
            f"Keras {version_text(ctx.target.version)} finds it by importing the module '{imported}' the config "
            f"names, so load_model fails unless that package is installed (importing it runs its code) or it is given "
            f"custom_objects={{\"{key}\": {python_name}}}; Keras {change_words('module_allowlist')} and later no "
            f"longer import it."
            if imported
            else f"load_model cannot find it and fails unless it is given custom_objects={{\"{key}\": {python_name}}}"
            + (" or the module that registers it is imported first." if registered else ".")
        )
        message = (
            f"custom {kind} '{key}' is not built into Keras ({model.describe_writer()}; target {ctx.target}); "
            f"used in {places(uses)}. {found_by}"
        )
        fix = (
            f"load with keras.models.load_model(path, custom_objects={{\"{key}\": {python_name}}})"
            + (f" after importing the module that defines {python_name} (its @register_keras_serializable "
               f"registers '{key}')" if registered else "")
            + f"; if the project provides it, declare it: custom-objects = [\"{key}\"] in [tool.h5lint]"
        )
        yield Hit(message, f"object:{key}", fix)
