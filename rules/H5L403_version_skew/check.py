"""H5L403 version-skew: the configured runtime cannot load this artifact as it is.

One finding per artifact, listing every reason found; the runtime is ``ctx.target`` (``keras>=3`` unless
the project sets ``target``). Per-layer detail (each TFOpLambda, each unknown class) belongs to the
load-safety rules; this rule answers "will ``load_model`` work here?" once per file. Weights-only files
and TF.js models are not judged: their loading does not go through a Keras config.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from h5lint import ir
from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.knowledge import table
from h5lint.keras.model import KerasModel
from h5lint.keras.structure import Layer, ModelGraph, TrainingConfig
from h5lint.keras import loading, quantization
from h5lint.keras.versions import (
    KERAS_3,
    TF_KERAS,
    TF_KERAS_PACKAGE,
    Target,
    change_words,
    version_text,
    version_tuple,
)
from h5lint.wording import listed, plural


@dataclass(frozen=True)
class Reason:
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
            f"it is a TensorFlow 1 style SavedModel{written}: a graph with signatures and no object graph "
            f"(SavedModelBuilder, simple_save, Estimator export), which Keras 3's keras.models.load_model does not read",
            "serve it with tf.saved_model.load(path).signatures['serving_default'] (or "
            "keras.layers.TFSMLayer(path, call_endpoint='serving_default') inside a Keras 3 model); to get a Keras "
            "model back, rebuild it in code and restore the variables",
        )
    if not by_keras:
        return None  # a TF 2 SavedModel without Keras (tf.Module, Keras 3 export) is meant for tf.saved_model.load
    return Reason(
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


def _unknown_classes(model: KerasModel, target: Target) -> Reason | None:
    if not _readable_dialect(model, target):
        return None
    found = loading.classes_unknown_to(model, target)
    if not found:
        return None
    kinds = list(dict.fromkeys(f"{u.class_name} ({u.note})" for u in found))
    return Reason(
        f"{plural(len(found), 'layer')} of classes {_target_words(target)} does not have: {listed(kinds)} "
        f"({listed([u.location for u in found])})",
        "rebuild those parts with layers the target has (keras.ops inside a registered custom layer for raw "
        "TensorFlow calls, LSTM/GRU for CuDNNLSTM/CuDNNGRU, whose weights they read), copy the weights and re-save; "
        "or load it with a release that has them",
    )


def _tf_keras_modules(model: KerasModel, target: Target) -> Reason | None:
    prefixes = tuple(_facts()["keras3"]["unknown_module_prefixes"])
    named = [(g.name or g.class_name, g.module) for g in _graphs(model.graph)]
    named += [(layer.location, layer.module) for layer in _layers(model)]
    found = [f"{name} ({module})" for name, module in named if module and module.startswith(prefixes)]
    if not found:
        return None
    return Reason(
        f"its config names classes by Keras 2 modules (tf-keras, the keras 2.13-2.15 of tf.keras) that Keras 3 "
        f"cannot import: {listed(found)}",
        "load it with tf_keras.models.load_model and save it again from Keras 3 code, or re-save it from "
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


def _rejected_arguments(model: KerasModel, target: Target) -> Reason | None:
    if not _readable_dialect(model, target):
        return None
    found = loading.rejected_arguments(model, target)
    if not found:
        return None
    places = []
    for hit in found:
        args = ", ".join(
            f"{name}={_shown(value)}" + (" (the default)" if name in hit.at_default else "") for name, value in hit.values
        )
        places.append(f"{hit.where} ({hit.class_name}: {args})")
    removable = all(set(hit.arguments) == set(hit.at_default) for hit in found)
    errors = list(dict.fromkeys(_KERAS3_ERRORS[hit.kind] for hit in found)) if target.line == KERAS_3 else []
    said = f" ({', '.join(errors)})" if errors else ""
    return Reason(
        f"stored arguments {_target_words(target)}'s classes do not accept{said}: {listed(places)}",
        (
            "every one holds the default of the Keras that wrote it, so deleting those keys from the stored config "
            "changes nothing; or load it with that Keras and re-save it from a model built for the target"
            if removable
            else "load it with the Keras that wrote it and re-save it from a model built for the target (copy the "
            "weights with set_weights); keys that hold the writer's default can be deleted from the stored config"
        ),
    )


def _vocabulary_files(model: KerasModel, target: Target) -> Reason | None:
    found = loading.vocabulary_files(model)
    if not found:
        return None
    listed_places = listed([f"{p.location} ({p.value!r})" for p in found])
    if target.has_change("lookup_vocabulary_file"):
        return Reason(
            f"lookup layers store their vocabulary as a file path, which Keras {change_words('lookup_vocabulary_file')} "
            f"and later refuse in safe mode ('Requested the loading of a vocabulary file outside of the model "
            f"archive'): {listed_places}",
            "re-save the model with Keras 3.12 or later (which copies the vocabulary into the archive's assets); "
            "load_model(..., safe_mode=False) reads the path only if you trust it",
        )
    return Reason(
        f"lookup layers read their vocabulary from a file path the config names, so the file must exist at that "
        f"path on the machine that loads it ({_target_words(target)} reads any path or URL a config gives, "
        f"CVE-2025-12058): {listed_places}",
        "ship the vocabulary file at that path, or re-save the model with Keras 3.12 or later, which stores it "
        "inside the archive",
    )


def _tfsm_layers(model: KerasModel, target: Target) -> Reason | None:
    found = loading.tfsm_layers(model)
    if not found:
        return None
    listed_places = listed([f"{p.location} ({p.value!r})" for p in found])
    if target.has_change("tfsm_layer_refused"):
        return Reason(
            f"TFSMLayer layers load an external SavedModel, which Keras {change_words('tfsm_layer_refused')} and "
            f"later refuse in safe mode ('Requested the deserialization of a `TFSMLayer`'): {listed_places}",
            "load it with load_model(..., safe_mode=False) only if you trust the SavedModel at that path, or rebuild "
            "the wrapped model as Keras layers",
        )
    return Reason(
        f"TFSMLayer layers load the SavedModel at the path their config names, which must exist on the machine "
        f"that loads it ({_target_words(target)} does so without asking, and the SavedModel's graph runs): "
        f"{listed_places}",
        "ship the SavedModel at that path (and trust it), or rebuild the wrapped model as Keras layers",
    )


def _registered_builtins(model: KerasModel, target: Target) -> Reason | None:
    if not target.has_change("registered_name_on_builtin"):
        return None  # older releases quietly use the built-in
    found = loading.registered_builtins(model)
    if not found:
        return None
    return Reason(
        f"objects name a Keras built-in class with a registered_name of their own, which Keras "
        f"{change_words('registered_name_on_builtin')} and later reject unless a package registers that name "
        f"('registered_name=... was provided in the config, but ... resolved to a Keras built-in'): "
        f"{listed([f'{p.location} ({p.value})' for p in found])}",
        "import the package that registers those names before load_model, or delete their registered_name "
        "from the stored config to load the built-ins",
    )


def _nested_containers(model: KerasModel, target: Target) -> Reason | None:
    if target.line != KERAS_3 or target.has_change("nested_container_weights"):
        return None
    found = loading.nested_container_weights(model)
    if not found:
        return None
    return Reason(
        f"its weights store holds sub-layers of nested lists under container groups, which Keras "
        f"{change_words('nested_container_weights')} writes and {_target_words(target)} never reads, so those "
        f"sub-layers keep fresh random weights: {listed([p.value for p in found])}",
        "load it with Keras 3.15 or later",
    )


def _backend_modules(model: KerasModel, target: Target) -> Reason | None:
    found = loading.backend_modules(model, target)
    if not found:
        return None
    compiled_only = all(p.location.startswith("the compiled") or " of the compiled" in p.location for p in found)
    backend = "" if target.backend_named else " (the default; name another with '; backend=...' in the target)"
    return Reason(
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
    found = loading.unsupported_quantization(model, target)
    if not found:
        return None
    modes = sorted({p.value for p in found})
    firsts = ", ".join(f"{mode} in {quantization.modes()[mode]}" for mode in modes)
    return Reason(
        f"layers are quantized in modes {_target_words(target)} does not have (Keras added {firsts}), so it "
        f"cannot rebuild their dtype policies and variables: {listed([f'{p.location} ({p.value})' for p in found])}",
        f"load it with Keras {max(quantization.modes()[m] for m in modes)} or later, or re-save the float model and "
        "quantize it on the target",
    )


def _store_prefix(model: KerasModel, target: Target) -> Reason | None:
    skew = loading.store_prefix_skew(model, target)
    if skew is None:
        return None
    where, wanted = (
        ("under _layer_checkpoint_dependencies/ (the tf.keras 2.12-2.14 saver)", "layers/")
        if skew == "prefix"
        else ("under layers/ (tf.keras 2.15 and later, tf-keras, Keras 3)", "_layer_checkpoint_dependencies/")
    )
    return Reason(
        f"its weights store keeps the layers {where}, while {_target_words(target)} looks only under {wanted}, so "
        f"load_model fails with \"Layer '...' expected N variables, but received 0 variables during loading\"",
        "load it with the TensorFlow release that wrote it (or Keras 3, which reads both) and re-save it",
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
        f"layers carry tf.keras mixed-precision Policy objects, which Keras 3 cannot rebuild ('str' object has no "
        f"attribute 'quantization_mode'): {listed(found)}",
        "rebuild the model in Keras 3 code with dtype='mixed_float16' (keras.mixed_precision.set_dtype_policy), "
        "copy the weights and save it as model.keras",
    )


def _compile_problems(training: TrainingConfig) -> list[str]:
    """The compiled loss and optimizer settings Keras 3's compile cannot rebuild."""
    facts = _facts()["keras3"]
    found = []
    for loss in training.loss_objects:
        config = loss.config if isinstance(loss.config, Mapping) else {}
        if loss.registered_name is None and loss.class_name in facts["rejected_loss_names"]:
            found.append(f"loss '{loss.class_name}'")
        elif config.get("reduction") in facts["rejected_loss_reductions"] or any(
            key in config for key in facts["rejected_loss_keys"]
        ):
            found.append(f"loss {loss.class_name}(reduction={config.get('reduction')!r})")
    return sorted(set(found))


