"""How many bytes a chunked dataset's chunks occupy, from its chunk index.

Layout versions 1-3 index chunks with a v1 B-tree; version 4 (and 5, HDF5 2.0) chooses one of:
a single chunk, an implicit index (every chunk allocated, at computed places), a fixed array
("FAHD"/"FADB"), an extensible array ("EAHD", not read here: Unsupported) or a v2 B-tree of
chunk records (types 10 and 11). Filtered entries carry the stored size of their chunk; the
width of that size field follows from the entry or record size the index declares.
"""

from __future__ import annotations

import math

from .btree import chunk_storage, v2_records
from .checksum import verify
from .errors import HDF5Error, Unsupported
from .messages import Layout
from .reader import Cursor


def storage_size(ctx, layout: Layout, shape: tuple[int, ...], element_size: int, filtered: bool) -> int:
    if layout.address is None:
        return 0
    chunk_bytes = math.prod(layout.chunks) * element_size
    index = layout.index
    if index == "btree1":
        return chunk_storage(ctx, layout.address, len(layout.chunks))[1]
    if index == "single":
        return layout.single_size if layout.single_size is not None else chunk_bytes
    if index == "implicit":
        count = math.prod(-(-d // c) for d, c in zip(shape, layout.chunks))
        return count * chunk_bytes
    if index == "fixed-array":
        return _fixed_array(ctx, layout.address, chunk_bytes)
    if index == "btree2":
        return _btree2(ctx, layout.address, chunk_bytes, filtered, len(layout.chunks))
    raise Unsupported(f"{index} chunk index")


def _entries(ctx, raw: bytes, count: int, entry_size: int, filtered: bool, chunk_bytes: int) -> int:
    o = ctx.o
    undefined = (1 << (8 * o)) - 1
    size_len = entry_size - o - 4
    total = 0
    for i in range(count):
        at = i * entry_size
        if int.from_bytes(raw[at : at + o], "little") == undefined:
            continue
        total += int.from_bytes(raw[at + o : at + o + size_len], "little") if filtered else chunk_bytes
    return total


def _fixed_array(ctx, address: int, chunk_bytes: int) -> int:
    what = f"fixed array at {address}"
    o, l = ctx.o, ctx.l  # noqa: E741
    block = ctx.read(address, 4 + 1 + 1 + 1 + 1 + l + o + 4)
    verify(block, what)
    cur = Cursor(block, what, o, l)
    cur.signature(b"FAHD")
    version, client, entry_size, page_bits = cur.u8(), cur.u8(), cur.u8(), cur.u8()
    count, data = cur.length(), cur.offset()
    filtered = client == 1
    expected = range(o + 5, o + 13) if filtered else (o,)
    if version != 0 or client not in (0, 1) or entry_size not in expected or page_bits > 32:
        raise cur.fail(f"version {version}, client {client}, entries of {entry_size} bytes")
    if data is None:
        return 0
    ctx.budget.spend(count)
    prefix = 4 + 1 + 1 + o
    page = 1 << page_bits
    if count <= page:
        raw = ctx.read(data, prefix + count * entry_size + 4)
        verify(raw, f"{what}: data block")
        _check_data_block(raw, what, client, address, o)
        return _entries(ctx, raw[prefix:], count, entry_size, filtered, chunk_bytes)
    pages = -(-count // page)
    bitmap_len = (pages + 7) // 8
    head = ctx.read(data, prefix + bitmap_len + 4)
    verify(head, f"{what}: data block")
    _check_data_block(head, what, client, address, o)
    bitmap = head[prefix : prefix + bitmap_len]
    total = 0
    at = data + len(head)
    for p in range(pages):
        n = min(page, count - p * page)
        if bitmap[p // 8] & (0x80 >> (p % 8)):
            raw = ctx.read(at, n * entry_size + 4)
            verify(raw, f"{what}: page {p}")
            total += _entries(ctx, raw, n, entry_size, filtered, chunk_bytes)
        at += n * entry_size + 4
    return total


def _check_data_block(raw: bytes, what: str, client: int, header: int, o: int) -> None:
    if raw[:4] != b"FADB" or raw[4] != 0 or raw[5] != client or int.from_bytes(raw[6 : 6 + o], "little") != header:
        raise HDF5Error(f"{what}: data block signature, version, client or header address wrong")


def _btree2(ctx, address: int, chunk_bytes: int, filtered: bool, rank: int) -> int:
    o = ctx.o
    records = v2_records(ctx, address, 11 if filtered else 10)
    if not filtered:
        return chunk_bytes * len(records)
    total = 0
    for rec in records:
        # address, chunk size (whatever width remains), filter mask, one 8-byte offset per dimension
        size_len = len(rec) - o - 4 - 8 * rank
        if not 1 <= size_len <= 8:
            raise HDF5Error(f"v2 B-tree chunk index at {address}: records of {len(rec)} bytes")
        total += int.from_bytes(rec[o : o + size_len], "little")
    return total
