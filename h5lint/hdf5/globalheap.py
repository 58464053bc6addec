"""Global heap collections ("GCOL"): where variable-length strings and sequences keep their bytes.

A collection is a run of objects, each an 8-byte-aligned header (index, reference count, size)
and data. The HDF5 library moves on by the size each object declares, and a free-space object
(index 0) that declares too few bytes sends it round forever; here every step must move forward
by at least a header, inside the collection, and is paid for from the work budget.
"""

from __future__ import annotations

from .checksum import verify
from .errors import HDF5Error, Unsupported
from .reader import Cursor

# The library refuses collections smaller than this (H5HG_MINSIZE).
MIN_COLLECTION = 4096


def read_collection(ctx, address: int) -> dict[int, bytes]:
    """Index -> data of every object in the collection at ``address``."""
    what = f"global heap collection at {address}"
    l = ctx.l  # noqa: E741
    cur = Cursor(ctx.read(address, 8 + l), what, ctx.o, l)
    cur.signature(b"GCOL")
    if cur.u8() != 1:
        raise cur.fail("version")
    cur.skip(3)
    size = cur.length()
    if size < MIN_COLLECTION:
        raise cur.fail(f"collection of {size} bytes, under the {MIN_COLLECTION} the library accepts")
    block = ctx.read(address, size)
    objects: dict[int, bytes] = {}
    header = 8 + l
    pos = 8 + l
    while pos < size:
        if pos + header > size:
            break  # a tail too short for a header is free space
        ctx.budget.spend()
        index = int.from_bytes(block[pos : pos + 2], "little")
        length = int.from_bytes(block[pos + 8 : pos + header], "little")
        if index:
            step = header + (length + 7) // 8 * 8
            if pos + header + length > size:
                raise HDF5Error(f"{what}: object {index} of {length} bytes runs past the collection")
            objects[index] = block[pos + header : pos + header + length]
        else:
            step = length  # free space: its size counts its own header
            if step < header:
                raise HDF5Error(f"{what}: free space of {length} bytes at {pos} never moves on (a heap trap)")
        pos += step
    return objects


def virtual_sources(ctx, data: bytes, what: str) -> tuple[tuple[str, str], ...]:
    """(file name, dataset path) of each mapping of a virtual dataset, from its global heap object.

    Each mapping also carries a source and a virtual selection; they are stepped over, not read.
    """
    verify(data, what)
    cur = Cursor(data, what, ctx.o, ctx.l, 0, len(data) - 4)
    if cur.u8() not in (0, 1):
        raise Unsupported(f"{what}: virtual dataset mapping version {data[0]}")
    count = cur.length()
    ctx.budget.spend(count)
    sources = []
    for _ in range(count):
        name = cur.cstring().decode("utf-8", "surrogateescape")
        path = cur.cstring().decode("utf-8", "surrogateescape")
        _skip_selection(cur)
        _skip_selection(cur)
        sources.append((name, path))
    return tuple(sources)


def _skip_selection(cur: Cursor) -> None:
    """Step over one encoded dataspace selection (none, all, points or hyperslabs)."""
    kind, version = cur.u32(), cur.u32()
    if kind in (0, 3) and version == 1:  # none, all
        cur.skip(8)
    elif kind == 1 and version == 1:  # points, 4-byte coordinates
        cur.skip(8)
        rank, npoints = cur.u32(), cur.u32()
        cur.skip(4 * rank * npoints)
    elif kind == 1 and version == 2:
        size = cur.u8()
        rank = cur.u32()
        cur.skip(size * rank * cur.uint(size))
    elif kind == 2 and version == 1:  # hyperslab blocks, 4-byte start and end corners
        cur.skip(8)
        rank, nblocks = cur.u32(), cur.u32()
        cur.skip(8 * rank * nblocks)
    elif kind == 2 and version == 2:  # regular hyperslab, 8-byte start, stride, count, block
        cur.skip(5)
        cur.skip(32 * cur.u32())
    elif kind == 2 and version == 3:
        flags, size = cur.u8(), cur.u8()
        rank = cur.u32()
        if flags & 1:
            cur.skip(4 * size * rank)
        else:
            cur.skip(2 * size * rank * cur.uint(size))
    else:
        raise Unsupported(f"{cur.what}: selection of type {kind} version {version}")
