"""Snappy block decompression (the raw format, no framing), for index blocks of compression type 1.

TensorFlow 1.0 and 1.1 compressed every index block with Snappy; later writers store them plain but
every reader still accepts both. The format is Google's ``format_description.txt``: a varint
uncompressed length, then literals and back-references (copies). Every length and offset is checked
before it is used, so damaged input ends in :class:`BundleError`, and the output never grows past the
length the preamble announced, which the caller bounds.
"""

from __future__ import annotations

from .errors import BundleError

_MAX_PREAMBLE_BYTES = 5  # the uncompressed length is at most 2**32 - 1


def _preamble(data: bytes, where: str) -> tuple[int, int]:
    length = shift = 0
    for pos in range(min(_MAX_PREAMBLE_BYTES, len(data))):
        length |= (data[pos] & 0x7F) << shift
        shift += 7
        if data[pos] < 0x80:
            if length > 0xFFFFFFFF:
                break
            return length, pos + 1
    raise BundleError(f"{where}: the Snappy length preamble is damaged")


def decompress(data: bytes, max_length: int, where: str) -> bytes:
    """The uncompressed bytes of ``data``; ``where`` names the block in messages."""
    length, pos = _preamble(data, where)
    if length > max_length:
        raise BundleError(f"{where}: Snappy data claims {length:,} uncompressed bytes, over the {max_length:,} allowed")
    out = bytearray()
    end = len(data)
    while pos < end:
        tag_at = pos
        tag = data[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:
            size = tag >> 2
            if size >= 60:
                extra = size - 59
                if pos + extra > end:
                    raise BundleError(f"{where}: Snappy literal at byte {tag_at:,} is cut off")
                size = int.from_bytes(data[pos : pos + extra], "little")
                pos += extra
            size += 1
            if pos + size > end:
                raise BundleError(f"{where}: Snappy literal at byte {tag_at:,} runs {size:,} bytes past the end")
            if len(out) + size > length:
                raise BundleError(
                    f"{where}: Snappy literal at byte {tag_at:,} overflows the announced {length:,} bytes"
                )
            out += data[pos : pos + size]
            pos += size
            continue
        if kind == 1:
            if pos + 1 > end:
                raise BundleError(f"{where}: Snappy copy at byte {tag_at:,} is cut off")
            size = 4 + ((tag >> 2) & 7)
            offset = (tag >> 5) << 8 | data[pos]
            pos += 1
        else:
            width = 2 if kind == 2 else 4
            if pos + width > end:
                raise BundleError(f"{where}: Snappy copy at byte {tag_at:,} is cut off")
            size = 1 + (tag >> 2)
            offset = int.from_bytes(data[pos : pos + width], "little")
            pos += width
        if offset == 0 or offset > len(out):
            raise BundleError(
                f"{where}: Snappy copy at byte {tag_at:,} reaches {offset:,} bytes back, "
                f"but only {len(out):,} bytes precede it"
            )
        if len(out) + size > length:
            raise BundleError(f"{where}: Snappy copy at byte {tag_at:,} overflows the announced {length:,} bytes")
        start = len(out) - offset
        if offset >= size:
            out += out[start : start + size]
        else:  # the copy overlaps its own output: a repeating pattern
            pattern = bytes(out[start:])
            out += (pattern * (size // offset + 1))[:size]
    if len(out) != length:
        raise BundleError(f"{where}: Snappy data ends after {len(out):,} of the announced {length:,} bytes")
    return bytes(out)
