"""Bob Jenkins' lookup3 ``hashlittle``, the checksum of every version-2 metadata block.

The HDF5 library seeds it with 0 and stores the 32-bit result little-endian after the bytes it
covers (superblock v2/v3, object header chunks, B-tree v2 nodes, fractal heap blocks...).
"""

from __future__ import annotations

import struct

from .errors import HDF5Error

_MASK = 0xFFFFFFFF


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _MASK


def lookup3(data: bytes, initval: int = 0) -> int:
    length = len(data)
    a = b = c = (0xDEADBEEF + length + initval) & _MASK
    if length == 0:
        return c
    # The tail is zero-padded to whole words; a final block of exactly 12 bytes is the tail.
    blocks = (length - 1) // 12
    padded = bytes(data) + b"\0" * ((blocks + 1) * 12 - length)
    words = struct.unpack(f"<{(blocks + 1) * 3}I", padded)
    i = 0
    for _ in range(blocks):
        a = (a + words[i]) & _MASK
        b = (b + words[i + 1]) & _MASK
        c = (c + words[i + 2]) & _MASK
        i += 3
        a = (a - c) & _MASK; a ^= _rot(c, 4); c = (c + b) & _MASK  # noqa: E702
        b = (b - a) & _MASK; b ^= _rot(a, 6); a = (a + c) & _MASK  # noqa: E702
        c = (c - b) & _MASK; c ^= _rot(b, 8); b = (b + a) & _MASK  # noqa: E702
        a = (a - c) & _MASK; a ^= _rot(c, 16); c = (c + b) & _MASK  # noqa: E702
        b = (b - a) & _MASK; b ^= _rot(a, 19); a = (a + c) & _MASK  # noqa: E702
        c = (c - b) & _MASK; c ^= _rot(b, 4); b = (b + a) & _MASK  # noqa: E702
    a = (a + words[i]) & _MASK
    b = (b + words[i + 1]) & _MASK
    c = (c + words[i + 2]) & _MASK
    c ^= b; c = (c - _rot(b, 14)) & _MASK  # noqa: E702
    a ^= c; a = (a - _rot(c, 11)) & _MASK  # noqa: E702
    b ^= a; b = (b - _rot(a, 25)) & _MASK  # noqa: E702
    c ^= b; c = (c - _rot(b, 16)) & _MASK  # noqa: E702
    a ^= c; a = (a - _rot(c, 4)) & _MASK  # noqa: E702
    b ^= a; b = (b - _rot(a, 14)) & _MASK  # noqa: E702
    c ^= b; c = (c - _rot(b, 24)) & _MASK  # noqa: E702
    return c


def verify(block: bytes, what: str) -> None:
    """Raise if the last 4 bytes of ``block`` are not the lookup3 checksum of the rest."""
    if len(block) < 4:
        raise HDF5Error(f"{what}: too short for its checksum")
    stored = int.from_bytes(block[-4:], "little")
    if lookup3(block[:-4]) != stored:
        raise HDF5Error(f"{what}: checksum mismatch")
