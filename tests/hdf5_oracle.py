"""Describe an HDF5 file twice, through h5py (the oracle) and through h5lint.hdf5, the same way.

Both walks go depth-first through links in each reader's iteration order, describe every object
reached through a hard link once (groups: links and attributes; datasets: shape, maxshape, dtype,
layout, chunks, filters, storage size, external storage, virtual, raw bytes of contiguous data;
every attribute: dtype and value), and give a plain dict of path -> description that the tests
compare with ==. An error while describing one item becomes the marker ERROR on either side: h5py
raising there must mean h5lint.hdf5 raising HDF5Error there too.

Normalised values: strings as str (bytes only when not UTF-8), numbers as int/float/complex, NaN
as the string 'nan', h5py.Empty as ('empty', dtype str), non-scalar values as
('array', shape, flat list), compounds as dicts, references as the string 'ref'.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from h5lint import hdf5

ERROR = "ERROR"
SIGNATURE = b"\x89HDF\r\n\x1a\n"
RAW_LIMIT = 32 << 20
LAYOUTS = {0: "compact", 1: "contiguous", 2: "chunked", 3: "virtual"}


@dataclass
class Counts:
    files: int = 0
    objects: int = 0
    attributes: int = 0
    datasets_raw: int = 0
    names: list = field(default_factory=list)

    def add(self, desc: dict) -> None:
        self.files += 1
        self.objects += len(desc)
        self.attributes += sum(len(d.get("attrs", ())) for d in desc.values() if isinstance(d, dict))
        self.datasets_raw += sum(1 for d in desc.values() if isinstance(d, dict) and isinstance(d.get("raw"), bytes))


def is_hdf5(head: bytes) -> bool:
    offset = 0
    while offset + 8 <= len(head):
        if head[offset : offset + 8] == SIGNATURE:
            return True
        offset = 512 if offset == 0 else offset * 2
    return False


def hdf5_files(root: Path, tmp: Path) -> list[tuple[str, Path]]:
    """(name, path) of every HDF5 file under ``root`` by signature, HDF5 members of zips extracted to ``tmp``."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
        rel = f"{root.name}/{path.relative_to(root)}"
        if is_hdf5(head):
            found.append((rel, path))
        elif head[:4] == b"PK\x03\x04" and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                for member in zf.infolist():
                    if member.file_size > 256 << 20:
                        continue
                    data = zf.read(member)
                    if is_hdf5(data[: 1 << 16]):
                        out = tmp / f"{len(found)}_{Path(member.filename).name}"
                        out.write_bytes(data)
                        found.append((f"{rel}!{member.filename}", out))
    return found


# -- normalisation ---------------------------------------------------------------------------


