"""The values of a bundle's index: ``BundleHeaderProto`` (key "") and one ``BundleEntryProto`` per tensor.

Field numbers (``tensorflow/core/protobuf/tensor_bundle.proto``, ``framework/tensor_shape.proto``,
``tensor_slice.proto``, ``versions.proto``)::

    BundleHeaderProto  num_shards=1 int32, endianness=2 enum (LITTLE=0, BIG=1), version=3 VersionDef
    VersionDef         producer=1 int32
    BundleEntryProto   dtype=1 enum, shape=2 TensorShapeProto, shard_id=3 int32, offset=4 int64,
                       size=5 int64, crc32c=6 fixed32 (masked), slices=7 repeated TensorSliceProto
    TensorShapeProto   dim=2 repeated Dim {size=1 int64, name=2}, unknown_rank=3 bool
    TensorSliceProto   extent=1 repeated Extent {start=1 int64, length=2 int64 (presence matters)}

Decoded as the protobuf library decodes them, so that h5lint and TensorFlow read the same values:
a varint is cut to the field's width (int32 keeps the low 32 bits), a record of the wrong wire type
is an unknown field and skipped, a repeated singular scalar keeps its last value, and a singular
message seen twice is the merge of both. Then the rules ``BundleReader`` applies before it trusts an
entry (``TensorShape::IsValid``: known rank, at most 254 dimensions, none negative, an element count
that fits int64), plus the ones a reader of untrusted files needs: a shard id below the header's
shard count, no negative offset or size.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Iterator

from ..pbwire import (
    FIXED32,
    LENGTH_DELIMITED,
    VARINT,
    Record,
    WireDamage,
    read_varint,
    records,
)
from .dtypes import dtype_name
from .errors import BundleError, quote_key
from .slicekeys import decode_slice_key

_MAX_DIMS = 254
_MAX_ELEMENTS = 2**63 - 1
_ENDIANNESS = {0: "little", 1: "big"}


@dataclass(frozen=True)
class BundleHeader:
    num_shards: int
    endianness: str  # "little" or "big": the byte order of the tensor data, not of the index
    version: int | None  # VersionDef.producer, None when the header has no version


@dataclass(frozen=True)
class BundleEntry:
    key: str  # the stored key as UTF-8; undecodable bytes (slice keys) appear as \\xNN escapes
    dtype: str  # DataType name, "DT_FLOAT"; DT_UNKNOWN_<n> for a number this TF does not know
    dtype_code: int
    shape: tuple[int, ...]
    shard_id: int
    offset: int
    size: int
    crc32c: int | None  # masked, as stored; None when the field is absent
    slices: tuple[str, ...] = ()  # a partitioned tensor's parts ("0,3:-"); its own location fields mean nothing
    slice_of: str | None = None  # for one part of a partitioned tensor: the full tensor's key ...
    slice_spec: str | None = None  # ... and which part, as TensorSlice text

    @property
    def sliced(self) -> bool:
        """A partitioned tensor: its data is in the entries of its slices, not at shard_id/offset/size."""
        return bool(self.slices)

    @property
    def elements(self) -> int:
        return prod(self.shape)

    @property
    def label(self) -> str:
        """The key as messages show it."""
        return entry_label(self.key, None if self.slice_of is None else (self.slice_of, self.slice_spec or ""))


def entry_label(key: str, slice_key: tuple[str, str] | None) -> str:
    return quote_key(key) if slice_key is None else f"{quote_key(slice_key[0])} (slice {slice_key[1]})"


def _records(data: bytes, what: str) -> Iterator[Record]:
    try:
        yield from records(data)
    except WireDamage as damage:
        raise BundleError(f"{what}: the protobuf is damaged ({damage})") from None


def _signed(data: bytes, record: Record, bits: int) -> int:
    raw = read_varint(data, record.start)[0] & ((1 << bits) - 1)
    return raw - (1 << bits) if raw >> (bits - 1) else raw


def _fields(data: bytes, what: str) -> tuple[dict[tuple[int, int], Record], dict[int, list[bytes]]]:
    """The last scalar record per (field, wire type), and every length-delimited payload per field."""
    scalars: dict[tuple[int, int], Record] = {}
    payloads: dict[int, list[bytes]] = {}
    for record in _records(data, what):
        if record.wire_type == LENGTH_DELIMITED:
            payloads.setdefault(record.field, []).append(data[record.start : record.end])
        else:
            scalars[record.field, record.wire_type] = record
    return scalars, payloads


def _int(data: bytes, scalars: dict[tuple[int, int], Record], field: int, bits: int) -> int:
    record = scalars.get((field, VARINT))
    return 0 if record is None else _signed(data, record, bits)


def _message(payloads: dict[int, list[bytes]], field: int) -> bytes | None:
    parts = payloads.get(field)
    return None if parts is None else b"".join(parts)  # parsing concatenated messages merges them


def decode_header(value: bytes, where: str, max_shards: int) -> BundleHeader:
    what = f"{where}: the bundle header"
    scalars, payloads = _fields(value, what)
    num_shards = _int(value, scalars, 1, 32)
    endianness = _int(value, scalars, 2, 32)
    if endianness not in _ENDIANNESS:
        raise BundleError(f"{what} names endianness {endianness} (0 little and 1 big exist)")
    if not 1 <= num_shards <= max_shards:
        raise BundleError(f"{what} claims {num_shards:,} data shards (h5lint accepts 1 to {max_shards:,})")
    version = None
    version_bytes = _message(payloads, 3)
    if version_bytes is not None:
        version_scalars, _ = _fields(version_bytes, f"{what} version")
        version = _int(version_bytes, version_scalars, 1, 32)
    return BundleHeader(num_shards=num_shards, endianness=_ENDIANNESS[endianness], version=version)


def _shape(data: bytes, what: str) -> tuple[int, ...]:
    scalars, payloads = _fields(data, f"{what} shape")
    if _int(data, scalars, 3, 64):
        raise BundleError(f"{what} has a shape of unknown rank")
    dims = payloads.get(2, [])
    if len(dims) > _MAX_DIMS:
        raise BundleError(f"{what} has {len(dims):,} dimensions (TensorFlow allows {_MAX_DIMS})")
    shape = []
    for dim in dims:
        dim_scalars, _ = _fields(dim, f"{what} shape")
        size = _int(dim, dim_scalars, 1, 64)
        if size < 0:
            raise BundleError(f"{what} has a dimension of size {size}")
        shape.append(size)
    if prod(shape) > _MAX_ELEMENTS:
        raise BundleError(f"{what} has shape {tuple(shape)}, more than 2**63 - 1 elements")
    return tuple(shape)


def _slice_text(data: bytes, what: str) -> str:
    _, payloads = _fields(data, f"{what} slice")
    extents = []
    for extent in payloads.get(1, []):
        scalars, _ = _fields(extent, f"{what} slice")
        start = _int(extent, scalars, 1, 64)
        length = _int(extent, scalars, 2, 64) if (2, VARINT) in scalars else -1
        extents.append("-" if length == -1 else f"{start},{length}")
    return ":".join(extents)


def decode_entry(raw_key: bytes, value: bytes, where: str, num_shards: int) -> BundleEntry:
    key = raw_key.decode("utf-8", "backslashreplace")
    slice_key = decode_slice_key(raw_key)
    what = f"{where}: entry {entry_label(key, slice_key)}"
    scalars, payloads = _fields(value, what)
    dtype_code = _int(value, scalars, 1, 32)
    shape_bytes = _message(payloads, 2)
    shape = _shape(shape_bytes, what) if shape_bytes is not None else ()
    slices = tuple(_slice_text(part, what) for part in payloads.get(7, []))
    shard_id = _int(value, scalars, 3, 32)
    offset = _int(value, scalars, 4, 64)
    size = _int(value, scalars, 5, 64)
    crc_record = scalars.get((6, FIXED32))
    crc = None if crc_record is None else int.from_bytes(value[crc_record.start : crc_record.end], "little")
    if not slices:  # a partitioned tensor's own location fields are ignored by TensorFlow
        if not 0 <= shard_id < num_shards:
            raise BundleError(f"{what} is in data shard {shard_id}, but the header counts {num_shards:,} shards")
        if offset < 0 or size < 0:
            raise BundleError(f"{what} has offset {offset:,} and size {size:,}")
    return BundleEntry(
        key=key,
        dtype=dtype_name(dtype_code),
        dtype_code=dtype_code,
        shape=shape,
        shard_id=shard_id,
        offset=offset,
        size=size,
        crc32c=crc,
        slices=slices,
        slice_of=None if slice_key is None else slice_key[0],
        slice_spec=None if slice_key is None else slice_key[1],
    )
