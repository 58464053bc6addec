"""What a TorchModuleWrapper's pickle imports, read by disassembly: hostile payloads never get unpickled.

Payloads are built here byte by byte or with ``pickle.dumps`` of plain data (writing a pickle runs nothing);
the reader must name their globals without calling any unpickler and stay within its budgets.
"""

from __future__ import annotations

import base64
import io
import pickle
import zipfile

import pytest

from h5lint import pickles
from h5lint.pickles import pickle_imports

# posix.system('id') in protocol 2 (GLOBAL) and protocol 4 (STACK_GLOBAL over memoized strings)
SYSTEM_P2 = b"\x80\x02cposix\nsystem\nX\x02\x00\x00\x00id\x85R."
SYSTEM_P4 = b"\x80\x04\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x02id\x94\x85\x94R\x94."
# the same names fetched back from the memo (BINGET) before STACK_GLOBAL
SYSTEM_MEMO = b"\x80\x04\x8c\x05posix\x94\x8c\x06system\x94h\x00h\x01\x93\x8c\x02id\x85R."


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _torch_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture(autouse=True)
def no_unpickling(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("h5lint unpickled a payload")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)


@pytest.mark.parametrize("payload", [SYSTEM_P2, SYSTEM_P4, SYSTEM_MEMO], ids=["global", "stack_global", "memo"])
def test_globals_of_a_bare_pickle(payload):
    read = pickle_imports(_b64(payload))
    assert (read.globals, read.container, read.problem) == (("posix.system",), "a pickle stream", None)


def test_globals_of_the_data_pkl_of_a_torch_archive():
    archive = _torch_zip({"archive/data.pkl": SYSTEM_P2, "archive/data/0": b"\0" * 16, "archive/version": b"3\n"})
    read = pickle_imports(_b64(archive))
    assert (read.globals, read.container) == (("posix.system",), "a torch.save zip archive")


def test_every_pickle_of_the_legacy_stream_is_read():
    # torch.save(_use_new_zipfile_serialization=False): magic number, protocol, sys info, the object, storage keys,
    # then raw tensor bytes that are no pickle
    stream = b"".join(pickle.dumps(v, protocol=2) for v in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}))
    stream += SYSTEM_P2 + pickle.dumps(["0"], protocol=2) + b"\x10\x00\x00\x00\x00\x00\x00\x00" + b"\0" * 64
    read = pickle_imports(_b64(stream))
    assert (read.globals, read.problem) == (("posix.system",), None)


@pytest.mark.parametrize(
    "payload,problem",
    [
        (_b64(SYSTEM_P2[:12]), "disassembly stopped"),
        (_b64(SYSTEM_P2[:-1]), "before seeing STOP"),
        (_b64(b"\xff\xfe garbage"), "unknown"),
        (_b64(_torch_zip({"archive/version": b"3\n"})), "no .pkl member"),
        (_b64(b"PK\x05\x06" + b"\0" * 18), "disassembly stopped"),
        ("not base64 at all!", "not base64"),
    ],
    ids=["truncated", "no_stop", "garbage", "zip_without_pickle", "empty_zip", "not_base64"],
)
def test_unreadable_payloads_say_why(payload, problem):
    read = pickle_imports(payload)
    assert read.problem is not None and problem in read.problem


def test_globals_before_a_break_are_kept():
    read = pickle_imports(_b64(SYSTEM_P2[:-1]))
    assert read.globals == ("posix.system",)


def test_a_pickle_member_over_budget_is_not_read(monkeypatch):
    monkeypatch.setattr(pickles, "MAX_PICKLE_BYTES", 64)
    archive = _torch_zip({"archive/data.pkl": SYSTEM_P2 + b"\0" * 200}, zipfile.ZIP_DEFLATED)
    read = pickle_imports(_b64(archive))
    assert read.globals == () and "declares" in read.problem


def test_opcode_budget(monkeypatch):
    monkeypatch.setattr(pickles, "MAX_OPCODES", 100)
    many = b"\x80\x02" + b"N0" * 200 + b"N."  # NONE, POP ... then STOP
    read = pickle_imports(_b64(many))
    assert "more than 100 opcodes" in read.problem
