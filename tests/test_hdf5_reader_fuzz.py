"""Hostile and damaged HDF5 files: h5lint.hdf5 raises HDF5Error (never anything else), and does a
bounded amount of work and reading on each, counted by the reader's budget and by the file object.

Hand-built traps cover the loops and huge claims a hostile file can make; mutated and truncated
real files (hypothesis, derandomized) cover the rest. The bigger search is marked slow.
"""

from __future__ import annotations

import functools
import io
import struct
import tempfile
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from h5lint import hdf5
from h5lint.hdf5.checksum import lookup3
from h5lint.hdf5.errors import INTERNAL

REPO = Path(__file__).resolve().parents[1]
# Work one damaged small file may cost: structures walked and read calls.
MAX_WORK = 200_000
MAX_READS = 50_000


class CountingFile(io.BytesIO):
    """A file object that counts what the reader asks of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads = 0
        self.bytes = 0

    def read(self, n: int = -1) -> bytes:
        self.reads += 1
        data = super().read(n)
        self.bytes += len(data)
        return data


def check_hostile(data: bytes, *, expect_error: bool = False) -> None:
    """Read everything from ``data``: only HDF5Error may escape, within the work and read bounds."""
    fh = CountingFile(data)
    raised = None
    try:
        with hdf5.open_hdf5(fh, max_objects=20_000, max_attr_bytes=4 << 20, strict=False) as f:
            budget = f.budget
            try:
                _read_everything(f)
            finally:
                assert budget.work <= MAX_WORK, budget.work
    except hdf5.HDF5Error as exc:
        raised = exc
        # the reader turns a decoding bug into HDF5Error at its entry points; here it must not happen
        assert not isinstance(exc.__cause__, INTERNAL), f"decoding bug: {exc.__cause__!r}"
    assert fh.reads <= MAX_READS, fh.reads
    assert fh.bytes <= 64 * len(data) + (1 << 20), fh.bytes
    if expect_error:
        assert raised is not None, "the trap was read without an error"


def _read_everything(f: hdf5.File) -> None:
    for _, obj in f.walk():
        for name in obj.attrs:
            obj.attrs[name]
        if isinstance(obj, hdf5.Dataset):
            (obj.shape, obj.maxshape, obj.dtype.numpy_str, obj.layout, obj.chunks, obj.filters)
            (obj.storage_size, obj.external_files, obj.virtual, obj.data_offset)
            try:
                obj.read_raw(max_bytes=1 << 20)
            except hdf5.Unsupported:
                pass
        elif isinstance(obj, hdf5.Group):
            for link in obj.links():
                obj.get(link.name)


# -- seeds -------------------------------------------------------------------------------------


def _seed_v0(path: Path) -> None:
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = '{"class_name": "Sequential", "config": {"layers": []}}'
        f.attrs["names"] = np.array([b"a", b"bb"])
        f.attrs["vlen"] = ["x", "yy"]
        g = f.create_group("model_weights/dense")
        g.attrs["weight_names"] = np.array([b"dense/kernel:0"])
        g.create_dataset("kernel:0", data=np.arange(6, dtype="f4").reshape(2, 3))
        g.create_dataset("chunked", data=np.arange(40, dtype="i2"), chunks=(8,), compression="gzip")
        f["soft"] = h5py.SoftLink("/model_weights")
        f["ext"] = h5py.ExternalLink("x.h5", "/y")
        for i in range(12):
            f.create_group(f"g{i:02d}")


def _seed_latest(path: Path) -> None:
    with h5py.File(path, "w", libver="latest", track_order=True) as f:
        f.attrs["keras_version"] = "3.0.0"
        for i in range(12):
            f.attrs[f"a{i}"] = np.arange(i + 1)
            f.create_group(f"g{i:02d}").attrs["x"] = "y"
        f.create_dataset("ea", data=np.arange(100, dtype="i2"), maxshape=(None,), chunks=(4,))
        f.create_dataset("fa", data=np.arange(100, dtype="i2"), chunks=(4,), compression="gzip")
        f.create_dataset("bt", data=np.ones((8, 8)), maxshape=(None, None), chunks=(2, 2))


@functools.lru_cache(maxsize=None)
def _seed_files() -> tuple[tuple[str, bytes], ...]:
    """Seed files built once per session (not a fixture: hypothesis would print them in reports)."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in (("v0", _seed_v0), ("latest", _seed_latest)):
            build(Path(tmp) / f"{name}.h5")
            out.append((name, (Path(tmp) / f"{name}.h5").read_bytes()))
    sample = REPO / "sample_models" / "tfk_linear_head_bce.h5"
    if sample.exists():
        out.append(("keras", sample.read_bytes()))
    return tuple(out)


