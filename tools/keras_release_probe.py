"""Introspect ONE installed Keras release and write what its deserializers know as JSON.

Run by tools/gen_keras_releases.py inside a scratch venv, never from h5lint or its tests:

    python keras_release_probe.py FLAVOUR OUT.json [CANDIDATES.json]

FLAVOUR names the package to introspect:
  keras3    Keras 3 (``keras.src``), any backend (the generator sets KERAS_BACKEND)
  tf_keras  the tf-keras package (``tf_keras.src``)
  tfkeras   ``tf.keras`` inside TensorFlow 1.15 / 2.x (TF's own copy, or the ``keras`` 2.6+ package)
  keras     standalone Keras 1.x / 2.0-2.3 (multi-backend)

CANDIDATES.json maps kind -> class name -> {argument: value}: argument names other releases write
or accept for that class, with a value they write (or null). Each one is tried here, so a
"does this release accept `groups`?" answer is measured, not inferred.

This file runs under every interpreter the releases need (Python 2.7 to 3.13), so it keeps to
syntax Python 2.7 and 3.6 accept: no f-strings, no annotations, no keyword-only arguments.
"""

from __future__ import print_function

import copy
import importlib
import inspect
import json
import os
import re
import sys
import traceback
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.simplefilter("ignore")

KINDS = (
    "layers",
    "models",
    "activations",
    "initializers",
    "regularizers",
    "constraints",
    "losses",
    "metrics",
    "optimizers",
    "dtype_policies",
)
# Kinds whose built-in classes get an argument inventory (models are configs of their own shape).
CLASS_KINDS = ("layers", "initializers", "regularizers", "constraints", "optimizers", "losses", "metrics", "dtype_policies")
# Helpers every kind module has; they are never serialized as an object name.
NOT_OBJECTS = set(
    "serialize deserialize get keras_export deserialize_keras_object serialize_keras_object "
    "get_from_module keras_serializable register_keras_serializable".split()
)
# An argument no release has: a class that accepts it swallows arbitrary keyword arguments.
BOGUS = "h5lint_probe_no_such_argument"

