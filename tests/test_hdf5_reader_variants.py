"""h5lint.hdf5 against h5py on files written here with h5py, one per format variant: superblock
versions 0-3, user blocks, object header v1/v2, the three kinds of link storage, dense attributes,
every attribute type h5py can write, every layout and chunk index, external storage, virtual
datasets, external/soft links and hard-link cycles."""

from __future__ import annotations

import ctypes
import struct
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from hdf5_oracle import describe_h5py, describe_ours, first_difference

from h5lint import hdf5
from h5lint.hdf5.checksum import lookup3

LATEST = ("latest", "latest")
V108 = ("v108", "latest")


def _attrs(obj) -> None:
    """One attribute of every kind h5py writes."""
    a = obj.attrs
    for code in ("i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", ">i4", ">f8", "c8", "c16"):
        a[f"scalar_{code}"] = np.array(3, dtype=code)[()] if code[-2] != "c" else np.array(1 + 2j, dtype=code)[()]
        a[f"array_{code}"] = np.arange(6, dtype=code).reshape(2, 3)
    a["bool"] = True
    a["bools"] = np.array([True, False, True])
    a["nan"] = np.float32("nan")
    a["inf"] = np.array([np.inf, -np.inf], dtype="f8")
    a["vlen_utf8"] = "héllo wörld"
    a.create("vlen_ascii", "plain ascii", dtype=h5py.string_dtype("ascii"))
    a["fixed_bytes"] = np.bytes_(b"fixed")
    a["fixed_array"] = np.array([b"layer_a", b"b", b""], dtype="S7")
    a.create("fixed_utf8", np.array("ünï".encode(), dtype="S8"), dtype=h5py.string_dtype("utf-8", 8))
    a["vlen_list"] = ["a", "bb", "ccc", ""]
    a["empty"] = h5py.Empty("f4")
    a["empty_str"] = h5py.Empty(h5py.string_dtype())
    a["zero_length"] = np.zeros((0,), dtype="f8")
    a["enum"] = np.array(2, dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 2}, basetype="i2"))
    a["compound"] = np.array((1, 2.5, b"xy"), dtype=[("a", "<i4"), ("b", "<f8"), ("c", "S2")])
    a["compounds"] = np.array([(1, 2.5), (3, 4.5)], dtype=[("a", "<i4"), ("b", "<f8")])
    a["subarray"] = np.array([(1, 2, 3), (4, 5, 6)], dtype="i4")
    a.create("array_type", np.array([[1, 2], [3, 4]], dtype="i4"), dtype=np.dtype(("i4", (2,))))
    a["vlen_ints"] = np.array([np.array([1, 2, 3], "i4"), np.array([4], "i4")], dtype=h5py.vlen_dtype("i4"))
    a["opaque"] = np.void(b"\x01\x02\x03")
    a["unicode_name_ä"] = 1
    scalar = h5py.h5s.create(h5py.h5s.SCALAR)
    bits = h5py.h5a.create(obj.id, b"bitfield", h5py.h5t.STD_B16LE, scalar)
    bits.write(np.array(0x1234, dtype="<u2"), mtype=h5py.h5t.STD_B16LE)


