"""The call that loads an artifact in a target runtime, or why none can.

One answer per artifact and target, shared by every report (JSON ``load``, text ``--show-load``) and ``inspect``:
which loader (``keras.saving.load_model``, ``tf_keras.models.load_model``, ``keras.layers.TFSMLayer``,
``tf.saved_model.load``, ``model_from_json``, ``load_weights``, TF.js), with which ``custom_objects`` (keyed as the
loader looks them up: the same uses and names H5L301 reports, :mod:`.objects` and :func:`.builtins.needs_code`),
``compile=False`` only when the stored compile state cannot be rebuilt (the reason H5L403 gives,
:mod:`.loadability`), ``safe_mode=False`` only with the warning that a Lambda layer's stored code runs.
"""

from __future__ import annotations

import json
import keyword
import shlex
from collections.abc import Sequence
from pathlib import PurePath

from .. import ir
from ..findings import LoadCall
from ..wording import listed
from .builtins import needs_code, runs_commands, third_party_package
from .loadability import COMPILED_OBJECTS, SAVEDMODEL, changed_activations, reasons
from .model import KerasModel
from .objects import LOSSES, METRICS, OPTIMIZERS, NamedObject, group_by_name
from .versions import KERAS_2, KERAS_3, TF_KERAS, TF_KERAS_PACKAGE, Target

# Runtimes a call is written for.
KERAS = "keras"
TF_KERAS_RUNTIME = "tf_keras"
TENSORFLOW = "tensorflow"
TFJS = "tensorflowjs"

_COMPILE_KINDS = (LOSSES, METRICS, OPTIMIZERS)
# The formats whose stored configs `h5lint fix` rewrites.
_FIXABLE_FORMATS = ("h5-full", "keras-zip", "keras-json")
# Keras 3 picks its loader by the file name (keras/src/saving/saving_api.py load_model).
_KERAS3_SUFFIXES = {ir.LEGACY_H5: (".h5", ".hdf5"), ir.KERAS_ARCHIVE: (".keras",)}
_LAMBDA_WARNING = (
    "safe_mode=False lets Keras run the Python code stored in the Lambda layer(s) {names} while loading: "
    "use it only for a file you trust (h5lint read that code without running it, see H5L101)"
)


def _call(function: str, first: str, keywords: Sequence[tuple[str, str]] = ()) -> str:
    args = [first] + [f"{key}={value}" for key, value in keywords]
    return f"{function}({', '.join(args)})"


def _quoted(path: str) -> str:
    return json.dumps(path, ensure_ascii=False)


# ------------------------------------------------------------------------------------------ custom objects
def _needed(model: KerasModel, target: Target, compiled: bool) -> list[NamedObject]:
    """The uses a loader must be given code for: what H5L301 reports (third-party objects aside)."""
    uses = [
        u for u in model.named_objects if needs_code(u, model.keras_line, target, frozenset()) and not runs_commands(u)
    ]
    if not compiled:
        uses = [u for u in uses if u.layer is not None or u.kind not in _COMPILE_KINDS]
    if (
        target.line == KERAS_3
        and model.format.loader == ir.LEGACY_H5
        and model.training is not None
        and model.training.source == "training_config"
    ):
        # Keras 3's legacy HDF5 compile keeps metric names it cannot find as strings instead of looking them up
        # (keras/src/legacy/saving/saving_utils.py _deserialize_metric; measured: samples.json custom_objects).
        uses = [u for u in uses if u.kind != METRICS]
    return uses


def _custom_objects(uses: list[NamedObject]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str | None]:
    """(keys, installs, imports, the keyword's value) for the uses a loader needs code for."""
    installs, imports, keys, values = [], [], [], []
    for key, group in group_by_name(uses).items():
        package = third_party_package(group[0])
        if package is not None:  # the package registers its objects when imported
            installs.append(f"pip install {package.pip}")
            imports.append(package.import_line)
            continue
        keys.append(key)
        values.append(f"{json.dumps(key, ensure_ascii=False)}: {_placeholder(group[0].ref.class_name)}")
    value = "{" + ", ".join(values) + "}" if values else None
    return tuple(keys), tuple(dict.fromkeys(installs)), tuple(dict.fromkeys(imports)), value


