"""Object header messages: each ``parse_*`` takes a cursor over one message body.

Message types (File Format Specification, IV.A.2): 0x01 dataspace, 0x02 link info, 0x03 datatype,
0x04/0x05 fill value, 0x06 link, 0x07 external data files, 0x08 data layout, 0x0A group info,
0x0B filter pipeline, 0x0C attribute, 0x0F shared message table, 0x10 continuation,
0x11 symbol table, 0x15 attribute info. Others carry nothing a reader of metadata needs.
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Callable

from .datatypes import parse_dtype
from .errors import Unsupported
from .reader import Cursor

NIL, DATASPACE, LINK_INFO, DATATYPE, FILL_OLD, FILL, LINK, EXTERNAL_FILES, LAYOUT = range(9)
GROUP_INFO, FILTERS, ATTRIBUTE = 0x0A, 0x0B, 0x0C
SHARED_TABLE, CONTINUATION, SYMBOL_TABLE, ATTRIBUTE_INFO = 0x0F, 0x10, 0x11, 0x15
KNOWN = frozenset(range(0x18))

MAX_RANK = 32  # the HDF5 library's H5S_MAX_RANK
FILTER_NAMES = {1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit", 6: "scaleoffset"}


class Dataspace(namedtuple("Dataspace", "kind dims maxdims")):
    """A dataspace message.

    kind: str -- scalar | simple | null
    dims: tuple[int, ...]
    maxdims: tuple[int | None, ...] | None -- None in a dimension: unlimited
    """
    __slots__ = ()

    @property
    def nelements(self) -> int:
        return 0 if self.kind == "null" else math.prod(self.dims)

    @property
    def shape(self) -> tuple[int, ...] | None:
        return None if self.kind == "null" else self.dims


def parse_dataspace(cur: Cursor) -> Dataspace:
    version, rank, flags = cur.u8(), cur.u8(), cur.u8()
    if version == 1:
        cur.skip(5)
        kind = "simple" if rank else "scalar"
    elif version == 2:
        kind = {0: "scalar", 1: "simple", 2: "null"}.get(cur.u8())
        if kind is None:
            raise cur.fail("dataspace of unknown type")
    else:
        raise cur.fail(f"dataspace version {version}")
    if rank > MAX_RANK:
        raise cur.fail(f"dataspace of rank {rank}")
    if kind != "simple" and rank:
        raise cur.fail(f"{kind} dataspace with {rank} dimensions")
    dims = tuple(cur.length() for _ in range(rank))
    maxdims = None
    if flags & 1:
        unlimited = (1 << (8 * cur.l)) - 1
        maxdims = tuple(None if m == unlimited else m for m in (cur.length() for _ in range(rank)))
        if any(m is not None and m < d for m, d in zip(maxdims, dims)):
            raise cur.fail("dataspace whose maximum is below its size")
    return Dataspace(kind, dims, maxdims)


class Layout(namedtuple("Layout", "kind version address size data chunks chunk_index index_params flags single_size heap_index", defaults=(None, 0, b"", None, "", (), 0, None, 0))):
    """A data layout message.

    kind: str -- compact | contiguous | chunked | virtual
    version: int
    address: int | None -- contiguous data, chunk index, or the virtual mapping's global heap
    size: int -- contiguous or compact data bytes
    data: bytes -- compact data
    chunks: tuple[int, ...] | None -- chunk shape without the element-size dimension of v1-3
    chunk_index: str -- chunk index: btree1 | single | implicit | fixed-array | extensible-array | btree2
    index_params: tuple[int, ...]
    flags: int
    single_size: int | None -- filtered size of a single chunk (v4 index 1)
    heap_index: int -- virtual: object in the global heap collection at ``address``
    """
    __slots__ = ()


_INDEX_TYPES = {1: "single", 2: "implicit", 3: "fixed-array", 4: "extensible-array", 5: "btree2"}


def parse_layout(cur: Cursor) -> Layout:
    version = cur.u8()
    if version in (1, 2):
        return _parse_layout_old(cur, version)
    if version not in (3, 4, 5):
        raise cur.fail(f"data layout version {version}")
    cls = cur.u8()
    if cls == 0:
        size = cur.u16()
        return Layout("compact", version, size=size, data=cur.take(size))
    if cls == 1:
        return Layout("contiguous", version, address=cur.offset(), size=cur.length())
    if cls == 2 and version == 3:
        ndims = cur.u8()
        address = cur.offset()
        dims = tuple(cur.u32() for _ in range(ndims))
        return Layout("chunked", version, address=address, chunks=_chunk_dims(cur, dims), chunk_index="btree1")
    if cls == 2:
        flags, ndims, width = cur.u8(), cur.u8(), cur.u8()
        if not 1 <= width <= 8 or flags & ~0x03:
            raise cur.fail("chunked layout with a bad dimension width or flags")
        dims = tuple(cur.uint(width) for _ in range(ndims))
        index_code = cur.u8()
        index = _INDEX_TYPES.get(index_code)
        if index is None:
            raise cur.fail(f"chunk index type {index_code}")
        params: tuple[int, ...] = ()
        single_size = None
        if index == "single" and flags & 0x02:
            single_size = cur.length()
            cur.u32()  # filter mask of the one chunk
        elif index == "fixed-array":
            params = (cur.u8(),)
        elif index == "extensible-array":
            params = tuple(cur.u8() for _ in range(5))
        elif index == "btree2":
            params = (cur.u32(), cur.u8(), cur.u8())
        address = cur.offset()
        chunks = dims[:-1] if len(dims) > 1 else dims
        if len(dims) < 2 or any(d == 0 for d in dims):
            raise cur.fail("chunked layout without chunk dimensions")
        return Layout("chunked", version, address=address, chunks=chunks, chunk_index=index, index_params=params, flags=flags, single_size=single_size)
    if cls == 3 and version >= 4:
        return Layout("virtual", version, address=cur.offset(), heap_index=cur.u32())
    raise cur.fail(f"data layout class {cls}")


def _chunk_dims(cur: Cursor, dims: tuple[int, ...]) -> tuple[int, ...]:
    # Versions 1-3 store the element size as one more chunk dimension.
    if len(dims) < 2 or any(d == 0 for d in dims) or len(dims) > MAX_RANK + 1:
        raise cur.fail("chunked layout without chunk dimensions")
    return dims[:-1]


def _parse_layout_old(cur: Cursor, version: int) -> Layout:
    ndims, cls = cur.u8(), cur.u8()
    cur.skip(5)
    if cls not in (0, 1, 2):
        raise cur.fail(f"data layout class {cls}")
    address = cur.offset() if cls != 0 else None
    dims = tuple(cur.u32() for _ in range(ndims))
    if cls == 2:
        cur.u32()  # element size, repeated as the last dimension
        return Layout("chunked", version, address=address, chunks=_chunk_dims(cur, dims), chunk_index="btree1")
    if cls == 0:
        size = cur.u32()
        return Layout("compact", version, size=size, data=cur.take(size))
    return Layout("contiguous", version, address=address, size=math.prod(dims))


class Filter(namedtuple("Filter", "id name flags values")):
    """One filter of a filter pipeline message.

    id: int
    name: str
    flags: int
    values: tuple[int, ...]
    """
    __slots__ = ()


def parse_filters(cur: Cursor) -> tuple[Filter, ...]:
    version, count = cur.u8(), cur.u8()
    if version not in (1, 2) or count > 32:
        raise cur.fail(f"filter pipeline version {version} with {count} filters")
    if version == 1:
        cur.skip(6)
    filters = []
    for _ in range(count):
        fid = cur.u16()
        name_len = cur.u16() if version == 1 or fid >= 256 else 0
        flags, nvalues = cur.u16(), cur.u16()
        start = cur.pos
        name = cur.take(name_len).split(b"\0", 1)[0].decode("utf-8", "replace") if name_len else ""
        if version == 1:
            cur.align(8, start)
        values = tuple(cur.u32() for _ in range(nvalues))
        if version == 1 and nvalues % 2:
            cur.skip(4)
        filters.append(Filter(fid, name or FILTER_NAMES.get(fid, ""), flags, values))
    return tuple(filters)


def parse_fill(cur: Cursor, old: bool) -> bytes | None:
    """The fill value's bytes, or None where none is defined."""
    if old:
        size = cur.u32()
        return cur.take(size)
    version = cur.u8()
    if version in (1, 2):
        cur.skip(2)  # space allocation time, fill value write time
        defined = cur.u8()
        if version == 1 or defined:
            size = cur.u32()
            return cur.take(size) if defined else None
        return None
    if version == 3:
        flags = cur.u8()
        if flags & 0x20:
            size = cur.u32()
            return cur.take(size)
        return None
    raise cur.fail(f"fill value version {version}")


