"""Fractal heaps ("FRHP", direct blocks "FHDB", indirect blocks "FHIB"): where dense groups keep
their link messages and dense attribute storage its attribute messages.

An object is found from its heap ID: managed objects by their offset in the heap's doubling table
(rows of ``width`` blocks, the first two rows of the starting block size, each next row twice the
size), tiny objects inside the ID, huge objects at an address of their own. Every size the header
declares is checked against the others before any block is read.
"""

from __future__ import annotations

from .btree import v2_records
from .checksum import lookup3, verify
from .errors import HDF5Error, Unsupported
from .reader import Cursor, bytes_needed

# Indirect blocks between the root and a direct block; a 64-bit heap needs far fewer.
MAX_LEVELS = 32


def _log2(n: int) -> int:
    return n.bit_length() - 1


def _power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


class FractalHeap:
    def __init__(self, ctx, address: int) -> None:
        self.ctx = ctx
        self.address = address
        what = self.what = f"fractal heap at {address}"
        o, l = ctx.o, ctx.l  # noqa: E741
        fixed = 22 + 12 * l + 3 * o
        head = ctx.read(address, min(fixed + 4, ctx.space_after(address)))
        cur = Cursor(head, what, o, l)
        cur.signature(b"FRHP")
        if cur.u8() != 0:
            raise cur.fail("version")
        self.id_len, filter_len, self.flags, self.max_man = cur.u16(), cur.u16(), cur.u8(), cur.u32()
        cur.length()  # next huge object ID
        self.huge_btree = cur.offset()
        cur.skip(l + o + 8 * l)  # free space, its manager, managed/allocated/iterator sizes, counts
        self.width, self.start, self.max_direct = cur.u16(), cur.length(), cur.length()
        self.max_bits, _, self.root = cur.u16(), cur.u16(), cur.offset()
        self.root_rows = cur.u16()
        if filter_len:
            raise Unsupported(f"{what}: filtered heap blocks")
        verify(ctx.read(address, cur.pos + 4), what)
        if not (_power_of_two(self.width) and _power_of_two(self.start) and _power_of_two(self.max_direct)):
            raise cur.fail("table width and block sizes must be powers of two")
        if self.max_direct < self.start or not 0 < self.max_bits <= 64 or self.max_direct > 1 << 32:
            raise cur.fail(f"block sizes {self.start}..{self.max_direct}, {self.max_bits}-bit heap")
        self.first_row_bits = _log2(self.start) + _log2(self.width)
        if self.first_row_bits > self.max_bits:
            raise cur.fail("first row larger than the heap")
        self.max_rows = self.max_bits - self.first_row_bits + 1
        self.direct_rows = _log2(self.max_direct) - _log2(self.start) + 2
        if self.root_rows > self.max_rows:
            raise cur.fail(f"root indirect block of {self.root_rows} rows, at most {self.max_rows}")
        self.offset_size = (self.max_bits + 7) // 8
        self.length_size = min((_log2(self.max_direct) + 7) // 8, bytes_needed(self.max_man))
        self.checksummed = bool(self.flags & 0x02)
        self._blocks: dict[int, None] = {}

    def _row_size(self, row: int) -> int:
        return self.start << max(0, row - 1)

    def _row_offset(self, row: int) -> int:
        return 0 if row == 0 else (self.width * self.start) << (row - 1)

    def get(self, heap_id: bytes) -> bytes:
        """The object a heap ID names."""
        if len(heap_id) != self.id_len or not heap_id:
            raise HDF5Error(f"{self.what}: heap ID of {len(heap_id)} bytes, the heap uses {self.id_len}")
        self.ctx.budget.spend()
        flags = heap_id[0]
        if flags & 0xC0:
            raise HDF5Error(f"{self.what}: heap ID version {flags >> 6}")
        kind = (flags >> 4) & 0x03
        if kind == 0:
            cur = Cursor(heap_id, self.what, self.ctx.o, self.ctx.l, 1)
            return self._managed(cur.uint(self.offset_size), cur.uint(self.length_size))
        if kind == 2:
            if self.id_len - 1 > 16:  # "extended" tiny IDs spend a second byte on the length
                length = ((flags & 0x0F) << 8 | heap_id[1]) + 1
                data = heap_id[2 : 2 + length]
            else:
                length = (flags & 0x0F) + 1
                data = heap_id[1 : 1 + length]
            if len(data) != length:
                raise HDF5Error(f"{self.what}: tiny object longer than its heap ID")
            return data
        if kind == 1:
            return self._huge(heap_id)
        raise HDF5Error(f"{self.what}: heap ID of type {kind}")

    def _managed(self, offset: int, length: int) -> bytes:
        if self.root is None:
            raise HDF5Error(f"{self.what}: object in a heap with no blocks")
        if length == 0 or length > self.max_man:
            raise HDF5Error(f"{self.what}: managed object of {length} bytes")
        if offset >> self.max_bits:
            raise HDF5Error(f"{self.what}: object offset {offset} outside the heap")
        if self.root_rows == 0:
            return self._from_direct(self.root, self.start, 0, offset, length)
        block, nrows, block_start = self.root, self.root_rows, 0
        for _ in range(MAX_LEVELS):
            rel = offset - block_start
            row = 0
            while row + 1 < nrows and self._row_offset(row + 1) <= rel:
                row += 1
            size = self._row_size(row)
            col = (rel - self._row_offset(row)) // size
            if col >= self.width:
                raise HDF5Error(f"{self.what}: object offset {offset} past the indirect block at {block}")
            child = self._indirect_entry(block, nrows, block_start, row * self.width + col)
            child_start = block_start + self._row_offset(row) + col * size
            if child is None:
                raise HDF5Error(f"{self.what}: object offset {offset} in a block never allocated")
            if row < self.direct_rows:
                return self._from_direct(child, size, child_start, offset, length)
            block, nrows, block_start = child, _log2(size) - self.first_row_bits + 1, child_start
        raise HDF5Error(f"{self.what}: indirect blocks nested deeper than {MAX_LEVELS}")

    def _indirect_entry(self, address: int, nrows: int, block_start: int, index: int) -> int | None:
        ctx = self.ctx
        o = ctx.o
        what = f"{self.what}: indirect block at {address}"
        entries = nrows * self.width
        header = 5 + o + self.offset_size
        size = header + entries * o + 4
        key = (address, nrows)
        block = ctx.read(address, size)
        if key not in self._blocks:
            ctx.budget.spend()
            cur = Cursor(block, what, o, ctx.l)
            cur.signature(b"FHIB")
            if cur.u8() != 0 or cur.offset() != self.address:
                raise cur.fail("version or heap address")
            if cur.uint(self.offset_size) != block_start:
                raise cur.fail("block offset disagrees with its place in the heap")
            verify(block, what)
            self._blocks[key] = None
        pos = header + index * o
        value = int.from_bytes(block[pos : pos + o], "little")
        return None if value == (1 << (8 * o)) - 1 or value == 0 else value

    def _from_direct(self, address: int, size: int, block_start: int, offset: int, length: int) -> bytes:
        ctx = self.ctx
        what = f"{self.what}: direct block at {address}"
        header = 5 + ctx.o + self.offset_size + (4 if self.checksummed else 0)
        rel = offset - block_start
        if rel < header or rel + length > size:
            raise HDF5Error(f"{what}: object of {length} bytes at {rel} outside the block of {size}")
        if address not in self._blocks:
            ctx.budget.spend()
            cur = Cursor(ctx.read(address, header), what, ctx.o, ctx.l)
            cur.signature(b"FHDB")
            if cur.u8() != 0 or cur.offset() != self.address:
                raise cur.fail("version or heap address")
            if cur.uint(self.offset_size) != block_start:
                raise cur.fail("block offset disagrees with its place in the heap")
            if self.checksummed:
                block = bytearray(ctx.read(address, size))
                stored = int.from_bytes(block[header - 4 : header], "little")
                block[header - 4 : header] = b"\0\0\0\0"  # the checksum covers the block with itself zeroed
                if lookup3(bytes(block)) != stored:
                    raise HDF5Error(f"{what}: checksum mismatch")
            self._blocks[address] = None
        return ctx.read(address + rel, length)

    def _huge(self, heap_id: bytes) -> bytes:
        ctx = self.ctx
        o, l = ctx.o, ctx.l  # noqa: E741
        if self.id_len - 1 >= o + l:  # the ID holds the address and length itself
            cur = Cursor(heap_id, self.what, o, l, 1)
            address, length = cur.offset(), cur.length()
        else:
            if self.huge_btree is None:
                raise HDF5Error(f"{self.what}: huge object without its B-tree")
            key = int.from_bytes(heap_id[1 : 1 + min(self.id_len - 1, 8)], "little")
            for record in v2_records(ctx, self.huge_btree, 1):
                cur = Cursor(record, self.what, o, l)
                address, length, rid = cur.offset(), cur.length(), cur.length()
                if rid == key:
                    break
            else:
                raise HDF5Error(f"{self.what}: huge object {key} not in its B-tree")
        if address is None:
            raise HDF5Error(f"{self.what}: huge object without an address")
        ctx.budget.attr_bytes(length, self.what)
        return ctx.read(address, length)