def _placeholder(name: str) -> str:
    """The object to pass, written as the name the file gives it, if that is a plain Python name: a call is
    copied into a program, and a name from a file could otherwise be code (``__import__('os').system(...)``)."""
    return name if name.isidentifier() and not keyword.iskeyword(name) else "..."


def _lambdas(model: KerasModel) -> list[str]:
    if model.graph is None:
        return []
    return [layer.location for layer in model.graph.walk() if any(code.is_bytecode for code in layer.code)]


# ---------------------------------------------------------------------------------------- per runtime
def _runtime(target: Target) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """(runtime, the module prefix calls use, installs, imports) of a target."""
    if target.line == TF_KERAS_PACKAGE:
        return TF_KERAS_RUNTIME, "tf_keras", ("pip install tf-keras",), ("import tf_keras",)
    if target.line == TF_KERAS:
        return TENSORFLOW, "tf.keras", (), ("import tensorflow as tf",)
    return KERAS, "keras", (), ("import keras",)


def _tf_keras_alternative(model: KerasModel) -> tuple[str, ...]:
    """What loads a file a Keras 2 line wrote when Keras 3 cannot: tf-keras, the Keras 2 that TensorFlow 2.16+ ships."""
    if model.keras_line not in (KERAS_2, TF_KERAS, TF_KERAS_PACKAGE) or model.format.loader is None:
        return ()
    if model.format.loader == ir.MODEL_FROM_JSON:
        call = _call("tf_keras.models.model_from_json", f"open({_quoted(model.path)}).read()")
    else:
        call = _call("tf_keras.models.load_model", _quoted(model.path))
    return (f"pip install tf-keras; import tf_keras; {call}",)


def _savedmodel(model: KerasModel, target: Target) -> LoadCall:
    info = model.savedmodel
    path = _quoted(model.path)
    generic = _call("tf.saved_model.load", path)
    if info is not None and info.graph_member is None:
        return LoadCall(
            TENSORFLOW,
            None,
            blockers=("the folder has no saved_model.pb (or .pbtxt): no loader takes it for a SavedModel",),
        )
    if info is not None and not info.tags:
        return LoadCall(
            TENSORFLOW, None, blockers=("its saved_model.pb does not parse, so no loader gets past the graph",)
        )
    keras_made = any(r.key == SAVEDMODEL for r in reasons(model, target)) or model.graph is not None
    if target.line in (TF_KERAS, TF_KERAS_PACKAGE) and keras_made:
        runtime, prefix, install, imports = _runtime(target)
        alternative = f"import tensorflow as tf; {generic}"
        return LoadCall(
            runtime, _call(f"{prefix}.models.load_model", path), install, imports, alternatives=(alternative,)
        )
    # "__saved_model_init_op" and the like are TensorFlow's own entries, not endpoints to call.
    keys = [s.key for s in info.signatures if not s.key.startswith("__")] if info is not None else []
    if target.line != KERAS_3 or not keys:
        note = () if keys else ("it has no signatures: call its restored tf.functions by name",)
        return LoadCall(TENSORFLOW, generic, imports=("import tensorflow as tf",), notes=note)
    endpoint = "serving_default" if "serving_default" in keys else keys[0]
    call = _call("keras.layers.TFSMLayer", path, [("call_endpoint", _quoted(endpoint))])
    notes = [f"inference only: TFSMLayer calls the signature {endpoint!r} (signatures: {listed(keys)})"]
    alternatives = [f"import tensorflow as tf; {generic}"]
    if keras_made:
        alternatives += _tf_keras_alternative(model) or (
            f"pip install tf-keras; import tf_keras; {_call('tf_keras.models.load_model', path)}",
        )
    return LoadCall(KERAS, call, (), ("import keras",), notes=tuple(notes), alternatives=tuple(alternatives))


def _weights_only(model: KerasModel, target: Target) -> LoadCall:
    runtime, _prefix, install, imports = _runtime(target)
    call = _call("model.load_weights", _quoted(model.path))
    note = "the file holds weights only: build the same model in code first, then load them into it"
    return LoadCall(runtime, call, install, imports, notes=(note,))


