"""Why a target runtime cannot load an artifact as it is: the facts H5L403 reports, ``fix`` repairs and the load
call works around (``compile=False``), in one place.

Each finder looks at one kind of problem and returns a :class:`Reason` (or None); :func:`reasons` runs those that
apply to a target, in a fixed order. What Keras 3's loaders fail on was checked by loading real files with Keras
3.15.1 (``data/versions.toml`` says where each fact comes from); what a given release has and takes is measured
per release (``data/keras_releases.json``: :mod:`.arguments`, :mod:`.release_loading`), so ``--target keras==3.8``
and ``--target keras==3.15`` get different, release-true answers.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from .. import ir
from ..wording import listed
from . import quantization, release_loading
from .arguments import Rejected, rejected_arguments
from .builtins import builtin_in
from .knowledge import table
from .model import KerasModel
from .objects import ACTIVATIONS, LAYERS, OPTIMIZERS
from .refs import flag
from .structure import Layer, ModelGraph, ObjectRef, TrainingConfig
from .training import canonical_loss_name
from .versions import (
    KERAS_3,
    TF_KERAS,
    TF_KERAS_PACKAGE,
    Target,
    change_words,
    version_text,
    version_tuple,
)

# Reason keys other modules act on.
COMPILED_OBJECTS = "compiled-objects"  # only compile() fails: load_model(..., compile=False) works
SAVEDMODEL = "savedmodel"  # Keras 3 reads no SavedModel: TFSMLayer / tf.saved_model.load instead
# Layers of classes the target's whole Keras line lacks: H5L303/H5L304 report them per class, H5L403 does not.
MISSING_CLASSES = "missing-classes"


@dataclass(frozen=True)
class Reason:
    key: str  # which finder: "compiled-objects", "rejected-arguments", ...
    text: str
    fix: str


@functools.lru_cache(maxsize=1)
def _facts() -> Mapping[str, Any]:
    return table("versions")


def _layers(model: KerasModel) -> list[Layer]:
    return list(model.graph.walk()) if model.graph is not None else []


def _graphs(graph: ModelGraph | None) -> Iterator[ModelGraph]:
    if graph is None:
        return
    yield graph
    for layer in graph.walk():
        if layer.submodel is not None:
            yield layer.submodel


def _savedmodel(model: KerasModel, target: Target) -> Reason | None:
    if model.format.loader != ir.SAVEDMODEL:
        return None
    info = model.savedmodel
    if info is not None and info.graph_member is None:
        return None  # not a SavedModel to any loader (H5L004 says why)
    if info is not None and not info.tags:
        return None  # saved_model.pb did not parse (H5L001 says so): no loader gets this far
    by_keras = model.graph is not None or (
        info is not None
        and (info.has_keras_metadata or any(i.startswith("_tf_keras_") for i in info.object_identifiers))
    )
    if not by_keras and info is not None and not info.object_identifiers:
        written = f" (TensorFlow {model.versions.tensorflow_version})" if model.versions.tensorflow_version else ""
        return Reason(
            "tf1-savedmodel",
            f"it is a TensorFlow 1 style SavedModel{written}: a graph with signatures and no object graph "
            f"(SavedModelBuilder, simple_save, Estimator export), which Keras 3's keras.models.load_model does not read",
            "serve it with tf.saved_model.load(path).signatures['serving_default'] (or "
            "keras.layers.TFSMLayer(path, call_endpoint='serving_default') inside a Keras 3 model); to get a Keras "
            "model back, rebuild it in code and restore the variables",
        )
    if not by_keras:
        return None  # a TF 2 SavedModel without Keras (tf.Module, Keras 3 export) is meant for tf.saved_model.load
    return Reason(
        SAVEDMODEL,
        "it is a SavedModel written by tf.keras / tf-keras, and Keras 3's keras.models.load_model does not "
        "read SavedModels",
        "for inference wrap it with keras.layers.TFSMLayer(path, call_endpoint='serving_default') or use "
        "tf.saved_model.load(path); to keep it a Keras model, load it with tf_keras.models.load_model "
        "(pip install tf-keras) and re-save it with Keras 3 as model.keras",
    )


def _tf1_savedmodel_tf_keras(model: KerasModel, target: Target) -> Reason | None:
    info = model.savedmodel
    if target.line != TF_KERAS_PACKAGE or model.format.loader != ir.SAVEDMODEL or info is None:
        return None
    if info.graph_member is None or not info.tags or info.object_identifiers:
        return None
    return Reason(
        "tf1-savedmodel",
        "it is a TensorFlow 1 style SavedModel (no object graph), which tf_keras.models.load_model cannot restore "
        "('IndexError: list index out of range' with tf-keras 2.21.0, measured on simple_save and tf.keras 1.15 "
        "export_saved_model folders)",
        "serve it with tf.saved_model.load(path).signatures['serving_default'], or load it in TensorFlow 1.15 "
        "(tf.keras.experimental.load_from_saved_model for a tf.keras export) and re-save it",
    )


def _readable_dialect(model: KerasModel, target: Target) -> bool:
    """Whether the target line reads this file's config dialect at all (else _keras3_file / _keras1 say why
    not): Keras 2 lines cannot read Keras 3 configs, and only standalone Keras 2 converts Keras 1 ones."""
    major = model.keras_major
    return major != 1 and not (major is not None and major >= 3 and target.keras_major != 3)


def _target_words(target: Target) -> str:
    """``Keras 3.8.0`` / ``tf-keras 2.15.1``: the release the target stands for."""
    name = "Keras" if target.line == KERAS_3 else "TensorFlow" if target.package == "tensorflow" else target.package
    return f"{name} {version_text(target.version)}"


def _unknown(model: KerasModel, target: Target, in_line: bool) -> list[release_loading.Unknown]:
    """Layers of built-in classes the target release lacks: those its Keras line has in other releases
    (``in_line``), or those the whole line lacks."""
    if not _readable_dialect(model, target):
        return []
    return [
        u for u in release_loading.classes_unknown_to(model, target)
        if builtin_in(u.class_name, LAYERS, target.line) == in_line
    ]


def _missing_classes(model: KerasModel, target: Target) -> Reason | None:
    found = _unknown(model, target, in_line=False)
    if not found:
        return None
    kinds = list(dict.fromkeys(u.class_name for u in found))
    return Reason(
        MISSING_CLASSES,
        f"{len(found)} layer{'s' if len(found) > 1 else ''} of classes {target.package} does not have: "
        f"{'/'.join(kinds)} ({listed([u.location for u in found])})",
        "rebuild those parts with layers the target has (keras.ops inside a registered custom layer for raw "
        "TensorFlow calls, LSTM/GRU for CuDNNLSTM/CuDNNGRU, whose weights they read), copy the weights and re-save; "
        "or load it with the Keras line that has them",
    )


def _release_classes(model: KerasModel, target: Target) -> Reason | None:
    found = _unknown(model, target, in_line=True)
    if not found:
        return None
    kinds = list(dict.fromkeys(f"{u.class_name} ({u.note})" for u in found))
    return Reason(
        "release-classes",
        f"{len(found)} layer{'s' if len(found) > 1 else ''} of classes {_target_words(target)} does not have: "
        f"{listed(kinds)} ({listed([u.location for u in found])})",
        "load it with a release that has them, or rebuild those parts with layers the target has, copy the weights "
        "and re-save",
    )


def _tf_keras_modules(model: KerasModel, target: Target) -> Reason | None:
    prefixes = tuple(_facts()["keras3"]["unknown_module_prefixes"])
    named = [(g.name or g.class_name, g.module) for g in _graphs(model.graph)]
    named += [(layer.location, layer.module) for layer in _layers(model)]
    found = [f"{name} ({module})" for name, module in named if module and module.startswith(prefixes)]
    if not found:
        return None
    return Reason(
        "tf-keras-modules",
        f"its config names classes by Keras 2 modules (tf-keras, the keras 2.13-2.15 of tf.keras) that Keras 3 "
        f"cannot import: {listed(found)}",
        "run h5lint fix, which renames the modules, or load it with tf_keras.models.load_model and save it again from "
        "Keras 3 code, or re-save it from "
        "tf-keras as .h5, which Keras 3's legacy loader reads",
    )


def _shown(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 24 else text[:21] + "..."


# What Keras 3 says when a stored object carries an argument its class does not take: layers raise in
# Layer.__init__, an initializer/regularizer/constraint fails inside the layer that deserializes it,
# optimizers raise in BaseOptimizer.__init__ (keras/src/layers/layer.py, ops/operation.py from_config,
# optimizers/base_optimizer.py @ v3.15.1).
_KERAS3_ERRORS = {
    "layers": "'Unrecognized keyword arguments passed to ...'",
    "initializers": "'Error when deserializing class ...'",
    "regularizers": "'Error when deserializing class ...'",
    "constraints": "'Error when deserializing class ...'",
    "optimizers": "'Argument(s) not recognized'",
}


def _described(hit: Rejected) -> str:
    args = ", ".join(
        f"{name}={_shown(value)}" + (" (the default)" if name in hit.at_default else "") for name, value in hit.values
    )
    return f"{hit.where} ({hit.class_name}: {args})"


def _rejected(model: KerasModel, target: Target) -> list[Rejected]:
    """The stored arguments the target rejects; under Keras 3 the compiled optimizer's belong to
    :func:`_compiled_objects` (load_model(..., compile=False) gets past them)."""
    if not _readable_dialect(model, target):
        return []
    found = rejected_arguments(model, target)
    return [hit for hit in found if not (target.line == KERAS_3 and hit.kind == OPTIMIZERS)]


def _rejected_arguments(model: KerasModel, target: Target) -> Reason | None:
    found = _rejected(model, target)
    if not found:
        return None
    errors = list(dict.fromkeys(_KERAS3_ERRORS[hit.kind] for hit in found)) if target.line == KERAS_3 else []
    said = f" ({', '.join(errors)})" if errors else ""
    removable = all(set(hit.arguments) == set(hit.at_default) for hit in found)
    return Reason(
        "rejected-arguments",
        f"stored arguments {_target_words(target)}'s classes do not accept{said}: "
        f"{listed([_described(hit) for hit in found])}",
        (
            "every one holds the default of the Keras that wrote it, so deleting those keys changes nothing (h5lint "
            "fix does that for a Keras 3 target); or load it with that Keras and re-save it from a model built for "
            "the target"
            if removable
            else "load it with the Keras that wrote it and re-save it from a model built for the target (copy the "
            "weights with set_weights); keys that hold the writer's default can be deleted from the stored config "
            "(h5lint fix does that for a Keras 3 target)"
        ),
    )


def _legacy_refs(node: Any) -> Iterator[list]:
    """``[layer, node, tensor(, kwargs)]`` references of one legacy (Keras 2) inbound node."""
    if isinstance(node, list):
        for item in node:
            if isinstance(item, list) and len(item) >= 3 and isinstance(item[0], str) and isinstance(item[1], int):
                yield item


def _nested_model_refs(graph: ModelGraph) -> list[str]:
    """Where a Keras 2 functional config calls a nested model by node index 1 or more.

    Keras 2 counts a nested model's own input node, so its first call is node 1; Keras 3 counts calls from 0 and
    cannot resolve these references ("list index out of range", "The following nodes failed to be resolved").
    """
    nested = {
        layer.name for layer in graph.layers if layer.submodel is not None and layer.submodel.kind != "subclassed"
    }
    found = []
    for entry in graph.config.get("layers", ()) if nested else ():
        nodes = entry.get("inbound_nodes") if isinstance(entry, Mapping) else None
        for node in nodes if isinstance(nodes, list) else ():
            found += [
                f"{entry.get('name')} <- {ref[0]}[{ref[1]}]"
                for ref in _legacy_refs(node)
                if ref[0] in nested and ref[1] >= 1
            ]
    outputs = graph.config.get("output_layers")
    for ref in _legacy_refs(outputs if isinstance(outputs, list) else []):
        if ref[0] in nested and ref[1] >= 1:
            found.append(f"output <- {ref[0]}[{ref[1]}]")
    return found


def _tensor_keywords(model: KerasModel, target: Target) -> Reason | None:
    found = []
    for graph in _graphs(model.graph):
        for entry in graph.config.get("layers", ()) if graph.kind == "functional" else ():
            nodes = entry.get("inbound_nodes") if isinstance(entry, Mapping) else None
            for node in nodes if isinstance(nodes, list) else ():
                for ref in _legacy_refs(node):
                    keywords = ref[3] if len(ref) > 3 and isinstance(ref[3], Mapping) else {}
                    found += [f"{entry.get('name')}({key}=...)" for key, value in keywords.items() if _has_ref(value)]
    if not found:
        return None
    return Reason(
        "tensor-keywords",
        f"layers are called with tensors as keyword arguments in the Keras 2 node form ({listed(found)}), which "
        f"Keras 3 passes on as lists instead of tensors ('build() missing 1 required positional argument')",
        "load it with tf-keras and re-save it from a Keras 3 model built by code (copy the weights with set_weights)",
    )


def _has_ref(value: Any, depth: int = 0) -> bool:
    if depth > 16:
        return False
    if isinstance(value, list) and len(value) >= 3 and isinstance(value[0], str) and isinstance(value[1], int):
        return True
    if isinstance(value, list):
        return any(_has_ref(item, depth + 1) for item in value)
    if isinstance(value, Mapping):
        return any(_has_ref(item, depth + 1) for item in value.values())
    return False


def _nested_models(model: KerasModel, target: Target) -> Reason | None:
    found = [
        f"{graph.name or 'the model'}: {ref}" for graph in _graphs(model.graph) for ref in _nested_model_refs(graph)
    ]
    if not found:
        return None
    return Reason(
        "nested-model-refs",
        f"nested models are referenced the Keras 2 way, counting their own input node ({listed(found)}), and "
        f"Keras 3 cannot resolve those calls ('list index out of range')",
        "run h5lint fix, which renumbers the references, or load it with tf-keras and re-save it from Keras 3 code",
    )


def _axis_lists(model: KerasModel, target: Target) -> Reason | None:
    found = [
        layer.location
        for layer in _layers(model)
        if layer.module is not None
        and layer.class_name in _facts()["keras3"]["integer_axis_classes"]
        and isinstance(layer.config.get("axis"), list)
        and len(layer.config["axis"]) == 1
    ]
    if not found:
        return None
    return Reason(
        "axis-lists",
        f"layers read by Keras 3's own deserializer store their axis as a one-element list ({listed(found)}), which "
        f"Keras 3 only converts in legacy HDF5 files ('int() argument must be ... not 'list'')",
        "run h5lint fix, which writes the integer, or load it with tf-keras and re-save it from Keras 3 code",
    )


def _state_inputs(model: KerasModel, target: Target) -> Reason | None:
    recurrent = set(table("recurrent")["stateful"]["classes"]) | set(table("recurrent")["bidirectional"]["classes"])
    found = []
    for graph in _graphs(model.graph):
        for entry in graph.config.get("layers", ()) if graph.kind == "functional" else ():
            if not isinstance(entry, Mapping) or str(entry.get("class_name")) not in recurrent:
                continue
            nodes = entry.get("inbound_nodes")
            if any(len(list(_legacy_refs(node))) > 1 for node in (nodes if isinstance(nodes, list) else ())):
                found.append(str(entry.get("name")))
    if not found:
        return None
    return Reason(
        "state-inputs",
        f"recurrent layers take their initial state as extra inputs of a Keras 2 node ({listed(found)}), which Keras "
        f"3 passes on as one list ('expects 1 input(s), but it received 3 input tensors')",
        "load it with tf-keras and re-save it from a Keras 3 model built by code (copy the weights with set_weights)",
    )


def changed_activations(model: KerasModel, target: Target) -> list[str]:
    """Where a model from an older Keras line uses an activation Keras 3 computes differently (it loads, but its
    predictions change)."""
    if target.keras_major != 3 or model.keras_line in (None, KERAS_3):
        return []
    changed = set(_facts()["keras3"]["changed_activations"])
    return [
        f"{use.where} ({use.ref.class_name})"
        for use in model.named_objects
        if use.kind == ACTIVATIONS and use.ref.class_name in changed
    ]


def _registered_builtins(model: KerasModel, target: Target) -> Reason | None:
    if not target.has_change("registered_name_on_builtin"):
        return None  # older releases quietly use the built-in
    found = release_loading.registered_builtins(model)
    if not found:
        return None
    return Reason(
        "registered-builtins",
        f"objects name a Keras built-in class with a registered_name of their own, which Keras "
        f"{change_words('registered_name_on_builtin')} and later reject unless a package registers that name "
        f"('registered_name=... was provided in the config, but ... resolved to a Keras built-in'): "
        f"{listed([f'{p.location} ({p.value})' for p in found])}",
        "import the package that registers those names before load_model, or delete their registered_name "
        "from the stored config to load the built-ins",
    )


def _nested_containers(model: KerasModel, target: Target) -> Reason | None:
    if target.has_change("nested_container_weights"):
        return None
    found = release_loading.nested_container_weights(model)
    if not found:
        return None
    return Reason(
        "nested-containers",
        f"its weights store holds sub-layers of nested lists under container groups, which Keras "
        f"{change_words('nested_container_weights')} writes and {_target_words(target)} never reads, so those "
        f"sub-layers keep fresh random weights: {listed([p.value for p in found])}",
        f"load it with Keras {change_words('nested_container_weights')} or later",
    )


def _backend_modules(model: KerasModel, target: Target) -> Reason | None:
    found = release_loading.backend_modules(model, target)
    if not found:
        return None
    compiled_only = all(p.location.startswith("the compiled") or " of the compiled" in p.location for p in found)
    backend = "" if target.backend_named else " (the default; name another with '; backend=...' in the target)"
    return Reason(
        # Only compile() fails when only the compiled objects name the other backend: the load call passes
        # compile=False for it, as for any other compile setting Keras 3 cannot rebuild.
        COMPILED_OBJECTS if compiled_only else "backend-modules",
        f"objects were serialized under another backend's module, which Keras 3 on {target.backend}{backend} "
        f"cannot import ('parent module ... cannot be imported'): "
        f"{listed([f'{p.location} ({p.value})' for p in found])}",
        (
            "load it with keras.models.load_model(path, compile=False) and compile it again on the target backend"
            if compiled_only
            else "load it on the backend that wrote it and re-save it from a model built there with built-in classes"
        ),
    )


def _quantization(model: KerasModel, target: Target) -> Reason | None:
    found = release_loading.unsupported_quantization(model, target)
    if not found:
        return None
    modes = sorted({p.value for p in found})
    firsts = ", ".join(f"{mode} in {quantization.modes()[mode]}" for mode in modes)
    return Reason(
        "quantization",
        f"layers are quantized in modes {_target_words(target)} does not have (Keras added {firsts}), so it "
        f"cannot rebuild their dtype policies and variables: {listed([f'{p.location} ({p.value})' for p in found])}",
        f"load it with Keras {max(quantization.modes()[m] for m in modes)} or later, or re-save the float model and "
        "quantize it on the target",
    )


def _store_prefix(model: KerasModel, target: Target) -> Reason | None:
    skew = release_loading.store_prefix_skew(model, target)
    if skew is None:
        return None
    where, wanted = (
        ("under _layer_checkpoint_dependencies/ (the tf.keras 2.12-2.14 saver)", "layers/")
        if skew == "prefix"
        else ("under layers/ (tf.keras 2.15 and later, tf-keras, Keras 3)", "_layer_checkpoint_dependencies/")
    )
    return Reason(
        "store-prefix",
        f"its weights store keeps the layers {where}, while {_target_words(target)} looks only under {wanted}, so "
        f"load_model fails with \"Layer '...' expected N variables, but received 0 variables during loading\"",
        "load it with the TensorFlow release that wrote it (or Keras 3, which reads both) and re-save it",
    )


def _orbax(model: KerasModel, target: Target) -> Reason | None:
    if model.format.name != "orbax-checkpoint" or model.graph is None:
        return None  # without a model config no loader gets this far (H5L002 says why)
    if target.has_change("orbax_load"):
        return Reason(
            "orbax",
            "it is an Orbax checkpoint, which keras.saving.load_model reads only with the orbax-checkpoint package "
            "installed (ImportError 'OrbaxCheckpoint requires the orbax-checkpoint package' otherwise)",
            "pip install orbax-checkpoint next to Keras, then keras.saving.load_model(path); or save the model as "
            "model.keras for runtimes without Orbax",
        )
    return Reason(
        "orbax",
        f"it is an Orbax checkpoint, which keras.saving.load_model reads from Keras {change_words('orbax_load')} on "
        f"only ({target.runtime} fails: 'File format not supported')",
        f"load it with Keras {change_words('orbax_load')} or later (with orbax-checkpoint) and save it as model.keras",
    )


def _legacy_dtype_policies(model: KerasModel, target: Target) -> Reason | None:
    legacy = set(_facts()["keras3"]["legacy_dtype_policies"])
    found = []
    for layer in _layers(model):
        if layer.dtype_policy_class in legacy:
            found.append(f"{layer.location} ({layer.dtype_policy_class} {layer.dtype_policy or '?'})")
    if not found:
        return None
    return Reason(
        "legacy-dtype-policies",
        f"layers carry tf.keras mixed-precision Policy objects, which Keras 3 cannot rebuild ('str' object has no "
        f"attribute 'quantization_mode'): {listed(found)}",
        "run h5lint fix, which writes them as DTypePolicy objects, or rebuild the model in Keras 3 code with "
        "dtype='mixed_float16' (keras.mixed_precision.set_dtype_policy), "
        "copy the weights and save it as model.keras",
    )


@dataclass(frozen=True)
class _Compiled:
    """One compiled loss or optimizer setting Keras 3's compile cannot rebuild."""

    found: str  # "loss 'mse'"
    why: str  # what kind of setting it is
    remedy: str  # how to spell it for Keras 3