def _compiled_objects(model: KerasModel, target: Target) -> Reason | None:
    # Keras 3 rebuilds its own compile_config (.keras), but reads every training_config - its own legacy HDF5
    # files' too - through the legacy compile path, which fails on the same names (checked with Keras 3.15.1).
    if model.training is None or model.training.source == "compile_config":
        return None
    found = _compile_problems(model.training)
    if not found:
        return None
    return Reason(
        f"Keras 3's compile cannot rebuild the compiled {listed(found)} (short or old loss names such as 'mse', "
        f"tf.keras loss objects with reduction='auto'), so load_model with its default compile=True fails",
        "load it with keras.models.load_model(path, compile=False) and call compile() again, spelled the "
        "Keras 3 way (loss='mean_squared_error', keras.losses.BinaryCrossentropy(from_logits=True), "
        "keras.optimizers.Adam(learning_rate=...))",
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
        f"wrapped layers are stored without a 'module' (as Keras and tf.keras up to about 2.12 wrote them), "
        f"and Keras 3 looks wrapped layers up by module ('Could not locate class'): {listed(found)}",
        "load it with tf-keras (or the standalone Keras that wrote it) and re-save it with a current writer",
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
        f"the Sequential config of {listed(found)} is a bare list of layers (standalone Keras 2.2.2 and "
        f"earlier), which Keras 3's loader cannot read",
        "load it with tf-keras (which reads both forms) and re-save it",
    )


