"""Datatype messages (classes 0-11) and the decoding of stored values into plain Python values.

Values come out as h5py gives them, less numpy: integers and floats as ``int``/``float``, strings as
``str`` (UTF-8, whatever the declared character set; ``bytes`` only when the bytes are not UTF-8),
h5py's boolean enum as ``bool``, other enums as their integer, compounds as ``dict`` (h5py's complex
compound as ``complex``), opaque data as ``bytes``, variable-length sequences and array members as
lists, references as :class:`Reference`.

Fixed-length strings: a null-terminated string ends at its first NUL, a null-padded one loses its
trailing NULs and a space-padded one its trailing spaces (h5py keeps those spaces and gives bytes).
"""

from __future__ import annotations

import math
import struct
from collections import namedtuple
from collections.abc import Callable

from .errors import HDF5Error, Unsupported
from .reader import Cursor, bytes_needed

FIXED, FLOAT, TIME, STRING, BITFIELD, OPAQUE, COMPOUND, REFERENCE, ENUM, VLEN, ARRAY, COMPLEX = range(12)
# Nesting of compound/array/vlen/enum types; real files use two or three levels.
MAX_DEPTH = 32
# Members of one compound or enum type.
MAX_MEMBERS = 1 << 16

_PADDING = {0: "nullterm", 1: "nullpad", 2: "spacepad"}
_CHARSET = {0: "ascii", 1: "utf-8"}
_INT_CODES = {1: "b", 2: "h", 4: "i", 8: "q"}
_FLOAT_CODES = {2: "e", 4: "f", 8: "d"}
# IEEE 754 half, single and double: (exponent bits, mantissa bits) by size.
_IEEE = {2: (5, 10), 4: (8, 23), 8: (11, 52)}


class Reference(namedtuple("Reference", "kind address raw")):
    """A stored reference: ``kind`` 'object' (``address`` of an object header) or 'region'/'other' (raw).

    kind: str
    address: int | None
    raw: bytes
    """
    __slots__ = ()


class DType(namedtuple("DType", "kind size byteorder charset padding base members dims tag float_layout precision bit_offset", defaults=("|", None, None, None, (), (), "", None, 0, 0))):
    """A decoded datatype message.

    kind: int, uint, float, string, vlen-string, vlen, enum, bool, compound, complex, array,
    reference, opaque, bitfield or time. ``base`` is the element type of enum, vlen, array and
    complex types; ``members`` holds (name, offset, DType) of a compound or (name, value) of an enum.

    kind: str
    size: int
    byteorder: str
    charset: str | None
    padding: str | None
    base: DType | None
    members: tuple
    dims: tuple[int, ...]
    tag: str
    float_layout: tuple[int, int, int, int, int, int] | None -- sign, exp pos, exp size, man pos, man size, bias
    precision: int
    bit_offset: int
    """
    __slots__ = ()

    @property
    def numpy_str(self) -> str | None:
        """What ``dtype.str`` of the numpy type h5py maps this type to would be (None where h5py has none)."""
        k = self.kind
        order = "|" if self.size == 1 else self.byteorder
        if k in ("int", "uint", "bitfield"):
            code = "i" if k == "int" else "u"
            return f"{order}{code}{self.size}"
        if k == "enum":
            return self.base.numpy_str if self.base is not None else None
        if k == "bool":
            return "|b1"
        if k == "float":
            return f"{order}f{self.size}"
        if k == "complex":
            return f"{self.byteorder}c{self.size}"
        if k == "string":
            return f"|S{self.size}"
        if k in ("vlen-string", "vlen", "reference"):
            return "|O"
        if k in ("compound", "opaque", "array"):
            return f"|V{self.size}"
        return None

    @property
    def vlen(self) -> bool:
        return self.kind in ("vlen", "vlen-string")