def _loss_call(loss: ObjectRef, config: Mapping[str, Any]) -> str:
    """``keras.losses.BinaryCrossentropy(from_logits=True)``: the Keras 3 spelling of a tf.keras loss object."""
    function = config.get("fn")
    if canonical_loss_name(loss.class_name) == loss.class_name and isinstance(function, str):
        return f"loss='{canonical_loss_name(function)}'"  # a wrapper of a loss function, not a loss class
    logits = "from_logits=True" if flag(config.get("from_logits")) else ""
    return f"keras.losses.{loss.class_name}({logits})"


def _compile_problems(training: TrainingConfig, optimizer_arguments: list[Rejected]) -> list[_Compiled]:
    """The compiled loss and optimizer settings Keras 3's compile cannot rebuild; ``optimizer_arguments``: what
    the target's optimizer classes do not take (:mod:`.arguments`)."""
    facts = _facts()["keras3"]
    found = []
    for loss in training.loss_objects:
        config = loss.config if isinstance(loss.config, Mapping) else {}
        if loss.registered_name is None and loss.class_name in facts["rejected_loss_names"]:
            found.append(
                _Compiled(
                    f"loss '{loss.class_name}'", "a short or old loss name", f"loss='{canonical_loss_name(loss.class_name)}'"
                )
            )
        elif config.get("reduction") in facts["rejected_loss_reductions"] or any(
            key in config for key in facts["rejected_loss_keys"]
        ):
            reduction = config.get("reduction")
            rejected = reduction in facts["rejected_loss_reductions"]
            found.append(
                _Compiled(
                    f"loss {loss.class_name}(reduction={reduction!r})",
                    f"a tf.keras loss object with reduction={reduction!r}" if rejected else "a tf.keras loss object",
                    _loss_call(loss, config),
                )
            )
    for hit in optimizer_arguments:
        name = hit.class_name.rsplit(">", 1)[-1]
        keys = ", ".join(hit.arguments)
        found.append(
            _Compiled(
                f"optimizer {hit.class_name}({keys}=...)",
                "the Keras 2.0-2.2 optimizer argument 'lr'"
                if hit.arguments == ("lr",)
                else f"optimizer arguments {hit.class_name} of Keras 3 does not take",
                f"keras.optimizers.{name}(learning_rate=...)" if "lr" in hit.arguments else f"keras.optimizers.{name}()",
            )
        )
    return list({item.found: item for item in sorted(found, key=lambda item: item.found)}.values())