class Link(namedtuple("Link", "name kind target address creation_order", defaults=(None,))):
    """One link of a group: hard (``address`` of the object header), soft (``target`` path) or
    external (``target`` 'file:/path'); ``creation_order`` where the group tracks it.
    """

    __slots__ = ()


def parse_link(cur: Cursor) -> Link:
    version, flags = cur.u8(), cur.u8()
    if version != 1:
        raise cur.fail(f"link message version {version}")
    ltype = cur.u8() if flags & 0x08 else 0
    corder = cur.u64() if flags & 0x04 else None
    if flags & 0x10:
        cur.u8()  # name character set: names are UTF-8 or ASCII, decoded alike
    name_len = cur.uint(1 << (flags & 0x03))
    if name_len == 0:
        raise cur.fail("link with an empty name")
    name = _name(cur.take(name_len))
    if ltype == 0:
        return Link(name, "hard", None, cur.offset(), corder)
    value = cur.take(cur.u16())
    if ltype == 1:
        return Link(name, "soft", _name(value), None, corder)
    if ltype == 64:
        parts = value[1:].split(b"\0")
        if len(parts) < 2 or value[:1] and value[0] >> 4 != 0:
            raise cur.fail("external link value is not a file name and an object path")
        return Link(name, "external", f"{_name(parts[0])}:{_name(parts[1])}", None, corder)
    raise Unsupported(f"user-defined link type {ltype}")


