"""The superblock (versions 0-3) and the per-file context every other module reads through.

The signature is looked for at 0, 512, 1024, 2048 ... (a user block may come first). Versions 0
and 1 name the root group by a symbol table entry, versions 2 and 3 by its object header address
and protect the superblock with a lookup3 checksum. Addresses in the file are relative to the
base address, which is where the superblock was found.
"""

from __future__ import annotations

from collections import namedtuple

from .btree import LocalHeap, read_local_heap, read_symbol_entry
from .checksum import verify
from .errors import HDF5Error, Unsupported
from .fractalheap import FractalHeap
from .globalheap import read_collection
from .messages import SHARED_TABLE, parse_shared
from .objheader import ObjectHeader, read_object_header
from .reader import Budget, Cursor, Source

SIGNATURE = b"\x89HDF\r\n\x1a\n"
SIZES = (2, 4, 8)
# Cached global heap collections per file; Keras files use a handful.
MAX_COLLECTIONS = 64


class Superblock(namedtuple("Superblock", "version userblock o l base eof root extension flags")):
    """The fields of the superblock the reader uses.

    version: int
    userblock: int -- where the superblock is: the size of the user block
    o: int -- size of offsets
    l: int -- size of lengths  # noqa: E741
    base: int
    eof: int -- end-of-file address, relative to the base address
    root: int -- root group object header address
    extension: int | None
    flags: int
    """
    __slots__ = ()


def find_signature(source: Source) -> int:
    offset = 0
    while offset + 8 <= source.size:
        if source.read(offset, 8) == SIGNATURE:
            return offset
        offset = 512 if offset == 0 else offset * 2
    raise HDF5Error("not an HDF5 file: no signature at 0, 512, 1024 ...")


def read_superblock(source: Source) -> Superblock:
    at = find_signature(source)
    head = source.read(at, min(source.size - at, 256))
    if len(head) < 12:
        raise HDF5Error("superblock cut short")
    version = head[8]
    if version in (0, 1):
        return _v0(head, at, version)
    if version in (2, 3):
        return _v2(head, at, version)
    raise Unsupported(f"superblock version {version}")


def _sizes(o: int, l: int) -> None:  # noqa: E741
    if o not in SIZES or l not in SIZES:
        raise HDF5Error(f"superblock declares offsets of {o} and lengths of {l} bytes")


def _v0(head: bytes, at: int, version: int) -> Superblock:
    o, l = head[13], head[14]  # noqa: E741
    _sizes(o, l)
    cur = Cursor(head, "superblock", o, l, 16)
    cur.skip(4)  # group leaf and internal node K
    flags = cur.u32()
    if version == 1:
        cur.skip(4)  # indexed storage internal node K, reserved
    cur.offset()  # base address: the library uses where the superblock is
    cur.offset()  # free-space info, unused
    eof = cur.offset()
    driver = cur.offset()
    if driver is not None:
        raise Unsupported("file driver info block (multi-file or family driver)")
    entry = read_symbol_entry(cur)
    if entry.address is None or eof is None:
        raise HDF5Error("superblock without a root group or end-of-file address")
    return Superblock(version, at, o, l, at, eof, entry.address, None, flags)


def _v2(head: bytes, at: int, version: int) -> Superblock:
    o, l = head[9], head[10]  # noqa: E741
    _sizes(o, l)
    size = 12 + 4 * o + 4
    if len(head) < size:
        raise HDF5Error("superblock cut short")
    verify(head[:size], "superblock")
    cur = Cursor(head, "superblock", o, l, 11)
    flags = cur.u8()
    cur.offset()  # base address
    extension, eof, root = cur.offset(), cur.offset(), cur.offset()
    if root is None or eof is None:
        raise HDF5Error("superblock without a root group or end-of-file address")
    return Superblock(version, at, o, l, at, eof, root, extension, flags)


