"""H5L403 version-skew: the configured runtime cannot load this artifact as it is.

One finding per artifact, listing every reason found; the runtime is ``ctx.target`` (``keras>=3`` unless
the project sets ``target``). Per-layer detail (each TFOpLambda, each unknown class) belongs to the
load-safety rules; this rule answers "will ``load_model`` work here?" once per file. Weights-only files
and TF.js models are not judged: their loading does not go through a Keras config. The reasons are the
semantic layer's (:mod:`h5lint.keras.loadability`), shared with the load call and ``h5lint fix``.
"""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.loadability import KERAS3_MISSING_CLASSES, reasons
from h5lint.keras.model import KerasModel


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    # Layers Keras 3 does not have are reported per layer by the custom-object rules; one cause, one finding.
    found = [r for r in reasons(model, ctx.target) if r.key != KERAS3_MISSING_CLASSES]
    if not found:
        return
    if len(found) == 1:
        text, fixes = found[0].text, f"{found[0].fix[0].upper()}{found[0].fix[1:]}."
    else:
        text = "; ".join(f"({i}) {r.text}" for i, r in enumerate(found, 1))
        fixes = " ".join(f"({i}) {r.fix[0].upper()}{r.fix[1:]}." for i, r in enumerate(found, 1))
    yield Hit(f"The target runtime {ctx.target} cannot load this file as it is: {text}.", "file", fixes)
