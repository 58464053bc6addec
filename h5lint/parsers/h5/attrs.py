"""String attributes of Keras HDF5 files, in every form the writers left them (formats.md §1.2, §1.7, §6.1).

A string may come back from h5py as ``str``, ``bytes``, ``numpy.bytes_`` or a 0-d array; a list of
names as an object array of ``str``, an ``S<n>`` array, an empty float64 array (a layer without
weights) or as chunks ``<name>0``, ``<name>1`` ... when the list outgrew the object header. Sizes are
checked from the attribute's type and dataspace before any value is read.
"""

from __future__ import annotations

from typing import Any

import h5py
import numpy as np

from .limits import MAX_ATTR_BYTES, MAX_CHUNKS, MAX_VLEN_ELEMENTS


class AttrProblem(ValueError):
    """An attribute h5lint will not or cannot read; the message names it."""


class AttrUnreadable(AttrProblem):
    """HDF5 failed to decode the attribute (damage, truncation), as opposed to a value of the wrong kind."""


def describe(obj: h5py.HLObject, name: str) -> str:
    """``model_config attribute`` for the root, ``weight_names attribute of /model_weights/dense``."""
    where = obj.name or "/"
    return f"{name} attribute" if where == "/" else f"{name} attribute of {where}"


def _is_vlen(tid: h5py.h5t.TypeID) -> bool:
    if isinstance(tid, h5py.h5t.TypeVlenID):
        return True
    return isinstance(tid, h5py.h5t.TypeStringID) and tid.is_variable_str()


def _check_size(obj: h5py.HLObject, name: str, budget: int) -> None:
    aid = obj.attrs.get_id(name)
    tid = aid.get_type()
    space = aid.get_space()
    count = space.get_simple_extent_npoints() if space.get_simple_extent_type() != h5py.h5s.NULL else 0
    if _is_vlen(tid):
        if count > MAX_VLEN_ELEMENTS:
            raise AttrProblem(
                f"{describe(obj, name)} has {count:,} strings, over h5lint's budget of {MAX_VLEN_ELEMENTS:,}"
            )
        return
    size = tid.get_size() * count
    if size > budget:
        raise AttrProblem(f"{describe(obj, name)} is {size:,} bytes, over h5lint's budget of {budget:,} bytes")


def present(obj: h5py.HLObject, name: str) -> bool:
    """True if ``obj`` has the attribute; raises :class:`AttrProblem` when HDF5 cannot tell.

    HDF5 decodes an attribute to find it, so a damaged one, or one too large to decode within the
    memory budget, fails here; taking that for "absent" would call a full model weights only.
    """
    try:
        return name in obj.attrs
    except (OSError, RuntimeError, ValueError) as exc:
        raise AttrUnreadable(f"{describe(obj, name)} cannot be read ({exc})") from None


def read_raw(obj: h5py.HLObject, name: str, budget: int | None = None) -> Any:
    """The attribute's value as h5py returns it, or None if absent; raises :class:`AttrProblem`.

    ``budget`` (bytes, default :data:`MAX_ATTR_BYTES`) is checked before the value is read.
    """
    if not present(obj, name):
        return None
    try:
        _check_size(obj, name, MAX_ATTR_BYTES if budget is None else budget)
        return obj.attrs[name]
    except AttrProblem:
        raise
    except (OSError, RuntimeError, ValueError, TypeError, KeyError) as exc:
        raise AttrUnreadable(f"{describe(obj, name)} cannot be read ({exc})") from None


def to_text(value: Any) -> str | None:
    """A scalar string attribute as text; None when it is not a string at all."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", "surrogateescape")
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "OSU":
        return to_text(value.reshape(-1)[0])
    return None


def to_list(value: Any) -> tuple[str, ...] | None:
    """A list-of-names attribute as texts; an empty array of any dtype is the empty list."""
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return ()
        texts = [to_text(item) for item in value.reshape(-1)]
        return None if any(t is None for t in texts) else tuple(t for t in texts if t is not None)
    text = to_text(value)
    return None if text is None else (text,)


def text_attr(obj: h5py.HLObject, name: str, budget: int | None = None) -> str | None:
    """A string attribute's text, None if absent; raises :class:`AttrProblem` if it is not a string."""
    value = read_raw(obj, name, budget)
    if value is None:
        return None
    text = to_text(value)
    if text is None:
        raise AttrProblem(f"{describe(obj, name)} is not a string (it holds {_kind(value)})")
    return text


def has_list_attr(obj: h5py.HLObject, name: str) -> bool:
    return present(obj, name) or present(obj, f"{name}0")


def list_attr(obj: h5py.HLObject, name: str) -> tuple[str, ...] | None:
    """A list of names stored whole or chunked as ``name0``, ``name1`` ...; None if absent."""
    if present(obj, name):
        return _list_value(obj, name)
    names: list[str] = []
    index = 0
    while present(obj, f"{name}{index}"):
        if index >= MAX_CHUNKS:
            raise AttrProblem(f"{describe(obj, name)} is split into more than {MAX_CHUNKS:,} chunks")
        names.extend(_list_value(obj, f"{name}{index}"))
        index += 1
    return tuple(names) if index else None


def _list_value(obj: h5py.HLObject, name: str) -> tuple[str, ...]:
    value = read_raw(obj, name)
    names = to_list(value)
    if names is None:
        raise AttrProblem(f"{describe(obj, name)} is not a list of names (it holds {_kind(value)})")
    return names


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    return f"a {type(value).__name__}"
