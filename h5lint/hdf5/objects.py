"""Files, groups, datasets, committed datatypes, links and attributes: the reader's public objects."""

from __future__ import annotations

import io
from collections import deque, namedtuple
from collections.abc import Iterator, Mapping
from functools import cached_property
from os import PathLike

from . import messages as M
from .btree import group_entries, v2_records
from .chunkindex import storage_size
from .datatypes import DType, ValueDecoder, parse_dtype
from .errors import HDF5Error, Truncated, Unsupported, guarded
from .globalheap import virtual_sources
from .messages import Link, RawAttribute
from .objheader import Message, ObjectHeader
from .reader import Budget, Cursor, Source
from .superblock import FileContext, read_superblock

# A soft link may name another soft link; more hops than this is a loop.
MAX_SOFT_HOPS = 16
# What read_raw() brings into memory unless told otherwise.
DEFAULT_RAW_BYTES = 64 << 20


class Empty(namedtuple("Empty", "dtype")):
    """The value of an attribute with a null dataspace (h5py's ``h5py.Empty``).

    dtype: DType
    """
    __slots__ = ()


class Array(list):
    """A non-scalar attribute value: its elements in C order (a plain list) with ``shape`` and ``dtype``."""

    def __init__(self, values: list, shape: tuple[int, ...], dtype: DType) -> None:
        super().__init__(values)
        self.shape = shape
        self.dtype = dtype

    def __repr__(self) -> str:
        return f"Array({list.__repr__(self)}, shape={self.shape}, dtype={self.dtype.numpy_str})"


class AttributeInfo(namedtuple("AttributeInfo", "name dtype shape")):
    """What an attribute is, without decoding its value.

    name: str
    dtype: DType
    shape: tuple[int, ...] | None -- None: null dataspace
    """
    __slots__ = ()


class Attributes(Mapping):
    """An object's attributes, read on first use, in h5py's order (creation order where tracked, else name)."""

    def __init__(self, obj: _Object) -> None:
        self._obj = obj
        self._raw: dict[str, RawAttribute] | None = None
        self._values: dict[str, object] = {}

    def _load(self) -> dict[str, RawAttribute]:
        if self._raw is None:
            self._raw = self._obj.file._attributes(self._obj.header)
        return self._raw

    def __getitem__(self, name: str) -> object:
        if name in self._values:
            return self._values[name]
        raw = self._load()[name]
        value = self._values[name] = self._obj.file._attribute_value(raw)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __contains__(self, name: object) -> bool:
        return name in self._load()

    def info(self, name: str) -> AttributeInfo:
        raw = self._load()[name]
        return AttributeInfo(raw.name, raw.dtype, raw.space.shape)


class _Object:
    def __init__(self, file: File, header: ObjectHeader, name: str) -> None:
        self.file = file
        self.header = header
        self.name = name
        self._attrs: Attributes | None = None

    @property
    def address(self) -> int:
        return self.header.address

    @property
    def attrs(self) -> Attributes:
        if self._attrs is None:
            self._attrs = Attributes(self)
        return self._attrs

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} at {self.address}>"


class Group(_Object):
    _links: list[Link] | None = None
    _by_name: dict[str, Link] | None = None

    def links(self) -> list[Link]:
        """Every link, in h5py's iteration order (creation order where tracked, else by name)."""
        if self._links is None:
            self._links = self.file._links(self.header, self.name)
            self._by_name = {link.name: link for link in self._links}
        return list(self._links)

    def keys(self) -> list[str]:
        return [link.name for link in self.links()]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.links())

    def link(self, name: str) -> Link | None:
        if self._by_name is None:
            self.links()
        return self._by_name.get(name)

    def get(self, path: str) -> Group | Dataset | Datatype | None:
        """The object at ``path`` (absolute or relative), through hard and in-file soft links only."""
        return self.file._resolve(self, path, 0)

    def __getitem__(self, path: str) -> Group | Dataset | Datatype:
        obj = self.get(path)
        if obj is None:
            raise KeyError(path)
        return obj

    def __contains__(self, path: object) -> bool:
        """Whether the last link of ``path`` exists (an external or dangling link counts)."""
        if not isinstance(path, str):
            return False
        trimmed = path.rstrip("/")
        head, _, last = trimmed.rpartition("/")
        if not last:
            return path.startswith("/")
        parent = self.get(head or "/") if "/" in trimmed else self
        return isinstance(parent, Group) and parent.link(last) is not None