def _compiled_objects(model: KerasModel, target: Target) -> Reason | None:
    # Keras 3 rebuilds its own compile_config (.keras), but reads every training_config - its own legacy HDF5
    # files' too - through the legacy compile path, which fails on the same names (checked with Keras 3.15.1).
    if model.training is None or model.training.source == "compile_config":
        return None
    optimizers = [hit for hit in rejected_arguments(model, target) if hit.kind == OPTIMIZERS]
    found = _compile_problems(model.training, optimizers if _readable_dialect(model, target) else [])
    if not found:
        return None
    whys = "; ".join(dict.fromkeys(item.why for item in found))
    return Reason(
        COMPILED_OBJECTS,
        f"Keras 3's compile cannot rebuild the compiled {listed([item.found for item in found])} ({whys}), so "
        f"load_model with its default compile=True fails",
        "run h5lint fix, which spells them the Keras 3 way, or load it with keras.models.load_model(path, "
        "compile=False) and call compile() again, spelled the Keras 3 way: "
        f"{', '.join(dict.fromkeys(item.remedy for item in found))}",
    )


def _unmodule_wrapped(model: KerasModel, target: Target) -> Reason | None:
    found = [
        f"{layer.location} wraps {inner.class_name}"
        for layer in _layers(model)
        for _role, inner in layer.wrapped
        if inner.module is None and inner.registered_name is None
    ]
    if not found:
        return None
    return Reason(
        "unmodule-wrapped",
        f"wrapped layers are stored without a 'module' (as Keras and tf.keras up to about 2.12 wrote them), "
        f"and Keras 3 looks wrapped layers up by module ('Could not locate class'): {listed(found)}",
        "run h5lint fix, which names their module, or load it with tf-keras (or the standalone Keras that wrote it) "
        "and re-save it with a current writer",
    )