def _legacy_json(model: KerasModel, target: Target) -> Reason | None:
    graph = model.graph
    if model.format.loader != ir.MODEL_FROM_JSON or graph is None:
        return None
    if graph.module or graph.kind == "subclassed":
        return None  # a Keras 3 envelope, or a custom model class (the custom-object rules judge those)
    return Reason(
        "it is a model.to_json() config in the legacy form, without the 'module' of each class: Keras 3's "
        "keras.models.model_from_json looks every class up by its module ('Could not locate class')",
        "rebuild it with tf_keras.models.model_from_json, load its weights, save it as .h5 and load that with "
        "Keras 3 (its legacy HDF5 loader reads Keras 2 configs), then save it as model.keras",
    )


def _first_layer_batch_shape(model: KerasModel, target: Target) -> Reason | None:
    found = []
    for graph in _graphs(model.graph):
        if graph.kind != "sequential" or graph.stored_as_list or not graph.layers:
            continue
        first = graph.layers[0]
        if first.class_name != "InputLayer" and "batch_input_shape" in first.config:
            found.append(first.location)
    if not found:
        return None
    return Reason(
        f"the first layer of a Sequential model without an InputLayer carries batch_input_shape "
        f"({listed(found)}), which Keras 3's legacy loader turns into an input shape with one axis too many "
        f"(convolution and recurrent layers then fail to build)",
        "load it with tf-keras and re-save it from Keras 3 code with an explicit keras.Input",
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
        f"its config is {written}'s: layer classes and arguments such as Convolution2D(nb_filter, border_mode), "
        f"Merge and Dense(output_dim){named} are converted only by standalone Keras 2.0-2.3",
        "load it with standalone Keras 2.3 (which converts Keras 1 configs), save it, then bring that file "
        "forward; or rebuild the model in code and load the weights",
    )