def parse_dtype(cur: Cursor, depth: int = 0) -> DType:
    """Decode a datatype message at the cursor (advances past it, members included)."""
    if depth > MAX_DEPTH:
        raise cur.fail("datatype nested too deep")
    head = cur.u8()
    cls, version = head & 0x0F, head >> 4
    bits = cur.u8() | cur.u8() << 8 | cur.u8() << 16
    size = cur.u32()
    if version == 0 or version > 5:
        raise cur.fail(f"datatype version {version}")
    order = ">" if bits & 1 else "<"
    if cls == FIXED:
        offset, precision = cur.u16(), cur.u16()
        _check_bits(cur, size, offset, precision)
        return DType("int" if bits & 0x08 else "uint", size, order, precision=precision, bit_offset=offset)
    if cls == FLOAT:
        return _parse_float(cur, bits, size, order)
    if cls == TIME:
        cur.u16()
        return DType("time", size, order)
    if cls == STRING:
        pad, cset = bits & 0x0F, (bits >> 4) & 0x0F
        return DType("string", size, "|", _charset(cur, cset), _PADDING.get(pad, "nullterm"))
    if cls == BITFIELD:
        offset, precision = cur.u16(), cur.u16()
        _check_bits(cur, size, offset, precision)
        return DType("bitfield", size, order, precision=precision, bit_offset=offset)
    if cls == OPAQUE:
        tag = cur.take(bits & 0xFF).split(b"\0", 1)[0].decode("utf-8", "replace")
        return DType("opaque", size, tag=tag)
    if cls == COMPOUND:
        return _parse_compound(cur, bits & 0xFFFF, size, version, depth)
    if cls == REFERENCE:
        kind = bits & 0x0F
        if version >= 4:
            raise Unsupported("HDF5 1.12 reference datatype (version 4)")
        return DType("reference", size, tag="object" if kind == 0 else "region")
    if cls == ENUM:
        return _parse_enum(cur, bits & 0xFFFF, size, version, depth)
    if cls == VLEN:
        base = parse_dtype(cur, depth + 1)
        if bits & 0x0F == 1:
            return DType("vlen-string", size, "|", _charset(cur, (bits >> 8) & 0x0F), _PADDING.get((bits >> 4) & 0x0F), base)
        return DType("vlen", size, base=base)
    if cls == ARRAY:
        ndims = cur.u8()
        if version < 3:
            cur.skip(3)
        dims = tuple(cur.u32() for _ in range(ndims))
        if version < 3:
            cur.skip(4 * ndims)  # permutation, never used
        base = parse_dtype(cur, depth + 1)
        if base.size * math.prod(dims) != size:
            raise cur.fail("array datatype size disagrees with its dimensions")
        return DType("array", size, base=base, dims=dims)
    if cls == COMPLEX:
        base = parse_dtype(cur, depth + 1)
        if base.kind != "float" or base.size * 2 != size:
            raise cur.fail("complex datatype whose parts are not floats of half its size")
        return DType("complex", size, base.byteorder, base=base)
    raise cur.fail(f"datatype class {cls}")


def _charset(cur: Cursor, code: int) -> str:
    if code not in _CHARSET:
        raise cur.fail(f"string character set {code}")
    return _CHARSET[code]


def _check_bits(cur: Cursor, size: int, offset: int, precision: int) -> None:
    if size == 0 or offset + precision > 8 * size or precision == 0:
        raise cur.fail(f"number of {size} bytes with bit offset {offset} and precision {precision}")


def _parse_float(cur: Cursor, bits: int, size: int, order: str) -> DType:
    if bits & 0x40:
        raise Unsupported("VAX byte order floating point")
    offset, precision = cur.u16(), cur.u16()
    epos, esize, mpos, msize = cur.u8(), cur.u8(), cur.u8(), cur.u8()
    bias = cur.u32()
    sign = (bits >> 8) & 0xFF
    _check_bits(cur, size, offset, precision)
    if esize == 0 or msize == 0 or max(epos + esize, mpos + msize, sign + 1) > 8 * size or esize > 64:
        raise cur.fail("floating point fields outside the number")
    return DType("float", size, order, float_layout=(sign, epos, esize, mpos, msize, bias), precision=precision, bit_offset=offset)


def _member_name(cur: Cursor, version: int, origin: int) -> str:
    raw = cur.cstring()
    if version < 3:
        cur.align(8, origin)
    return raw.decode("utf-8", "replace")


