"""Why a target runtime cannot load an artifact as it is: the facts H5L403 reports, ``fix`` repairs and the load
call works around (``compile=False``), in one place.

Each finder looks at one kind of problem and returns a :class:`Reason` (or None); :func:`reasons` runs those that
apply to a target, in a fixed order. What Keras 3's loaders fail on was checked by loading real files with Keras
3.15.1 (``data/versions.toml`` and the measured ``data/keras3_arguments.json`` say where each fact comes from).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from .. import ir
from ..wording import listed
from .arguments import rejected_arguments
from .builtins import builtin_in
from .knowledge import table
from .model import KerasModel
from .objects import ACTIVATIONS, LAYERS
from .refs import flag
from .structure import Layer, ModelGraph, ObjectRef, TrainingConfig
from .training import canonical_loss_name
from .versions import (
    KERAS_3,
    TF_KERAS,
    TF_KERAS_PACKAGE,
    Target,
    version_text,
    version_tuple,
)

# Reason keys other modules act on.
COMPILED_OBJECTS = "compiled-objects"  # only compile() fails: load_model(..., compile=False) works
SAVEDMODEL = "savedmodel"  # Keras 3 reads no SavedModel: TFSMLayer / tf.saved_model.load instead
KERAS3_MISSING_CLASSES = "keras3-missing-classes"  # layers Keras 3 does not have (per layer: H5L301/H5L303/H5L304)


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
    if not by_keras:
        return None  # a plain TensorFlow SavedModel is loaded with tf.saved_model.load anyway
    return Reason(
        SAVEDMODEL,
        "it is a SavedModel written by tf.keras / tf-keras, and Keras 3's keras.models.load_model does not "
        "read SavedModels",
        "for inference wrap it with keras.layers.TFSMLayer(path, call_endpoint='serving_default') or use "
        "tf.saved_model.load(path); to keep it a Keras model, load it with tf_keras.models.load_model "
        "(pip install tf-keras) and re-save it with Keras 3 as model.keras",
    )


def _keras3_missing_classes(model: KerasModel, target: Target) -> Reason | None:
    missing = set(_facts()["keras3"]["missing_classes"])
    found = [layer.location for layer in _layers(model) if layer.class_name in missing]
    if not found:
        return None
    kinds = sorted({layer.class_name for layer in _layers(model) if layer.class_name in missing})
    return Reason(
        KERAS3_MISSING_CLASSES,
        f"{len(found)} layer{'s' if len(found) > 1 else ''} of classes Keras 3 does not have: "
        f"{'/'.join(kinds)} ({listed(found)})",
        "rebuild those parts with Keras layers (keras.ops inside a registered custom layer for raw TensorFlow "
        "calls, LSTM/GRU for CuDNNLSTM/CuDNNGRU, whose weights they read), copy the weights and re-save; or "
        "load it with tf-keras",
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
        f"its config names classes by tf-keras modules that Keras 3 cannot import: {listed(found)}",
        "run h5lint fix, which renames the modules, or load it with tf_keras.models.load_model and save it again from "
        "Keras 3 code, or re-save it from "
        "tf-keras as .h5, which Keras 3's legacy loader reads",
    )


def _wrapped_layers(model: KerasModel) -> set[tuple[str, ...]]:
    """Paths of the layers that sit inside a wrapper (TimeDistributed, Bidirectional, RNN cells)."""
    return {inner.path for layer in _layers(model) for _role, inner in layer.wrapped}


def _rejected_arguments(model: KerasModel, target: Target) -> Reason | None:
    wrapped = _wrapped_layers(model)
    found = []
    for layer in _layers(model):
        args = rejected_arguments(layer, layer.path in wrapped)
        if args:
            found.append(f"{layer.location} ({', '.join(args)})")
    if not found:
        return None
    return Reason(
        "rejected-arguments",
        f"layer arguments tf.keras wrote and Keras 3 rejects ('Unrecognized keyword arguments'): {listed(found)}",
        "run h5lint fix, which drops them where they hold tf-keras's default, or load it with tf-keras and re-save "
        "it from a Keras 3 model built by code (copy the weights with set_weights)",
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


def _initializer_keys(model: KerasModel, target: Target) -> Reason | None:
    rejected = set(_facts()["keras3"]["initializer_rejected_keys"])
    found = [
        f"{layer.location}.{key}"
        for layer in _layers(model)
        for key, value in layer.config.items()
        if key.endswith("_initializer")
        and isinstance(value, Mapping)
        and isinstance(value.get("config"), Mapping)
        and rejected & set(value["config"])
    ]
    if not found:
        return None
    return Reason(
        "initializer-keys",
        f"initializer configs record a dtype, as tf.keras 1.x-2.1 wrote them ({listed(found)}), and Keras 3's "
        f"initializers take none ('Error when deserializing class')",
        "run h5lint fix, which drops it (the weights are loaded, the initializer never runs), or load it with tf-keras",
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


def _compile_problems(training: TrainingConfig) -> list[_Compiled]:
    """The compiled loss and optimizer settings Keras 3's compile cannot rebuild."""
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
    optimizer = training.optimizer
    config = optimizer.config if optimizer is not None and isinstance(optimizer.config, Mapping) else {}
    keys = [key for key in facts["rejected_optimizer_keys"] if key in config]
    if optimizer is not None and keys:
        name = optimizer.class_name.rsplit(">", 1)[-1]
        found.append(
            _Compiled(
                f"optimizer {optimizer.class_name}({', '.join(keys)}=...)",
                "the Keras 2.0-2.2 optimizer argument 'lr'",
                f"keras.optimizers.{name}(learning_rate=...)",
            )
        )
    return list({item.found: item for item in sorted(found, key=lambda item: item.found)}.values())


def _compiled_objects(model: KerasModel, target: Target) -> Reason | None:
    # Keras 3 rebuilds its own compile_config (.keras), but reads every training_config - its own legacy HDF5
    # files' too - through the legacy compile path, which fails on the same names (checked with Keras 3.15.1).
    if model.training is None or model.training.source == "compile_config":
        return None
    found = _compile_problems(model.training)
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


def _newer(model: KerasModel, target: Target) -> Reason | None:
    versions = model.versions
    if target.package == "tensorflow" and versions.tensorflow_version:
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
_VERSIONS: tuple[Finder, ...] = (_keras3_file, _newer, _keras1)
# Keras 2 targets (tf.keras, tf-keras) only: what their loaders fail on inside a config they read.
_KERAS2_CONFIG: tuple[Finder, ...] = (_function_envelopes,)
# Keras 3 targets only. Keras 3 cannot read these artifacts at all; when one applies, the config
# details below are moot.
_KERAS3_UNREADABLE: tuple[Finder, ...] = (_savedmodel, _legacy_json)
# Keras 3 targets only: what Keras 3's loaders fail on inside a config they do read.
_KERAS3_CONFIG: tuple[Finder, ...] = (
    _tf_keras_modules,
    _list_sequential,
    _keras3_missing_classes,
    _rejected_arguments,
    _axis_lists,
    _nested_models,
    _tensor_keywords,
    _state_inputs,
    _initializer_keys,
    _unmodule_wrapped,
    _first_layer_batch_shape,
    _legacy_dtype_policies,
    _compiled_objects,
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
    by_config = keras3 and not unreadable and model.format.loader != ir.SAVEDMODEL
    config = _reasons(model, target, _KERAS3_CONFIG) if by_config else []
    if target.line in (TF_KERAS, TF_KERAS_PACKAGE):
        config += _reasons(model, target, _KERAS2_CONFIG)
    return tuple(unreadable + _reasons(model, target, _VERSIONS) + config)