def _list_sequential(model: KerasModel, target: Target) -> Reason | None:
    found = [
        "the top-level model" if graph is model.graph else (graph.name or "a nested model")
        for graph in _graphs(model.graph)
        if graph.stored_as_list
    ]
    if not found:
        return None
    return Reason(
        "list-sequential",
        f"the Sequential config of {listed(found)} is a bare list of layers (standalone Keras 2.2.2 and "
        f"earlier), which Keras 3's loader cannot read",
        "run h5lint fix, which writes it as a dict, or load it with tf-keras (which reads both forms) and re-save it",
    )


def _legacy_json(model: KerasModel, target: Target) -> Reason | None:
    graph = model.graph
    if model.format.loader != ir.MODEL_FROM_JSON or graph is None:
        return None
    if graph.module or graph.kind == "subclassed":
        return None  # a Keras 3 envelope, or a custom model class (the custom-object rules judge those)
    return Reason(
        "legacy-json",
        "it is a model.to_json() config in the legacy form, without the 'module' of each class: Keras 3's "
        "keras.models.model_from_json looks every class up by its module ('Could not locate class')",
        "run h5lint fix, which names the model's module, or rebuild it with tf_keras.models.model_from_json, load its "
        "weights, save it as .h5 and load that with "
        "Keras 3 (its legacy HDF5 loader reads Keras 2 configs), then save it as model.keras",
    )