def build_everything(path: Path, libver=None, **kw) -> None:
    with h5py.File(path, "w", libver=libver, **kw) as f:
        f.attrs["model_config"] = '{"class_name": "Sequential"}'
        f.attrs["keras_version"] = "2.15.0"
        _attrs(f)
        g = f.create_group("model_weights/dense/dense")
        g.attrs["weight_names"] = np.array([b"dense/kernel:0", b"dense/bias:0"])
        g.create_dataset("kernel:0", data=np.arange(12, dtype="f4").reshape(3, 4))
        g.create_dataset("bias:0", data=np.zeros(4, "f4"))
        f.create_dataset("scalar", data=np.float64(1.5))
        f.create_dataset("empty_0", shape=(0,), dtype="f4")
        f.create_dataset("null", data=h5py.Empty("i4"))
        f.create_dataset("unallocated", shape=(5,), dtype="i2", fillvalue=7)
        f.create_dataset("strings", data=np.array([b"ab", b"cde"]))
        f.create_dataset("vlen_strings", data=["x", "yy"], dtype=h5py.string_dtype())
        f.create_dataset("big_endian", data=np.arange(4, dtype=">i8"))
        f.create_dataset("chunked_gzip", data=np.arange(1000, dtype="f4").reshape(10, 100), chunks=(3, 40), compression="gzip")
        f.create_dataset("chunked_shuffle", data=np.arange(100, dtype="i4"), chunks=(16,), shuffle=True, fletcher32=True)
        f.create_dataset("chunked_partial", shape=(100,), dtype="i4", chunks=(10,))[:15] = 1
        f.create_dataset("chunked_one", data=np.arange(8, dtype="i4"), chunks=(8,))
        f.create_dataset("chunked_one_gzip", data=np.arange(8, dtype="i4"), chunks=(8,), compression="gzip")
        f.create_dataset("resizable", data=np.arange(10, dtype="f8"), maxshape=(None,), chunks=(4,))
        f.create_dataset("resizable_2d", data=np.ones((4, 4), "f4"), maxshape=(None, None), chunks=(2, 2), compression="gzip")
        f.create_dataset("resizable_2d_raw", data=np.ones((4, 4), "f4"), maxshape=(None, None), chunks=(2, 2))
        f.create_dataset("timed", data=[1, 2, 3], track_times=True)
        f.create_dataset("compound", data=np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]))
        f.create_dataset("complex", data=np.array([1 + 1j, 2 - 2j], dtype="c16"))
        f["soft"] = h5py.SoftLink("/model_weights/dense")
        f["dangling"] = h5py.SoftLink("/nowhere")
        f["relative_soft"] = h5py.SoftLink("model_weights")
        f["ext"] = h5py.ExternalLink("other.h5", "/some/object")
        g.parent["up"] = f["model_weights"]  # hard-link cycle: a group linking to its ancestor
        f["model_weights"]["alias_of_kernel"] = g["kernel:0"]
        f["committed"] = np.dtype([("x", "<f4"), ("y", "<f4")])
        f.create_dataset("uses_committed", shape=(2,), dtype=f["committed"])
        f["uses_committed"].attrs.create("typed", np.zeros(1, dtype=f["committed"].dtype), dtype=f["committed"])


def _libhdf5() -> ctypes.CDLL:
    """h5py's own libhdf5: h5py has no binding for H5Pset_istore_k, the one way to superblock v1."""
    libs = Path(h5py.__file__).parent.parent / "h5py.libs"
    found = [p for p in sorted(libs.glob("libhdf5-*.so*")) + sorted(libs.glob("libhdf5*.dylib"))]
    if not found:
        pytest.skip(f"no libhdf5 shared library beside h5py in {libs}")
    return ctypes.CDLL(str(found[0]))


def build_sb1(path: Path) -> None:
    lib = _libhdf5()
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    assert lib.H5Pset_istore_k(ctypes.c_int64(fcpl.id), ctypes.c_uint(64)) >= 0
    assert lib.H5Pset_sym_k(ctypes.c_int64(fcpl.id), ctypes.c_uint(8), ctypes.c_uint(4)) >= 0
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_EARLIEST, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(str(path).encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    with h5py.File(fid) as f:
        f.attrs["keras_version"] = "1.2.2"
        for i in range(40):  # several symbol table nodes and a B-tree of more than one level
            f.create_group(f"group_{i:02d}").attrs["i"] = i
        f.create_dataset("chunks", data=np.arange(5000, dtype="i2"), chunks=(10,))


def build_many_links(path: Path, libver=None, track_order=None) -> None:
    with h5py.File(path, "w", libver=libver, track_order=track_order) as f:
        g = f.create_group("dense", track_order=track_order)
        for i in range(120):
            name = f"link_{(i * 37) % 120:03d}"
            g.create_group(name) if i % 3 else g.create_dataset(name, data=[i])
        g["soft"] = h5py.SoftLink("/dense/link_000")
        g["ext"] = h5py.ExternalLink("x.h5", "/y")
        g["ünïcode"] = h5py.SoftLink("/")
        c = f.create_group("compact", track_order=track_order)
        for name in ("b", "a", "c"):
            c.create_group(name)


def build_many_attrs(path: Path, libver=None, track_order=None) -> None:
    with h5py.File(path, "w", libver=libver, track_order=track_order) as f:
        g = f.create_group("g", track_order=track_order)
        for i in range(60):
            g.attrs[f"attr_{(i * 7) % 60:02d}"] = np.arange(i % 5 + 1)
        g.attrs["layer_names"] = np.array([f"layer_{i}".encode() for i in range(2000)])  # 64 KiB+: dense
        g.attrs["big_vlen"] = ["x" * 100] * 50
        if libver:  # only dense storage takes an attribute this big: a huge fractal heap object
            g.attrs["huge"] = np.arange(40_000, dtype="f8")
        d = f.create_dataset("d", data=[1.0])
        for i in range(12):
            d.attrs[f"a{i}"] = "v" * i


def build_compact(path: Path) -> None:
    with h5py.File(path, "w") as f:
        space = h5py.h5s.create_simple((4,))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        dsid = h5py.h5d.create(f.id, b"compact", h5py.h5t.NATIVE_INT32, space, dcpl=dcpl)
        dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(4, dtype="i4"))
        dsid.close()


