"""The sorted key/value table of a bundle's ``.index`` file (TensorFlow's copy of the LevelDB table).

Layout (LevelDB ``doc/table_format.md``; TensorFlow ``core/lib/io/format.cc``)::

    [data block]...[meta-index block][index block][footer: 48 bytes]

The footer holds the block handles (varint offset, varint size) of the meta-index and index blocks,
zero padding to 40 bytes and the magic number. The index block maps a separator key (>= every key
of its block, < every key of the next) to each data block's handle. Every block is followed by a
compression byte (0 none, 1 Snappy) and the masked CRC-32C of the block and that byte. A block is a
run of prefix-compressed entries (varints: shared key bytes, new key bytes, value bytes; then the
new key bytes and the value), an array of little-endian uint32 restart offsets where an entry
shares nothing with the one before, and their count.

TensorFlow reads the index block and the data blocks and ignores the meta-index block (it keeps no
filter), but all three are checked here. The rules enforced are those a hostile file could break to
make this reader and TensorFlow disagree or to make either do unbounded work: blocks inside the
file, before the footer and disjoint from each other; data blocks in file order (an index that names
one block twice, or loops back, is refused); entries within their block; restart offsets on entry
boundaries; keys strictly increasing across the whole table; separators between their blocks'
keys; and every byte decoded (decompressed blocks, materialised keys and values) counted against
one budget, since prefix compression lets 4 bytes on disk stand for a key as long as the block.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from ..pbwire import WireDamage, read_varint
from . import crc32c, snappy
from .errors import BundleError, quote_key

FOOTER_SIZE = 48
_HANDLES_SIZE = 40  # two block handles of at most 20 bytes each, zero padded
MAGIC = 0xDB4775248B80FB57
_TRAILER_SIZE = 5  # compression type byte + masked CRC-32C
_NO_COMPRESSION, _SNAPPY = 0, 1


class _Budget:
    """Bytes decoded and entries read so far, against the caller's limits."""

    def __init__(self, name: str, max_bytes: int, max_entries: int) -> None:
        self.name = name
        self.bytes_left = max_bytes
        self.max_bytes = max_bytes
        self.entries_left = max_entries
        self.max_entries = max_entries

    def spend(self, size: int, where: str) -> None:
        self.bytes_left -= size
        if self.bytes_left < 0:
            raise BundleError(f"{self.name}: {where} takes the decoded index past {self.max_bytes:,} bytes")

    def count_entry(self, where: str) -> None:
        self.entries_left -= 1
        if self.entries_left < 0:
            raise BundleError(f"{self.name}: {where} takes the index past {self.max_entries:,} entries")


class _Block(NamedTuple):
    what: str  # "data block 3", for messages
    offset: int
    size: int  # without the trailer

    @property
    def end(self) -> int:
        return self.offset + self.size + _TRAILER_SIZE

    def describe(self) -> str:
        return f"{self.what} at offset {self.offset:,}"


def _handle(data: bytes, pos: int, stop: int, name: str, what: str) -> tuple[int, int, int]:
    try:
        offset, pos = read_varint(data, pos, stop)
        size, pos = read_varint(data, pos, stop)
    except WireDamage as damage:
        raise BundleError(f"{name}: the block handle of the {what} is damaged ({damage})") from None
    return offset, size, pos


def _placed(block: _Block, body_end: int, name: str) -> _Block:
    if block.end > body_end:
        raise BundleError(
            f"{name}: the {block.what} claims bytes {block.offset:,}-{block.end:,} (with its 5-byte trailer), "
            f"past the start of the footer at {body_end:,}"
        )
    return block


def _block_contents(data: bytes, block: _Block, budget: _Budget) -> bytes:
    name = budget.name
    trailer = block.offset + block.size
    kind = data[trailer]
    stored = crc32c.unmask(int.from_bytes(data[trailer + 1 : trailer + 5], "little"))
    actual = crc32c.value(memoryview(data)[block.offset : trailer + 1])
    if stored != actual:
        raise BundleError(
            f"{name}: checksum mismatch in the {block.describe()} ({block.size:,} bytes): "
            f"stored CRC-32C 0x{stored:08x}, computed 0x{actual:08x}"
        )
    raw = data[block.offset : trailer]
    if kind == _NO_COMPRESSION:
        return raw
    if kind == _SNAPPY:
        contents = snappy.decompress(raw, max(budget.bytes_left, 0), f"{name}: {block.describe()}")
        budget.spend(len(contents), f"decompressing the {block.describe()}")
        return contents
    raise BundleError(f"{name}: the {block.describe()} has compression type {kind} (0 none and 1 Snappy exist)")