def _builds_on_any_rank(layer: Layer) -> bool:
    facts = _facts()["keras3"]
    if layer.class_name in facts["any_rank_layers_on_last_axis"]:
        return layer.config.get("axis", -1) in (-1, [-1])
    return layer.class_name in facts["any_rank_layers"]


def _shape_text(dims: list[Any]) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def _extra_axis(layer: Layer) -> str:
    """``(None, None, 4) instead of (None, 4)``: the input Keras 3 builds from a recorded batch_input_shape."""
    dims = layer.config.get("batch_input_shape")
    plain = isinstance(dims, list) and 0 < len(dims) <= 8
    if not plain or not all(d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in dims):
        return "an input with one axis too many"
    return f"an input of {_shape_text([None, *dims])} instead of {_shape_text(dims)}"


def _first_layer_batch_shape(model: KerasModel, target: Target) -> Reason | None:
    found: list[Layer] = []
    graphs = []
    for graph in _graphs(model.graph):
        if graph.kind != "sequential" or graph.stored_as_list or not graph.layers:
            continue
        first = graph.layers[0]
        if first.class_name != "InputLayer" and "batch_input_shape" in first.config:
            found.append(first)
            graphs.append(graph)
    if not found:
        return None
    layers = [layer for graph in graphs for layer in graph.walk()]
    # Classes Keras 3 does not have fail before any shape matters (H5L301/H5L303/H5L304 report them).
    known = [layer for layer in layers if builtin_in(layer.class_name, LAYERS, KERAS_3)]
    fixed = sorted({layer.class_name for layer in known if not _builds_on_any_rank(layer)})
    if fixed:
        consequence = f"; layers that do not work on that rank ({listed(fixed)}) then break the build, so load_model fails"
    elif len(known) == len(layers):
        consequence = (
            "; the model still loads, as its layers build on an input of any rank, but predict() on inputs of "
            "the recorded shape fails ('Invalid input shape')"
        )
    else:
        consequence = ""  # whether it would load once the classes Keras 3 lacks are replaced depends on them
    built = _extra_axis(found[0]) if len(found) == 1 else "inputs with one axis too many"
    return Reason(
        "first-layer-batch-shape",
        f"the first layer of a Sequential model without an InputLayer carries batch_input_shape "
        f"({listed([layer.location for layer in found])}), which Keras 3's legacy loader takes for the shape of one "
        f"sample, so it builds {built}{consequence}",
        "run h5lint fix, which moves the shape to an InputLayer, or load it with tf-keras and re-save it from Keras 3 "
        "code with an explicit keras.Input",
    )