def build_external_and_virtual(path: Path) -> None:
    source = path.with_name("vds_source.h5")
    with h5py.File(source, "w") as s:
        s["data"] = np.arange(10, dtype="i4")
    with h5py.File(path, "w", libver="latest") as f:
        f.create_dataset("ext_raw", shape=(4,), dtype="i4", external=[(path.with_name("raw.bin").name, 0, 16)])
        layout = h5py.VirtualLayout(shape=(10,), dtype="i4")
        layout[:] = h5py.VirtualSource(source.name, "data", shape=(10,))
        f.create_virtual_dataset("virtual", layout)
        layout = h5py.VirtualLayout(shape=(4, 20), dtype="i4")
        for i in range(4):  # several mappings, hyperslab selections on both sides
            layout[i, ::2] = h5py.VirtualSource(f"part{i}.h5", f"/data/{i}", shape=(10,))
        layout[3, 1:4] = h5py.VirtualSource(".", "/ext_raw", shape=(4,))[1:4]
        f.create_virtual_dataset("virtual_many", layout, fillvalue=-1)


def build_continued_v1(path: Path) -> None:
    """Attributes added after creation land in continuation blocks of the object header."""
    with h5py.File(path, "w") as f:
        g = f.create_group("g")
        for i in range(30):
            g.attrs[f"attr{i}"] = np.arange(20, dtype="f8")
            g.create_group(f"child{i}")


def build_continued_v2(path: Path) -> None:
    with h5py.File(path, "w", libver="latest") as f:
        d = f.create_dataset("d", data=[1, 2])
        for i in range(7):
            d.attrs[f"attr{i}"] = np.arange(40, dtype="f8")


def build_chunk_indexes(path: Path) -> None:
    """Chunk indexes big enough for super blocks and paged data blocks (v4 layouts)."""
    with h5py.File(path, "w", libver="latest") as f:
        f.create_dataset("ea", data=np.arange(5000, dtype="i2"), maxshape=(None,), chunks=(1,))
        f.create_dataset("ea_gzip", data=np.arange(3000, dtype="i2"), maxshape=(None,), chunks=(2,), compression="gzip")
        sparse = f.create_dataset("ea_sparse", shape=(4000,), maxshape=(None,), chunks=(1,), dtype="i1")
        sparse[::7] = 1
        f.create_dataset("fa_paged", data=np.arange(3000, dtype="i2"), chunks=(1,))
        f.create_dataset("fa_paged_gzip", data=np.arange(3000, dtype="i2"), chunks=(1,), compression="gzip")
        f.create_dataset("bt2", data=np.ones((60, 60), "i1"), maxshape=(None, None), chunks=(2, 2))
        f.create_dataset("bt2_gzip", data=np.ones((60, 60), "i1"), maxshape=(None, None), chunks=(2, 2), compression="gzip")
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((10,))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)  # every chunk allocated up front: implicit index
        h5py.h5d.create(f.id, b"implicit", h5py.h5t.NATIVE_INT32, h5py.h5s.create_simple((100,)), dcpl=dcpl).close()
        f.create_dataset("fill_defined", shape=(3,), dtype="f4", fillvalue=1.5)


