"""A numeric tensor's values, streamed from its data shard in bounded pieces.

numpy is imported here only, when values are asked for: reading an index never needs it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterator

from . import crc32c, files
from .bundle import Bundle
from .dtypes import DT_BFLOAT16, DT_BOOL, ELEMENT_SIZES, NUMPY_FORMATS
from .entries import BundleEntry
from .errors import BundleError

if TYPE_CHECKING:
    import numpy as np


def _convert(raw, dtype_code: int):
    import numpy as np

    if dtype_code == DT_BFLOAT16:  # the top half of a float32
        return (raw.astype(np.uint32) << 16).view(np.float32)
    if dtype_code == DT_BOOL:
        return raw != 0
    return raw


def tensor_chunks(
    bundle: Bundle, entry: BundleEntry, max_elements: int, *, verify_crc: bool = False
) -> Iterator[np.ndarray]:
    """The values of ``entry``, flattened in C order, as 1-D arrays of at most ``max_elements`` each.

    DT_BFLOAT16 comes as float32, DT_BOOL as bool, the others as their little-endian numpy type
    (read-only arrays over the bytes read: copy one to change it).
    Reads only ``entry``'s bytes of its shard, one piece at a time. With ``verify_crc`` the bytes are
    checksummed as they stream and a mismatch raises :class:`BundleError` after the last piece
    (the pieces before it were read from a damaged tensor). Strings, variants, quantized and sub-byte
    types, partitioned tensors and big-endian bundles raise :class:`BundleError` at the first ``next``.
    """
    if max_elements < 1:
        raise ValueError("max_elements must be at least 1")
    import numpy as np

    shard = bundle.shard_path(entry.shard_id)
    where = f"{os.path.basename(shard)}: {entry.label}"
    numpy_format = NUMPY_FORMATS.get(entry.dtype_code)
    if numpy_format is None:
        raise BundleError(f"{where} is {entry.dtype}; h5lint reads the values of numeric tensors only")
    if entry.sliced:
        raise BundleError(f"{where} is partitioned: its values are in its slice entries")
    if bundle.header.endianness != "little":
        raise BundleError(
            f"{where}: the bundle's tensor data is {bundle.header.endianness}-endian; h5lint reads little-endian only"
        )
    item = ELEMENT_SIZES[entry.dtype_code]
    if entry.size != entry.elements * item:
        raise BundleError(
            f"{where} is {entry.elements:,} x {item} bytes of {entry.dtype}, but the index gives it {entry.size:,}"
        )
    with files.open_inside(shard) as handle:
        if entry.offset + entry.size > files.file_size(handle):
            raise BundleError(
                f"{where} needs bytes {entry.offset:,}-{entry.offset + entry.size:,}, past the end of its shard"
            )
        register = 0
        done = 0
        while done < entry.size:
            piece = files.read_exactly(handle, entry.offset + done, min(max_elements * item, entry.size - done), shard)
            done += len(piece)
            if verify_crc:
                register = crc32c.extend(register, piece)
            yield _convert(np.frombuffer(piece, dtype=numpy_format), entry.dtype_code)
    if verify_crc and (entry.crc32c is None or crc32c.unmask(entry.crc32c) != register):
        stored = "no checksum" if entry.crc32c is None else f"CRC-32C 0x{crc32c.unmask(entry.crc32c):08x}"
        raise BundleError(f"{where}: checksum mismatch: the index stores {stored}, its bytes give 0x{register:08x}")