def _keras1(model: KerasModel, target: Target) -> Reason | None:
    table = _facts()["keras1"]
    until = version_tuple(table["converted_until"]) or (0,)
    first_unconverting = until[:-1] + (until[-1] + 1,)
    if target.package == "keras" and target.keras_major == 2 and target.is_newer_than_allowed(first_unconverting):
        return None  # the target is standalone Keras 2.0-2.3, which converts Keras 1 configs itself
    classes = sorted({layer.class_name for layer in _layers(model) if layer.class_name in table["classes"]})
    if model.keras_major != 1 and not classes:
        return None
    written = f"Keras {model.versions.keras_version}" if model.keras_major == 1 else "Keras 1"
    named = f" (here: {', '.join(classes)})" if classes else ""
    return Reason(
        "keras1",
        f"its config is {written}'s: layer classes and arguments such as Convolution2D(nb_filter, border_mode), "
        f"Merge and Dense(output_dim){named} are converted only by standalone Keras 2.0-2.3",
        "load it with standalone Keras 2.3 (which converts Keras 1 configs), save it, then bring that file "
        "forward; or rebuild the model in code and load the weights",
    )


def _keras3_file(model: KerasModel, target: Target) -> Reason | None:
    major = model.keras_major
    if target.keras_major != 2 or major is None or major < 3:
        return None
    return Reason(
        "keras3-file",
        f"it was written by Keras {model.versions.keras_version}, whose configs (Keras 3 node dicts, DTypePolicy "
        f"objects) tf.keras / tf-keras cannot read",
        "load it with Keras 3, or export it for serving with model.export(path) (a SavedModel TensorFlow 2 reads)",
    )


