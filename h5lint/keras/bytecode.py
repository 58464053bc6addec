"""Read the names a marshalled Python code object refers to, without unmarshalling it.

Lambda layers store ``marshal.dumps(fn.__code__)`` (raw bytes before Keras 2.1.2, base64 after).
Unmarshalling would build a live code object from untrusted bytes, so instead this module walks
the marshal byte format itself and only ever produces strings. The code-object header differs by
Python version (2.7, 3.0-3.7, 3.8-3.10, 3.11+); each layout is tried and the one that consumes the
bytes exactly is used. Within a layout, the opcode numbers the instructions use (data/python_bytecode.json,
measured from each interpreter) narrow it down to the Python minors that can have written it. Nothing
here executes, imports or evaluates anything: instructions are only looked at as numbers.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .knowledge import table

FLAG_REF = 0x80
MAX_DEPTH = 64
MAX_ITEMS = 1 << 20

# (raw int32 fields before the objects, objects before firstlineno, objects after firstlineno)
_LAYOUTS = {
    "3.11+": (5, 8, 2),  # ... filename, name, qualname, firstlineno, linetable, exceptiontable
    "3.8-3.10": (6, 8, 1),
    "3.0-3.7": (5, 8, 1),
    "2.7": (4, 8, 1),
}
# The minors of each layout whose instructions are fixed-width (opcode, argument) words that the opcode
# table can check: 3.0-3.5 have variable-length instructions, so the 3.0-3.7 layout is not narrowed.
_CHECKED_MINORS = {"3.11+": ("3.11", "3.12", "3.13"), "3.8-3.10": ("3.8", "3.9", "3.10")}
_FILENAME_PYTHON = re.compile(r"python(\d)\.(\d{1,2})(?!\d)")
_CODE = object()  # stands for a nested code object among constants

# Index of co_names among the objects before firstlineno (code, consts, names, ...).
_NAMES_INDEX = 2


class MarshalError(ValueError):
    pass


@dataclass
class CodeNames:
    """What a code object (and the code objects nested in it) refers to."""

    names: list[str] = field(default_factory=list)  # co_names: globals, attributes, imports
    strings: list[str] = field(default_factory=list)  # string constants
    functions: list[str] = field(default_factory=list)  # co_name of each code object
    filenames: list[str] = field(default_factory=list)
    layout: str | None = None  # which Python marshal layout matched; None = approximate scan
    # The Python minors ("3.11", "3.12") whose opcodes fit every instruction, when the layout is one the
    # opcode table covers; empty when it is not (or when no measured minor fits: a newer Python).
    pythons: tuple[str, ...] = ()
    instructions: list[bytes] = field(default_factory=list)  # co_code of each code object, as raw bytes


class _Reader:
    def __init__(self, data: bytes, layout: tuple[int, int, int]):
        self.data = data
        self.pos = 0
        self.layout = layout
        self.refs: list[object] = []
        self.out = CodeNames()

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise MarshalError("truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def i32(self) -> int:
        return struct.unpack("<i", self.take(4))[0]

    def count(self) -> int:
        n = self.i32()
        if n < 0 or n > MAX_ITEMS:
            raise MarshalError("bad length")
        return n

    def obj(self, depth: int = 0) -> object:
        if depth > MAX_DEPTH:
            raise MarshalError("too deep")
        code = self.take(1)[0]
        flag, kind = code & FLAG_REF, chr(code & ~FLAG_REF)
        slot = None
        if flag:
            slot = len(self.refs)
            self.refs.append(None)
        value = self._value(kind, depth)
        if slot is not None:
            self.refs[slot] = value
        return value

    def _value(self, kind: str, depth: int) -> object:
        if kind in "0NFTS.":
            return None
        if kind == "i":
            return self.i32()
        if kind == "I":
            self.take(8)
            return None
        if kind == "l":
            n = self.i32()
            if abs(n) > MAX_ITEMS:
                raise MarshalError("bad long")
            self.take(2 * abs(n))
            return None
        if kind == "g":
            self.take(8)
            return None
        if kind == "y":
            self.take(16)
            return None
        if kind in "fx":
            for _ in range(1 if kind == "f" else 2):
                self.take(self.take(1)[0])
            return None
        if kind in "zZ":
            return self.take(self.take(1)[0]).decode("latin-1")
        if kind in "aAtu":
            raw = self.take(self.count())
            return raw.decode("utf-8", "replace") if kind in "tu" else raw.decode("latin-1")
        if kind == "s":
            return self.take(self.count())  # bytes: co_code or line tables, only ever compared as numbers
        if kind == "R":  # Python 2 string reference
            self.i32()
            return None
        if kind == "r":
            index = self.i32()
            if not 0 <= index < len(self.refs):
                raise MarshalError("bad reference")
            return self.refs[index]
        if kind in "([<>":
            return tuple(self.obj(depth + 1) for _ in range(self.count()))
        if kind == ")":
            return tuple(self.obj(depth + 1) for _ in range(self.take(1)[0]))
        if kind == "{":
            items = []
            while self.data[self.pos : self.pos + 1] not in (b"0", b""):
                items.append((self.obj(depth + 1), self.obj(depth + 1)))
            self.take(1)
            return tuple(items)
        if kind == "c":
            return self._code(depth)
        raise MarshalError(f"unknown type {kind!r}")

    def _code(self, depth: int) -> object:
        ints, before, after = self.layout
        for _ in range(ints):
            self.i32()
        fields = [self.obj(depth + 1) for _ in range(before)]
        self.i32()  # firstlineno
        for _ in range(after):
            self.obj(depth + 1)
        if isinstance(fields[0], bytes):
            self.out.instructions.append(fields[0])
        names, consts = fields[_NAMES_INDEX], fields[1]
        self.out.names += [n for n in (names or ()) if isinstance(n, str)]
        self.out.strings += [c for c in (consts or ()) if isinstance(c, str)]
        filename, name = fields[-2], fields[-1]
        if before == 8 and ints == 5 and after == 2:  # 3.11+: ..., filename, name, qualname
            filename, name = fields[-3], fields[-1]
        if isinstance(name, str):
            self.out.functions.append(name)
        if isinstance(filename, str):
            self.out.filenames.append(filename)
        return _CODE


_PRINTABLE = re.compile(rb"[A-Za-z_][A-Za-z0-9_.]{1,63}")


def _approximate(data: bytes) -> CodeNames:
    """Fallback for bytes no known layout fits: identifier-like runs, as ``strings`` would show."""
    found = [m.group().decode("ascii") for m in _PRINTABLE.finditer(data)]
    return CodeNames(names=list(dict.fromkeys(found)))


def read_code_names(data: bytes) -> CodeNames:
    if not data or (data[0] & ~FLAG_REF) != ord("c"):
        return _approximate(data)
    for label, layout in _LAYOUTS.items():
        reader = _Reader(data, layout)
        try:
            reader.obj()
        except (MarshalError, struct.error, IndexError):
            continue
        if reader.pos == len(data):
            reader.out.layout = label
            reader.out.pythons = _pythons(label, reader.out)
            return reader.out
    return _approximate(data)


@functools.lru_cache(maxsize=1)
def _opcodes() -> Mapping[str, Any]:
    return {v: (frozenset(e["opcodes"]), e) for v, e in table("python_bytecode")["versions"].items()}


def _fits(minor: str, instructions: list[bytes]) -> bool:
    known = _opcodes().get(minor)
    if known is None:
        return False
    opcodes, entry = known
    for code in instructions:
        if len(code) % 2 or (entry["resume"] is not None and code[:1] != bytes([entry["resume"]])):
            return False
        used = {code[i] for i in range(0, len(code), 2)}
        if not used <= opcodes:
            return False
        if entry["precall"] is not None and entry["call"] in used and entry["precall"] not in used:
            return False  # this minor prefixes every CALL with PRECALL
    return True


def _pythons(layout: str, out: CodeNames) -> tuple[str, ...]:
    """The minors of ``layout`` whose opcode numbers fit every instruction (a path such as
    ``.../python3.9/...`` in co_filename picks one of them)."""
    candidates = tuple(m for m in _CHECKED_MINORS.get(layout, ()) if _fits(m, out.instructions))
    named = {"%s.%s" % m.groups() for f in out.filenames for m in _FILENAME_PYTHON.finditer(f)}
    picked = tuple(m for m in candidates if m in named)
    return picked if len(picked) == 1 else candidates


def describe_python(layout: str | None, pythons: tuple[str, ...]) -> str | None:
    """``3.12``, ``3.11 or 3.12``, ``3.8-3.10``, ``3.14 or later`` for messages; None when unknown."""
    if layout is None:
        return None
    if pythons:
        return pythons[0] if len(pythons) == 1 else " or ".join([", ".join(pythons[:-1]), pythons[-1]])
    checked = _CHECKED_MINORS.get(layout)
    if checked and layout.endswith("+"):  # a layout the table covers, yet no measured minor fits
        return f"newer than {checked[-1]}"
    return layout


def minors_of(layout: str | None, pythons: tuple[str, ...]) -> tuple[tuple[int, int], ...] | None:
    """The Python minors that can have written the code, None when h5lint cannot tell (approximate read, or a
    newer Python than measured). A layout the opcodes do not narrow stands for every minor it spans."""
    if layout is None:
        return None
    if pythons:
        return tuple((int(a), int(b)) for a, b in (p.split(".") for p in pythons))
    if layout in _CHECKED_MINORS:
        return None
    first, _, last = layout.partition("-")
    low = tuple(int(x) for x in first.rstrip("+").split("."))
    high = tuple(int(x) for x in (last or first.rstrip("+")).split("."))
    return tuple((low[0], m) for m in range(low[1], high[1] + 1))


def _layout_of(minor: tuple[int, int]) -> str | None:
    """The marshal layout (a key of ``_LAYOUTS``) Python ``minor`` writes code objects in."""
    for label in _LAYOUTS:
        first, _, last = label.partition("-")
        low = tuple(int(x) for x in first.rstrip("+").split("."))
        high = (low[0], 99) if label.endswith("+") else tuple(int(x) for x in (last or first).split("."))
        if low <= minor <= high:
            return label
    return None


def same_layout(minors: tuple[tuple[int, int], ...], wanted: tuple[int, int]) -> bool:
    """Whether Python ``wanted`` reads the code objects of one of ``minors`` (same marshal layout): if not,
    loading fails with 'bad marshal data'; if so, only the instructions may differ."""
    layout = _layout_of(wanted)
    return layout is not None and layout in {_layout_of(m) for m in minors}


def code_bytes(encoded: str) -> bytes:
    """The marshal bytes of a Lambda's stored code: base64 (Keras >= 2.1.2) or raw_unicode_escape text."""
    compact = "".join(encoded.split())
    if compact and re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", compact):
        try:
            decoded = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            decoded = b""
        if decoded[:1] and decoded[0] & ~FLAG_REF == ord("c"):
            return decoded
    # Keras < 2.1.2 wrote marshal bytes decoded as raw_unicode_escape, i.e. one code point per byte.
    return encoded.encode("raw_unicode_escape", "replace")