def _parse_compound(cur: Cursor, count: int, size: int, version: int, depth: int) -> DType:
    if count == 0 or count > MAX_MEMBERS:
        raise cur.fail(f"compound with {count} members")
    members = []
    offset_size = bytes_needed(size)
    for _ in range(count):
        name = _member_name(cur, version, cur.pos)
        if version >= 3:
            offset = cur.uint(offset_size)
        else:
            offset = cur.u32()
        if version == 1:
            ndims = cur.u8()
            cur.skip(3 + 4 + 4)
            dims = tuple(cur.u32() for _ in range(4))[:ndims]
            mtype = parse_dtype(cur, depth + 1)
            if ndims:
                if ndims > 4:
                    raise cur.fail("compound member with more than 4 dimensions")
                mtype = DType("array", mtype.size * math.prod(dims), base=mtype, dims=dims)
        else:
            mtype = parse_dtype(cur, depth + 1)
        if offset + mtype.size > size:
            raise cur.fail(f"compound member {name!r} outside the compound")
        members.append((name, offset, mtype))
    if _is_complex(members, size):
        return DType("complex", size, members[0][2].byteorder, base=members[0][2], members=tuple(members))
    return DType("compound", size, members=tuple(members))


def _is_complex(members: list, size: int) -> bool:
    """h5py writes numpy complex numbers as a compound of two floats named r and i."""
    if len(members) != 2:
        return False
    (n1, o1, t1), (n2, o2, t2) = members
    return (n1, n2) == ("r", "i") and t1 == t2 and t1.kind == "float" and (o1, o2) == (0, t1.size) and size == 2 * t1.size


def _parse_enum(cur: Cursor, count: int, size: int, version: int, depth: int) -> DType:
    if count > MAX_MEMBERS:
        raise cur.fail(f"enum with {count} members")
    base = parse_dtype(cur, depth + 1)
    if base.kind not in ("int", "uint") or base.size != size:
        raise cur.fail("enum whose base is not an integer of its size")
    names = [_member_name(cur, version, cur.pos) for _ in range(count)]
    raw = cur.take(count * size)
    values = [int.from_bytes(raw[i * size : (i + 1) * size], "little" if base.byteorder == "<" else "big", signed=base.kind == "int") for i in range(count)]
    members = tuple(zip(names, values))
    # h5py stores numpy bool as this exact enum and gives it back as bool.
    if size == 1 and members == (("FALSE", 0), ("TRUE", 1)):
        return DType("bool", 1, base=base, members=members)
    return DType("enum", size, base.byteorder, base=base, members=members)


HeapReader = Callable[[int, int], bytes]


