"""Keys of the parts of a partitioned variable, which are binary, not names.

``checkpoint::EncodeTensorNameSlice`` (``tensorflow/core/util/saved_tensor_slice_util.cc``) writes
them with ``OrderedCode`` (``tensorflow/core/lib/strings/ordered_code.cc``): the number 0, the
full tensor's name, the rank, then a signed start and length per dimension. The numbers and the
string are encoded so that byte order is value order:

* unsigned: a length byte, then that many big-endian bytes (0 is the single byte ``00``);
* string: bytes as they are, except ``00`` -> ``00 ff`` and ``ff`` -> ``ff 00``, ended by ``00 01``;
* signed: the top bit is the sign (1 for >= 0); the run of following bits equal to it counts the
  bytes after the first (at most 9, spilling into the second byte), one bit of the opposite value
  ends the run, and the remaining 7 x length - 1 bits are the value (two's complement if negative).

The slice is shown as TensorFlow's ``TensorSlice`` text: ``start,length`` per dimension, ``-`` for a
whole dimension, joined by ``:``.
"""

from __future__ import annotations

_MAX_DIMS = 254  # TensorShape::MaxDimensions()


class _Malformed(Exception):
    pass


def _unsigned(raw: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(raw) or raw[pos] > 8 or pos + 1 + raw[pos] > len(raw):
        raise _Malformed
    size = raw[pos]
    return int.from_bytes(raw[pos + 1 : pos + 1 + size], "big"), pos + 1 + size


def _string(raw: bytes, pos: int) -> tuple[bytes, int]:
    out = bytearray()
    while pos + 1 < len(raw):
        byte = raw[pos]
        if byte not in (0x00, 0xFF):
            out.append(byte)
            pos += 1
            continue
        pair = raw[pos : pos + 2]
        pos += 2
        if pair == b"\x00\x01":
            return bytes(out), pos
        if pair == b"\x00\xff":
            out.append(0x00)
        elif pair == b"\xff\x00":
            out.append(0xFF)
        else:
            raise _Malformed
    raise _Malformed


def _leading_ones(byte: int) -> int:
    count = 0
    while count < 8 and byte & (0x80 >> count):
        count += 1
    return count


def _signed(raw: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(raw):
        raise _Malformed
    flip = 0 if raw[pos] & 0x80 else 0xFF  # read a negative number's header bits as a positive one's
    length = _leading_ones(raw[pos] ^ flip)
    if length == 8 and pos + 1 < len(raw):
        length += _leading_ones(raw[pos + 1] ^ flip)
    if length > 10 or pos + length > len(raw):
        raise _Malformed
    payload_bits = 7 * length - 1
    value = int.from_bytes(raw[pos : pos + length], "big") & ((1 << payload_bits) - 1)
    if flip:
        value -= 1 << payload_bits
    return value, pos + length


def decode_slice_key(raw: bytes) -> tuple[str, str] | None:
    """(full tensor name, slice text) of a slice key, or None if ``raw`` is not one."""
    try:
        marker, pos = _unsigned(raw, 0)
        if marker != 0:
            return None
        name, pos = _string(raw, pos)
        dims, pos = _unsigned(raw, pos)
        if dims > _MAX_DIMS:
            return None
        extents = []
        for _ in range(dims):
            start, pos = _signed(raw, pos)
            length, pos = _signed(raw, pos)
            extents.append("-" if length == -1 else f"{start},{length}")
    except _Malformed:
        return None
    if pos != len(raw):
        return None
    return name.decode("utf-8", "backslashreplace"), ":".join(extents)
