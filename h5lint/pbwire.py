"""Protobuf framing read by hand, for files the protobuf library refuses.

The library only says "Error parsing message"; users need to know where a file breaks and why.
These helpers walk the top-level records of a buffer with every length checked against what is
left (a damaged length can claim megabytes in a 27 KB file), name the first break, keep the
records before it, and undo the two ways text tools damage binary files in the wild: git's CRLF
conversion and re-encoding as text (cp1252 bytes read back as UTF-8), formats.md pitfall 14.
"""

from __future__ import annotations

import functools
from typing import Any, Iterator, NamedTuple

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5
_FIXED_SIZES = {FIXED64: 8, FIXED32: 4}
MAX_VARINT_BYTES = 10
# The protobuf library's default nesting limit: deeper messages fail to parse.
MAX_NESTING = 100
# Records looked at while searching for damage, so a huge file is not walked for minutes.
MAX_RECORDS_WALKED = 5_000_000
TYPE_STRING = 9  # FieldDescriptor.TYPE_STRING
LABEL_REPEATED = 3  # FieldDescriptor.LABEL_REPEATED


class WireDamage(ValueError):
    """The framing breaks; the message says where and how."""


class Record(NamedTuple):
    field: int
    wire_type: int
    start: int  # offset of the payload
    end: int


def read_varint(data: bytes, pos: int, stop: int | None = None) -> tuple[int, int]:
    """The varint at ``pos`` and the offset after it; raises :class:`WireDamage` if it is cut off at ``stop``."""
    stop = len(data) if stop is None else stop
    value = shift = 0
    for i in range(pos, min(pos + MAX_VARINT_BYTES, stop)):
        value |= (data[i] & 0x7F) << shift
        shift += 7
        if data[i] < 0x80:
            return value, i + 1
    if pos + MAX_VARINT_BYTES <= stop:
        raise WireDamage(f"at offset {pos:,} a varint is longer than {MAX_VARINT_BYTES} bytes")
    raise WireDamage(f"at offset {pos:,} a varint runs past the end of its message (offset {stop:,})")


def records(data: bytes, start: int = 0, stop: int | None = None) -> Iterator[Record]:
    """The records of the message in ``data[start:stop]`` (offsets are into ``data``); raises
    :class:`WireDamage` at the first broken one."""
    pos = start
    stop = len(data) if stop is None else stop
    while pos < stop:
        key_at = pos
        key, pos = read_varint(data, pos, stop)
        field, wire_type = key >> 3, key & 7
        if field == 0:
            raise WireDamage(f"at offset {key_at:,} a record has field number 0")
        if wire_type == VARINT:
            _, end = read_varint(data, pos, stop)
            yield Record(field, wire_type, pos, end)
        elif wire_type in _FIXED_SIZES or wire_type == LENGTH_DELIMITED:
            size = _FIXED_SIZES.get(wire_type)
            if size is None:
                size, pos = read_varint(data, pos, stop)
            end = pos + size
            if end > stop:
                raise WireDamage(
                    f"at offset {key_at:,} field {field} declares {size:,} bytes but only {stop - pos:,} remain"
                )
            yield Record(field, wire_type, pos, end)
        else:
            message = f"at offset {key_at:,} field {field} has wire type {wire_type}, which these files never use"
            raise WireDamage(message)
        pos = end


def _is_repeated(field: Any) -> bool:
    # protobuf 6 replaced FieldDescriptor.label with is_repeated.
    flag = getattr(field, "is_repeated", None)
    return bool(flag) if flag is not None else field.label == LABEL_REPEATED


def _first_damage(data: bytes, start: int, stop: int, descriptor: Any, path: str, walked: list[int]) -> str | None:
    """Follow the schema into nested messages; the first break, invalid UTF-8 string or too deep nesting."""
    if path.count(".") >= MAX_NESTING:
        return f"at offset {start:,} messages nest deeper than {MAX_NESTING} levels (in {path})"
    seen: dict[int, int] = {}
    try:
        for record in records(data, start, stop):
            walked[0] += 1
            field = descriptor.fields_by_number.get(record.field) if descriptor is not None else None
            if walked[0] > MAX_RECORDS_WALKED or field is None or record.wire_type != LENGTH_DELIMITED:
                continue
            index = seen[record.field] = seen.get(record.field, -1) + 1
            where = f"{path}.{field.name}" + (f"[{index}]" if _is_repeated(field) else "")
            if field.message_type is not None:
                found = _first_damage(data, record.start, record.end, field.message_type, where, walked)
                if found:
                    return found
            elif field.type == TYPE_STRING:
                try:
                    data[record.start : record.end].decode("utf-8")
                except UnicodeDecodeError as exc:
                    return f"at offset {record.start + exc.start:,} text field {where.lstrip('.')} is not UTF-8"
    except WireDamage as damage:
        return f"in {path.lstrip('.')}, {damage}" if path else str(damage)
    return None


def describe_damage(data: bytes, descriptor: Any = None) -> str:
    """Where ``data`` breaks, for a message the library refused; ``descriptor`` (of the message
    ``data`` should hold) lets the search go into nested messages and name the field path."""
    found = _first_damage(data, 0, len(data), descriptor, "", [0])
    return found or "h5lint cannot tell where: the framing it checked is intact"


def leading_records(data: bytes, field: int) -> tuple[list[bytes], str | None]:
    """Payloads of the length-delimited ``field`` records before the first break, and the break."""
    payloads = []
    try:
        for record in records(data):
            if record.field == field and record.wire_type == LENGTH_DELIMITED:
                payloads.append(data[record.start : record.end])
    except WireDamage as damage:
        return payloads, str(damage)
    return payloads, None


@functools.lru_cache(maxsize=1)
def _cp1252_bytes() -> dict[str, int]:
    """Character -> byte for cp1252; its five unassigned bytes map to U+0081 ... as Windows does."""
    table = {}
    for byte in range(256):
        try:
            char = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            char = chr(byte)
        table[char] = byte
    return table


def undo_text_damage(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """``data`` with CRLF conversion and cp1252->UTF-8 re-encoding undone, and what was undone.

    Both are recognisable: after git's conversion every LF byte is preceded by CR, and a binary
    protobuf with varint lengths >= 128 is almost never valid UTF-8 unless a text tool rewrote it.
    """
    undone = []
    if b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n"):
        data = data.replace(b"\r\n", b"\n")
        undone.append("its line endings were converted to CRLF (git text conversion of a binary file)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data, tuple(undone)
    if not text.isascii():
        table = _cp1252_bytes()
        if all(char in table for char in text):
            data = bytes(table[char] for char in text)
            undone.append("it was re-encoded as text (cp1252 bytes written back as UTF-8)")
    return data, tuple(undone)
