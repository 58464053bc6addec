"""What both HDF5 paths (own.py and h5py_path.py) report the same way: an unreadable part (H5L001), a
weights-only file (H5L002), and how a weight reader opens the file through h5py."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ... import ir
from ...codes import UNREADABLE, WEIGHTS_ONLY
from ...findings import Hit, ParseOutcome, Problem
from ..parts import some_names
from . import KERAS03_WEIGHTS, KERAS3_WEIGHTS
from .files import open_h5

if TYPE_CHECKING:
    from .weights import Opener

REEXPORT = "re-export the model from the training code, or re-download the file"


def opener(path: str) -> Opener:
    return lambda: open_h5(path)


def problem(path: str, message: str, fix: str | None = REEXPORT) -> Problem:
    return Problem(UNREADABLE, Hit(f"{path}: {message}", "file", fix))


def weights_only_outcome(artifact: ir.ModelArtifact, names: tuple[str, ...], problems: list[Problem]) -> ParseOutcome:
    hit = weights_only_hit(artifact.path, artifact.layout, names)
    return ParseOutcome(artifact, (Problem(WEIGHTS_ONLY, hit), *problems))


def weights_only_hit(path: str, layout: str, names: tuple[str, ...]) -> Hit:
    shown = some_names(list(names))
    held = f"it holds weights for {len(names)} layers ({shown})" if names else "it holds no layer weights"
    if layout == KERAS3_WEIGHTS:
        message = (
            f"Keras 3 weights store (.weights.h5): no model config, so load_model cannot rebuild the model; {held}"
        )
        fix = (
            "load it with model.load_weights(...) into the model built by the same code, "
            "or save the whole model with model.save('model.keras')"
        )
        if not Path(path).name.endswith(".weights.h5"):
            fix += "; Keras 3 load_weights reads this layout only from files named *.weights.h5, so rename it"
    else:
        kind = "Keras 0.3 weights file" if layout == KERAS03_WEIGHTS else "weights only"
        message = f"{kind}: no model_config, so load_model cannot rebuild the model; {held}"
        fix = (
            "load it with model.load_weights(...) into a model built from code or from its model.to_json() "
            "architecture, or save the whole model with model.save(...)"
        )
    return Hit(message, "file", fix)