class FileContext:
    """What every decoder needs: sizes, bounded reads by address, the budget, and caches."""

    def __init__(self, source: Source, sb: Superblock, budget: Budget) -> None:
        self.source = source
        self.sb = sb
        self.o = sb.o
        self.l = sb.l
        self.base = sb.base
        self.budget = budget
        self._headers: dict[int, ObjectHeader] = {}
        self._collections: dict[int, dict[int, bytes]] = {}
        self._local_heaps: dict[int, LocalHeap] = {}
        self._fractal_heaps: dict[int, FractalHeap] = {}
        # message type -> fractal heap of the shared object header message (SOHM) index holding it
        self._sohm_heaps: dict[int, int] = {}
        if sb.extension is not None:
            table = self.header(sb.extension).find(SHARED_TABLE)
            if table is not None:
                self._sohm_heaps = _read_sohm_table(self, table.body)

    def read(self, address: int | None, n: int) -> bytes:
        if address is None:
            raise HDF5Error("read at an undefined address")
        return self.source.read(self.base + address, n)

    def space_after(self, address: int) -> int:
        return max(0, self.source.size - self.base - address)

    def header(self, address: int) -> ObjectHeader:
        hdr = self._headers.get(address)
        if hdr is None:
            self.budget.object()
            hdr = self._headers[address] = read_object_header(self, address)
        return hdr

    def shared_body(self, mtype: int, body: bytes, what: str) -> bytes:
        """The body of a shared message of type ``mtype``: from the SOHM heap or a committed object."""
        ref = parse_shared(Cursor(body, f"{what}: shared message", self.o, self.l))
        if ref.heap_id is not None:
            return self.sohm_object(mtype, ref.heap_id, what)
        target = self.header(ref.address).find(mtype)
        if target is None or target.shared:
            raise HDF5Error(f"{what}: shared message at {ref.address} is not there")
        return target.body

    def sohm_object(self, mtype: int, heap_id: bytes, what: str) -> bytes:
        heap = self._sohm_heaps.get(mtype)
        if heap is None:
            raise HDF5Error(f"{what}: message of type {mtype} shared in a heap no index names")
        return self.fractal_heap(heap).get(heap_id)

    def global_object(self, address: int, index: int) -> bytes:
        objects = self._collections.get(address)
        if objects is None:
            if len(self._collections) >= MAX_COLLECTIONS:
                self._collections.clear()
            objects = self._collections[address] = read_collection(self, address)
        data = objects.get(index)
        if data is None:
            raise HDF5Error(f"global heap collection at {address} has no object {index}")
        return data

    def local_heap(self, address: int) -> LocalHeap:
        heap = self._local_heaps.get(address)
        if heap is None:
            heap = self._local_heaps[address] = read_local_heap(self, address)
        return heap

    def fractal_heap(self, address: int) -> FractalHeap:
        heap = self._fractal_heaps.get(address)
        if heap is None:
            heap = self._fractal_heaps[address] = FractalHeap(self, address)
        return heap


def _read_sohm_table(ctx: FileContext, body: bytes) -> dict[int, int]:
    """Message type -> heap address, from the SOHM master table the superblock extension names."""
    cur = Cursor(body, "shared message table message", ctx.o, ctx.l)
    if cur.u8() != 0:
        raise cur.fail("version")
    address, count = cur.offset(), cur.u8()
    entry = 1 + 1 + 2 + 4 + 2 + 2 + 2 + 2 * ctx.o
    block = ctx.read(address, 4 + count * entry + 4)
    verify(block, "shared message table")
    cur = Cursor(block, "shared message table", ctx.o, ctx.l)
    cur.signature(b"SMTB")
    heaps: dict[int, int] = {}
    for _ in range(count):
        version = cur.u8()
        cur.skip(1)  # index kind: list or B-tree, both lead to the same heap
        types = cur.u16()
        cur.skip(4 + 2 + 2 + 2)  # minimum size, list and B-tree cutoffs, message count
        cur.offset()  # the index (list or B-tree) is not needed: heap IDs lead to the messages
        heap = cur.offset()
        if version != 0:
            raise cur.fail(f"index version {version}")
        for mtype in range(16):
            if types & (1 << mtype) and heap is not None:
                heaps[mtype] = heap
    return heaps