class ValueDecoder:
    """Turns stored elements into Python values; ``heap`` fetches a global heap object (vlen data)."""

    def __init__(self, heap: HeapReader, sizeof_offsets: int, budget: Callable[[int], None]) -> None:
        self.heap = heap
        self.o = sizeof_offsets
        self.spend = budget

    def decode(self, dtype: DType, data: bytes, count: int, start: int = 0) -> list:
        """``count`` consecutive elements of ``dtype`` at ``start`` in ``data``."""
        size = dtype.size
        if start + count * size > len(data):
            raise HDF5Error(f"{count} values of {size} bytes need more than the {len(data) - start} bytes stored")
        kind = dtype.kind
        if kind in ("int", "uint", "enum", "bitfield", "bool") and count:
            values = self._integers(dtype.base if kind in ("enum", "bool") else dtype, data, count, start)
            return [bool(v) for v in values] if kind == "bool" else values
        if kind == "float" and count:
            return self._floats(dtype, data, count, start)
        if kind == "string":
            return [_text(_unpad(data[start + i * size : start + (i + 1) * size], dtype.padding)) for i in range(count)]
        if kind in ("vlen", "vlen-string"):
            return [self._vlen(dtype, data, start + i * size) for i in range(count)]
        if kind == "complex":
            # Both encodings (class 11, h5py's r/i compound) keep the parts adjacent, real first.
            parts = self.decode(dtype.base, data, 2 * count, start)
            return [complex(parts[2 * i], parts[2 * i + 1]) for i in range(count)]
        if kind == "compound":
            return [{name: self.decode(mt, data, 1, start + i * size + off)[0] for name, off, mt in dtype.members} for i in range(count)]
        if kind == "array":
            n = math.prod(dtype.dims)
            return [_nest(self.decode(dtype.base, data, n, start + i * size), dtype.dims) for i in range(count)]
        if kind == "opaque":
            return [bytes(data[start + i * size : start + (i + 1) * size]) for i in range(count)]
        if kind == "reference":
            return [self._reference(dtype, data[start + i * size : start + (i + 1) * size]) for i in range(count)]
        if kind == "time":
            return self._integers(DType("uint", size, dtype.byteorder, precision=8 * size), data, count, start)
        return []

    def _integers(self, dtype: DType, data: bytes, count: int, start: int) -> list:
        size, signed = dtype.size, dtype.kind == "int"
        code = _INT_CODES.get(size)
        if code and dtype.bit_offset == 0 and dtype.precision == 8 * size:
            return list(struct.unpack_from(f"{dtype.byteorder}{count}{code if signed else code.upper()}", data, start))
        order = "little" if dtype.byteorder == "<" else "big"
        mask, shift, prec = (1 << dtype.precision) - 1, dtype.bit_offset, dtype.precision
        out = []
        for i in range(count):
            v = (int.from_bytes(data[start + i * size : start + (i + 1) * size], order) >> shift) & mask
            if signed and v >> (prec - 1):
                v -= 1 << prec
            out.append(v)
        return out

    def _floats(self, dtype: DType, data: bytes, count: int, start: int) -> list:
        size = dtype.size
        sign, epos, esize, mpos, msize, bias = dtype.float_layout
        if _IEEE.get(size) == (esize, msize) and (sign, epos, mpos) == (8 * size - 1, msize, 0) and bias == (1 << (esize - 1)) - 1:
            return list(struct.unpack_from(f"{dtype.byteorder}{count}{_FLOAT_CODES[size]}", data, start))
        order = "little" if dtype.byteorder == "<" else "big"
        out = []
        for i in range(count):
            bits = int.from_bytes(data[start + i * size : start + (i + 1) * size], order)
            out.append(_custom_float(bits, sign, epos, esize, mpos, msize, bias))
        return out

    def _vlen(self, dtype: DType, data: bytes, at: int) -> object:
        o = self.o
        length = int.from_bytes(data[at : at + 4], "little")
        address = int.from_bytes(data[at + 4 : at + 4 + o], "little")
        index = int.from_bytes(data[at + 4 + o : at + 8 + o], "little")
        base = dtype.base
        if length == 0:
            return "" if dtype.kind == "vlen-string" else []
        if address == 0 or address == (1 << (8 * o)) - 1:
            raise HDF5Error("variable-length value with no global heap collection")
        need = length * base.size
        self.spend(need)
        obj = self.heap(address, index)
        if len(obj) < need:
            raise HDF5Error(f"variable-length value of {need} bytes in a heap object of {len(obj)}")
        if dtype.kind == "vlen-string":
            return _text(_unpad(obj[:need], dtype.padding))
        return self.decode(base, obj, length)

    def _reference(self, dtype: DType, raw: bytes) -> Reference:
        if dtype.tag == "object":
            address = int.from_bytes(raw[: self.o], "little")
            return Reference("object", None if address == (1 << (8 * self.o)) - 1 else address, bytes(raw))
        return Reference(dtype.tag, None, bytes(raw))


def _custom_float(bits: int, sign: int, epos: int, esize: int, mpos: int, msize: int, bias: int) -> float:
    """A float of any bit layout (bfloat16, 24-bit ...) with IEEE-style implied leading bit."""
    negative = (bits >> sign) & 1
    exponent = (bits >> epos) & ((1 << esize) - 1)
    mantissa = (bits >> mpos) & ((1 << msize) - 1)
    if exponent == (1 << esize) - 1:
        value = math.nan if mantissa else math.inf
    elif exponent == 0:
        value = math.ldexp(mantissa, 1 - bias - msize)
    else:
        value = math.ldexp(mantissa + (1 << msize), exponent - bias - msize)
    return -value if negative else value


def _unpad(raw: bytes, padding: str | None) -> bytes:
    if padding == "nullterm":
        nul = raw.find(b"\0")
        return raw if nul < 0 else raw[:nul]
    if padding == "spacepad":
        return raw.rstrip(b" ").rstrip(b"\0")
    return raw.rstrip(b"\0")


def _text(raw: bytes) -> str | bytes:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return bytes(raw)


def _nest(flat: list, dims: tuple[int, ...]) -> list:
    if len(dims) <= 1:
        return flat
    step = len(flat) // dims[0] if dims[0] else 0
    return [_nest(flat[i * step : (i + 1) * step], dims[1:]) for i in range(dims[0])]
