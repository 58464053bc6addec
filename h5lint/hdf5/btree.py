"""Version 1 B-trees ("TREE": group nodes, chunk nodes), symbol table nodes ("SNOD"), local heaps
("HEAP") and version 2 B-trees ("BTHD"/"BTIN"/"BTLF").

Trees are walked with the set of nodes already visited and a level that must go down by one at
each step, so a node that points back at an ancestor, a sibling or itself is an error, not a loop.
"""

from __future__ import annotations

import struct
from collections import namedtuple

from .checksum import verify
from .errors import HDF5Error
from .reader import Cursor, bytes_needed

MAX_DEPTH = 64
# Symbol table entry: link name offset, object header address, cache type, reserved, scratch pad.
_ENTRY = {o: struct.Struct(f"<{c}{c}I4x16s") for o, c in ((2, "H"), (4, "I"), (8, "Q"))}


class LocalHeap(namedtuple("LocalHeap", "data")):
    """The data segment of a local heap (names of an old-style group's links).

    data: bytes
    """
    __slots__ = ()

    def string(self, offset: int, what: str) -> bytes:
        if offset >= len(self.data):
            raise HDF5Error(f"{what}: name offset {offset} outside its local heap of {len(self.data)} bytes")
        nul = self.data.find(b"\0", offset)
        if nul < 0:
            raise HDF5Error(f"{what}: name without its NUL in the local heap")
        return self.data[offset:nul]


def read_local_heap(ctx, address: int) -> LocalHeap:
    cur = Cursor(ctx.read(address, 8 + 2 * ctx.l + ctx.o), f"local heap at {address}", ctx.o, ctx.l)
    cur.signature(b"HEAP")
    if cur.u8() != 0:
        raise cur.fail("local heap version")
    cur.skip(3)
    size = cur.length()
    cur.length()  # head of the free list
    data = cur.offset()
    if data is None:
        raise cur.fail("local heap without a data segment")
    return LocalHeap(ctx.read(data, size))


class SymbolEntry(namedtuple("SymbolEntry", "name_offset address cache_type scratch")):
    """One entry of a symbol table node (cache type 2: a soft link whose value is in the local heap).

    name_offset: int
    address: int | None
    cache_type: int
    scratch: bytes
    """
    __slots__ = ()


def _v1_node(ctx, address: int, node_type: int, key_size: int, level: int | None, seen: set) -> tuple[int, list[bytes], list[int]]:
    """(level, keys, children) of the v1 B-tree node at ``address``."""
    what = f"B-tree node at {address}"
    if address in seen:
        raise HDF5Error(f"{what}: visited twice (the tree loops)")
    seen.add(address)
    ctx.budget.spend()
    o = ctx.o
    head = Cursor(ctx.read(address, 8 + 2 * o), what, o, ctx.l)
    head.signature(b"TREE")
    ntype, nlevel, used = head.u8(), head.u8(), head.u16()
    if ntype != node_type:
        raise head.fail(f"node type {ntype}, expected {node_type}")
    if level is not None and nlevel != level:
        raise head.fail(f"level {nlevel} under a node of level {level + 1}")
    ctx.budget.spend(used)
    body = ctx.read(address + 8 + 2 * o, used * (key_size + o) + key_size)
    keys, children = [], []
    pos = 0
    undefined = (1 << (8 * o)) - 1
    for _ in range(used):
        keys.append(body[pos : pos + key_size])
        child = int.from_bytes(body[pos + key_size : pos + key_size + o], "little")
        if child == undefined:
            raise head.fail("child without an address")
        children.append(child)
        pos += key_size + o
    return nlevel, keys, children