def _name(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


class IndexInfo(namedtuple("IndexInfo", "tracked indexed heap name_index order_index")):
    """Link info (0x02) or attribute info (0x15): where dense storage lives, if anywhere.

    tracked: bool
    indexed: bool
    heap: int | None
    name_index: int | None
    order_index: int | None
    """
    __slots__ = ()


def parse_index_info(cur: Cursor, attribute: bool) -> IndexInfo:
    version, flags = cur.u8(), cur.u8()
    if version != 0 or flags & ~0x03:
        raise cur.fail(f"{'attribute' if attribute else 'link'} info version {version} flags {flags}")
    if flags & 1:
        cur.skip(2 if attribute else 8)  # largest creation index so far
    heap, name_index = cur.offset(), cur.offset()
    order_index = cur.offset() if flags & 2 else None
    return IndexInfo(bool(flags & 1), bool(flags & 2), heap, name_index, order_index)


def parse_group_info(cur: Cursor) -> None:
    version, flags = cur.u8(), cur.u8()
    if version != 0 or flags & ~0x03:
        raise cur.fail(f"group info version {version} flags {flags}")
    cur.skip((4 if flags & 1 else 0) + (4 if flags & 2 else 0))


def parse_symbol_table(cur: Cursor) -> tuple[int | None, int | None]:
    """(v1 B-tree address, local heap address) of an old-style group."""
    return cur.offset(), cur.offset()


def parse_continuation(cur: Cursor) -> tuple[int | None, int]:
    return cur.offset(), cur.length()


class ExternalFiles(namedtuple("ExternalFiles", "heap slots")):
    """An external data files message.

    heap: int | None
    slots: tuple[tuple[int, int, int], ...] -- (name offset in the local heap, file offset, size)
    """
    __slots__ = ()


def parse_external_files(cur: Cursor) -> ExternalFiles:
    version = cur.u8()
    if version != 1:
        raise cur.fail(f"external data files version {version}")
    cur.skip(3)
    allocated, used = cur.u16(), cur.u16()
    if used > allocated:
        raise cur.fail("more external files used than allocated")
    heap = cur.offset()
    return ExternalFiles(heap, tuple((cur.length(), cur.length(), cur.length()) for _ in range(used)))


class SharedRef(namedtuple("SharedRef", "address heap_id")):
    """A shared message: stored in another object header (``address``) or in the SOHM heap (``heap_id``).

    address: int | None
    heap_id: bytes | None
    """
    __slots__ = ()


def parse_shared(cur: Cursor) -> SharedRef:
    version, stype = cur.u8(), cur.u8()
    if version == 1:
        cur.skip(6)
        return SharedRef(cur.offset(), None)
    if version == 2:
        return SharedRef(cur.offset(), None)
    if version == 3:
        if stype == 1:
            return SharedRef(None, cur.take(8))
        if stype == 2:
            return SharedRef(cur.offset(), None)
    raise cur.fail(f"shared message version {version} type {stype}")


class RawAttribute(namedtuple("RawAttribute", "name dtype space data creation_order", defaults=(None,))):
    """An attribute message, its value still encoded in ``data``."""

    __slots__ = ()


SharedResolver = Callable[[int, bytes], Cursor]


def parse_attribute(cur: Cursor, shared: SharedResolver, creation_order: int | None = None) -> RawAttribute:
    """``shared(message type, shared message)`` decodes the datatype or dataspace it names."""
    version = cur.u8()
    if version not in (1, 2, 3):
        raise cur.fail(f"attribute message version {version}")
    flags = cur.u8()
    name_size, dt_size, ds_size = cur.u16(), cur.u16(), cur.u16()
    if version == 3:
        cur.u8()  # name character set
    if flags & ~0x03 or version == 1 and flags:
        raise cur.fail(f"attribute flags {flags}")

    def field(size: int) -> Cursor:
        start = cur.pos
        sub = Cursor(cur.buf, cur.what, cur.o, cur.l, cur.pos, cur.pos + size)
        cur.skip(size)
        if version == 1:
            cur.align(8, start)
        return sub

    raw_name = field(name_size)
    name = _name(raw_name.buf[raw_name.pos : raw_name.end].split(b"\0", 1)[0])
    dt_cur = field(dt_size)
    ds_cur = field(ds_size)
    if flags & 0x01:
        dt_cur = shared(DATATYPE, dt_cur.take(dt_cur.left))
    if flags & 0x02:
        ds_cur = shared(DATASPACE, ds_cur.take(ds_cur.left))
    return RawAttribute(name, parse_dtype(dt_cur), parse_dataspace(ds_cur), cur.buf[cur.pos : cur.end], creation_order)