def _entries(contents: bytes, block: _Block, budget: _Budget) -> list[tuple[bytes, bytes]]:
    name, where = budget.name, block.describe()
    size = len(contents)
    if size < 4:
        raise BundleError(f"{name}: the {where} is {size} bytes, too short for its restart count")
    restart_count = int.from_bytes(contents[-4:], "little")
    if restart_count > (size - 4) // 4:
        raise BundleError(
            f"{name}: the {where} claims {restart_count:,} restart points, more than its {size:,} bytes hold"
        )
    limit = size - 4 - 4 * restart_count
    restarts = struct.unpack_from(f"<{restart_count}I", contents, limit)
    entries: list[tuple[bytes, bytes]] = []
    fresh_starts = set()  # offsets of entries that share no key bytes with the previous one
    key = b""
    pos = 0
    while pos < limit:
        start = pos
        try:
            shared, pos = read_varint(contents, pos, limit)
            unshared, pos = read_varint(contents, pos, limit)
            value_size, pos = read_varint(contents, pos, limit)
        except WireDamage as damage:
            raise BundleError(f"{name}: entry at byte {start:,} of the {where} is damaged ({damage})") from None
        if shared > len(key):
            raise BundleError(
                f"{name}: entry at byte {start:,} of the {where} shares {shared:,} bytes "
                f"with a previous key of {len(key):,} bytes"
            )
        if unshared + value_size > limit - pos:
            raise BundleError(
                f"{name}: entry at byte {start:,} of the {where} claims {unshared + value_size:,} bytes "
                f"of key and value, but only {limit - pos:,} remain before the restart array"
            )
        budget.count_entry(f"the entry at byte {start:,} of the {where}")
        budget.spend(shared + unshared + value_size, f"the entry at byte {start:,} of the {where}")
        key = key[:shared] + contents[pos : pos + unshared]
        pos += unshared
        entries.append((key, contents[pos : pos + value_size]))
        pos += value_size
        if shared == 0:
            fresh_starts.add(start)
    if entries and not restarts:
        raise BundleError(f"{name}: the {where} has entries but no restart point (TensorFlow would read none of them)")
    if not entries:
        fresh_starts.add(0)  # an empty block (the usual meta-index block) keeps one restart point, at 0
    previous = -1
    for number, offset in enumerate(restarts):
        if offset <= previous or offset not in fresh_starts or (number == 0 and offset != 0):
            raise BundleError(
                f"{name}: restart point {number} of the {where} (byte {offset:,}) is not the start of an "
                f"entry that shares no key bytes, in order"
            )
        previous = offset
    return entries


def _overlap(block: _Block, others: list[_Block]) -> _Block | None:
    for other in others:
        if block.offset < other.end and other.offset < block.end:
            return other
    return None


def read_table(data: bytes, name: str, *, max_bytes: int, max_entries: int) -> list[tuple[bytes, bytes]]:
    """Every (key, value) of the table in ``data``, in key order; ``name`` is the file for messages."""
    size = len(data)
    if size < FOOTER_SIZE:
        raise BundleError(f"{name}: {size:,} bytes is shorter than the {FOOTER_SIZE}-byte table footer")
    body_end = size - FOOTER_SIZE
    magic = int.from_bytes(data[-8:], "little")
    if magic != MAGIC:
        raise BundleError(
            f"{name}: the last 8 bytes are 0x{magic:016x}, not the table magic number 0x{MAGIC:016x} "
            f"(not a TensorFlow checkpoint index, or cut short)"
        )
    meta_offset, meta_size, pos = _handle(data, body_end, body_end + _HANDLES_SIZE, name, "meta-index block")
    index_offset, index_size, _ = _handle(data, pos, body_end + _HANDLES_SIZE, name, "index block")
    budget = _Budget(name, max_bytes, max_entries)
    meta = _placed(_Block("meta-index block", meta_offset, meta_size), body_end, name)
    index = _placed(_Block("index block", index_offset, index_size), body_end, name)
    if _overlap(meta, [index]):
        raise BundleError(f"{name}: the {meta.describe()} and the {index.describe()} overlap")
    _entries(_block_contents(data, meta, budget), meta, budget)
    separators = _entries(_block_contents(data, index, budget), index, budget)

    table: list[tuple[bytes, bytes]] = []
    previous_end = 0
    previous_separator: bytes | None = None
    for number, (separator, handle) in enumerate(separators):
        offset, block_size, used = _handle(handle, 0, len(handle), name, f"data block {number}")
        if used != len(handle):
            raise BundleError(
                f"{name}: index entry {number} has {len(handle) - used} stray bytes after its block handle"
            )
        block = _placed(_Block(f"data block {number}", offset, block_size), body_end, name)
        if offset < previous_end:
            raise BundleError(
                f"{name}: the {block.describe()} starts before the end of data block {number - 1} "
                f"(byte {previous_end:,}): the index names blocks out of order or twice"
            )
        clash = _overlap(block, [meta, index])
        if clash:
            raise BundleError(f"{name}: the {block.describe()} overlaps the {clash.describe()}")
        previous_end = block.end
        entries = _entries(_block_contents(data, block, budget), block, budget)
        for key, value in entries:
            if table and key <= table[-1][0]:
                raise BundleError(
                    f"{name}: key {quote_key(key)} in the {block.describe()} does not sort after the key before it "
                    f"({quote_key(table[-1][0])}): keys must be unique and in order"
                )
            table.append((key, value))
        if entries and (
            entries[-1][0] > separator or (previous_separator is not None and entries[0][0] <= previous_separator)
        ):
            raise BundleError(
                f"{name}: index entry {number} (separator {quote_key(separator)}) does not separate the keys of the "
                f"{block.describe()} from its neighbours: TensorFlow's lookups would miss keys"
            )
        previous_separator = separator
    return table
