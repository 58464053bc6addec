"""H5L302: the file names an object from a third-party package that must be installed and imported."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.builtins import keras_hub_releases, needs_code, third_party_package
from h5lint.keras.model import KerasModel
from h5lint.keras.objects import KIND_WORDS, group_by_name, places


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    foreign = (
        use
        for use in model.named_objects
        if needs_code(use, model.keras_line, ctx.target, ctx.custom_objects) and third_party_package(use) is not None
    )
    for key, uses in group_by_name(foreign).items():
        first = uses[0]
        package = third_party_package(first)
        assert package is not None  # filtered above
        note = f" Note: {package.note}." if package.note else ""
        span = keras_hub_releases(first) if package.key in ("keras_hub", "keras_nlp") else None
        if span is not None:
            note = f" keras-hub {span[0]} to {span[1]} register it.{note}"
        message = (
            f"{KIND_WORDS[first.kind]} '{key}' comes from the {package.key} package and is used in "
            f"{places(uses)}; load_model fails unless the package is installed (pip install {package.pip}) and "
            f"imported ({package.import_line}).{note}"
        )
        fix = f"pip install {package.pip}; {package.import_line}; {package.load}"
        yield Hit(message, f"object:{key}", fix)