def group_entries(ctx, btree: int, what: str) -> list[SymbolEntry]:
    """Every symbol table entry of an old-style group, in the B-tree's (name) order."""
    entries: list[SymbolEntry] = []
    seen: set[int] = set()
    nodes: set[int] = set()

    def walk(address: int, level: int | None, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise HDF5Error(f"{what}: B-tree deeper than {MAX_DEPTH}")
        nlevel, _, children = _v1_node(ctx, address, 0, ctx.l, level, seen)
        for child in children:
            if nlevel:
                walk(child, nlevel - 1, depth + 1)
            else:
                if child in nodes:
                    raise HDF5Error(f"{what}: symbol table node at {child} listed twice")
                nodes.add(child)
                entries.extend(_snod(ctx, child))

    walk(btree, None, 0)
    return entries


def _snod(ctx, address: int) -> list[SymbolEntry]:
    o = ctx.o
    cur = Cursor(ctx.read(address, 8), f"symbol table node at {address}", o, ctx.l)
    cur.signature(b"SNOD")
    if cur.u8() != 1:
        raise cur.fail("symbol table node version")
    cur.skip(1)
    count = cur.u16()
    ctx.budget.spend(count + 1)
    entry = _ENTRY[o]
    body = ctx.read(address + 8, count * entry.size)
    undefined = (1 << (8 * o)) - 1
    return [SymbolEntry(name, None if addr == undefined else addr, cache, scratch) for name, addr, cache, scratch in entry.iter_unpack(body)]


def read_symbol_entry(cur: Cursor) -> SymbolEntry:
    name_offset = cur.offset()
    address = cur.offset()
    cache_type = cur.u32()
    cur.skip(4)
    return SymbolEntry(name_offset or 0, address, cache_type, cur.take(16))


def chunk_storage(ctx, btree: int, rank: int) -> tuple[int, int]:
    """(number of chunks, bytes they occupy) from a v1 B-tree chunk index of a ``rank``-D dataset."""
    key_size = 8 + 8 * (rank + 1)
    seen: set[int] = set()
    count = total = 0

    def walk(address: int, level: int | None, depth: int) -> None:
        nonlocal count, total
        if depth > MAX_DEPTH:
            raise HDF5Error(f"chunk B-tree at {btree}: deeper than {MAX_DEPTH}")
        nlevel, keys, children = _v1_node(ctx, address, 1, key_size, level, seen)
        if nlevel:
            for child in children:
                walk(child, nlevel - 1, depth + 1)
            return
        for key in keys:
            count += 1
            total += int.from_bytes(key[:4], "little")

    walk(btree, None, 0)
    return count, total


class _V2Header(namedtuple("_V2Header", "address rtype node_size record_size depth root root_records total max_records count_sizes total_sizes")):
    """A v2 B-tree header and the field widths its internal nodes use at each depth.

    address: int
    rtype: int
    node_size: int
    record_size: int
    depth: int
    root: int | None
    root_records: int
    total: int
    max_records: tuple[int, ...] -- per depth
    count_sizes: tuple[int, ...] -- bytes of "records in child" per depth
    total_sizes: tuple[int, ...] -- bytes of "total records in child" per depth
    """
    __slots__ = ()


def _v2_header(ctx, address: int, rtype: int) -> _V2Header:
    what = f"v2 B-tree at {address}"
    o, l = ctx.o, ctx.l  # noqa: E741
    size = 4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + o + 2 + l + 4
    block = ctx.read(address, size)
    verify(block, what)
    cur = Cursor(block, what, o, l)
    cur.signature(b"BTHD")
    version, btype = cur.u8(), cur.u8()
    if version != 0 or btype != rtype:
        raise cur.fail(f"version {version} type {btype}, expected type {rtype}")
    node_size, record_size, depth = cur.u32(), cur.u16(), cur.u16()
    cur.skip(2)  # split and merge percentages
    root, root_records, total = cur.offset(), cur.u16(), cur.length()
    if record_size == 0 or node_size < 10 + record_size or depth > MAX_DEPTH or node_size > 1 << 24:
        raise cur.fail(f"node size {node_size}, record size {record_size}, depth {depth}")
    # Field widths inside internal nodes follow from how many records a node of each depth can hold.
    leaf_max = (node_size - 10) // record_size
    max_records, cum_max, count_sizes, total_sizes = [leaf_max], [leaf_max], [0], [0]
    count_size = bytes_needed(leaf_max)
    for d in range(1, depth + 1):
        pointer = o + count_size + (total_sizes[d - 1] if d > 1 else 0)
        n = (node_size - 10 - pointer) // (record_size + pointer)
        if n < 1:
            raise cur.fail("nodes too small for any record")
        max_records.append(n)
        cum = (n + 1) * cum_max[d - 1] + n
        cum_max.append(cum)
        count_sizes.append(count_size)
        total_sizes.append(bytes_needed(cum))
    return _V2Header(address, rtype, node_size, record_size, depth, root, root_records, total, tuple(max_records), tuple(count_sizes), tuple(total_sizes))


def v2_records(ctx, address: int, rtype: int) -> list[bytes]:
    """All records of the v2 B-tree at ``address`` (record type ``rtype``), in key order."""
    hdr = _v2_header(ctx, address, rtype)
    out: list[bytes] = []
    if hdr.root is None or hdr.root_records == 0:
        return out
    ctx.budget.spend(hdr.total)
    seen: set[int] = set()
    _v2_node(ctx, hdr, hdr.root, hdr.root_records, hdr.depth, seen, out)
    return out


def _v2_node(ctx, hdr: _V2Header, address: int, nrec: int, depth: int, seen: set, out: list) -> None:
    what = f"v2 B-tree node at {address}"
    if address in seen:
        raise HDF5Error(f"{what}: visited twice (the tree loops)")
    seen.add(address)
    if nrec > hdr.max_records[depth]:
        raise HDF5Error(f"{what}: {nrec} records, at most {hdr.max_records[depth]} fit")
    ctx.budget.spend(nrec + 1)
    block = ctx.read(address, hdr.node_size)
    cur = Cursor(block, what, ctx.o, ctx.l)
    cur.signature(b"BTIN" if depth else b"BTLF")
    if cur.u8() != 0 or cur.u8() != hdr.rtype:
        raise cur.fail("version or record type")
    records = [cur.take(hdr.record_size) for _ in range(nrec)]
    if depth == 0:
        end = cur.pos
        verify(block[: end + 4], what)
        out.extend(records)
        return
    children = []
    for _ in range(nrec + 1):
        child = cur.offset()
        count = cur.uint(hdr.count_sizes[depth])
        if depth > 1:
            cur.uint(hdr.total_sizes[depth - 1])
        if child is None:
            raise cur.fail("child without an address")
        children.append((child, count))
    verify(block[: cur.pos + 4], what)
    for i, (child, count) in enumerate(children):
        _v2_node(ctx, hdr, child, count, depth - 1, seen, out)
        if i < nrec:
            out.append(records[i])
