"""Layers whose config makes load_model reach outside the file: what they name, read from the config.

Three Keras 3 layers do (config keys checked against files Keras 3.15.1 and tf-keras 2.21 write):

- ``TFSMLayer`` (keras/src/export/tfsm_layer.py) stores ``filepath``, ``call_endpoint`` and
  ``call_training_endpoint``; rebuilding it runs ``tf.saved_model.load(filepath)``.
- ``StringLookup``, ``IntegerLookup`` and ``TextVectorization`` store ``vocabulary`` as a list, or, when
  built from a file by tf-keras or Keras before 3.12, as that file's path, which rebuilding reads with
  ``tf.io.gfile`` (local file, gs://, http(s):// ...). ``idf_weights`` is always values: loading TF-IDF
  weights from a file is refused by every release (``output_mode 'tf_idf' does not support loading a
  vocabulary from file``).
- ``TorchModuleWrapper`` (keras/src/utils/torch_utils.py) stores ``module``: ``torch.save`` of the wrapped
  ``torch.nn.Module`` as base64, which rebuilding ``torch.load``s (unpickles).

A class of the same name from another package (``module`` outside Keras) is someone else's layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..pickles import PickleImports, pickle_imports
from .knowledge import table
from .refs import module_is_keras, names_class
from .structure import Layer

TFSM_LAYER = "TFSMLayer"
LOOKUP_LAYERS = ("StringLookup", "IntegerLookup", "TextVectorization")
TORCH_MODULE_WRAPPER = "TorchModuleWrapper"


def _is_keras(layer: Layer, bare: str) -> bool:
    return names_class(layer.class_name, bare) and module_is_keras(layer.module)


@dataclass(frozen=True)
class TorchModule:
    """A TorchModuleWrapper's stored module: the pickle's imports, or why it is not a base64 string."""

    imports: PickleImports | None  # None when ``module`` is not a string
    stored_as: str  # "a base64 string", or the JSON type it has instead ("an object", "a list" ...)


def savedmodel_path(layer: Layer) -> str | None:
    """The ``filepath`` a TFSMLayer loads; None for other layers, and for one whose ``filepath`` is no string
    (rebuilding it then fails before anything is loaded)."""
    if not _is_keras(layer, TFSM_LAYER):
        return None
    path = layer.config.get("filepath")
    return path if isinstance(path, str) else None


def vocabulary_path(layer: Layer) -> str | None:
    """The vocabulary file a lookup layer reads, when its ``vocabulary`` is a path rather than values."""
    if not any(_is_keras(layer, bare) for bare in LOOKUP_LAYERS):
        return None
    vocabulary = layer.config.get("vocabulary")
    return vocabulary if isinstance(vocabulary, str) else None


# bool before int: JSON true is a Python bool, which is also an int.
_JSON_TYPES = {bool: "a boolean", dict: "an object", list: "a list", int: "a number", float: "a number"}


def torch_module(layer: Layer) -> TorchModule | None:
    """The pickled module a TorchModuleWrapper stores; None for other layers and for a wrapper without one."""
    if not _is_keras(layer, TORCH_MODULE_WRAPPER) or layer.config.get("module") is None:
        return None
    stored = layer.config["module"]
    if isinstance(stored, str):
        return TorchModule(pickle_imports(stored), "a base64 string")
    return TorchModule(None, next((w for t, w in _JSON_TYPES.items() if isinstance(stored, t)), "another value"))


def runs_commands(global_name: str) -> bool:
    """A pickle global (``posix.system``, ``builtins.eval``) that runs commands or code when the unpickler calls
    it, judged with the modules a Keras config must never name; torch.save's own globals are not."""
    module, _, attribute = global_name.rpartition(".")
    root = module.split(".", 1)[0]
    foreign = table("foreign_modules")
    if root in ("builtins", "__builtin__"):
        return attribute in foreign["dangerous_builtins"]
    dangerous = root in foreign["dangerous_modules"] or module in foreign["dangerous_modules"]
    return dangerous and root not in table("torch_pickles")["expected_roots"]
