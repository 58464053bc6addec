"""A SavedModel's function library, read one FunctionDef at a time.

Most of a large ``saved_model.pb`` is its function library (every traced function of every layer), and
protobuf holds about 14 bytes of objects per byte it parses (a 27 MB file took 380 MB). :func:`split`
reads only the framing (:mod:`h5lint.pbwire`) to cut the library's FunctionDef records out: the rest of
the SavedModel parses small, and :meth:`Library.functions` parses one FunctionDef at a time, in file order.
A repeated field written as several records, and a message field written twice, are what protobuf makes
of them: their records in order. Framing that does not walk is left to the whole-file parse, which names
the damage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...pbwire import LENGTH_DELIMITED, WireDamage, records
from .protoschema import message_class

# SavedModel.meta_graphs; in a MetaGraphDef, graph_def; in a GraphDef, library; in a FunctionDefLibrary, function.
_META_GRAPHS = 2
_TO_FUNCTIONS = (2, 2, 1)

Slices = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Library:
    """The FunctionDefs of each MetaGraphDef of one SavedModel."""

    data: bytes | None = None  # the file's bytes, when the library was cut out of them
    slices: tuple[Slices, ...] = ()  # per MetaGraphDef, where each of its FunctionDefs lies in ``data``

    def functions(self, index: int, meta_graph: Any) -> Iterator[Any]:
        """The FunctionDefs of ``meta_graph`` (the ``index``-th), each parsed when it is reached."""
        if self.data is None:  # parsed whole (text format): the library is in the message
            yield from meta_graph.graph_def.library.function
            return
        function_def = message_class("FunctionDef")
        for start, end in self.slices[index] if index < len(self.slices) else ():
            yield function_def.FromString(self.data[start:end])


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _without(data: bytes, start: int, end: int, path: tuple[int, ...], found: list[tuple[int, int]]) -> bytes:
    """The message ``data[start:end]`` re-encoded without the records at ``path`` (field numbers, outermost
    first), whose payloads' offsets are added to ``found``."""
    out = bytearray()
    previous = start  # records are contiguous: each one's key starts where the one before ended
    for record in records(data, start, end):
        span, previous = (previous, record.end), record.end
        if record.field != path[0] or record.wire_type != LENGTH_DELIMITED:
            out += data[span[0] : span[1]]
        elif len(path) == 1:
            found.append((record.start, record.end))
        else:
            inner = _without(data, record.start, record.end, path[1:], found)
            out += _varint(record.field << 3 | LENGTH_DELIMITED) + _varint(len(inner)) + inner
    return bytes(out)


def split(data: bytes) -> tuple[bytes, Library] | None:
    """The SavedModel in ``data`` without its library functions, and the library; None when the framing
    does not walk (the whole-file parse then says what is wrong)."""
    rest = bytearray()
    slices: list[Slices] = []
    previous = 0
    try:
        for record in records(data):
            span, previous = (previous, record.end), record.end
            if record.field != _META_GRAPHS or record.wire_type != LENGTH_DELIMITED:
                rest += data[span[0] : span[1]]
                continue
            found: list[tuple[int, int]] = []
            inner = _without(data, record.start, record.end, _TO_FUNCTIONS, found)
            rest += _varint(record.field << 3 | LENGTH_DELIMITED) + _varint(len(inner)) + inner
            slices.append(tuple(found))
    except (WireDamage, RecursionError):
        return None
    return bytes(rest), Library(data, tuple(slices))