class Datatype(_Object):
    """A committed (named) datatype."""

    @property
    def dtype(self) -> DType:
        return self.file._dtype(self.header)


class Dataset(_Object):
    @cached_property
    def _space(self) -> M.Dataspace:
        return self.file._dataspace(self.header)

    @property
    def shape(self) -> tuple[int, ...] | None:
        return self._space.shape

    @property
    def maxshape(self) -> tuple[int | None, ...] | None:
        space = self._space
        if space.kind == "null":
            return None
        return space.maxdims if space.maxdims is not None else space.dims

    @cached_property
    def dtype(self) -> DType:
        return self.file._dtype(self.header)

    @cached_property
    @guarded
    def _layout(self) -> M.Layout:
        msg = self.header.find(M.LAYOUT)
        return M.parse_layout(self.file._cursor(msg, self.name))

    @property
    def layout(self) -> str:
        return self._layout.kind

    @property
    def chunks(self) -> tuple[int, ...] | None:
        return self._layout.chunks

    @property
    def filters(self) -> tuple[tuple[int, str, tuple[int, ...]], ...]:
        return tuple((f.id, f.name, f.values) for f in self._filters)

    @cached_property
    @guarded
    def _filters(self) -> tuple[M.Filter, ...]:
        msg = self.header.find(M.FILTERS)
        return M.parse_filters(self.file._cursor(msg, self.name)) if msg else ()

    @property
    @guarded
    def external_files(self) -> tuple[tuple[str, int, int], ...]:
        """(file name, offset, size) of each External Data Files slot; the files are never opened."""
        msg = self.header.find(M.EXTERNAL_FILES)
        if msg is None:
            return ()
        efl = M.parse_external_files(self.file._cursor(msg, self.name))
        heap = self.file._ctx.local_heap(efl.heap) if efl.slots else None
        return tuple((heap.string(name, self.name).decode("utf-8", "surrogateescape"), offset, size) for name, offset, size in efl.slots)

    @property
    def virtual(self) -> bool:
        return self._layout.kind == "virtual"

    @property
    @guarded
    def virtual_sources(self) -> tuple[tuple[str, str], ...]:
        """(file name, dataset path) of each source of a virtual dataset ('.' is this file); never opened."""
        layout = self._layout
        if layout.kind != "virtual" or layout.address is None:
            return ()
        data = self.file._ctx.global_object(layout.address, layout.heap_index)
        return virtual_sources(self.file._ctx, data, f"{self.name}: virtual dataset mapping")

    @property
    @guarded
    def fill_value(self) -> bytes | None:
        for mtype, old in ((M.FILL, False), (M.FILL_OLD, True)):
            msg = self.header.find(mtype)
            if msg is not None:
                return M.parse_fill(self.file._cursor(msg, self.name), old)
        return None

    @property
    @guarded
    def storage_size(self) -> int:
        """Bytes allocated in this file for the data, as ``H5Dget_storage_size`` counts them."""
        layout = self._layout
        if layout.kind == "compact":
            return layout.size
        if layout.kind == "contiguous":
            # External storage counts as allocated: the library reports its declared size.
            allocated = layout.address is not None or self.header.find(M.EXTERNAL_FILES) is not None
            return layout.size if allocated else 0
        if layout.kind == "chunked":
            return storage_size(self.file._ctx, layout, self.shape or (), self.dtype.size, bool(self._filters))
        return 0

    @property
    def data_offset(self) -> int | None:
        """Offset in the file of contiguous data (None where it is not one allocated block in this file)."""
        layout = self._layout
        if layout.kind != "contiguous" or layout.address is None or self.header.find(M.EXTERNAL_FILES):
            return None
        return self.file._ctx.base + layout.address

    @guarded
    def read_raw(self, max_bytes: int = DEFAULT_RAW_BYTES) -> bytes:
        """The stored bytes of a compact or unfiltered contiguous dataset (vlen elements as heap IDs)."""
        layout = self._layout
        nbytes = self._space.nelements * self.dtype.size
        if nbytes > max_bytes:
            raise HDF5Error(f"{self.name}: {nbytes} bytes of data, over the {max_bytes}-byte limit")
        if layout.kind == "compact":
            if len(layout.data) < nbytes:
                raise HDF5Error(f"{self.name}: compact data of {len(layout.data)} bytes for {nbytes}")
            return layout.data[:nbytes]
        if layout.kind != "contiguous" or self._filters or self.header.find(M.EXTERNAL_FILES):
            raise Unsupported(f"{self.name}: reading {layout.kind} data{' through filters' if self._filters else ''} or external storage")
        if layout.address is None:
            fill = self.fill_value or b"\0" * self.dtype.size
            if len(fill) != self.dtype.size:
                raise HDF5Error(f"{self.name}: fill value of {len(fill)} bytes")
            return fill * self._space.nelements
        if nbytes > layout.size:
            raise HDF5Error(f"{self.name}: {nbytes} bytes of data in a block of {layout.size}")
        return self.file._ctx.source.read(self.file._ctx.base + layout.address, nbytes, limit=max_bytes)


