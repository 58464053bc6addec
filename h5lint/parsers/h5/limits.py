"""The budgets and refusals both HDF5 paths apply (own.py and the h5py path), in one place and without
importing h5py or numpy, so a file the own reader takes costs neither import."""

from __future__ import annotations

# Attributes: a value larger than this is not read.
MAX_ATTR_BYTES = 64 * 1024 * 1024
# Variable-length elements live in the global heap, so their total size is unknown before reading;
# bound their count instead (Keras never writes more than ~4k per attribute, see formats.md §6.2).
MAX_VLEN_ELEMENTS = 1_000_000
# Version tags (keras_version, backend) and a dataset's dtype tag larger than these are taken as absent.
VERSION_TAG_BYTES = 4096
DTYPE_TAG_BYTES = 1024
# A chunked list (layer_names0, layer_names1, ...) with more parts than this is not a Keras file.
MAX_CHUNKS = 100_000

# A soft link may point at another soft link; more hops than this is a loop or a hostile file.
MAX_SOFT_HOPS = 16
# Groups and datasets visited when scanning for references; Keras files have hundreds to thousands.
MAX_OBJECTS = 1_000_000

# Only plain numbers are streamed; strings, references and compound records are not weights.
NUMERIC_KINDS = frozenset("biufc")
# What Keras 3.15 refuses to load (and so h5lint to read): a dataset declaring more than 4 GiB, or far more
# than it stores, is a "shape bomb" whose fill values would stream for hours.
MAX_DECLARED_BYTES = 4 << 30
MAX_DECLARED_PER_STORED = 1000
# Below this, a dataset that stores little is just small (a scalar's chunk, a compact dataset).
MIN_BOMB_BYTES = 1 << 20


def refusal(declared: int, stored: int) -> str | None:
    """Why values are not read, from the bytes a dataset declares and those it stores; None to read them."""
    if declared > MAX_DECLARED_BYTES:
        return f"it declares {declared:,} bytes of values, over the 4 GiB Keras 3.15 loads"
    if declared > MIN_BOMB_BYTES and declared > MAX_DECLARED_PER_STORED * stored:
        return (
            f"it declares {declared:,} bytes of values but stores {stored:,}: over {MAX_DECLARED_PER_STORED}x what it "
            "holds, which Keras 3.15 refuses to load (reading it would stream fill values)"
        )
    return None


def weight_location(group_path: str, *parts: str) -> str:
    return "/".join(p.strip("/") for p in (group_path, *parts) if p.strip("/"))
