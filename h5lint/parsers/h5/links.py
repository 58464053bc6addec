"""Move around an HDF5 file without ever leaving it.

``group[name]`` and ``visititems`` in h5py resolve links as they go, and resolving an external link
opens another file (formats.md §6.16). Everything here looks at the link first
(``group.get(name, getlink=True)``) and only steps through hard links and soft links that stay in
the file; external links, external raw-data storage and virtual datasets are collected as
:class:`~h5lint.ir.H5Reference` instead of being followed or read.
"""

from __future__ import annotations

from typing import Iterator

import h5py

from ...ir import H5Reference
from .limits import MAX_OBJECTS, MAX_SOFT_HOPS


def child(group: h5py.Group, name: str, hops: int = 0) -> h5py.Group | h5py.Dataset | None:
    """The object a single link ``name`` of ``group`` names, or None if it leaves the file or is missing."""
    try:
        # HDF5's link table says whether it is a hard link without opening or following anything;
        # only other links are looked at closer (h5py's get(getlink=True) costs twice as much).
        info = group.id.links.get_info(name if isinstance(name, bytes) else name.encode("utf-8"))
        link = h5py.HardLink() if info.type == h5py.h5l.TYPE_HARD else group.get(name, getlink=True)
    except (KeyError, ValueError, OSError, RuntimeError):
        return None
    return _target(group, name, link, hops)


def _target(group: h5py.Group, name: str, link: object, hops: int = 0) -> h5py.Group | h5py.Dataset | None:
    """What ``child`` returns, for a link already looked up (looking one up costs as much as opening it)."""
    if isinstance(link, h5py.HardLink):
        try:
            return group[name]  # not group.get(name): it looks the name up once more first
        except (KeyError, ValueError, OSError, RuntimeError):
            return None
    if isinstance(link, h5py.SoftLink) and hops < MAX_SOFT_HOPS:
        start = group.file if link.path.startswith("/") else group
        return resolve(start, link.path, hops + 1)
    return None  # external link, user-defined link, dangling or looping soft link


def resolve(group: h5py.Group, path: str, hops: int = 0) -> h5py.Group | h5py.Dataset | None:
    """Walk ``path`` one link at a time from ``group`` (a path of weight names may contain '/')."""
    node: h5py.Group | h5py.Dataset | None = group
    for part in path.split("/"):
        if not part or part == ".":
            continue
        if not isinstance(node, h5py.Group):
            return None
        node = child(node, part, hops)
    return node


def hard_links(group: h5py.Group) -> Iterator[tuple[str, h5py.Group | h5py.Dataset]]:
    """Direct members of ``group`` reached through hard links, in name order."""
    for name in _names(group):
        try:
            link = group.get(name, getlink=True)
        except (KeyError, ValueError, OSError, RuntimeError):
            continue
        if isinstance(link, h5py.HardLink):
            obj = _target(group, name, link)
            if obj is not None:
                yield _text(name), obj


def _names(group: h5py.Group) -> list[str | bytes]:
    """Link names in name order, as h5py gives them: bytes for a name that is not UTF-8 (never decoded
    lossily here: the original is what looks the link up)."""
    try:
        return sorted(group.keys(), key=_text)
    except (OSError, RuntimeError, ValueError):
        return []


def _dataset_references(path: str, dset: h5py.Dataset) -> Iterator[H5Reference]:
    try:
        external = dset.external
    except (OSError, RuntimeError, ValueError):
        external = None
    for entry in external or ():
        yield H5Reference("external-storage", path, _text(entry[0]))
    try:
        virtual = dset.is_virtual
    except (OSError, RuntimeError, ValueError):
        virtual = False
    if virtual:
        try:
            sources = dset.virtual_sources()
        except (OSError, RuntimeError, ValueError):
            sources = []
        targets = sorted({f"{_text(src.file_name)}:{_text(src.dset_name)}" for src in sources})
        for target in targets or ["(unreadable mapping)"]:
            yield H5Reference("virtual-dataset", path, target)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return str(value)


def reaches_outside(dset: h5py.Dataset) -> bool:
    """True if reading ``dset`` would touch another file (external storage or a virtual mapping)."""
    return any(True for _ in _dataset_references(dset.name or "", dset))


def walk(group: h5py.Group) -> Iterator[tuple[str, object, h5py.Group | h5py.Dataset | None]]:
    """Every link below ``group``, depth first in name order: (path relative to ``group``, link, object).

    The object is given for hard links only; groups reached twice (hard-link cycles, shared groups)
    are entered once.
    """
    seen: set[object] = {group}  # h5py objects compare and hash by HDF5 object identity
    pending: list[tuple[str, h5py.Group]] = [("", group)]
    visited = 0
    while pending:
        prefix, current = pending.pop()
        below: list[tuple[str, h5py.Group]] = []
        for name in _names(current):
            visited += 1
            if visited > MAX_OBJECTS:
                return
            path = f"{prefix}{_text(name)}"
            try:
                link = current.get(name, getlink=True)
            except (KeyError, ValueError, OSError, RuntimeError):
                continue
            obj = _target(current, name, link) if isinstance(link, h5py.HardLink) else None
            yield path, link, obj
            if isinstance(obj, h5py.Group) and obj not in seen:
                seen.add(obj)
                below.append((f"{path}/", obj))
        pending.extend(reversed(below))


def outside_references(h5: h5py.Group) -> tuple[H5Reference, ...]:
    """Every external link, externally stored dataset and virtual dataset in the file (none followed)."""
    found: list[H5Reference] = []
    base = h5.name if h5.name not in (None, "/") else ""
    for path, link, obj in walk(h5):
        location = f"{base}/{path}"
        if isinstance(link, h5py.ExternalLink):
            found.append(H5Reference("external-link", location, f"{_text(link.filename)}:{_text(link.path)}"))
        elif isinstance(obj, h5py.Dataset):
            found.extend(_dataset_references(location, obj))
    return tuple(sorted(found, key=lambda ref: (ref.location, ref.kind, ref.target)))