def _keras_tagged_tf(versions: ir.VersionTags) -> bool:
    """tf.keras of TF 1.x-2.3 recorded Keras versions of its own ("2.2.4-tf"), not TensorFlow's."""
    return (versions.keras_version or "").endswith("-tf")


def _newer(model: KerasModel, target: Target) -> Reason | None:
    versions = model.versions
    if target.package == "tensorflow" and target.line == TF_KERAS:
        # A TensorFlow target's versions are TensorFlow's: compare the TF version the file records, or the
        # keras 2.6-2.15 version of its tf.keras, which is TensorFlow's number ("2.2.4-tf" is not).
        written, what = versions.tensorflow_version or "", "TensorFlow"
        keras = version_tuple(versions.keras_version) or (0,)
        if not written and model.keras_line == TF_KERAS and keras >= (2, 6) and not _keras_tagged_tf(versions):
            written, what = versions.keras_version or "", "Keras"
    elif target.package == "tensorflow" and versions.tensorflow_version:
        written, what = versions.tensorflow_version, "TensorFlow"
    elif model.keras_major is not None and model.keras_major == target.keras_major:
        written, what = versions.keras_version or "", "Keras"
    else:
        return None
    version = version_tuple(written)
    if version is None or not target.is_newer_than_allowed(version):
        return None
    return Reason(
        "newer",
        f"it was written by {what} {version_text(version)}, newer than the target allows "
        f"({target.package}{target.newest_allowed}): older releases reject config arguments added since",
        f"upgrade the runtime to {what} {version_text(version[:2])} or later, or re-save the model with the "
        f"target version",
    )