def _scalar(v):
    if isinstance(v, (bytes, np.bytes_)):
        try:
            return bytes(v).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(v)
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return "nan" if math.isnan(v) else float(v)
    if isinstance(v, (complex, np.complexfloating)):
        return complex(v)
    if isinstance(v, str):
        return v
    if isinstance(v, (h5py.Reference, h5py.RegionReference, hdf5.Reference)):
        return "ref"
    if isinstance(v, np.void):
        if v.dtype.names:
            return {name: _scalar(v[name]) for name in v.dtype.names}
        return _scalar(v.tobytes())
    if isinstance(v, np.ndarray):
        return [_scalar(x) for x in v.flat]
    if isinstance(v, dict):
        return {k: _scalar(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_scalar(x) for x in _flatten(v)]
    raise TypeError(f"cannot normalise {type(v)}")


def _flatten(values: list) -> list:
    out = []
    for v in values:
        out.extend(_flatten(v) if isinstance(v, list) and not isinstance(v, hdf5.Array) else [v])
    return out


def norm_h5py(v):
    if isinstance(v, h5py.Empty):
        return ("empty", np.dtype(v.dtype).str)
    if isinstance(v, np.ndarray):
        return ("array", tuple(v.shape), [_scalar(x) for x in v.flat])
    return _scalar(v)


def norm_ours(v):
    if isinstance(v, hdf5.Empty):
        return ("empty", v.dtype.numpy_str)
    if isinstance(v, hdf5.Array):
        if v.dtype.kind == "array":  # h5py folds the element's dimensions into the shape
            return ("array", tuple(v.shape) + v.dtype.dims, [_scalar(x) for x in _flatten(list(v))])
        return ("array", tuple(v.shape), [_scalar(x) for x in v])
    if isinstance(v, list):  # a scalar of an array type: h5py gives the array
        return ("array", _shape_of(v), [_scalar(x) for x in _flatten(v)])
    return _scalar(v)


def _shape_of(v) -> tuple:
    shape = []
    while isinstance(v, list):
        shape.append(len(v))
        v = v[0] if v else None
    return tuple(shape)


# -- h5py side -------------------------------------------------------------------------------


def _try(fn):
    try:
        return fn()
    except (OSError, KeyError, RuntimeError, ValueError, TypeError):
        return ERROR


def _h5py_attrs(obj) -> list:
    out = []
    names = _try(lambda: list(obj.attrs.keys()))
    if names == ERROR:
        return ERROR
    for name in names:
        dtype = _try(lambda: obj.attrs.get_id(name).dtype)
        out.append((name, ERROR if dtype == ERROR else _dtype_str(dtype), _try(lambda: norm_h5py(obj.attrs[name]))))
    return out


def _dtype_str(dtype: np.dtype) -> str:
    if h5py.check_string_dtype(dtype) and dtype.kind == "O":
        return "|O"
    return dtype.str


def _h5py_dataset(dset) -> dict:
    dcpl = _try(lambda: dset.id.get_create_plist())
    desc = {
        "kind": "dataset",
        "shape": _try(lambda: dset.shape),
        "maxshape": _try(lambda: dset.maxshape),
        "dtype": _try(lambda: _dtype_str(dset.dtype)),
        "layout": _try(lambda: LAYOUTS[dcpl.get_layout()]),
        "chunks": _try(lambda: dset.chunks),
        "filters": _try(lambda: tuple(dcpl.get_filter(i)[0] for i in range(dcpl.get_nfilters()))),
        "storage": _try(lambda: dset.id.get_storage_size()),
        "external": _try(lambda: tuple((n.decode() if isinstance(n, bytes) else n, o, s) for n, o, s in (dset.external or ()))),
        "virtual": _try(lambda: dset.is_virtual),
        "sources": _try(lambda: tuple((m.file_name, m.dset_name) for m in dset.virtual_sources()) if dset.is_virtual else ()),
        "attrs": _h5py_attrs(dset),
    }
    if _raw_comparable(desc) and not _try(lambda: dset.dtype.hasobject):
        desc["raw"] = _try(lambda: dset[()].tobytes())
    return desc


def _raw_comparable(desc: dict) -> bool:
    return desc["layout"] in ("contiguous", "compact") and desc["filters"] == () and not desc["external"] and desc["shape"] not in (None, ERROR)


def describe_h5py(path: Path) -> dict:
    out: dict = {}
    with h5py.File(path, "r") as f:
        seen = {h5py.h5o.get_info(f["/"].id).addr}

        def group(g, name: str) -> None:
            links = []
            children = []
            keys = _try(lambda: list(g.keys()))
            if keys == ERROR:
                out[name] = ERROR
                return
            for key in keys:
                link = _try(lambda: g.get(key, getlink=True))
                if isinstance(link, h5py.SoftLink):
                    links.append((key, "soft", link.path))
                elif isinstance(link, h5py.ExternalLink):
                    links.append((key, "external", f"{link.filename}:{link.path}"))
                elif isinstance(link, h5py.HardLink):
                    links.append((key, "hard", None))
                    children.append(key)
                else:
                    links.append((key, ERROR, None))
            out[name] = {"kind": "group", "links": links, "attrs": _h5py_attrs(g)}
            for key in children:
                child_name = f"/{key}" if name == "/" else f"{name}/{key}"
                obj = _try(lambda: g[key])
                if obj == ERROR:
                    out[child_name] = ERROR
                    continue
                addr = h5py.h5o.get_info(obj.id).addr
                if addr in seen:
                    continue
                seen.add(addr)
                if isinstance(obj, h5py.Group):
                    group(obj, child_name)
                elif isinstance(obj, h5py.Dataset):
                    out[child_name] = _h5py_dataset(obj)
                else:
                    out[child_name] = {"kind": "datatype", "dtype": _try(lambda: _dtype_str(obj.dtype)), "attrs": _h5py_attrs(obj)}

        group(f["/"], "/")
    return out


# -- h5lint.hdf5 side ------------------------------------------------------------------------


def _ours(fn):
    try:
        return fn()
    except hdf5.HDF5Error:
        return ERROR


def _our_attrs(obj) -> list:
    names = _ours(lambda: list(obj.attrs.keys()))
    if names == ERROR:
        return ERROR
    return [(name, _ours(lambda: obj.attrs.info(name).dtype.numpy_str), _ours(lambda: norm_ours(obj.attrs[name]))) for name in names]


def _our_dataset(dset) -> dict:
    desc = {
        "kind": "dataset",
        "shape": _ours(lambda: dset.shape),
        "maxshape": _ours(lambda: dset.maxshape),
        "dtype": _ours(lambda: dset.dtype.numpy_str),
        "layout": _ours(lambda: dset.layout),
        "chunks": _ours(lambda: dset.chunks),
        "filters": _ours(lambda: tuple(f[0] for f in dset.filters)),
        "storage": _ours(lambda: dset.storage_size),
        "external": _ours(lambda: dset.external_files),
        "virtual": _ours(lambda: dset.virtual),
        "sources": _ours(lambda: dset.virtual_sources),
        "attrs": _our_attrs(dset),
    }
    if _raw_comparable(desc) and desc["dtype"] != ERROR and "O" not in desc["dtype"] and not _has_vlen(dset.dtype):
        desc["raw"] = _ours(lambda: dset.read_raw(max_bytes=RAW_LIMIT))
    return desc


def _has_vlen(dtype) -> bool:
    if dtype.kind in ("vlen", "vlen-string", "reference"):
        return True
    if dtype.base is not None and _has_vlen(dtype.base):
        return True
    return any(_has_vlen(m[2]) for m in dtype.members if len(m) == 3)


def describe_ours(path: Path) -> dict:
    out: dict = {}
    with hdf5.open_hdf5(path) as f:
        seen = {f.root.address}

        def group(g, name: str) -> None:
            links = _ours(g.links)
            if links == ERROR:
                out[name] = ERROR
                return
            out[name] = {"kind": "group", "links": [(ln.name, ln.kind, ln.target) for ln in links], "attrs": _our_attrs(g)}
            for ln in links:
                if ln.kind != "hard":
                    continue
                child_name = f"/{ln.name}" if name == "/" else f"{name}/{ln.name}"
                if ln.address in seen:
                    continue
                obj = _ours(lambda: g.get(ln.name))
                if obj == ERROR:
                    out[child_name] = ERROR
                    continue
                seen.add(ln.address)
                if isinstance(obj, hdf5.Group):
                    group(obj, child_name)
                elif isinstance(obj, hdf5.Dataset):
                    out[child_name] = _our_dataset(obj)
                else:
                    out[child_name] = {"kind": "datatype", "dtype": _ours(lambda: obj.dtype.numpy_str), "attrs": _our_attrs(obj)}

        group(f.root, "/")
    return out


def h5py_opens(path: Path) -> bool:
    try:
        with h5py.File(path, "r"):
            return True
    except (OSError, ValueError, RuntimeError):
        return False


def first_difference(a: dict, b: dict) -> str:
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            da, db = a.get(key), b.get(key)
            if isinstance(da, dict) and isinstance(db, dict):
                for field_name in sorted(set(da) | set(db)):
                    va, vb = da.get(field_name), db.get(field_name)
                    if va != vb:
                        if isinstance(va, list) and isinstance(vb, list) and len(va) == len(vb):
                            va, vb = next((x, y) for x, y in zip(va, vb) if x != y)
                        return f"{key} {field_name}: h5py {_short(va)} != ours {_short(vb)}"
            return f"{key}: h5py {_short(da)} != ours {_short(db)}"
    return ""


def _short(v) -> str:
    text = repr(v)
    return text if len(text) < 600 else text[:600] + "..."
