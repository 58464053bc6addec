"""The layout of a DT_STRING tensor in a data shard, and the checksum TensorFlow keeps of it.

``WriteStringTensor`` (``tensor_bundle.cc``) writes one varint length per element, the masked
CRC-32C of those lengths, then the bytes of every element back to back. The lengths are summed
into that checksum as 4-byte integers (8-byte for one over 2**32 - 1), in the writer's byte order,
not as their varint bytes; the entry's own ``crc32c`` continues the same CRC over the 4 stored
checksum bytes and all the string bytes.
"""

from __future__ import annotations

from typing import NamedTuple

from ..pbwire import WireDamage, read_varint
from . import crc32c
from .errors import BundleError

_UINT32_MAX = 0xFFFFFFFF


class StringTensor(NamedTuple):
    lengths: tuple[int, ...]
    data_start: int  # offset of the first element's bytes in the tensor's bytes
    crc32c: int  # the unmasked CRC TensorFlow compares with the entry's


def parse_string_tensor(data: bytes, elements: int, byteorder: str, where: str) -> StringTensor:
    """Check the layout of the ``elements`` strings in ``data`` (the tensor's bytes) and compute its CRC."""
    pos = 0
    lengths = []
    length_bytes = bytearray()
    for number in range(elements):
        try:
            length, pos = read_varint(data, pos)
        except WireDamage:
            raise BundleError(f"{where}: the length of string {number} is cut off or damaged") from None
        lengths.append(length)
        length_bytes += length.to_bytes(4 if length <= _UINT32_MAX else 8, byteorder)
    if len(data) < pos + 4:
        raise BundleError(f"{where}: the checksum of the string lengths is cut off")
    register = crc32c.value(length_bytes)
    stored = int.from_bytes(data[pos : pos + 4], byteorder)
    if crc32c.unmask(stored) != register:
        raise BundleError(
            f"{where}: checksum mismatch in the string lengths (stored 0x{crc32c.unmask(stored):08x}, "
            f"computed 0x{register:08x})"
        )
    data_start = pos + 4
    total = sum(lengths)
    if total != len(data) - data_start:
        raise BundleError(
            f"{where}: the string lengths add up to {total:,} bytes, but the tensor holds "
            f"{len(data) - data_start:,} after them"
        )
    register = crc32c.extend(register, memoryview(data)[pos:])
    return StringTensor(tuple(lengths), data_start, register)
