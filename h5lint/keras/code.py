"""The code a layer config carries: Lambda functions, stored as bytecode or referenced by name.

Five encodings (formats.md §2.6): Keras 1/2 ``function`` lists ``[code, defaults, closure]`` with a
``function_type`` of ``"lambda"`` (bytecode) or ``"function"`` (a name and ``module``), a bare bytecode
string, keras_metadata.pb's ``{"class_name": "__tuple__", "items": [...]}``, Keras 3's
``{"class_name": "__lambda__", "config": {"code": ...}}`` and Keras 3's function envelope
``{"class_name": "function", "config": "name", "module": ...}``. Bytecode is read by walking the marshal
bytes (:mod:`.bytecode`); nothing is unmarshalled or run.

The envelope is not code: it is how Keras 3 serializes every function object (an activation, a loss, a
Lambda's ``def``), by name only, and the loader finds the function in ``custom_objects``, its
registrations or its own modules like any other named object (:mod:`.objects`). Its ``module`` is
``"builtins"`` for a plain Python function: the module of Python's function type, which
``serialize_with_public_class`` records for an unregistered function (keras/src/saving/serialization_lib.py),
not a reference to Python's built-ins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Iterator

from .bytecode import code_bytes, describe_python, minors_of, read_code_names
from .refs import is_function_envelope, names_class
from .structure import StoredCode

# Config keys that can hold code, with the key that says how it is stored (Keras 1/2).
CODE_KEYS = (("function", "function_type"), ("output_shape", "output_shape_type"), ("mask", "mask_type"))


def is_lambda(class_name: str) -> bool:
    return names_class(class_name, "Lambda")


def _bytecode(key: str, encoded: str) -> StoredCode:
    names = read_code_names(code_bytes(encoded))
    return StoredCode(
        key=key,
        names=tuple(dict.fromkeys(names.names)),
        strings=tuple(names.strings),
        functions=tuple(names.functions),
        python=describe_python(names.layout, names.pythons),
        pythons=minors_of(names.layout, names.pythons),
    )


def _named(key: str, name: str, module: Any) -> StoredCode:
    return StoredCode(key=key, function=f"{module}.{name}" if isinstance(module, str) and module else name)


def _decode(key: str, value: Any, kind: Any, module: Any) -> StoredCode | None:
    if isinstance(value, Mapping) and value.get("class_name") == "__tuple__":  # keras_metadata.pb JSON
        value = value.get("items")
    if isinstance(value, list) and value and isinstance(value[0], str):
        return _bytecode(key, value[0])
    if isinstance(value, Mapping):
        inner = value.get("config")
        if value.get("class_name") == "__lambda__" and isinstance(inner, Mapping):
            code = inner.get("code")
            if not isinstance(code, str) and isinstance(inner.get("value"), list):
                code = inner["value"][0] if inner["value"] else None
            return _bytecode(key, code) if isinstance(code, str) else None
        return None  # a function envelope is a named object, not code (function_references)
    if isinstance(value, str) and kind == "function":
        return _named(key, value, module)
    if isinstance(value, str) and kind == "lambda":
        return _bytecode(key, value)
    return None


def function_references(class_name: str, config: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """``(config key, envelope)`` of each function a Lambda layer names by reference instead of storing its code."""
    if is_lambda(class_name):
        for key, _kind_key in CODE_KEYS:
            if is_function_envelope(config.get(key)):
                yield key, config[key]


def stored_code(class_name: str, config: Mapping[str, Any]) -> tuple[StoredCode, ...]:
    """Every piece of code a layer of ``class_name`` stores in its config (only Lambda layers store any)."""
    if not is_lambda(class_name):
        return ()
    found = (_decode(key, config.get(key), config.get(kind_key), config.get("module")) for key, kind_key in CODE_KEYS)
    return tuple(code for code in found if code is not None)
