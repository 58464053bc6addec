"""CRC-32C (Castagnoli), the checksum of every index block and tensor in a bundle, in pure Python.

A byte-at-a-time table loop runs at a few MB/s in CPython. Long inputs go through big integers
instead, where the work runs in C: the CRC register is linear over GF(2), so for a block of fixed
length L each of its 32 bits is the parity of the message bits under a fixed mask,
``((message & mask_j).bit_count() & 1)``, and consecutive blocks combine as
``register = advance_L(register) ^ block_crc``, ``advance_L`` being the 32x32 bit matrix that runs
the register over L zero bytes. Masks and matrices are built once per power-of-two length by
doubling (the first half of a 2L block is an L block advanced by L bytes), never bit by bit.
"""

from __future__ import annotations

import functools

_POLY = 0x82F63B78  # the Castagnoli polynomial, bit-reversed (the CRC runs least significant bit first)
_MASK_DELTA = 0xA282EAD8  # TensorFlow and LevelDB store CRCs "masked" (crc32c.h: Mask/Unmask)
_U32 = 0xFFFFFFFF
# Inputs shorter than this go through the table: building and using masks costs more there.
_TABLE_BELOW = 256
# The block length of the big-integer path: its 32 masks (32 x 4 KiB) stay in the CPU cache; longer
# blocks measured no faster (about 45 MB/s on an idle core from 4 KiB to 64 KiB, against 11 MB/s for
# the table; tools/bench_crc32c.py measures both).
_BLOCK_LOG2 = 12


def _byte_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (_POLY if crc & 1 else 0)
        table.append(crc)
    return tuple(table)


_TABLE = _byte_table()


def _by_table(register: int, data: bytes | memoryview) -> int:
    table = _TABLE
    for byte in data:
        register = table[(register ^ byte) & 0xFF] ^ (register >> 8)
    return register


def _apply(matrix: tuple[int, ...], register: int) -> int:
    """The 32x32 GF(2) matrix (one column per input bit) times ``register``."""
    out = 0
    bit = 0
    while register:
        if register & 1:
            out ^= matrix[bit]
        register >>= 1
        bit += 1
    return out


@functools.lru_cache(maxsize=None)
def _level(log2: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """For blocks of ``2**log2`` bytes: the 32 parity masks and the matrix advancing over that many zero bytes.

    Message bits are numbered as in ``int.from_bytes(block, "little")``, which is also the order the
    CRC consumes them in.
    """
    if log2 == 0:
        masks = [0] * 32
        for bit in range(8):  # a single message bit at position ``bit`` of one byte
            register = 1 << bit
            for _ in range(8):
                register = (register >> 1) ^ (_POLY if register & 1 else 0)
            for j in range(32):
                if register >> j & 1:
                    masks[j] |= 1 << bit
        advance = tuple(_by_table(1 << i, b"\0") for i in range(32))
        return tuple(masks), advance
    half_masks, half_advance = _level(log2 - 1)
    half_bits = 8 << (log2 - 1)
    masks = []
    for j in range(32):
        # Bit j after the whole block, from the first half: bit j of advance(first-half register).
        first = 0
        for i in range(32):
            if half_advance[i] >> j & 1:
                first ^= half_masks[i]
        masks.append(half_masks[j] << half_bits | first)
    advance = tuple(_apply(half_advance, column) for column in half_advance)
    return tuple(masks), advance


def _by_blocks(register: int, data: bytes | memoryview, log2: int) -> int:
    masks, advance = _level(log2)
    size = 1 << log2
    for start in range(0, len(data), size):
        block = int.from_bytes(data[start : start + size], "little")
        value = 0
        for j in range(32):
            value |= ((block & masks[j]).bit_count() & 1) << j
        register = _apply(advance, register) ^ value
    return register


def extend(crc: int, data: bytes | bytearray | memoryview) -> int:
    """The CRC-32C of what ``crc`` covered followed by ``data`` (``extend(0, data)`` is the CRC of ``data``)."""
    view = memoryview(data).cast("B")
    register = crc ^ _U32
    size = len(view)
    done = 0
    log2 = _BLOCK_LOG2
    while size - done >= _TABLE_BELOW:
        while 1 << log2 > size - done:
            log2 -= 1
        whole = (size - done) >> log2 << log2
        register = _by_blocks(register, view[done : done + whole], log2)
        done += whole
    return _by_table(register, view[done:]) ^ _U32


def value(data: bytes | bytearray | memoryview) -> int:
    return extend(0, data)


def mask(crc: int) -> int:
    """The stored form: rotated and offset, so that a CRC of data holding CRCs is not degenerate."""
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & _U32


def unmask(masked: int) -> int:
    rotated = (masked - _MASK_DELTA) & _U32
    return ((rotated >> 17) | (rotated << 15)) & _U32