@pytest.fixture(scope="module")
def seeds() -> dict[str, bytes]:
    return dict(_seed_files())


def test_seeds_read_cleanly(seeds) -> None:
    for data in seeds.values():
        with hdf5.open_hdf5(io.BytesIO(data)) as f:
            _read_everything(f)


# -- hand-built traps --------------------------------------------------------------------------


def _patch(data: bytes, at: int, value: bytes) -> bytes:
    return data[:at] + value + data[at + len(value) :]


def test_global_heap_free_space_that_never_moves(seeds) -> None:
    data = seeds["v0"]
    gcol = data.index(b"GCOL")
    size = int.from_bytes(data[gcol + 8 : gcol + 16], "little")
    pos = gcol + 16
    while int.from_bytes(data[pos : pos + 2], "little"):  # walk the objects to the free space
        pos += 16 + (int.from_bytes(data[pos + 8 : pos + 16], "little") + 7) // 8 * 8
    assert pos < gcol + size
    trapped = _patch(data, pos + 8, b"\0" * 8)  # free space of 0 bytes: libhdf5 spins forever
    check_hostile(trapped, expect_error=True)
    looped = _patch(data, gcol + 16 + 8, struct.pack("<Q", 2**63))  # first object claims 8 EiB
    check_hostile(looped, expect_error=True)


def _header_with_continuation(tmp_path, libver) -> tuple[bytes, int]:
    path = tmp_path / "c.h5"
    with h5py.File(path, "w", libver=libver) as f:
        g = f.create_dataset("g", data=[1, 2])
        # attributes added after the header was sized go to a continuation block (with the latest
        # format, up to 8 of them: more would move to dense storage)
        for i in range(7 if libver else 30):
            g.attrs[f"attr{i}"] = np.arange(40, dtype="f8")
    with hdf5.open_hdf5(path) as f:
        address = f.get("g").address
    return path.read_bytes(), address


def test_continuation_pointing_to_its_own_chunk(tmp_path) -> None:
    data, header = _header_with_continuation(tmp_path, None)
    chunk = header + 16  # v1: the first chunk follows a 16-byte prefix
    size = int.from_bytes(data[header + 8 : header + 12], "little")
    at = data.index(b"\x10\x00\x10\x00", chunk, chunk + size)  # type 0x10, 16 bytes: address, length
    check_hostile(_patch(data, at + 8, struct.pack("<Q", chunk)), expect_error=True)


def test_v2_continuation_pointing_to_its_own_header(tmp_path) -> None:
    data, header = _header_with_continuation(tmp_path, "latest")
    assert data[header : header + 4] == b"OHDR"
    flags = data[header + 5]
    body = header + 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
    width = 1 << (flags & 0x03)
    size = int.from_bytes(data[body : body + width], "little")
    end = body + width + size
    at = data.index(b"\x10\x10\x00", body + width, end)  # type 0x10, 16 bytes
    at += 4 + (2 if flags & 0x04 else 0)
    patched = _patch(data, at, struct.pack("<Q", header))
    patched = _rechecksum(patched, header, end + 4 - header)  # the loop, not a checksum, must stop it
    check_hostile(patched, expect_error=True)
    with pytest.raises(hdf5.HDF5Error, match="loops"):
        with hdf5.open_hdf5(io.BytesIO(patched)) as f:
            f.get("g")


