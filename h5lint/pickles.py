"""Read what a pickle imports, without unpickling it: the globals its opcodes name.

A TorchModuleWrapper config carries ``torch.save(module)`` as base64 (Keras 3.11+,
keras/src/utils/torch_utils.py get_config). ``torch.save`` writes a zip archive whose ``<name>/data.pkl``
member is the pickle of the module (tensor data in other members); the legacy format is a run of
pickles. Unpickling calls whatever the GLOBAL / STACK_GLOBAL / INST opcodes name with arguments of the
pickle's choosing, so the names are what matters. They are read with :func:`pickletools.genops`,
which decodes opcodes and their arguments and builds no object; nothing here calls ``pickle.load``.
"""

from __future__ import annotations

import base64
import binascii
import io
import pickletools
import zipfile
import zlib
from dataclasses import dataclass

# Budgets: a module pickle holds the object graph only (tensor bytes are separate members), so real
# ones are kilobytes; these bound the work a hostile payload can cause.
MAX_PICKLE_BYTES = 16 << 20
MAX_OPCODES = 1_000_000
# The legacy torch format writes 5 pickles (magic number, protocol, sys info, the object, storage keys), then raw
# tensor bytes, which are not read.
MAX_PICKLES = 5
MAX_MEMBERS = 4096

# Opcodes that push a string, and those that store / fetch the top of the stack in the memo, which is how
# STACK_GLOBAL's module and name usually arrive (protocol 4+).
_STRINGS = frozenset(
    "SHORT_BINUNICODE BINUNICODE BINUNICODE8 UNICODE STRING BINSTRING SHORT_BINSTRING".split()
)
_MEMO_PUT = frozenset("PUT BINPUT LONG_BINPUT MEMOIZE".split())
_MEMO_GET = frozenset("GET BINGET LONG_BINGET".split())
# Opcodes whose argument is "module name" (protocols 0-3).
_NAMED = frozenset({"GLOBAL", "INST"})
_PROTO = 0x80  # the PROTO opcode that starts every pickle of protocol 2 and later
_PROTOCOLS = range(2, 6)
# Protocols 0-1 have no PROTO opcode; a model's pickle then starts with GLOBAL naming its class.
_GLOBAL = b"c"
# Opcodes looked at to recognise a file that is a pickle: a model's pickle names its class early.
_HEAD_OPCODES = 64


@dataclass(frozen=True)
class PickleImports:
    """What a serialized payload makes the unpickler import, in first-use order."""

    globals: tuple[str, ...]  # "posix.system", "torch._utils._rebuild_tensor_v2"
    container: str | None  # "a torch.save zip archive", "a pickle stream"; None when the text is not base64
    problem: str | None = None  # why (part of) it could not be read; the globals found before are kept


class _Unreadable(ValueError):
    pass


def _scan(data: bytes, found: dict[str, None], most: int | None = None) -> int:
    """Add the globals of the pickle at the start of ``data`` to ``found``; the offset just past its STOP.

    genops ends right after STOP and raises ValueError for anything else (bad opcode, no STOP before the end).
    """
    most = MAX_OPCODES if most is None else most
    memo: dict[int, str | None] = {}
    pushed: list[str | None] = []  # what each opcode pushed, strings kept, other values as None
    end = 0
    try:
        for count, (opcode, arg, position) in enumerate(pickletools.genops(io.BytesIO(data)), start=1):
            if count > most:
                raise _Unreadable(f"more than {most:,} opcodes")
            name = opcode.name
            if name in _NAMED and isinstance(arg, str):
                found.setdefault(".".join(arg.split(" ", 1)), None)
            elif name == "STACK_GLOBAL":
                module, attribute = pushed[-2:] if len(pushed) >= 2 else (None, None)
                found.setdefault(f"{module}.{attribute}" if module and attribute else "<computed name>", None)
            if name in _MEMO_PUT:
                memo[len(memo) if name == "MEMOIZE" else arg] = pushed[-1] if pushed else None
            elif name in _MEMO_GET:
                pushed.append(memo.get(arg))
            elif name in _STRINGS:
                pushed.append(arg if isinstance(arg, str) else None)
            elif opcode.stack_after:
                pushed.append(None)
            del pushed[:-2]  # STACK_GLOBAL only ever looks at the last two
            end = position + 1
    except ValueError as exc:  # pickletools' way of saying the bytes are not a valid opcode sequence
        raise _Unreadable(str(exc)) from None
    return end


def _scan_stream(data: bytes, found: dict[str, None]) -> None:
    """Every pickle written back to back at the start of ``data`` (the legacy torch.save format)."""
    offset = 0
    for _ in range(MAX_PICKLES):
        offset += _scan(data[offset : offset + MAX_PICKLE_BYTES], found)
        if offset >= len(data) or data[offset] != _PROTO:
            return


def _zip_pickles(data: bytes, found: dict[str, None]) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [m for m in archive.infolist()[:MAX_MEMBERS] if m.filename.endswith(".pkl")]
        if not members:
            raise _Unreadable("the archive has no .pkl member")
        for member in members:
            if member.file_size > MAX_PICKLE_BYTES:
                raise _Unreadable(f"{member.filename} declares {member.file_size:,} bytes")
            with archive.open(member) as stream:
                _scan(stream.read(MAX_PICKLE_BYTES), found)


def pickle_imports(encoded: str) -> PickleImports:
    """The globals a base64 ``torch.save`` payload names; never raises for what the payload holds."""
    found: dict[str, None] = {}
    container = "a pickle stream"
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return PickleImports((), None, "the value is not base64")
    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            container = "a torch.save zip archive"
            _zip_pickles(data, found)
        else:
            _scan_stream(data, found)
    except (_Unreadable, zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        return PickleImports(tuple(found), container, f"disassembly stopped: {exc}")
    return PickleImports(tuple(found), container)


def describe_head(head: bytes) -> str | None:
    """What a file starting with ``head`` is when it is a pickle (``a Python pickle (protocol 4) that names
    sklearn.svm._classes.SVC first``), else None: a pickle renamed .h5/.keras is worth saying so."""
    framed = len(head) > 1 and head[0] == _PROTO and head[1] in _PROTOCOLS
    if not framed and not head.startswith(_GLOBAL):
        return None
    found: dict[str, None] = {}
    try:
        _scan(head, found, _HEAD_OPCODES)
    except _Unreadable:  # cut off by the sniff window or the opcode budget: the names read so far stand
        if not found:
            return None  # neither a named object nor a whole pickle: the bytes only start like one
    protocol = f" (protocol {head[1]})" if framed else ""
    return f"a Python pickle{protocol}" + (f" that names {next(iter(found))} first" if found else "")
