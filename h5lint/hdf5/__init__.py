"""h5lint's own HDF5 metadata reader: pure Python (standard library only), no h5py, no numpy.

Written from the HDF5 File Format Specification to read what a linter needs from a saved model
(groups, links, attributes, dataset shapes, types, layouts and storage) without libhdf5, whose C
code hostile files can drive into endless loops or huge allocations. h5py stays the oracle the
tests compare with, and the fallback for what this reader calls :class:`Unsupported`.

    with open_hdf5("model.h5") as f:              # a path, or any seekable binary file object
        f.root.attrs["model_config"]               # str
        f.get("/model_weights").links()            # [Link(name, kind, target, address, ...), ...]
        f.get("/model_weights/dense/dense/kernel:0").shape

A path is memory-mapped; a file object is read in 64 KiB pages, only where metadata is, so a
remote (fsspec) file costs a few range requests, never the whole file.

Supported
    Superblocks 0-3 at 0, 512, 1024 ... (user block), offsets and lengths of 2, 4 or 8 bytes.
    Object headers v1 and v2 (times, attribute phase change, creation order), continuation
    blocks, checksums. Groups: old-style (v1 B-tree, symbol table nodes, local heap), compact
    (link messages) and dense (fractal heap + v2 B-tree name index); iteration in h5py's order
    (creation order where tracked, else by name). Hard links; soft links resolved inside the file
    (16 hops at most); external links listed, never followed. Attributes: messages v1-3, dense
    storage, datatypes and dataspaces shared through a committed datatype or the shared object
    header message (SOHM) heap. Datatypes of classes 0-11: integers and floats of any layout
    (half, bfloat16-style), strings (padding, ASCII/UTF-8), variable-length strings and sequences
    (global heap), enums (h5py's bool), compounds (h5py's complex), arrays, references, opaque,
    bitfield, time, complex (HDF5 2.0). Dataspaces v1/v2 (scalar, simple, null). Data layouts
    v1-v5: compact, contiguous, chunked with a v1 B-tree, single-chunk, implicit, fixed-array,
    extensible-array or v2 B-tree index (chunk count and stored bytes), virtual (source file and
    dataset names listed, never opened). Filter pipelines v1/v2, fill values old and new, external
    data files (names listed, never opened).

Unsupported (raises :class:`Unsupported`, an HDF5Error: fall back to h5py)
    Filtered fractal heaps and filtered huge heap objects, file driver info blocks (multi/family
    files), VAX floats, HDF5 1.12 references (datatype version 4), user-defined link types,
    unknown selection encodings in a virtual dataset's mapping, reading the data of chunked,
    filtered, virtual or externally stored datasets.

Attribute values
    Scalars as int/float/bool/complex/str, strings as ``str`` (``bytes`` when not UTF-8; see
    :mod:`.datatypes` for the padding rule), compounds as dict, non-scalar values as
    :class:`Array` (a list of the elements in C order with ``shape`` and ``dtype``), null
    dataspaces as :class:`Empty`.

Budgets and hostile files
    Every offset, length and count is checked before use; nothing but :class:`HDF5Error` (and
    its subclasses :class:`Unsupported`, :class:`Truncated`, :class:`BudgetExceeded`) escapes.
    Loops (continuation chains, B-tree and symbol table nodes, soft links, hard-link cycles,
    global heap free space that never moves on) are refused or cut. ``max_objects`` caps the
    object headers read and, times 64, every other structure walked (messages, nodes, links,
    heap objects, chunk index entries); ``max_attr_bytes`` caps one attribute's decoded size
    (each element counted at least 8 bytes) and its variable-length data; one metadata read is at
    most 64 MiB; ``Dataset.read_raw(max_bytes)`` has its own limit. With ``strict`` (the default)
    a truncated file (end-of-file address past its size) and a version-3 superblock marked open
    for writing are refused, as libhdf5 refuses them; ``strict=False`` reads them anyway
    (``File.truncated``, ``File.open_for_write`` tell).
"""

from __future__ import annotations

from .datatypes import DType, Reference
from .errors import BudgetExceeded, HDF5Error, Truncated, Unsupported
from .objects import (
    Array,
    AttributeInfo,
    Attributes,
    Dataset,
    Datatype,
    Empty,
    File,
    Group,
    Link,
    open_hdf5,
)

__all__ = [
    "Array",
    "AttributeInfo",
    "Attributes",
    "BudgetExceeded",
    "DType",
    "Dataset",
    "Datatype",
    "Empty",
    "File",
    "Group",
    "HDF5Error",
    "Link",
    "Reference",
    "Truncated",
    "Unsupported",
    "open_hdf5",
]
