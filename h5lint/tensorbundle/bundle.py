"""Reading a bundle's ``.index`` into a :class:`Bundle`.

The index is read whole (it holds metadata only: a 100,000-variable model has an index of a few MB)
within ``max_bytes``. The object graph is the one tensor read from a data shard here, within
``max_object_graph_bytes``: when it cannot be had (shard missing, checksum wrong, damaged proto)
the bundle is still returned, with ``object_graph`` None and ``object_graph_problem`` saying why,
since the entries themselves are intact; :func:`~.shards.shard_problems` reports what is wrong
with the shards.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from . import crc32c, files
from .dtypes import DT_STRING
from .entries import BundleEntry, BundleHeader, decode_entry, decode_header
from .errors import BundleError
from .objectgraph import OBJECT_GRAPH_KEY, ObjectGraph, decode_object_graph
from .sstable import read_table
from .strings import parse_string_tensor

INDEX_SUFFIX = ".index"
MAX_INDEX_BYTES = 256 << 20
MAX_ENTRIES = 1_000_000
# Far above real checkpoints (one shard per device or task, or per MaxShardSizePolicy chunk), far
# below what a damaged header can claim; only shards entries name are ever opened.
MAX_SHARDS = 100_000
MAX_OBJECT_GRAPH_BYTES = 64 << 20


@dataclass(frozen=True)
class Bundle:
    prefix: str  # the index path without ".index"; shards are "<prefix>.data-00000-of-00001"
    header: BundleHeader
    entries: tuple[BundleEntry, ...]  # in stored key order, without the header entry
    object_graph: ObjectGraph | None  # from _CHECKPOINTABLE_OBJECT_GRAPH, when present and readable
    object_graph_problem: str | None = None  # why object_graph is None although the key is there

    @property
    def index_path(self) -> str:
        return self.prefix + INDEX_SUFFIX

    def shard_path(self, shard_id: int) -> str:
        return shard_path(self.prefix, shard_id, self.header.num_shards)


def shard_path(prefix: str, shard_id: int, num_shards: int) -> str:
    """TensorFlow's ``DataFilename``: ``<prefix>.data-<shard:05d>-of-<num_shards:05d>``."""
    return f"{prefix}.data-{shard_id:05d}-of-{num_shards:05d}"


def read_index(
    index_path: str | os.PathLike[str],
    *,
    max_bytes: int = MAX_INDEX_BYTES,
    max_entries: int = MAX_ENTRIES,
    max_shards: int = MAX_SHARDS,
    max_object_graph_bytes: int = MAX_OBJECT_GRAPH_BYTES,
) -> Bundle:
    """The bundle whose index is ``index_path``; raises :class:`BundleError` naming what is wrong and where."""
    path = os.fspath(index_path)
    if not path.endswith(INDEX_SUFFIX):
        raise BundleError(f"{path}: a bundle index is named <prefix>{INDEX_SUFFIX}")
    with files.open_inside(path) as handle:
        size = files.file_size(handle)
        if size > max_bytes:
            raise BundleError(f"{path}: {size:,} bytes, over the {max_bytes:,} bytes h5lint reads of an index")
        data = files.read_exactly(handle, 0, size, path)
    table = read_table(data, path, max_bytes=max_bytes, max_entries=max_entries)
    if not table or table[0][0] != b"":
        raise BundleError(f"{path}: no bundle header (the entry with the empty key comes first in every bundle)")
    header = decode_header(table[0][1], path, max_shards)
    entries = tuple(decode_entry(key, value, path, header.num_shards) for key, value in table[1:])
    prefix = path[: -len(INDEX_SUFFIX)]
    graph, problem = _object_graph(prefix, header, entries, max_object_graph_bytes)
    return Bundle(prefix=prefix, header=header, entries=entries, object_graph=graph, object_graph_problem=problem)


def _object_graph(
    prefix: str, header: BundleHeader, entries: tuple[BundleEntry, ...], max_bytes: int
) -> tuple[ObjectGraph | None, str | None]:
    entry = next((e for e in entries if e.key == OBJECT_GRAPH_KEY), None)
    if entry is None:
        return None, None
    if entry.dtype_code != DT_STRING or entry.shape != () or entry.sliced:
        return None, f"{OBJECT_GRAPH_KEY} is {entry.dtype} of shape {entry.shape}, not a string scalar"
    if entry.size > max_bytes:
        return None, f"{OBJECT_GRAPH_KEY} is {entry.size:,} bytes, over the {max_bytes:,} bytes h5lint reads"
    path = shard_path(prefix, entry.shard_id, header.num_shards)
    try:
        with files.open_inside(path) as handle:
            if entry.offset + entry.size > files.file_size(handle):
                return None, f"{OBJECT_GRAPH_KEY}: {os.path.basename(path)} ends before its bytes do"
            data = files.read_exactly(handle, entry.offset, entry.size, path)
        where = f"{path}: {OBJECT_GRAPH_KEY}"
        strings = parse_string_tensor(data, 1, header.endianness, where)
        if entry.crc32c is None or crc32c.unmask(entry.crc32c) != strings.crc32c:
            stored = "none" if entry.crc32c is None else f"0x{crc32c.unmask(entry.crc32c):08x}"
            raise BundleError(f"{where}: checksum mismatch (stored {stored}, computed 0x{strings.crc32c:08x})")
        return decode_object_graph(data[strings.data_start :], where), None
    except BundleError as exc:
        return None, str(exc)