def test_btree_node_pointing_to_its_parent(tmp_path) -> None:
    path = tmp_path / "b.h5"
    with h5py.File(path, "w") as f:
        for i in range(400):  # enough symbol table nodes for a B-tree of two levels
            f.create_group(f"group_{i:03d}")
    data = path.read_bytes()
    tree = data.index(b"TREE")
    while data[tree + 5] == 0:  # find an internal node (level > 0)
        tree = data.index(b"TREE", tree + 1)
    child_at = tree + 24 + 8  # first key (8 bytes), then the first child address
    check_hostile(_patch(data, child_at, struct.pack("<Q", tree)), expect_error=True)
    # a symbol table node listed by two children: a cycle through the node list
    first_child = data[child_at : child_at + 8]
    check_hostile(_patch(data, child_at + 16, first_child), expect_error=True)


def test_symbol_table_node_cycle(tmp_path) -> None:
    path = tmp_path / "s.h5"
    with h5py.File(path, "w") as f:
        for i in range(40):
            f.create_group(f"group_{i:02d}")
    data = path.read_bytes()
    tree = data.index(b"TREE")
    # leaf B-tree: every child is a symbol table node; point them all at the first one
    used = int.from_bytes(data[tree + 6 : tree + 8], "little")
    first = data[tree + 24 + 8 : tree + 24 + 16]
    patched = data
    for i in range(1, used):
        patched = _patch(patched, tree + 24 + 8 + 16 * i, first)
    check_hostile(patched, expect_error=True)


def _attribute_file(tmp_path, value, dtype=None) -> bytes:
    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as f:
        f.attrs.create("victim", value, dtype=dtype)
    return path.read_bytes()


def test_dataspace_claiming_2_to_60_elements(tmp_path) -> None:
    data = _attribute_file(tmp_path, np.arange(3, dtype="i8"))
    name = data.index(b"victim\0")
    # attribute v1: name padded to 8, datatype (8 + 4 bytes for an integer), then the dataspace
    space = name + 8 + 16
    assert data[space] == 1 and data[space + 1] == 1  # dataspace version 1, rank 1
    assert int.from_bytes(data[space + 8 : space + 16], "little") == 3
    check_hostile(_patch(data, space + 8, struct.pack("<Q", 2**60)), expect_error=True)


def test_attribute_claiming_a_4_gib_string(tmp_path) -> None:
    data = _attribute_file(tmp_path, np.bytes_(b"abcdefgh"))
    name = data.index(b"victim\0")
    dtype = name + 8
    assert data[dtype] & 0x0F == 3  # string class
    check_hostile(_patch(data, dtype + 4, struct.pack("<I", 0xFFFFFFFF)), expect_error=True)


def _rechecksum(data: bytes, start: int, length: int) -> bytes:
    """Recompute the lookup3 checksum of a v2 metadata block of ``length`` bytes (checksum included)."""
    body = data[start : start + length - 4]
    return _patch(data, start + length - 4, struct.pack("<I", lookup3(body)))


def test_fractal_heap_with_absurd_sizes(tmp_path) -> None:
    path = tmp_path / "h.h5"
    with h5py.File(path, "w", libver="latest") as f:
        for i in range(40):
            f.create_group(f"group_{i:02d}")
    data = path.read_bytes()
    heap = data.index(b"FRHP")
    length = 22 + 12 * 8 + 3 * 8 + 4
    width_at = heap + 4 + 1 + 2 + 2 + 1 + 4 + 8 + 8 + 8 + 8 + 8 * 8
    fields = {
        "width": (width_at, struct.pack("<H", 0xFFFF)),
        "start block": (width_at + 2, struct.pack("<Q", 2**62)),
        "max direct block": (width_at + 10, struct.pack("<Q", 2**63)),
        "max heap bits": (width_at + 18, struct.pack("<H", 0xFFFF)),
        "root rows": (width_at + 30, struct.pack("<H", 0xFFFF)),
        "max managed object": (heap + 10, struct.pack("<I", 0xFFFFFFFF)),
        "heap ID length": (heap + 5, struct.pack("<H", 0xFFFF)),
    }
    for what, (at, value) in fields.items():
        check_hostile(_rechecksum(_patch(data, at, value), heap, length), expect_error=what != "max managed object")