def build_shared_messages(path: Path, libver=None) -> None:
    """Shared object header messages (SOHM): dataspaces, datatypes, filters and attributes kept once."""
    lib = _libhdf5()
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    all_but_attributes = 0x0002 | 0x0008 | 0x0020 | 0x0800  # dataspace, datatype, fill value, filters
    assert lib.H5Pset_shared_mesg_nindexes(ctypes.c_int64(fcpl.id), ctypes.c_uint(2)) >= 0
    assert lib.H5Pset_shared_mesg_index(ctypes.c_int64(fcpl.id), ctypes.c_uint(0), ctypes.c_uint(all_but_attributes), ctypes.c_uint(1)) >= 0
    assert lib.H5Pset_shared_mesg_index(ctypes.c_int64(fcpl.id), ctypes.c_uint(1), ctypes.c_uint(0x1000), ctypes.c_uint(1)) >= 0
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    if libver:
        fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(str(path).encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    with h5py.File(fid) as f:
        for i in range(30):
            d = f.create_dataset(f"d{i}", data=np.zeros((3, 4), "f4"), compression="gzip", chunks=(3, 4))
            d.attrs["units"] = "metres"
            d.attrs["scale"] = np.arange(5.0)
        for i in range(20):  # past the compact limit: dense attributes whose records point into the SOHM heap
            f.attrs[f"a{i:02d}"] = "same"


VARIANTS = {
    "shared_messages_sb2": (build_shared_messages, 2),
    "shared_messages_latest": (lambda p: build_shared_messages(p, libver=LATEST), 3),
    "chunk_indexes_latest": (build_chunk_indexes, 3),
    "sb0_everything": (lambda p: build_everything(p), 0),
    "sb1_btree_k": (build_sb1, 1),
    "sb2_v108_everything": (lambda p: build_everything(p, libver=V108), 2),
    "sb3_latest_everything": (lambda p: build_everything(p, libver=LATEST), 3),
    "sb0_userblock_512": (lambda p: build_everything(p, userblock_size=512), 0),
    "sb3_userblock_4096": (lambda p: build_everything(p, libver=LATEST, userblock_size=4096), 3),
    "links_symbol_table": (lambda p: build_many_links(p), 0),
    "links_dense_latest": (lambda p: build_many_links(p, libver=LATEST), 3),
    "links_dense_track_order": (lambda p: build_many_links(p, libver=LATEST, track_order=True), 3),
    "links_track_order_sb0": (lambda p: build_many_links(p, track_order=True), 0),
    "attrs_dense_latest": (lambda p: build_many_attrs(p, libver=LATEST), 3),
    "attrs_dense_track_order": (lambda p: build_many_attrs(p, libver=LATEST, track_order=True), 3),
    "attrs_large_sb0": (lambda p: build_many_attrs(p), 0),
    "attrs_track_order_sb0": (lambda p: build_many_attrs(p, track_order=True), 0),
    "compact_layout": (build_compact, 0),
    "external_and_virtual": (build_external_and_virtual, 3),
    "continuation_v1": (build_continued_v1, 0),
    "continuation_v2": (build_continued_v2, 3),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_matches_h5py(variant: str, tmp_path: Path) -> None:
    build, superblock = VARIANTS[variant]
    path = tmp_path / f"{variant}.h5"
    build(path)
    with hdf5.open_hdf5(path) as f:
        assert f.superblock_version == superblock
        assert not f.truncated
    ours, expected = describe_ours(path), describe_h5py(path)
    assert ours == expected, first_difference(expected, ours)
    assert len(ours) > 1


def test_api_on_the_everything_file(tmp_path: Path) -> None:
    path = tmp_path / "all.h5"
    build_everything(path, libver=LATEST)
    with hdf5.open_hdf5(path) as f:
        root = f.root
        assert root.attrs["model_config"] == '{"class_name": "Sequential"}'
        assert root.attrs["bool"] is True
        assert root.attrs["fixed_array"] == ["layer_a", "b", ""]
        assert isinstance(root.attrs["empty"], hdf5.Empty)
        links = {link.name: link for link in root.links()}
        assert links["ext"] == hdf5.Link("ext", "external", "other.h5:/some/object", None, links["ext"].creation_order)
        assert links["soft"].kind == "soft" and links["soft"].target == "/model_weights/dense"
        assert root.get("ext") is None and "ext" in root
        assert root.get("dangling") is None and "dangling" in root
        assert root.get("soft/dense/kernel:0").shape == (3, 4)
        assert root.get("/model_weights/dense/up/dense/up/dense/dense/bias:0").shape == (4,)
        kernel = root.get("model_weights/dense/dense/kernel:0")
        assert kernel.name == "/model_weights/dense/dense/kernel:0"
        with open(path, "rb") as fh:
            fh.seek(kernel.data_offset)
            assert fh.read(48) == np.arange(12, dtype="f4").tobytes()
        assert root.get("chunked_gzip").filters[0][:2] == (1, "deflate")
        with pytest.raises(hdf5.Unsupported):
            root.get("chunked_gzip").read_raw()
        assert root.get("null").shape is None
        paths = [p for p, _ in f.walk()]
        assert len(paths) == len(set(paths))


def test_file_object_source_reads_by_range(tmp_path: Path) -> None:
    path = tmp_path / "all.h5"
    build_everything(path)
    with open(path, "rb") as fh:
        f = hdf5.open_hdf5(fh)
        assert f.root.attrs["keras_version"] == "2.15.0"
        assert f.budget.bytes_read < path.stat().st_size * 4
        f.close()
        assert not fh.closed  # a caller's file object stays the caller's


def test_truncated_file_is_refused_like_libhdf5(tmp_path: Path) -> None:
    path = tmp_path / "t.h5"
    build_everything(path)
    data = path.read_bytes()
    (tmp_path / "cut.h5").write_bytes(data[:-1])
    with pytest.raises(OSError, match="truncated"):
        h5py.File(tmp_path / "cut.h5", "r")
    with pytest.raises(hdf5.Truncated):
        hdf5.open_hdf5(tmp_path / "cut.h5")
    with hdf5.open_hdf5(tmp_path / "cut.h5", strict=False) as f:
        assert f.truncated


def test_file_marked_open_for_write_is_refused_like_libhdf5(tmp_path: Path) -> None:
    path = tmp_path / "w.h5"
    with h5py.File(path, "w", libver="latest") as f:
        f["x"] = np.arange(3)
    data = bytearray(path.read_bytes())
    data[11] |= 0x01  # superblock v3 file consistency flags: open for write
    data[44:48] = struct.pack("<I", lookup3(bytes(data[:44])))
    (tmp_path / "open.h5").write_bytes(bytes(data))
    with pytest.raises(OSError, match="already open for write"):
        h5py.File(tmp_path / "open.h5", "r")
    with pytest.raises(hdf5.HDF5Error, match="open for writing"):
        hdf5.open_hdf5(tmp_path / "open.h5")
    with hdf5.open_hdf5(tmp_path / "open.h5", strict=False) as f:
        assert f.open_for_write and f.root.get("x").shape == (3,)


def test_time_datatype_h5py_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "time.h5"
    with h5py.File(path, "w") as f:
        attr = h5py.h5a.create(f.id, b"time", h5py.h5t.UNIX_D32LE, h5py.h5s.create(h5py.h5s.SCALAR))
        attr.write(np.array(7, dtype="<u4"), mtype=h5py.h5t.UNIX_D32LE)
    with hdf5.open_hdf5(path) as f:
        assert f.root.attrs["time"] == 7
        assert f.root.attrs.info("time").dtype.kind == "time"
        assert f.root.attrs.info("time").dtype.numpy_str is None  # h5py has no numpy type for it


def test_layout_message_version_1(tmp_path: Path) -> None:
    """HDF5 1.4 wrote layout messages of version 1; libhdf5 still reads them, so must we."""
    path = tmp_path / "v1.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.arange(5, dtype="<i4"))
    data = bytearray(path.read_bytes())
    # v1 object header message: type 8, size 24, flags, reserved; body: version 3, class 1 (contiguous)
    at = data.index(b"\x08\x00\x18\x00") + 8
    assert data[at : at + 2] == b"\x03\x01"
    address = data[at + 2 : at + 10]
    # version 1, dimensionality 2 (1 + the element size), class 1, 5 reserved, address, dims 5 and 4
    data[at : at + 24] = b"\x01\x02\x01" + b"\0" * 5 + address + struct.pack("<II", 5, 4)
    path.write_bytes(bytes(data))
    with h5py.File(path, "r") as f:
        assert f["x"][()].tolist() == [0, 1, 2, 3, 4]
    ours, expected = describe_ours(path), describe_h5py(path)
    assert ours == expected, first_difference(expected, ours)
    with hdf5.open_hdf5(path) as f:
        assert f.get("x")._layout.version == 1


def test_not_hdf5(tmp_path: Path) -> None:
    (tmp_path / "x.h5").write_bytes(b"version https://git-lfs.github.com/spec/v1\n" * 40)
    with pytest.raises(hdf5.HDF5Error, match="not an HDF5 file"):
        hdf5.open_hdf5(tmp_path / "x.h5")
    with pytest.raises(hdf5.HDF5Error):
        hdf5.open_hdf5(tmp_path / "missing.h5")


def test_import_pulls_in_neither_h5py_nor_numpy() -> None:
    code = "import sys, h5lint.hdf5; print(sorted(m for m in sys.modules if m.split('.')[0] in ('h5py', 'numpy')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
