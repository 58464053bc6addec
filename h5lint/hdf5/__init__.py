"""h5lint's own HDF5 metadata reader: pure Python (struct, zlib-free), no h5py, no numpy.

Written from the HDF5 File Format Specification 3.0 to read what a linter needs from a saved
model (groups, links, attributes, dataset shapes, types, layouts and storage) without libhdf5,
whose C code hostile files can drive into endless loops or huge allocations.

    with open_hdf5("model.h5") as f:
        f.root.attrs["model_config"]            # str
        f.get("/model_weights").links()         # [Link(name, kind, target, address), ...]
        f.get("/model_weights/dense/dense/kernel:0").shape

Supported
    superblock versions 0-3 at 0, 512, 1024 ... (user block); offsets and lengths of 2, 4 or 8
    bytes; object headers v1 and v2 with continuation blocks and checksums; old-style groups
    (v1 B-tree, symbol table nodes, local heap), compact links (link messages) and dense links
    (fractal heap + v2 B-tree name index); hard, soft (resolved inside the file, at most 16 hops)
    and external links (listed, never followed); attribute messages v1-3, dense attributes and
    attributes whose datatype is committed; datatypes of classes 0-11 (custom floats, strings of
    both padding and character sets, enums incl. h5py's bool, compounds incl. h5py's complex,
    arrays, variable-length strings and sequences from the global heap, references, opaque,
    bitfield, time); dataspaces v1/v2 (scalar, simple, null); data layouts v1-v5: compact,
    contiguous, chunked with a v1 B-tree, single-chunk, implicit, fixed-array, extensible-array
    or v2 B-tree index, virtual; filter pipelines v1/v2; fill
    values; external data files (names listed, never opened); messages shared through the
    shared object header message (SOHM) heap or a committed datatype; the source file and dataset
    names of virtual datasets (listed, never opened).

Unsupported (raises :class:`Unsupported`, an HDF5Error: fall back to h5py)
    filtered fractal heaps, file driver info blocks (multi/family files), VAX floats,
    HDF5 1.12 references (datatype version 4), user-defined link types, reading the data of
    chunked, filtered, virtual or externally stored datasets.

Attribute values
    scalars as int/float/bool/complex/str, strings as ``str`` (``bytes`` if not UTF-8; see
    :mod:`.datatypes` for the padding rule), non-scalar values as :class:`Array` (a list of the
    elements in C order with ``shape`` and ``dtype``), null dataspaces as :class:`Empty`.

Budgets and hostile files
    every offset, length and count is checked before use; nothing but :class:`HDF5Error` (and its
    subclasses :class:`Unsupported`, :class:`Truncated`, :class:`BudgetExceeded`) escapes. Loops
    (continuation chains, B-tree nodes, symbol table nodes, soft links, hard-link cycles, global
    heap free space) are refused or cut. ``max_objects`` caps object headers read and, times 64,
    all other structures walked (messages, nodes, links, heap objects); ``max_attr_bytes`` caps one
    attribute's decoded size (elements count at least 8 bytes each) and its variable-length data;
    one metadata read is at most 64 MiB. A truncated file (end-of-file address past its size) and a
    version-3 superblock marked open for writing are refused as libhdf5 refuses them, unless
    ``strict=False``.
"""

from __future__ import annotations

from .datatypes import DType, Reference
from .errors import BudgetExceeded, HDF5Error, Truncated, Unsupported
from .objects import Array, AttributeInfo, Attributes, Dataset, Datatype, Empty, File, Group, Link, open_hdf5

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
