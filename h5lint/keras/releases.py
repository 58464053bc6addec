"""What each release of each Keras line has built in and which constructor arguments its classes take.

Read from ``data/keras_releases.json``, which ``tools/gen_keras_releases.py`` measures by installing
every release and introspecting it (names per kind, and per class the arguments ``from_config``
accepts and their defaults). Releases are minor versions (``"3.13"``, ``"2.15"``; tf.keras by its
TensorFlow version); ``None`` for a release means "any release of the line".
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .knowledge import table
from .versions import version_tuple

Span = tuple[str, str]


@functools.lru_cache(maxsize=1)
def _data() -> Mapping[str, Any]:
    return table("keras_releases")


@functools.lru_cache(maxsize=1024)  # releases come from the table and the target: a few dozen strings
def _key(release: str) -> tuple[int, ...]:
    return version_tuple(release) or (0,)


def measured(line: str) -> tuple[str, ...]:
    """The releases of ``line`` the table holds, oldest first."""
    return tuple(_data()["lines"].get(line, ()))


def _within(release: str, spans: Any) -> bool:
    return any(_key(first) <= _key(release) <= _key(last) for first, last, *_ in spans or ())


def object_span(name: str, kind: str, line: str) -> Span | None:
    """The first and last release of ``line`` that have ``name`` built in as a ``kind``."""
    span = _data()["objects"].get(kind, {}).get(name, {}).get(line)
    return (span[0], span[1]) if span else None


def has_object(name: str, kind: str, line: str, release: str | None = None) -> bool:
    """Whether ``line`` (at ``release``, or at any release when None) has ``name`` built in."""
    span = object_span(name, kind, line)
    if span is None:
        return False
    if release is None:
        return True
    gaps = _data().get("object_gaps", {}).get(kind, {}).get(name, {}).get(line, ())
    return _within(release, [span]) and release not in gaps


@dataclass(frozen=True)
class Arguments:
    """The constructor arguments one built-in class takes in one release."""

    any: bool  # it swallows arbitrary keyword arguments
    accepted: frozenset[str]
    known: frozenset[str]  # every argument some release of some line accepts for the class
    by_signature: bool  # read from the __init__ chain, not measured with from_config

    def rejects(self, argument: str) -> bool:
        return not self.any and argument not in self.accepted


@functools.lru_cache(maxsize=4096)  # every layer of every model asks again for its class
def arguments(kind: str, name: str, line: str, release: str) -> Arguments | None:
    """What ``name``'s ``from_config`` accepts in ``release`` of ``line``; None when the table does not
    know the class there."""
    entry = _data()["arguments"].get(kind, {}).get(name, {}).get(line)
    if entry is None or not has_object(name, kind, line, release):
        return None
    accepts = entry["accepts"]
    swallows = entry["any"] or _within(release, entry.get("any_spans"))
    return Arguments(
        any=swallows,
        accepted=frozenset(arg for arg, spans in accepts.items() if _within(release, spans)),
        known=frozenset(accepts),
        by_signature=_within(release, entry.get("by_signature")),
    )


def accepted_spans(kind: str, name: str, argument: str, line: str) -> tuple[Span, ...]:
    """The releases of ``line`` whose ``name`` accepts ``argument``, as (first, last) spans."""
    entry = _data()["arguments"].get(kind, {}).get(name, {}).get(line)
    if entry is None:
        return ()
    return tuple((first, last) for first, last in entry["accepts"].get(argument, ()))


# What :func:`default` returns for an argument without a recorded default.
NO_DEFAULT = object()


def default(kind: str, name: str, argument: str, line: str, release: str | None = None) -> Any:
    """The default value of ``argument`` of ``name`` in ``release`` of ``line`` (the newest release when
    None), or :data:`NO_DEFAULT` when the table records none (required, or not a cheap JSON value)."""
    spans = _data()["defaults"].get(kind, {}).get(name, {}).get(line, {}).get(argument)
    if not spans:
        return NO_DEFAULT
    if release is None:
        return spans[-1][2]
    for first, last, value in spans:
        if _key(first) <= _key(release) <= _key(last):
            return value
    return NO_DEFAULT