def _tfjs(model: KerasModel) -> LoadCall:
    path = str(PurePath(model.path, "model.json")) if not model.path.endswith(".json") else model.path
    call = _call("tf.loadLayersModel", _quoted(f"file://{path}"))
    converter = (
        f"pip install tensorflowjs; tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras "
        f"{shlex.quote(path)} model.h5; then load model.h5 with Keras"
    )
    return LoadCall(
        TFJS,
        call,
        ("npm install @tensorflow/tfjs-node",),
        ("const tf = require('@tensorflow/tfjs-node')",),
        notes=("a TF.js layers model: JavaScript loads it as it is",),
        alternatives=(converter,),
    )


def _keras_config(model: KerasModel, target: Target) -> LoadCall:
    runtime, prefix, install, imports = _runtime(target)
    found = reasons(model, target)
    compiled = not any(r.key == COMPILED_OBJECTS for r in found)
    blockers = [r.text for r in found if r.key != COMPILED_OBJECTS]
    loader = model.format.loader
    suffixes = _KERAS3_SUFFIXES.get(loader or "", ()) if target.line == KERAS_3 else ()
    if suffixes and not model.path.lower().endswith(suffixes):
        blockers.append(
            f"Keras 3 picks its loader by the file name and reads this format only as {'/'.join(suffixes)}: copy or "
            f"rename it (H5L003)"
        )
    alternatives = _tf_keras_alternative(model) if target.line == KERAS_3 else ()
    if blockers:
        if alternatives and model.format.name in _FIXABLE_FORMATS:
            # A shell command: single-quoted, so a path holding $(...) or backquotes stays text.
            fix = f"h5lint fix {shlex.quote(model.path)} --target {shlex.quote(str(target))} -o COPY"
            alternatives += (
                f"{fix} writes a copy {target} loads when config edits suffice (it says why not otherwise)",
            )
        return LoadCall(
            runtime, None, install, imports, blockers=tuple(dict.fromkeys(blockers)), alternatives=alternatives
        )
    keys, more_installs, more_imports, value = _custom_objects(_needed(model, target, compiled))
    install, imports = install + more_installs, imports + more_imports
    keywords = [("custom_objects", value)] if value else []
    notes = []
    if not compiled:
        notes.append("compile=False: " + next(r.text for r in found if r.key == COMPILED_OBJECTS))
    if loader == ir.MODEL_FROM_JSON:
        call = _call(f"{prefix}.models.model_from_json", f"open({_quoted(model.path)}).read()", keywords)
        notes.append("the architecture only: load the weights with model.load_weights(...) afterwards")
        return LoadCall(runtime, call, install, imports, keys, notes=tuple(notes), alternatives=alternatives)
    if not compiled:
        keywords.append(("compile", "False"))
    changed = changed_activations(model, target)
    if changed:
        notes.append(
            f"it loads, but Keras 3 computes these activations differently from the Keras that wrote it, so the "
            f"predictions change: {listed(changed)} (hard_sigmoid: clip(0.2x + 0.5) before, relu6(x + 3) / 6 now)"
        )
    lambdas = _lambdas(model)
    safe = True
    if lambdas and target.line == KERAS_3:
        keywords.append(("safe_mode", "False"))
        safe = False
        notes.append(_LAMBDA_WARNING.format(names=listed(lambdas)))
    elif lambdas:
        notes.append(
            f"loading runs the Python code stored in the Lambda layer(s) {listed(lambdas)}: only for a file you trust"
        )
    function = (
        f"{prefix}.saving.load_model"
        if loader == ir.KERAS_ARCHIVE and target.line == KERAS_3
        else f"{prefix}.models.load_model"
    )
    call = _call(function, _quoted(model.path), keywords)
    return LoadCall(runtime, call, install, imports, keys, compiled, safe, tuple(notes), alternatives=alternatives)


def load_call(model: KerasModel, target: Target) -> LoadCall:
    """The call that loads ``model`` in ``target`` (or, with ``call`` None, why none can)."""
    fmt = model.format.name
    if model.format.loader == ir.SAVEDMODEL or fmt == "savedmodel":
        return _savedmodel(model, target)
    if fmt == "tfjs":
        return _tfjs(model)
    if model.format.loader is None:
        return _weights_only(model, target)
    if model.problem is not None:
        return LoadCall(_runtime(target)[0], None, blockers=(f"its config cannot be read: {model.problem}",))
    return _keras_config(model, target)
