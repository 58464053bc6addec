"""Global heap collections ("GCOL"): where variable-length strings and sequences keep their bytes.

A collection is a run of objects, each an 8-byte-aligned header (index, reference count, size)
and data. The HDF5 library moves on by the size each object declares, and a free-space object
(index 0) that declares too few bytes sends it round forever; here every step must move forward
by at least a header, inside the collection, and is paid for from the work budget.
"""

from __future__ import annotations

from .errors import HDF5Error
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
