"""Hand-built tensor-bundle pieces for the hostile-input tests: tables, protobufs, Snappy streams.

Independent of h5lint.tensorbundle on purpose (its own bitwise CRC-32C, its own encoders), so that a
bug in the reader cannot hide in the files the tests feed it.
"""

from __future__ import annotations

import struct

MAGIC = 0xDB4775248B80FB57


def crc32c_bitwise(data: bytes, crc: int = 0) -> int:
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def mask(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def unmask(masked: int) -> int:
    rotated = (masked - 0xA282EAD8) & 0xFFFFFFFF
    return ((rotated >> 17) | (rotated << 15)) & 0xFFFFFFFF


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int32/int64 are 10-byte two's complement varints
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


# ---- protobuf ----


def field_varint(field: int, value: int) -> bytes:
    return varint(field << 3) + varint(value)


def field_bytes(field: int, payload: bytes) -> bytes:
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def field_fixed32(field: int, value: int) -> bytes:
    return varint(field << 3 | 5) + struct.pack("<I", value)


def header_proto(num_shards: int = 1, endianness: int = 0, producer: int = 1) -> bytes:
    out = field_varint(1, num_shards) if num_shards else b""
    out += field_varint(2, endianness) if endianness else b""
    return out + field_bytes(3, field_varint(1, producer))


def shape_proto(dims: tuple[int, ...], unknown_rank: bool = False) -> bytes:
    out = b"".join(field_bytes(2, field_varint(1, d) if d else b"") for d in dims)
    return out + (field_varint(3, 1) if unknown_rank else b"")


def entry_proto(
    dtype: int = 1,
    dims: tuple[int, ...] = (),
    shard_id: int = 0,
    offset: int = 0,
    size: int = 0,
    crc: int | None = None,
) -> bytes:
    out = field_varint(1, dtype) + field_bytes(2, shape_proto(dims))
    out += field_varint(3, shard_id) if shard_id else b""
    out += field_varint(4, offset) if offset else b""
    out += field_varint(5, size) if size else b""
    return out + (field_fixed32(6, crc) if crc is not None else b"")


# ---- table ----


def block(entries: list[tuple[bytes, bytes]], restart_interval: int = 16) -> bytes:
    out, restarts, last = bytearray(), [], b""
    for i, (key, value) in enumerate(entries):
        shared = 0
        if i % restart_interval:
            while shared < min(len(key), len(last)) and key[shared] == last[shared]:
                shared += 1
        else:
            restarts.append(len(out))
        out += varint(shared) + varint(len(key) - shared) + varint(len(value)) + key[shared:] + value
        last = key
    restarts = restarts or [0]
    return bytes(out) + b"".join(struct.pack("<I", r) for r in restarts) + struct.pack("<I", len(restarts))


def trailer(contents: bytes, kind: int = 0) -> bytes:
    return bytes([kind]) + struct.pack("<I", mask(crc32c_bitwise(contents + bytes([kind]))))


def handle(offset: int, size: int) -> bytes:
    return varint(offset) + varint(size)


def footer(meta: bytes, index: bytes) -> bytes:
    return (meta + index).ljust(40, b"\0") + struct.pack("<Q", MAGIC)


def table(data_blocks: list[tuple[bytes, bytes]], compress=None) -> bytes:
    """A table of (block contents, last key of the block); ``compress`` (bytes -> bytes) makes Snappy blocks."""
    out = bytearray()
    separators = []

    def put(contents: bytes) -> bytes:
        body, kind = (compress(contents), 1) if compress else (contents, 0)
        where = handle(len(out), len(body))
        out.extend(body + trailer(body, kind))
        return where

    for contents, last_key in data_blocks:
        separators.append((last_key, put(contents)))
    meta = put(block([]))
    index = put(block(separators, restart_interval=1))
    return bytes(out + footer(meta, index))


def bundle_index(entries: list[tuple[bytes, bytes]], per_block: int = 1000, compress=None) -> bytes:
    """An index of ``entries`` (sorted by key; include the header under b"")."""
    groups = [entries[i : i + per_block] for i in range(0, len(entries), per_block)]
    return table([(block(group), group[-1][0]) for group in groups], compress=compress)


# ---- Snappy ----


def snappy_literal(data: bytes) -> bytes:
    """``data`` as one Snappy literal element."""
    size = len(data) - 1
    if size < 60:
        return bytes([size << 2]) + data
    width = (size.bit_length() + 7) // 8
    return bytes([(59 + width) << 2]) + size.to_bytes(width, "little") + data


def snappy_literals(data: bytes) -> bytes:
    """A valid Snappy stream of ``data`` made of literals only."""
    return varint(len(data)) + b"".join(snappy_literal(data[i : i + 100]) for i in range(0, len(data), 100))


def snappy_copy2(offset: int, length: int) -> bytes:
    return bytes([((length - 1) << 2) | 2]) + struct.pack("<H", offset)


def snappy_copy1(offset: int, length: int) -> bytes:
    return bytes([((offset >> 8) << 5) | ((length - 4) << 2) | 1, offset & 0xFF])


def snappy_copy4(offset: int, length: int) -> bytes:
    return bytes([((length - 1) << 2) | 3]) + struct.pack("<I", offset)
