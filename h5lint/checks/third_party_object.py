"""H5L302: the file names an object from a third-party package that must be installed and imported."""

from __future__ import annotations

from typing import Iterator

from ..findings import Hit
from ..ir import ModelArtifact
from . import RuleContext
from ._objects import KIND_WORDS, group_by_name, named_objects, needs_code, places, third_party_package

CODE = "H5L302"


def check(model: ModelArtifact, ctx: RuleContext) -> Iterator[Hit]:
    foreign = (
        use
        for use in named_objects(model)
        if needs_code(use, model, ctx) and third_party_package(use) is not None
    )
    for key, uses in group_by_name(foreign).items():
        first = uses[0]
        package = third_party_package(first)
        assert package is not None  # filtered above
        note = f" Note: {package.note}." if package.note else ""
        message = (
            f"{KIND_WORDS[first.kind]} '{key}' comes from the {package.key} package and is used in "
            f"{places(uses)}; load_model fails unless the package is installed (pip install {package.pip}) and "
            f"imported ({package.import_line}).{note}"
        )
        fix = f"pip install {package.pip}; {package.import_line}; {package.load}"
        yield Hit(message, f"object:{key}", fix)