def _function_envelopes(model: KerasModel, target: Target) -> Reason | None:
    if model.format.loader != ir.LEGACY_H5:
        return None
    found = [
        f"{layer.location}.{key}"
        for layer in _layers(model)
        for key, value in layer.config.items()
        if isinstance(value, Mapping) and value.get("class_name") == "function"
    ]
    if not found:
        return None
    return Reason(
        "function-envelopes",
        f"its layer configs name functions in the envelope tf-keras 2.13+ writes ({listed(found)}), which the legacy "
        f"HDF5 loader of tf-keras cannot rebuild even with custom_objects ('Error when deserializing class', checked "
        f"with tf-keras 2.21)",
        "save the model as .keras from tf-keras (its own loader reads the envelope), or load it with Keras 3",
    )


Finder = Callable[[KerasModel, Target], "Reason | None"]
# Judged against every target.
_VERSIONS: tuple[Finder, ...] = (_orbax, _keras3_file, _newer, _keras1, _tf1_savedmodel_tf_keras)
# Keras 2 targets (tf.keras, tf-keras) only: what their loaders fail on inside a config they read.
_KERAS2_CONFIG: tuple[Finder, ...] = (_function_envelopes,)
# Keras 3 targets only. Keras 3 cannot read these artifacts at all; when one applies, the config
# details below are moot.
_KERAS3_UNREADABLE: tuple[Finder, ...] = (_savedmodel, _legacy_json)
# What loaders fail on inside a config they do read: (finder, whether only Keras 3 targets are judged). The
# others judge the target's own release with the per-release tables, whatever its line.
_CONFIG: tuple[tuple[Finder, bool], ...] = (
    (_tf_keras_modules, True),
    (_backend_modules, True),
    (_list_sequential, True),
    (_missing_classes, False),
    (_release_classes, False),
    (_rejected_arguments, False),
    (_axis_lists, True),
    (_nested_models, True),
    (_tensor_keywords, True),
    (_state_inputs, True),
    (_unmodule_wrapped, True),
    (_first_layer_batch_shape, True),
    (_quantization, True),
    (_legacy_dtype_policies, True),
    (_compiled_objects, True),
    (_store_prefix, False),
    (_registered_builtins, True),
    (_nested_containers, True),
)


def _reasons(model: KerasModel, target: Target, finders: tuple[Finder, ...]) -> list[Reason]:
    return [r for r in (finder(model, target) for finder in finders) if r is not None]


def reasons(model: KerasModel, target: Target) -> tuple[Reason, ...]:
    """Every reason ``target`` cannot load ``model`` as it is (none for weights-only files and TF.js models, which
    are not loaded through a Keras config)."""
    if model.format.loader is None:
        return ()
    keras3 = target.keras_major == 3
    unreadable = _reasons(model, target, _KERAS3_UNREADABLE) if keras3 else []
    # Keras 3 reads no SavedModel, so what the Keras config inside one holds never reaches its loaders.
    by_config = not unreadable and not (keras3 and model.format.loader == ir.SAVEDMODEL)
    finders = tuple(finder for finder, keras3_only in _CONFIG if keras3 or not keras3_only)
    config = _reasons(model, target, finders) if by_config else []
    if target.line in (TF_KERAS, TF_KERAS_PACKAGE):
        config += _reasons(model, target, _KERAS2_CONFIG)
    return tuple(unreadable + _reasons(model, target, _VERSIONS) + config)