def _orbax(model: KerasModel, target: Target) -> Reason | None:
    if model.format.name != "orbax-checkpoint" or model.graph is None:
        return None  # without a model config no loader gets this far (H5L002 says why)
    if target.has_change("orbax_load"):
        return Reason(
            "it is an Orbax checkpoint, which keras.saving.load_model reads only with the orbax-checkpoint package "
            "installed (ImportError 'OrbaxCheckpoint requires the orbax-checkpoint package' otherwise)",
            "pip install orbax-checkpoint next to Keras, then keras.saving.load_model(path); or save the model as "
            "model.keras for runtimes without Orbax",
        )
    return Reason(
        f"it is an Orbax checkpoint, which keras.saving.load_model reads from Keras {change_words('orbax_load')} on "
        f"only ({target.runtime} fails: 'File format not supported')",
        f"load it with Keras {change_words('orbax_load')} or later (with orbax-checkpoint) and save it as model.keras",
    )


def _keras3_file(model: KerasModel, target: Target) -> Reason | None:
    major = model.keras_major
    if target.keras_major != 2 or major is None or major < 3:
        return None
    return Reason(
        f"it was written by Keras {model.versions.keras_version}, whose configs (Keras 3 node dicts, DTypePolicy "
        f"objects) tf.keras / tf-keras cannot read",
        "load it with Keras 3, or export it for serving with model.export(path) (a SavedModel TensorFlow 2 reads)",
    )


def keras_tagged_tf(versions: ir.VersionTags) -> bool:
    """tf.keras of TF 1.x-2.3 recorded Keras versions of its own ("2.2.4-tf"), not TensorFlow's."""
    return (versions.keras_version or "").endswith("-tf")


def _newer(model: KerasModel, target: Target) -> Reason | None:
    versions = model.versions
    if target.package == "tensorflow" and target.line == TF_KERAS:
        # A TensorFlow target's versions are TensorFlow's: compare the TF version the file records, or the
        # keras 2.6-2.15 version of its tf.keras, which is TensorFlow's number ("2.2.4-tf" is not).
        written, what = versions.tensorflow_version or "", "TensorFlow"
        keras = version_tuple(versions.keras_version) or (0,)
        if not written and model.keras_line == TF_KERAS and keras >= (2, 6) and not keras_tagged_tf(versions):
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
        f"it was written by {what} {version_text(version)}, newer than the target allows "
        f"({target.package}{target.newest_allowed}): older releases reject config arguments added since",
        f"upgrade the runtime to {what} {version_text(version[:2])} or later, or re-save the model with the "
        f"target version",
    )


Finder = Callable[[KerasModel, Target], "Reason | None"]
# Judged against every target.
_VERSIONS: tuple[Finder, ...] = (_orbax, _keras3_file, _newer, _keras1, _tf1_savedmodel_tf_keras)
# Keras 3 targets only. Keras 3 cannot read these artifacts at all; when one applies, the config
# details below are moot.
_KERAS3_UNREADABLE: tuple[Finder, ...] = (_savedmodel, _legacy_json)
# What loaders fail on inside a config they do read: (finder, whether only Keras 3 targets are judged).
_CONFIG: tuple[tuple[Finder, bool], ...] = (
    (_tf_keras_modules, True),
    (_backend_modules, True),
    (_list_sequential, True),
    (_unknown_classes, False),
    (_rejected_arguments, False),
    (_unmodule_wrapped, True),
    (_first_layer_batch_shape, True),
    (_quantization, True),
    (_legacy_dtype_policies, True),
    (_compiled_objects, True),
    (_vocabulary_files, False),
    (_tfsm_layers, True),
    (_store_prefix, False),
    (_registered_builtins, True),
    (_nested_containers, True),
)


def _reasons(model: KerasModel, target: Target, finders: tuple[Finder, ...]) -> list[Reason]:
    return [r for r in (finder(model, target) for finder in finders) if r is not None]


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.format.loader is None:  # weights only, TF.js: their loading does not go through a Keras config
        return
    target = ctx.target
    unreadable = _reasons(model, target, _KERAS3_UNREADABLE) if target.keras_major == 3 else []
    finders = tuple(f for f, keras3_only in _CONFIG if target.keras_major == 3 or not keras3_only)
    config = _reasons(model, target, finders) if not unreadable else []
    reasons = unreadable + _reasons(model, target, _VERSIONS) + config
    if not reasons:
        return
    numbered = "; ".join(f"({i}) {r.text}" for i, r in enumerate(reasons, 1))
    fixes = " ".join(f"({i}) {r.fix[0].upper()}{r.fix[1:]}." for i, r in enumerate(reasons, 1))
    yield Hit(f"The target runtime {target} cannot load this file as it is: {numbered}.", "file", fixes)