class File:
    """An open HDF5 file; ``root`` is its root group. Use as a context manager or call :meth:`close`."""

    def __init__(self, source: Source, budget: Budget, *, strict: bool) -> None:
        self._source = source
        self.budget = budget
        sb = read_superblock(source)
        self.superblock_version = sb.version
        self.userblock = sb.userblock
        self.eof = sb.eof
        self.size = source.size
        self.consistency_flags = sb.flags
        if strict and self.truncated:
            raise Truncated(f"truncated file: end of file address {sb.eof} is past its {source.size} bytes")
        if strict and self.open_for_write:
            raise HDF5Error("the file is marked as open for writing (libhdf5 refuses it until h5clear clears the flags)")
        self._ctx = FileContext(source, sb, budget)
        self._values = ValueDecoder(self._ctx.global_object, sb.o, self._vlen_bytes)
        self._vlen_spent = 0
        self._objects: dict[tuple[int, str], Group | Dataset | Datatype] = {}
        root = self._object(sb.root, "/")
        if not isinstance(root, Group):
            raise HDF5Error(f"the root object at {sb.root} is not a group")
        self.root = root

    @property
    def open_for_write(self) -> bool:
        """Superblock v3 says a writer (SWMR or not) has the file open: libhdf5 will not open it."""
        return self.superblock_version >= 3 and bool(self.consistency_flags & 0x05)

    @property
    def truncated(self) -> bool:
        # The stored end-of-file address counts the user block (libhdf5 compares it with the size).
        return self.eof > self.size

    def close(self) -> None:
        self._source.close()

    def __enter__(self) -> File:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, path: str) -> Group | Dataset | Datatype | None:
        return self.root.get(path)

    def walk(self) -> Iterator[tuple[str, Group | Dataset | Datatype]]:
        """Every object reachable through hard links, once each (first path in link order), root first."""
        seen = {self.root.address}
        yield "/", self.root
        queue: deque[Group] = deque([self.root])
        while queue:
            group = queue.popleft()
            for link in group.links():
                if link.kind != "hard" or link.address in seen:
                    continue
                seen.add(link.address)
                obj = self._object(link.address, _join(group.name, link.name))
                yield obj.name, obj
                if isinstance(obj, Group):
                    queue.append(obj)

    # -- objects ------------------------------------------------------------------------------

    def _object(self, address: int, name: str) -> Group | Dataset | Datatype:
        # One object per path: what it parsed (links, attributes, layout) is parsed once however often the
        # callers walk to it (a Keras file's weight groups are walked for the inventory and for references).
        key = (address, name)
        found = self._objects.get(key)
        if found is None:
            found = self._objects[key] = self._new_object(address, name)
        return found

    @guarded
    def _new_object(self, address: int, name: str) -> Group | Dataset | Datatype:
        header = self._ctx.header(address)
        if header.find(M.LAYOUT) is not None:
            return Dataset(self, header, name)
        if header.find(M.DATATYPE) is not None and header.find(M.DATASPACE) is None:
            return Datatype(self, header, name)
        return Group(self, header, name)

    def _resolve(self, start: Group, path: str, hops: int) -> Group | Dataset | Datatype | None:
        node: Group | Dataset | Datatype | None = self.root if path.startswith("/") else start
        for part in path.split("/"):
            if part in ("", "."):
                continue
            if not isinstance(node, Group):
                return None
            link = node.link(part)
            if link is None:
                return None
            if link.kind == "hard":
                node = self._object(link.address, _join(node.name, part))
            elif link.kind == "soft" and hops < MAX_SOFT_HOPS:
                target = self._resolve(node, link.target, hops + 1)
                if target is None:
                    return None
                node = type(target)(self, target.header, _join(node.name, part))
            else:
                return None  # external links are never followed; soft links that loop end here
        return node

    # -- messages -----------------------------------------------------------------------------

    def _cursor(self, msg: Message | None, what: str) -> Cursor:
        if msg is None:
            raise HDF5Error(f"{what}: a required message is missing")
        body = self._ctx.shared_body(msg.type, msg.body, what) if msg.shared else msg.body
        return Cursor(body, f"{what}: message {msg.type}", self._ctx.o, self._ctx.l)

    @guarded
    def _dataspace(self, header: ObjectHeader) -> M.Dataspace:
        return M.parse_dataspace(self._cursor(header.find(M.DATASPACE), f"object at {header.address}"))

    @guarded
    def _dtype(self, header: ObjectHeader) -> DType:
        return parse_dtype(self._cursor(header.find(M.DATATYPE), f"object at {header.address}"))

    # -- links ---------------------------------------------------------------------------------

    @guarded
    def _links(self, header: ObjectHeader, name: str) -> list[Link]:
        ctx = self._ctx
        links: list[Link] = []
        tracked = False
        table = header.find(M.SYMBOL_TABLE)
        if table is not None:
            btree, heap_addr = M.parse_symbol_table(self._cursor(table, name))
            heap = ctx.local_heap(heap_addr)
            for entry in group_entries(ctx, btree, name):
                ctx.budget.spend()
                link_name = heap.string(entry.name_offset, name).decode("utf-8", "surrogateescape")
                if entry.cache_type == 2:
                    target = heap.string(int.from_bytes(entry.scratch[:4], "little"), name)
                    links.append(Link(link_name, "soft", target.decode("utf-8", "surrogateescape"), None))
                elif entry.address is None:
                    raise HDF5Error(f"{name}: link {link_name!r} without an address")
                else:
                    links.append(Link(link_name, "hard", None, entry.address))
        for msg in header.all(M.LINK):
            ctx.budget.spend()
            links.append(M.parse_link(self._cursor(msg, name)))
        info_msg = header.find(M.LINK_INFO)
        if info_msg is not None:
            info = M.parse_index_info(self._cursor(info_msg, name), attribute=False)
            tracked = info.tracked
            if info.heap is not None:
                heap = ctx.fractal_heap(info.heap)
                if info.name_index is None:
                    raise HDF5Error(f"{name}: dense links without a name index")
                for record in v2_records(ctx, info.name_index, 5):
                    body = heap.get(record[4:])
                    links.append(M.parse_link(Cursor(body, f"{name}: dense link", ctx.o, ctx.l)))
        if tracked and all(link.creation_order is not None for link in links):
            links.sort(key=lambda link: link.creation_order)
        else:
            links.sort(key=lambda link: link.name)
        names = [link.name for link in links]
        if len(set(names)) != len(names):
            raise HDF5Error(f"{name}: two links of the same name")
        return links

    # -- attributes ----------------------------------------------------------------------------

    @guarded
    def _attributes(self, header: ObjectHeader) -> dict[str, RawAttribute]:
        ctx = self._ctx
        what = f"object at {header.address}"
        found: list[RawAttribute] = []
        for msg in header.all(M.ATTRIBUTE):
            ctx.budget.spend()
            found.append(M.parse_attribute(self._cursor(msg, what), self._shared_field, msg.creation_order))
        tracked = header.attr_order_tracked
        info_msg = header.find(M.ATTRIBUTE_INFO)
        if info_msg is not None:
            info = M.parse_index_info(self._cursor(info_msg, what), attribute=True)
            tracked = tracked or info.tracked
            if info.heap is not None:
                heap = ctx.fractal_heap(info.heap)
                if info.name_index is None:
                    raise HDF5Error(f"{what}: dense attributes without a name index")
                for record in v2_records(ctx, info.name_index, 8):
                    corder = int.from_bytes(record[9:13], "little")
                    if record[8] & 0x02:  # the ID names the attribute in the SOHM heap
                        body = ctx.sohm_object(M.ATTRIBUTE, record[:8], what)
                    else:
                        body = heap.get(record[: heap.id_len])
                    found.append(M.parse_attribute(Cursor(body, f"{what}: dense attribute", ctx.o, ctx.l), self._shared_field, corder))
        if tracked and all(a.creation_order is not None for a in found):
            found.sort(key=lambda a: a.creation_order)
        else:
            found.sort(key=lambda a: a.name)
        out: dict[str, RawAttribute] = {}
        for raw in found:
            if raw.name in out:
                raise HDF5Error(f"{what}: two attributes named {raw.name!r}")
            out[raw.name] = raw
        return out

    def _shared_field(self, mtype: int, body: bytes) -> Cursor:
        """A datatype or dataspace an attribute shares with others (committed or in the SOHM heap)."""
        return Cursor(self._ctx.shared_body(mtype, body, "attribute"), "shared attribute field", self._ctx.o, self._ctx.l)

    def _vlen_bytes(self, nbytes: int) -> None:
        self._vlen_spent += nbytes
        self.budget.attr_bytes(self._vlen_spent, "variable-length attribute data")

    @guarded
    def _attribute_value(self, raw: RawAttribute) -> object:
        dtype, space = raw.dtype, raw.space
        if space.kind == "null":
            return Empty(dtype)
        count = space.nelements
        # Each element becomes at least one Python object of a pointer's size.
        self.budget.attr_bytes(count * max(dtype.size, 8), f"attribute {raw.name!r}")
        self._vlen_spent = 0
        values = self._values.decode(dtype, raw.data, count)
        if space.kind == "scalar":
            return values[0]
        return Array(values, space.dims, dtype)


def _join(parent: str, name: str) -> str:
    return f"/{name}" if parent == "/" else f"{parent}/{name}"


def open_hdf5(source: str | PathLike | io.IOBase, *, max_objects: int = 1_000_000, max_attr_bytes: int = 64 << 20, strict: bool = True) -> File:
    """Open an HDF5 file by path or from a seekable binary file object (read by ranges, never whole).

    Raises :class:`HDF5Error` if it is not HDF5 or is malformed. With ``strict`` (the default) it
    also refuses what libhdf5 refuses though the metadata may be readable: a file shorter than its
    superblock says (:class:`Truncated`) or marked as open for writing.
    """
    budget = Budget(max_objects, max_attr_bytes)
    if isinstance(source, (str, PathLike)):
        try:
            fileobj = open(source, "rb")  # noqa: SIM115 - the File owns it
        except OSError as exc:
            raise HDF5Error(f"cannot open {source}: {exc.strerror or exc}") from None
        owned = True
    else:
        fileobj, owned = source, False
    try:
        src = guarded(Source)(fileobj, budget, owned=owned)
    except HDF5Error:
        if owned:
            fileobj.close()
        raise
    try:
        return guarded(File)(src, budget, strict=strict)
    except HDF5Error:
        src.close()
        raise
