"""H5L402 legacy-backend: saved by Keras 1 or on a backend no current Keras runs (Theano, CNTK).

Evidence, strongest first: the recorded ``backend``; a recorded ``keras_version`` 1.x; Keras 1 weight
names (``<layer>_W``, ``<layer>_b``: Keras 2+ names them ``<layer>/kernel``) in files that record no
version, such as Keras 1 weights-only files. Keras 1 never recorded its backend, but a Theano run
leaves variable names without TensorFlow's ``:0`` suffix (formats.md §1.3), which is said when seen.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.knowledge import table
from h5lint.keras.model import KerasModel
from h5lint.keras.weights import param_name
from h5lint.wording import listed

# TensorFlow variable names end in ":<output index>"; Theano shared variables have no suffix.
_TF_SUFFIX = re.compile(r":\d+$")


@functools.lru_cache(maxsize=1)
def _backends() -> Mapping[str, Any]:
    return table("versions")["backends"]


def _keras1_weight_names(model: KerasModel) -> list[str]:
    """Stored names in Keras 1's ``<layer>_<param>`` style (no ``/``)."""
    names = []
    for stored in model.weights or ():
        for weight in stored.weights:
            if "/" not in weight.name and weight.name.startswith(f"{stored.name}_"):
                names.append(weight.name)
    return names


def _conv_layers(model: KerasModel) -> list[str]:
    """Convolution layers by the graph, else stored layers with a kernel of rank 3 or more."""
    if model.graph is not None:
        return [layer.location for layer in model.graph.walk() if "Conv" in layer.class_name]
    return [
        stored.name
        for stored in model.weights or ()
        if any(len(w.shape) >= 3 and param_name(stored.name, w.name) in ("W", "kernel") for w in stored.weights)
    ]


def _backend(model: KerasModel, keras1_names: list[str]) -> tuple[str | None, str | None]:
    """The backend the file was made with (None = unknown), and the reason to report when it is legacy."""
    recorded = (model.versions.backend or "").lower()
    if recorded:
        legacy = recorded in _backends()["legacy"]
        return recorded, f"it records backend '{recorded}', which no current Keras runs" if legacy else None
    plain = [name for name in keras1_names if not _TF_SUFFIX.search(name)]
    if keras1_names and len(plain) == len(keras1_names):
        return "theano", "its weight names have no TensorFlow ':0' suffix, so it ran on Theano"
    if keras1_names and not plain:
        return "tensorflow", None
    return None, None


def _keras1(model: KerasModel, keras1_names: list[str]) -> str | None:
    if model.keras_major == 1:
        return f"it was written by Keras {model.versions.keras_version}"
    if keras1_names:
        return f"its weights carry Keras 1 names ({listed(keras1_names)}), so Keras 1 wrote it"
    return None


def _consequences(model: KerasModel, backend: str | None, keras1: bool) -> list[str]:
    found = []
    if model.graph is not None:
        th_layers = [layer.location for layer in model.graph.walk() if layer.config.get("dim_ordering") == "th"]
        if th_layers:
            found.append(f"Theano's channels-first dim_ordering 'th' is set in {listed(th_layers)}")
    if backend in _backends()["flips_conv_kernels"]:
        convs = _conv_layers(model)
        if convs or (model.graph is None and model.weights is None):
            where = f" ({listed(convs)})" if convs else ""
            found.append(
                f"Theano convolutions flip their kernels and neither tf-keras nor Keras 3 flips them back on "
                f"load, so the convolution layers{where} compute something else"
            )
    elif backend is None and keras1:
        found.append(
            "Keras 1 did not record its backend: if it was trained on Theano, its convolution kernels are "
            "flipped and no loader converts them"
        )
    if keras1:
        found.append(
            "Keras 3's loader applies none of the Keras 1 weight conversions tf-keras makes (per-gate "
            "LSTM/GRU arrays, Conv1D and channels-first kernels)"
        )
    return found


_FIX = (
    "Load it once where it was made (standalone Keras 2.0-2.3 reads Keras 1 files and flips Theano conv kernels "
    "when the file records backend 'theano'), check its predictions, and re-save it with a current Keras "
    "(model.save('model.keras')). Theano kernels in a file that does not record the backend must be flipped by "
    "hand over their spatial axes (what standalone Keras 2's keras.utils.conv_utils.convert_kernel did) before "
    "re-saving."
)


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    keras1_names = _keras1_weight_names(model) if model.keras_major in (None, 1) else []
    backend, backend_reason = _backend(model, keras1_names)
    keras1_reason = _keras1(model, keras1_names)
    reasons = [r for r in (keras1_reason, backend_reason) if r]
    if not reasons:
        return
    message = "This file comes from the Keras 1 / Theano era: " + "; ".join(reasons) + "."
    consequences = _consequences(model, backend, keras1_reason is not None)
    if consequences:
        text = "; ".join(consequences)
        message += f" {text[0].upper()}{text[1:]}."
    yield Hit(message, "file", _FIX)