def test_hard_link_cycle_and_soft_link_loop(tmp_path) -> None:
    path = tmp_path / "l.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group("a/b")
        g["up"] = f["a"]
        f["s1"] = h5py.SoftLink("/s2")
        f["s2"] = h5py.SoftLink("/s1")
    with hdf5.open_hdf5(path) as f:
        assert [p for p, _ in f.walk()] == ["/", "/a", "/a/b"]
        assert f.get("s1") is None
        assert f.get("a/b/up/b/up/b").name == "/a/b/up/b/up/b"


def test_budgets_stop_big_files(tmp_path) -> None:
    path = tmp_path / "big.h5"
    with h5py.File(path, "w") as f:
        for i in range(50):
            f.create_group(f"g{i}")
        f.attrs["big"] = np.zeros(7_000, "f8")
    with pytest.raises(hdf5.BudgetExceeded):
        with hdf5.open_hdf5(path, max_objects=10) as f:
            list(f.walk())
    with hdf5.open_hdf5(path, max_attr_bytes=1 << 14) as f:
        with pytest.raises(hdf5.BudgetExceeded):
            f.root.attrs["big"]


# -- mutations ---------------------------------------------------------------------------------

_FUZZ = settings(derandomize=True, deadline=None, max_examples=60, suppress_health_check=list(HealthCheck), database=None)


def _mutations(max_flips: int = 8):
    return st.tuples(
        st.sampled_from(["v0", "latest", "keras"]),
        st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=max_flips),
        st.one_of(st.none(), st.floats(0.05, 1, exclude_max=True)),
    )


def _apply(seeds: dict[str, bytes], mutation) -> bytes:
    name, flips, cut = mutation
    data = bytearray(seeds.get(name) or seeds["v0"])
    # metadata sits mostly in the first few KiB and around signatures: aim there half the time
    anchors = [i for sig in (b"TREE", b"SNOD", b"HEAP", b"GCOL", b"OHDR", b"FRHP", b"BTHD", b"BTLF", b"FHDB") for i in _all(data, sig)]
    for i, (where, value) in enumerate(flips):
        if anchors and i % 2:
            at = anchors[int(where * len(anchors))] + int(where * 4096) % 64
        else:
            at = int(where * min(len(data), 8192))
        data[min(at, len(data) - 1)] = value
    if cut is not None:
        del data[int(cut * len(data)) :]
    return bytes(data)


def _all(data: bytes | bytearray, sig: bytes) -> list[int]:
    out, at = [], data.find(sig)
    while at >= 0 and len(out) < 64:
        out.append(at)
        at = data.find(sig, at + 1)
    return out


@_FUZZ
@given(mutation=_mutations())
def test_mutated_files_raise_only_hdf5_error(mutation) -> None:
    check_hostile(_apply(dict(_seed_files()), mutation))


@pytest.mark.slow
@settings(_FUZZ, max_examples=1500)
@given(mutation=_mutations(32))
def test_mutated_files_raise_only_hdf5_error_long(mutation) -> None:
    check_hostile(_apply(dict(_seed_files()), mutation))


@_FUZZ
@given(cut=st.integers(0, 40_000), name=st.sampled_from(["v0", "latest", "keras"]))
def test_truncated_files(cut, name) -> None:
    seeds = dict(_seed_files())
    data = seeds.get(name) or seeds["v0"]
    check_hostile(data[: min(cut, len(data) - 1)])
    with pytest.raises(hdf5.HDF5Error):
        hdf5.open_hdf5(io.BytesIO(data[: min(cut, len(data) - 1)]))
