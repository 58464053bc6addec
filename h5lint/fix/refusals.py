"""What ``fix`` will not rewrite, and why: the model needs code the file does not hold, or more than a config edit.

A refusal names its reason so that the user knows what to do instead (the load call for code the file needs,
a rebuild for layers Keras 3 no longer has). Nothing is written for a refused file.
"""

from __future__ import annotations

from ..keras.builtins import builtin_in, needs_code, third_party_package
from ..keras.knowledge import table
from ..keras.loadability import changed_activations
from ..keras.model import KerasModel
from ..keras.objects import LAYERS, MODELS, group_by_name, lookup_name
from ..keras.outside import savedmodel_path, vocabulary_path
from ..keras.versions import KERAS_1, KERAS_3, Target
from ..wording import listed
from .configs import FIXABLE_FORMATS


def _format(model: KerasModel, target: Target) -> list[str]:
    fmt = model.format.name
    if fmt in FIXABLE_FORMATS:
        return []
    if fmt == "savedmodel":
        return [
            "it is a SavedModel: fix rewrites the configs of .h5, .keras and .json models, and Keras 3 reads no "
            "SavedModel (the load call gives keras.layers.TFSMLayer / tf.saved_model.load)"
        ]
    return [f"its format ({fmt}) holds no model config fix can rewrite: fix reads .h5, .keras and .json models"]


def _writer(model: KerasModel, target: Target) -> list[str]:
    if target.line != KERAS_3:
        return [f"fix writes copies for Keras 3 (a keras>=3 target), not for {target}"]
    if model.keras_line == KERAS_1 or model.keras_major == 1:
        return ["it is a Keras 1 config: only standalone Keras 2.0-2.3 converts those (load and save it there first)"]
    return []


def _problem(model: KerasModel, target: Target) -> list[str]:
    if model.artifact.keras is None:  # damaged: the rest of the file was read, its config was not
        return ["its model config cannot be read (see the H5L001 finding), so there is nothing to rewrite"]
    return [f"its config cannot be read: {model.problem}"] if model.problem else []


def _code(model: KerasModel, target: Target) -> list[str]:
    uses = [use for use in model.named_objects if needs_code(use, model.keras_line, target, frozenset())]
    if not uses:
        return []
    names = list(group_by_name(uses))
    third = sorted({p.pip for p in (third_party_package(u) for u in uses) if p is not None})
    text = f"it needs code the file does not hold: {listed(names)}"
    if third:
        text += f" (from {', '.join(third)})"
    return [text + "; load it with those objects (see the load call), then save it from Keras 3"]


def _lambdas(model: KerasModel, target: Target) -> list[str]:
    found = [layer.location for layer in model.graph.walk() if layer.class_name == "Lambda"] if model.graph else []
    if not found:
        return []
    return [
        f"Lambda layers hold Python code h5lint never runs or rewrites ({listed(found)}); rebuild them as "
        f"registered custom layers in Keras 3 code and load the weights"
    ]


def _removed(model: KerasModel, target: Target) -> list[str]:
    missing = set(table("versions")["keras3"]["missing_classes"])
    found = sorted(
        {
            f"{lookup_name(use)} ({use.layer.location})" if use.layer else lookup_name(use)
            for use in model.named_objects
            if use.kind in (LAYERS, MODELS)
            and (lookup_name(use) in missing or not builtin_in(lookup_name(use), use.kind, KERAS_3))
            and not needs_code(use, model.keras_line, target, frozenset())
        }
    )
    if not found:
        return []
    return [
        f"it uses layers Keras 3 does not have ({listed(found)}); rebuild those parts with Keras 3 layers (LSTM/GRU "
        f"for CuDNNLSTM/CuDNNGRU, keras.ops in a custom layer for TFOpLambda) and load the weights"
    ]


def _activations(model: KerasModel, target: Target) -> list[str]:
    found = changed_activations(model, target)
    if not found:
        return []
    return [
        f"it uses activations Keras 3 computes differently ({listed(found)}: Keras 2's hard_sigmoid is "
        f"clip(0.2x + 0.5), Keras 3's relu6(x + 3) / 6), so no config edit keeps its predictions; rebuild those "
        f"layers with a custom activation in Keras 3 code and load the weights"
    ]


def _outside(model: KerasModel, target: Target) -> list[str]:
    if model.h5_references:
        return ["the HDF5 file points at other files (external links or storage), which a copy would not carry"]
    readers = [
        layer.location for layer in (model.graph.walk() if model.graph else ())
        if vocabulary_path(layer) is not None or savedmodel_path(layer) is not None
    ]
    if readers:
        return [
            f"layers read files outside the model when it loads ({listed(readers)}: a vocabulary path or a "
            "TFSMLayer filepath, H5L106/H5L107), which a copy would not carry; re-save them with the vocabulary "
            "as a list, or rebuild them"
        ]
    names = [m.name for m in model.archive_members]
    unsafe = [n for n in names if n.startswith("/") or ".." in n.split("/")]
    if unsafe or len(names) != len(set(names)):
        return ["the archive has duplicate or unsafe member names (H5L105); fix does not copy such archives"]
    return []


_CHECKS = (_format, _writer, _problem, _outside, _code, _lambdas, _removed, _activations)


def refusals(model: KerasModel, target: Target) -> tuple[str, ...]:
    """Why fix will not rewrite ``model`` for ``target`` (empty when it may)."""
    found: list[str] = []
    for check in _CHECKS:
        found += check(model, target)
        if found and check in (_format, _writer, _problem):
            break  # the later checks assume a readable config fix can write
    return tuple(found)
