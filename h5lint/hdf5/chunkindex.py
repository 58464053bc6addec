"""How many bytes a chunked dataset's chunks occupy, from its chunk index.

Layout versions 1-3 index chunks with a v1 B-tree; version 4 (and 5, HDF5 2.0) chooses one of:
a single chunk, an implicit index (every chunk allocated, at computed places), a fixed array
("FAHD"/"FADB"), an extensible array ("EAHD"/"EAIB"/"EASB"/"EADB") or a v2 B-tree of chunk
records (types 10 and 11). Filtered entries carry the stored size of their chunk; the
width of that size field follows from the entry or record size the index declares.
"""

from __future__ import annotations

import math

from .btree import chunk_storage, v2_records
from .checksum import verify
from .errors import HDF5Error
from .messages import Layout
from .reader import Cursor


def storage_size(ctx, layout: Layout, shape: tuple[int, ...], element_size: int, filtered: bool) -> int:
    if layout.address is None:
        return 0
    chunk_bytes = math.prod(layout.chunks) * element_size
    index = layout.chunk_index
    if index == "btree1":
        return chunk_storage(ctx, layout.address, len(layout.chunks))[1]
    if index == "single":
        return layout.single_size if layout.single_size is not None else chunk_bytes
    if index == "implicit":
        count = math.prod(-(-d // c) for d, c in zip(shape, layout.chunks))
        return count * chunk_bytes
    if index == "fixed-array":
        return _fixed_array(ctx, layout.address, chunk_bytes)
    if index == "extensible-array":
        return _extensible_array(ctx, layout.address, chunk_bytes)
    return _btree2(ctx, layout.address, chunk_bytes, filtered, len(layout.chunks))  # parse_layout admits no other


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


def _check_prefix(raw: bytes, signature: bytes, what: str, client: int, header: int, o: int) -> None:
    if raw[:4] != signature or raw[4] != 0 or raw[5] != client or int.from_bytes(raw[6 : 6 + o], "little") != header:
        raise HDF5Error(f"{what}: {signature.decode()} block signature, version, client or header address wrong")


def _extensible_array(ctx, address: int, chunk_bytes: int) -> int:
    """Chunks of an extensible array: some in the index block, the rest in data blocks, found
    directly from the index block or through super blocks; super block ``u`` holds 2^(u//2) data
    blocks of 2^((u+1)//2) * (minimum) elements each."""
    what = f"extensible array at {address}"
    o, l = ctx.o, ctx.l  # noqa: E741
    block = ctx.read(address, 4 + 1 + 1 + 6 + 6 * l + o + 4)
    verify(block, what)
    cur = Cursor(block, what, o, l)
    cur.signature(b"EAHD")
    version, client, entry_size = cur.u8(), cur.u8(), cur.u8()
    max_bits, index_elements, dblock_min, sblock_min, page_bits = (cur.u8() for _ in range(5))
    cur.skip(6 * l)  # statistics
    iblock = cur.offset()
    filtered = client == 1
    expected = range(o + 5, o + 13) if filtered else (o,)
    if version != 0 or client not in (0, 1) or entry_size not in expected:
        raise cur.fail(f"version {version}, client {client}, entries of {entry_size} bytes")
    if not (_pow2(dblock_min) and _pow2(sblock_min) and sblock_min >= 2 and 0 < max_bits <= 64 and page_bits <= 32):
        raise cur.fail("creation parameters out of range")
    if max_bits < dblock_min.bit_length() - 1:
        raise cur.fail("fewer elements than one data block")
    if iblock is None:
        return 0
    nsblocks = 1 + max_bits - (dblock_min.bit_length() - 1)
    direct_sblocks = 2 * (sblock_min.bit_length() - 1)
    ndblock_addrs = 2 * (sblock_min - 1)
    nsblock_addrs = max(0, nsblocks - direct_sblocks)
    offset_size = (max_bits + 7) // 8
    prefix = 4 + 1 + 1 + o
    ctx.budget.spend(index_elements + ndblock_addrs + nsblock_addrs)
    raw = ctx.read(iblock, prefix + index_elements * entry_size + (ndblock_addrs + nsblock_addrs) * o + 4)
    verify(raw, f"{what}: index block")
    _check_prefix(raw, b"EAIB", what, client, address, o)
    total = _entries(ctx, raw[prefix:], index_elements, entry_size, filtered, chunk_bytes)
    pos = prefix + index_elements * entry_size
    page = 1 << page_bits

    def data_block(at: int | None, nelmts: int, block_offset: int, pages_init: bytes | None) -> int:
        if at is None:
            return 0
        ctx.budget.spend(nelmts)
        head_size = prefix + offset_size
        if nelmts <= page:
            raw = ctx.read(at, head_size + nelmts * entry_size + 4)
            verify(raw, f"{what}: data block at {at}")
            _check_data_block_offset(raw, what, client, address, o, block_offset, offset_size)
            return _entries(ctx, raw[head_size:], nelmts, entry_size, filtered, chunk_bytes)
        head = ctx.read(at, head_size + 4)
        verify(head, f"{what}: data block at {at}")
        _check_data_block_offset(head, what, client, address, o, block_offset, offset_size)
        subtotal, page_at = 0, at + head_size + 4
        for p in range(nelmts // page):
            if pages_init is None or pages_init[p // 8] & (0x80 >> (p % 8)):
                data = ctx.read(page_at, page * entry_size + 4)
                verify(data, f"{what}: data block page at {page_at}")
                subtotal += _entries(ctx, data, page, entry_size, filtered, chunk_bytes)
            page_at += page * entry_size + 4
        return subtotal

    def address_at(raw: bytes, at: int) -> int | None:
        value = int.from_bytes(raw[at : at + o], "little")
        return None if value == (1 << (8 * o)) - 1 else value

    start = slot = 0  # element index past the index block's own elements; data block slot
    for u in range(min(direct_sblocks, nsblocks)):
        nelmts = dblock_min << ((u + 1) // 2)
        for _ in range(1 << (u // 2)):
            # The library records these blocks' offset from their super block's first element
            # plus the slot number (not the block number within the super block) times the size.
            total += data_block(address_at(raw, pos), nelmts, start + slot * nelmts, None)
            pos += o
            slot += 1
        start += nelmts << (u // 2)
    for u in range(direct_sblocks, nsblocks):
        sblock = address_at(raw, pos)
        pos += o
        ndblocks, nelmts = 1 << (u // 2), dblock_min << ((u + 1) // 2)
        if sblock is not None:
            ctx.budget.spend(ndblocks)
            paged = nelmts > page
            init_size = (nelmts // page + 7) // 8 if paged else 0
            sraw = ctx.read(sblock, prefix + offset_size + ndblocks * init_size + ndblocks * o + 4)
            verify(sraw, f"{what}: super block at {sblock}")
            _check_prefix(sraw, b"EASB", what, client, address, o)
            bitmaps = prefix + offset_size
            addrs = bitmaps + ndblocks * init_size
            for d in range(ndblocks):
                init = sraw[bitmaps + d * init_size : bitmaps + (d + 1) * init_size] if paged else None
                total += data_block(address_at(sraw, addrs + d * o), nelmts, start + d * nelmts, init)
        start += ndblocks * nelmts
    return total


def _check_data_block_offset(raw: bytes, what: str, client: int, header: int, o: int, start: int, size: int) -> None:
    _check_prefix(raw, b"EADB", what, client, header, o)
    if int.from_bytes(raw[6 + o : 6 + o + size], "little") != start:
        raise HDF5Error(f"{what}: data block for elements from {start} says otherwise")


def _pow2(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


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