# Values for required constructor arguments, by parameter name (first attempt), and for optional
# ones that some classes need together (second attempt: e.g. InputLayer wants a shape).
REQUIRED_VALUES = {
    "units": 2, "filters": 2, "kernel_size": 3, "output_dim": 2, "input_dim": 10, "rate": 0.5,
    "stddev": 0.1, "pool_size": 2, "size": 2, "target_shape": (2, 2), "dims": (1,), "n": 2,
    "axis": -1, "axes": 1, "num_tokens": 4, "height": 4, "width": 4, "factor": 0.1,
    "height_factor": 0.1, "width_factor": 0.1, "x_factor": 0.1, "scale": 1.0, "num_heads": 2,
    "key_dim": 2, "equation": "ab,bc->ac", "output_shape": 2, "num_bins": 4, "num_classes": 3,
    "target_class_ids": (0, 1), "specificity": 0.5, "sensitivity": 0.5, "recall": 0.5,
    "precision": 0.5, "learning_rate": 0.01, "name": "float32", "mode": "int8",
    "source_name": "float32", "nb_filter": 2, "nb_row": 3, "nb_col": 3, "filter_length": 3,
    "activation": "relu", "value": 0.0, "reduction": "sum", "nb_feature": 2, "atrous_rate": 1,
    "padding": 1, "cropping": 1, "l1": 0.01, "l2": 0.01, "data_format": None, "threshold": 0.5,
    "max_value": 2.0, "alpha": 0.3, "theta": 1.0, "mask_value": 0.0, "negative_slope": 0.1,
    "sequence_length": 4, "output_sequence_length": 4, "max_tokens": 10, "bits": 4,
    "addition_factor": 0.1, "value_range": (0, 255), "kernel_initializer": "glorot_uniform",
    "top_k": 2, "thresholds": 0.5, "k": 2, "beta": 1.0, "gain": 1.0, "seed": 1, "groups": 1,
    "shape": (4,), "num_thresholds": 10, "iou_threshold": 0.5, "dtype": "float32", "p": 0.5, "sigma": 0.1,
    "kernel_dim1": 3, "kernel_dim2": 3, "kernel_dim3": 3,
}
REQUIRED_VALUES.update({
    "output_size": 2, "head_dim": 2, "num_query_heads": 2, "num_key_value_heads": 1, "max_number": 2,
    "num_oov_indices": 1, "mask_token": None, "oov_token": "[OOV]", "vocabulary_dtype": "int64",
})
# Other values to try, one parameter at a time, when the first ones do not build the object.
ALTERNATIVES = {
    "mode": ["int4", "int4/128", "gptq/4/128", "awq/4/128", "float8"],
    "factor": [4, (0.1, 0.2)],
    "name": ["mixed_float16"],
}
# Optional arguments some classes need one of (tried one at a time): InputLayer wants a shape,
# CategoryEncoding its token count, Discretization its bins.
OPTIONAL_VALUES = {
    "shape": (4,), "input_shape": (4,), "batch_input_shape": (None, 4), "batch_shape": (None, 4),
    "num_tokens": 4, "num_bins": 4, "input_dim": 4,
}
# Arguments other lines write that a release may or may not take, tried in every release (the
# generator adds every argument any measured release wrote or accepted for the class).
STATIC_CANDIDATES = {
    "layers": {
        "batch_input_shape": (None, 4), "batch_shape": (None, 4), "input_shape": (4,), "input_dim": 4,
        "batch_size": None, "input_dtype": "float32", "weights": None, "time_major": False, "groups": 1,
        "implementation": 1, "dynamic": False, "autocast": True, "activity_regularizer": None,
        "trainable": True, "dtype": "float32", "name": "x", "sparse": False, "ragged": False,
    },
    "initializers": {"dtype": "float32", "seed": None},
    "optimizers": {
        "lr": 0.01, "decay": 0.0, "clipnorm": None, "clipvalue": None, "global_clipnorm": None, "name": "opt",
        "learning_rate": 0.01, "weight_decay": None, "use_ema": False, "jit_compile": False,
        "is_legacy_optimizer": False, "gradient_aggregator": None, "gradient_transformers": None,
    },
    "losses": {"reduction": "sum_over_batch_size", "name": "loss", "fn": None, "from_logits": False, "axis": -1,
               "dtype": None},
    "metrics": {"name": "metric", "dtype": "float32", "fn": None},
}
# Exception texts that mean "this argument name is not accepted" (as opposed to a bad value):
# Keras 3 layers/optimizers/losses, tf.keras' validate_kwargs, Python's own TypeError (also "Zeros() takes
# no arguments" for a class without __init__), Keras 1 optimizers, TF 2.11+ / tf-keras new optimizers on
# Keras 2 names ("decay is deprecated in the new TF-Keras optimizer").
REJECTION = re.compile(
    r"unexpected keyword argument|unrecognized keyword argument|keyword argument not understood|"
    r"argument\(s\) not recognized|not recognized|invalid keyword argument|"
    r"is deprecated in the new (tf-)?keras optimizer|is not a valid argument|unexpected keyword arguments|"
    r"multiple values for|takes no (keyword )?arguments",
    re.I,
)


def _jsonable(value, depth=0):
    """Return a JSON-friendly copy of a cheap scalar/list value, or raise ValueError."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and value != value:
            raise ValueError("nan")
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            raise ValueError("inf")
        return value
    try:
        text_types = (str, unicode)  # noqa: F821 (Python 2)
    except NameError:
        text_types = (str,)
    if isinstance(value, text_types):
        if len(value) > 200:
            raise ValueError("long string")
        return str(value)
    if isinstance(value, (list, tuple)) and depth < 2 and len(value) <= 16:
        return [_jsonable(v, depth + 1) for v in value]
    if isinstance(value, dict) and depth < 2 and len(value) <= 16:
        return dict((str(k), _jsonable(v, depth + 1)) for k, v in value.items())
    if hasattr(value, "item") and hasattr(value, "dtype"):  # numpy scalar
        return _jsonable(value.item(), depth)
    raise ValueError("not cheap JSON: %s" % type(value).__name__)


def _short(exc):
    text = "%s: %s" % (type(exc).__name__, exc)
    # Keras 3 wraps from_config errors with the whole config; keep the cause.
    if "Exception encountered:" in text:
        text = text.split("Exception encountered:", 1)[1].strip()
    return text[:300]


# ------------------------------------------------------------------------------ signatures & source
def _unwrap(func):
    seen = set()
    while hasattr(func, "__wrapped__") and id(func) not in seen:
        seen.add(id(func))
        func = func.__wrapped__
    # TF decorators keep the target in decorated_target.
    target = getattr(func, "decorated_target", None)
    if target is not None and target is not func:
        return _unwrap(target)
    return func


def _params(func):
    """(ordered [(name, has_default, default)], var_keyword_name or None) of a function."""
    func = _unwrap(func)
    getfullargspec = getattr(inspect, "getfullargspec", None)
    if getfullargspec is not None:
        spec = getfullargspec(func)
        args, varkw, defaults = spec.args + list(spec.kwonlyargs), spec.varkw, list(spec.defaults or ())
        kwdefaults = spec.kwonlydefaults or {}
        positional = spec.args
    else:  # Python 2
        spec = inspect.getargspec(func)
        args, varkw, defaults, kwdefaults, positional = spec.args, spec.keywords, list(spec.defaults or ()), {}, spec.args
    out = []
    first_default = len(positional) - len(defaults)
    for i, name in enumerate(args):
        if i == 0 and name in ("self", "cls"):
            continue
        if name in positional:
            idx = positional.index(name)
            if idx >= first_default:
                out.append((name, True, defaults[idx - first_default]))
            else:
                out.append((name, False, None))
        elif name in kwdefaults:
            out.append((name, True, kwdefaults[name]))
        else:
            out.append((name, False, None))
    return out, varkw


def _source(func):
    try:
        return inspect.getsource(_unwrap(func))
    except (IOError, OSError, TypeError):
        return ""


_STR = r"['\"](\w+)['\"]"
_CONSUMED = [
    re.compile(r"kwargs\.pop\(\s*" + _STR),
    re.compile(r"kwargs\.get\(\s*" + _STR),
    re.compile(r"kwargs\[\s*" + _STR + r"\s*\]"),
    re.compile(_STR + r"\s+in\s+kwargs\b"),
]
_LITERAL_SETS = re.compile(r"(?:allowed\w*|\w*kwargs\w*)\s*=\s*(?:set\(\s*)?[\{\[\(]([^\}\]\)]*)[\}\]\)]")
_VALIDATE = re.compile(r"validate_kwargs\(\s*\w+\s*,\s*[\{\[\(]([^\}\]\)]*)[\}\]\)]")
_CHECKS = re.compile(r"validate_kwargs|allowed_kwargs|if\s+kwargs\s*:|if\s+len\(kwargs\)|not recognized|Unrecognized|"
                     r"not understood|unexpected keyword|Unexpected keyword", re.I)


def _super_call(body):
    """Arguments of the super().__init__(...) call in an __init__ body: a keyword's name, or None
    for a positional argument (``*args``/``**kwargs`` are left out)."""
    match = re.search(r"super\([^)]*\)\.__init__\(|\w+\.__init__\(\s*self\s*,?", body)
    if match is None:
        return []
    depth, start, parts, i = 1, match.end(), [], match.end()
    while i < len(body) and depth:
        char = body[i]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if (char == "," and depth == 1) or depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
        i += 1
    out = []
    for part in parts:
        if not part or part.startswith("*"):
            continue
        keyword = re.match(r"(\w+)\s*=(?!=)", part)
        out.append(keyword.group(1) if keyword else None)
    return out


def _own_init(cls):
    return cls.__dict__.get("__init__")


def signature_arguments(cls):
    """Accepted argument names from the __init__ chain: each __init__'s parameters, the names it
    pops from **kwargs or lists as allowed, following **kwargs up the MRO while it is forwarded.

    Returns (names {name: (has_default, default)}, any_kwargs, note)."""
    names = {}
    any_kwargs = False
    note = []
    fixed = set()  # base-class parameters a subclass passes itself (BaseConv's `rank`, RNN's `cell`)
    fixed_positional = 0
    for klass in inspect.getmro(cls):
        init = _own_init(klass)
        if init is None:
            continue
        if klass is object:
            break
        try:
            params, varkw = _params(init)
        except (TypeError, ValueError):
            note.append("no signature for %s" % klass.__name__)
            break
        skip = fixed_positional
        for name, has_default, default in params:
            if skip > 0:  # filled positionally by the subclass's super().__init__(...) call
                skip -= 1
                continue
            if name not in fixed:
                names.setdefault(name, (has_default, default))
        if not varkw:
            break
        body = _source(init)
        call = _super_call(body)
        fixed_positional = len([a for a in call if a is None])
        fixed.update(a for a in call if a is not None and a not in names)
        for pattern in _CONSUMED:
            for name in pattern.findall(body.replace("**" + varkw, "").replace(varkw + ".", "kwargs.")):
                names.setdefault(name, (False, None))
        for pattern in (_LITERAL_SETS, _VALIDATE):
            for group in pattern.findall(body):
                for name in re.findall(_STR, group):
                    names.setdefault(name, (False, None))
        forwarded = body.count("**" + varkw) >= 2
        if forwarded:
            continue
        if not _CHECKS.search(body):
            any_kwargs = True
            note.append("%s.__init__ swallows **%s" % (klass.__name__, varkw))
        break
    return names, any_kwargs, "; ".join(note)


# ------------------------------------------------------------------------------- empirical check
def _rebuild(cls, config):
    try:
        config = copy.deepcopy(config)
    except Exception:  # noqa: BLE001 (configs holding modules or generators cannot be deep-copied)
        config = dict(config)
    if hasattr(cls, "from_config"):
        return cls.from_config(config)
    # Keras 1 get_from_module(): the `name` key of a regularizer/constraint config names the class.
    names, varkw = _params(cls.__init__) if _own_init(cls) is not None else ([], None)
    if "name" in config and not varkw and "name" not in [n for n, _, _ in names]:
        config.pop("name")
    return cls(**config)


class Builder(object):
    """Builds a default instance of a built-in class and probes which arguments from_config takes."""

    def __init__(self, flavour, root, kind_modules):
        self.flavour = flavour
        self.root = root
        self.kind_modules = kind_modules
        self._layer_samples = None

    def _layer_value(self, which):
        layers = self.kind_modules["layers"]
        if which == "rnn":
            for name in ("LSTM",):
                if hasattr(layers, name):
                    return getattr(layers, name)(2)
        if which == "cell":
            return getattr(layers, "SimpleRNNCell")(2)
        dense = getattr(layers, "Dense")
        return dense(2)

    def value_for(self, kind, cls, name):
        if name == "layer":
            if cls.__name__ == "Bidirectional":
                return self._layer_value("rnn")
            return self._layer_value("dense")
        if name == "cell":
            return self._layer_value("cell")
        if name == "cells":
            return [self._layer_value("cell"), self._layer_value("cell")]
        if name == "layers":
            return [self._layer_value("dense")]
        if name in ("function", "fn"):
            if kind == "layers":
                return lambda x: x
            for module in (self.kind_modules.get(kind), self.kind_modules.get("losses")):
                for fname in ("mean_squared_error", "binary_accuracy", "mse"):
                    if module is not None and inspect.isfunction(getattr(module, fname, None)):
                        return getattr(module, fname)
            return lambda y_true, y_pred: y_pred
        if name == "optimizer":
            return None
        if name in REQUIRED_VALUES:
            return REQUIRED_VALUES[name]
        raise KeyError(name)

    def _attempts(self, kind, cls, names):
        """Keyword sets to build the class with: required values, then variations of them."""
        required = [n for n, (has_default, _) in names.items() if not has_default and n in _required_params(cls)]
        base = dict((n, self.value_for(kind, cls, n)) for n in required)
        yield base
        for name in required:
            for value in ALTERNATIVES.get(name, ()):
                varied = dict(base)
                varied[name] = value
                yield varied
        for name, value in sorted(OPTIONAL_VALUES.items()):
            if name in names and name not in base:
                varied = dict(base)
                varied[name] = value
                yield varied

    def instantiate(self, kind, cls):
        """(config of a default instance that from_config rebuilds, None) or (None, why not)."""
        names, _, _ = signature_arguments(cls)
        errors = []
        try:
            for kwargs in self._attempts(kind, cls, names):
                try:
                    obj = cls(**kwargs)
                    config = obj.get_config()
                    _rebuild(cls, config)
                    return config, None
                except Exception as exc:  # noqa: BLE001 (any failure means: fall back to signatures)
                    errors.append(_short(exc))
        except KeyError as exc:
            errors.append("no value for required %s" % exc)
        return None, " | ".join(sorted(set(errors))[:3]) or "cannot instantiate"

    def try_argument(self, cls, config, name, value):
        """'accepted', 'rejected' or 'accepted-value-error' for config + {name: value}."""
        trial = dict(config)
        trial[name] = value
        try:
            _rebuild(cls, trial)
            return "accepted", None
        except Exception as exc:  # noqa: BLE001
            message = _short(exc)
            if REJECTION.search(str(exc)):
                return "rejected", message
            return "accepted-value-error", message


def _required_params(cls):
    """Names without default in the whole forwarded __init__ chain."""
    required = set()
    for klass in inspect.getmro(cls):
        init = _own_init(klass)
        if init is None or klass is object:
            continue
        try:
            params, varkw = _params(init)
        except (TypeError, ValueError):
            break
        for name, has_default, _ in params:
            if not has_default:
                required.add(name)
        if not varkw or _source(init).count("**" + varkw) < 2:
            break
    # A required parameter of a base class that the subclass fills itself (e.g. RNN's `cell`
    # inside LSTM) is not required from the caller: only the first __init__'s positionals are.
    first = None
    for klass in inspect.getmro(cls):
        if _own_init(klass) is not None and klass is not object:
            first = klass
            break
    if first is None:
        return set()
    try:
        params, _ = _params(_own_init(first))
    except (TypeError, ValueError):
        return set()
    return set(n for n, has_default, _ in params if not has_default)


# ------------------------------------------------------------------------------------- inventory
def _public_names(namespace, predicate=None):
    items = vars(namespace).items() if inspect.ismodule(namespace) else namespace.items()
    out = {}
    for name, obj in items:
        if name.startswith("_") or name in NOT_OBJECTS or inspect.ismodule(obj):
            continue
        if not (inspect.isclass(obj) or inspect.isfunction(obj) or callable(obj)):
            continue
        if predicate is not None and not predicate(obj):
            continue
        out[name] = obj
    return out


def _import(name):
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 (modules move between releases)
        return None


def _first(*names):
    for name in names:
        module = _import(name)
        if module is not None:
            return module
    return None


def _dict_keys_in(func, pattern=r"['\"]([a-z0-9_]+)['\"]\s*:"):
    try:
        return set(re.findall(pattern, inspect.getsource(func)))
    except (IOError, OSError, TypeError):
        return set()


def _from(package):
    def predicate(obj):
        return (getattr(obj, "__module__", "") or "").startswith(package)
    return predicate


def inventory(flavour):
    """(root package, kind -> {name: object}, kind modules, versions, notes)."""
    notes = []
    versions = {"python": "%d.%d.%d" % sys.version_info[:3]}
    if flavour == "keras3":
        import keras
        versions["keras"] = keras.__version__
        root = "keras.src"
        try:
            from keras.src import backend as kbackend
            versions["backend"] = kbackend.backend()
        except Exception:  # noqa: BLE001
            versions["backend"] = os.environ.get("KERAS_BACKEND")
        public = keras
    elif flavour == "tf_keras":
        import tensorflow as tf
        import tf_keras
        versions["tensorflow"] = tf.__version__
        versions["keras"] = tf_keras.__version__
        root = "tf_keras.src" if _import("tf_keras.src") is not None else "tf_keras"
        public = tf_keras
    elif flavour == "tfkeras":
        import tensorflow as tf
        versions["tensorflow"] = tf.__version__
        dense = tf.keras.layers.Dense
        root = dense.__module__.split(".layers")[0]
        public = tf.keras
        package = _import(root[:-len(".src")] if root.endswith(".src") else root)
        versions["keras"] = getattr(package, "__version__", None)
        versions["keras_module"] = root
    elif flavour == "keras":
        import keras
        versions["keras"] = keras.__version__
        root = "keras"
        public = keras
        from keras import backend as kbackend
        versions["backend"] = kbackend.backend()
    else:
        raise SystemExit("unknown flavour %r" % flavour)
    base_package = root.split(".")[0] if flavour != "tfkeras" else root

    mod = {}
    mod["layers"] = _import(root + ".layers")
    mod["activations"] = _import(root + ".activations")
    mod["initializers"] = _first(root + ".initializers", root + ".initializations")
    mod["regularizers"] = _import(root + ".regularizers")
    mod["constraints"] = _import(root + ".constraints")
    mod["losses"] = _first(root + ".losses", root + ".objectives")
    mod["metrics"] = _import(root + ".metrics")
    mod["optimizers"] = _import(root + ".optimizers")
    mod["dtype_policies"] = _first(root + ".dtype_policies", root + ".mixed_precision.policy",
                                   root + ".mixed_precision.experimental.policy", root + ".mixed_precision")
    is_from_root = _from(base_package)

    layer_base = None
    for candidate in (root + ".layers.layer", root + ".engine.base_layer", root + ".engine.topology",
                      root + ".engine"):
        module = _import(candidate)
        if module is not None and hasattr(module, "Layer"):
            layer_base = module.Layer
            break
    model_base = None
    for candidate in (root + ".models", root + ".engine.training", root + ".engine"):
        module = _import(candidate)
        if module is not None and hasattr(module, "Model"):
            model_base = module.Model
            break
    network_bases = tuple(c for c in (model_base, getattr(_import(root + ".engine.network") or object, "Network", None),
                                      getattr(_import(root + ".engine.topology") or object, "Container", None))
                          if inspect.isclass(c))

    def is_layer(obj):
        return inspect.isclass(obj) and layer_base is not None and issubclass(obj, layer_base)

    objects = dict((kind, {}) for kind in KINDS)
    # Layers: the table the deserializer looks names up in, plus the public API modules.
    table = {}
    serialization = _import(root + ".layers.serialization")
    if serialization is not None and hasattr(serialization, "populate_deserializable_objects"):
        serialization.populate_deserializable_objects()
        table.update(serialization.LOCAL.ALL_OBJECTS)
        notes.append("layers: %s.layers.serialization.LOCAL.ALL_OBJECTS" % root)
    elif serialization is not None:
        table.update(vars(serialization))
        notes.append("layers: globals() of %s.layers.serialization" % root)
    if mod["layers"] is not None:
        table.update(vars(mod["layers"]))
    layer_utils = _import(root + ".utils.layer_utils")
    if flavour == "keras" and layer_utils is not None and hasattr(layer_utils, "layer_from_config"):
        table.update(vars(layer_utils))  # Keras 1: layer_from_config looks in its own globals()
        notes.append("layers: globals() of keras.utils.layer_utils (Keras 1 layer_from_config)")
    for extra in ("layers", "layers.experimental", "layers.experimental.preprocessing"):
        namespace = public
        for part in extra.split("."):
            namespace = getattr(namespace, part, None)
            if namespace is None:
                break
        if namespace is not None:
            table.update(_public_names(namespace, is_layer))
    for name, obj in _public_names(table).items():
        if is_layer(obj):
            if network_bases and issubclass(obj, network_bases):
                objects["models"][name] = obj
            else:
                objects["layers"][name] = obj
        elif inspect.isfunction(obj) and (getattr(obj, "__module__", "") or "").startswith(base_package) and \
                (name[0].isupper() or name in ("add", "subtract", "multiply", "average", "maximum", "minimum",
                                                "concatenate", "dot", "merge")):
            objects["layers"][name] = obj
    model_modules = [table, public, getattr(public, "models", None), _import(root + ".models"),
                     _import(root + ".engine.functional"), _import(root + ".engine.training"),
                     _import(root + ".engine.sequential"), _import(root + ".legacy.models")]
    for name in ("Functional", "Model", "Sequential", "Graph", "LinearModel", "WideDeepModel"):
        for namespace in model_modules:
            if namespace is None:
                continue
            obj = namespace.get(name) if isinstance(namespace, dict) else getattr(namespace, name, None)
            if inspect.isclass(obj) and is_layer(obj):
                objects["models"][name] = obj
                break
    for name in list(objects["models"]):
        objects["layers"].pop(name, None)

    def table_of(module):
        """ALL_OBJECTS_DICT / populated LOCAL.ALL_OBJECTS / globals(): what deserialize() reads."""
        if module is None:
            return {}
        if hasattr(module, "ALL_OBJECTS_DICT"):
            return dict(module.ALL_OBJECTS_DICT)
        if hasattr(module, "populate_deserializable_objects"):
            module.populate_deserializable_objects()
            return dict(module.LOCAL.ALL_OBJECTS)
        return _public_names(module, is_from_root)

    for kind in ("activations", "initializers", "regularizers", "constraints", "losses", "metrics"):
        found = _public_names(table_of(mod[kind]))
        if kind == "initializers" and root.startswith("tensorflow."):
            # TF 1.15-2.5 tf.keras.initializers re-exports the classes of tensorflow/python/ops/init_ops*.py
            # into the globals() its deserialize() reads.
            found.update(_public_names(mod[kind], _from("tensorflow.python.ops.init_ops")))
        api = getattr(public, kind, None)
        if api is None and kind == "initializers":
            api = getattr(public, "initializations", None)
        if api is None and kind == "losses":
            api = getattr(public, "objectives", None)
        if api is not None and inspect.ismodule(api):
            found.update(_public_names(api, is_from_root))
        objects[kind] = found
    # tf.keras' activations.deserialize also resolves the advanced-activation layers by name.
    if mod["activations"] is not None and re.search(r"advanced_activations|activation_layers",
                                                    _source(getattr(mod["activations"], "deserialize", None))):
        adv = _first(root + ".layers.activation", root + ".layers.advanced_activations")
        if adv is not None:
            objects["activations"].update(_public_names(adv, is_layer))
    # Optimizers: the lower-case table deserialize() maps class names through, plus public classes.
    optimizers = mod["optimizers"]
    if optimizers is not None:
        names = {}
        if hasattr(optimizers, "ALL_OBJECTS_DICT"):
            names.update(optimizers.ALL_OBJECTS_DICT)
            for obj in getattr(optimizers, "ALL_OBJECTS", ()):
                names[obj.__name__] = obj
        for key in _dict_keys_in(getattr(optimizers, "deserialize", None)):
            try:
                obj = optimizers.deserialize({"class_name": key, "config": {}})
                names[key] = type(obj)
            except Exception as exc:  # noqa: BLE001 (e.g. the TF 1 wrapper needs an optimizer)
                names.setdefault(key, None)
                notes.append("optimizer %r: %s" % (key, _short(exc)))
        namespaces = [optimizers, getattr(public, "optimizers", None)]
        # Keras 3's keras.optimizers.legacy only holds stubs that raise ImportError.
        for sub in ("legacy", "experimental") if flavour != "keras3" else ():
            namespaces.append(getattr(getattr(public, "optimizers", None), sub, None))
        for namespace in namespaces:
            if namespace is not None and inspect.ismodule(namespace):
                for name, obj in _public_names(namespace, inspect.isclass).items():
                    if is_from_root(obj) or flavour == "tfkeras":
                        names.setdefault(name, obj)
        names = dict((n, o) for n, o in names.items() if o is None or inspect.isclass(o))
        names = dict((n, o) for n, o in names.items()
                     if o is None or (not o.__name__.endswith("Warning") and
                                      any("Optimizer" in b.__name__ for b in inspect.getmro(o))))
        # The loader resolves a name through deserialize(), which in TF 2.11-2.15 picks the legacy
        # class for a config without `is_legacy_optimizer` (every older file) and the new one when the
        # config says False: a name then stands for both classes, and accepts what either accepts.
        if flavour != "keras3" and hasattr(optimizers, "deserialize"):
            for name in list(names):
                variants = [names[name]] if names[name] is not None else []
                for config in ({"learning_rate": 0.01}, {"lr": 0.01}, {"learning_rate": 0.01, "is_legacy_optimizer": False}):
                    try:
                        cls = type(optimizers.deserialize({"class_name": name, "config": config}))
                    except Exception:  # noqa: BLE001 (config not understood by this release)
                        continue
                    if cls not in variants:
                        variants.insert(0 if len(config) == 1 else len(variants), cls)
                if len(variants) > 1:
                    names[name] = tuple(variants)
                elif variants:
                    names[name] = variants[0]
        objects["optimizers"] = names
    # Dtype policies.
    policies = mod["dtype_policies"]
    if policies is not None:
        found = {}
        if hasattr(policies, "ALL_OBJECTS_DICT"):
            found.update(policies.ALL_OBJECTS_DICT)
        for name, obj in _public_names(policies, inspect.isclass).items():
            if "Policy" in name and is_from_root(obj):
                found[name] = obj
        for name in re.findall(r"['\"](Policy\w*)['\"]", _source(getattr(policies, "deserialize", None))):
            found.setdefault(name, getattr(policies, name, None))
        for namespace in (getattr(public, "dtype_policies", None), getattr(public, "mixed_precision", None)):
            if namespace is not None and inspect.ismodule(namespace):
                for name, obj in _public_names(namespace, inspect.isclass).items():
                    if "Policy" in name:
                        found.setdefault(name, obj)
        objects["dtype_policies"] = found
    _registered(root, objects, is_layer, notes)
    return root, objects, mod, versions, notes


def _registered(root, objects, is_layer, notes):
    """Names the release registers for its own objects in the global custom-object registry
    ("Custom>Adam": tf-keras registers its optimizers under the default package), so a config that
    names one by its registration key resolves to the built-in."""
    registry = {}
    for module_name in (root + ".saving.object_registration", root + ".saving.legacy.serialization",
                        root + ".utils.generic_utils", root + ".saving"):
        module = _import(module_name)
        for attr in ("GLOBAL_CUSTOM_OBJECTS", "_GLOBAL_CUSTOM_OBJECTS"):
            table = getattr(module, attr, None) if module is not None else None
            if isinstance(table, dict):
                registry.update(table)
    base = root.split(".")[0] if not root.startswith("tensorflow.") else "tensorflow"
    found = 0
    for key, obj in sorted(registry.items()):
        if ">" not in key or not (getattr(obj, "__module__", "") or "").startswith(base):
            continue
        kind = None
        for candidate in KINDS:
            if any(o is obj or (isinstance(o, tuple) and obj in o) for o in objects[candidate].values()):
                kind = candidate
                break
        if kind is None and is_layer(obj):
            models = any(b.__name__ in ("Model", "Network", "Functional") for b in inspect.getmro(obj)[1:])
            kind = "models" if models else "layers"
        if kind is not None:
            objects[kind][key] = obj
            found += 1
    notes.append("registered built-ins: %d names from the global custom-object registry" % found)


def probe(flavour, candidates):
    root, objects, mod, versions, notes = inventory(flavour)
    # Lambda and function-wrapper configs carry bytecode; trials rebuild our own harmless lambdas.
    for name in (root + ".saving.serialization_lib", root + ".saving"):
        module = _import(name)
        if module is not None and hasattr(module, "enable_unsafe_deserialization"):
            module.enable_unsafe_deserialization()
            break
    builder = Builder(flavour, root, mod)
    classes = {}
    measured = {}
    for kind in CLASS_KINDS:
        classes[kind] = {}
        for name in sorted(objects[kind]):
            cls = objects[kind][name]
            if isinstance(cls, tuple):
                classes[kind][name] = measure_variants(builder, kind, cls, candidates.get(kind, {}).get(name, {}))
                continue
            if not inspect.isclass(cls):
                continue
            key = (kind, cls)
            if key not in measured:
                measured[key] = measure(builder, kind, cls, candidates.get(kind, {}).get(name, {}))
            else:
                # An alias (Convolution2D = Conv2D): measure the names the other alias was asked about too.
                extra = candidates.get(kind, {}).get(name, {})
                if extra:
                    measured[key] = measure(builder, kind, cls, extra, measured[key])
            entry = dict(measured[key])
            entry["class"] = "%s.%s" % (cls.__module__, cls.__name__)
            classes[kind][name] = entry
    return {
        "flavour": flavour,
        "versions": versions,
        "root": root,
        "notes": notes,
        "objects": dict((kind, sorted(objects[kind])) for kind in KINDS),
        "classes": classes,
    }


def measure_variants(builder, kind, variants, wanted):
    """One name the loader maps to several classes: what any of them accepts."""
    entries = [measure(builder, kind, cls, wanted) for cls in variants]
    merged = dict(entries[0])
    merged["variants"] = ["%s.%s" % (cls.__module__, cls.__name__) for cls in variants]
    merged["class"] = merged["variants"][0]
    merged["any"] = any(e["any"] for e in entries)
    merged["accepts"] = sorted(set().union(*[e["accepts"] for e in entries]))
    merged["method"] = "empirical" if all(e["method"] == "empirical" for e in entries) else "signature"
    for entry in entries[1:]:
        for name, trial in (entry.get("trials") or {}).items():
            if trial[0] != "rejected":
                merged.setdefault("trials", {})[name] = trial
    return merged


def measure(builder, kind, cls, wanted, previous=None):
    """Argument inventory of one class: signature analysis, then from_config trials when possible."""
    sig_names, sig_any, sig_note = signature_arguments(cls)
    defaults = {}
    for name, (has_default, default) in sig_names.items():
        if has_default:
            try:
                defaults[name] = _jsonable(default)
            except ValueError:
                pass
    result = previous or {
        "signature": {"accepts": sorted(sig_names), "any": sig_any, "note": sig_note},
        "defaults": defaults,
    }
    config, error = builder.instantiate(kind, cls)
    if config is None:
        result["method"] = "signature"
        result["error"] = error
        result["any"] = sig_any
        result["accepts"] = sorted(sig_names)
        return result
    result["method"] = "empirical"
    if previous is None:
        written = {}
        for key, value in config.items():
            try:
                written[key] = _jsonable(value)
            except ValueError:
                written[key] = None
        result["config"] = written
        trials = {}
    else:
        trials = dict(previous["trials"])
    tried = dict(STATIC_CANDIDATES.get(kind, {}))
    tried.update(wanted)
    for name in sig_names:
        tried.setdefault(name, REQUIRED_VALUES.get(name, defaults.get(name)))
    tried[BOGUS] = 1
    for name, value in sorted(tried.items()):
        if name in config or name in trials:
            continue
        outcome, message = builder.try_argument(cls, config, name, value)
        trials[name] = [outcome, message] if message else [outcome]
    result["trials"] = trials
    result["any"] = trials[BOGUS][0] != "rejected"
    accepts = set(config)
    accepts.update(n for n, t in trials.items() if t[0] != "rejected" and n != BOGUS)
    if result["any"]:
        accepts.update(sig_names)
    result["accepts"] = sorted(accepts)
    return result


def main(argv):
    flavour, out = argv[1], argv[2]
    candidates = {}
    if len(argv) > 3:
        with open(argv[3]) as handle:
            candidates = json.load(handle)
    try:
        document = probe(flavour, candidates)
    except Exception:  # noqa: BLE001 (report the failure to the generator as JSON)
        document = {"flavour": flavour, "failed": traceback.format_exc()}
    with open(out, "w") as handle:
        json.dump(document, handle, indent=1, sort_keys=True, default=repr)
    return 0 if "failed" not in document else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
