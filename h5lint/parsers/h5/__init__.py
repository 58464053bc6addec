"""Keras HDF5 files: legacy full models, weights-only files and Keras 3 weights stores (formats.md §1)."""

from __future__ import annotations

from typing import BinaryIO

from ... import ir
from ..spec import FormatSpec

SIGNATURE = b"\x89HDF\r\n\x1a\n"
# HDF5 allows a user block of 512, 1024, 2048 ... bytes before the superblock.
FIRST_USER_BLOCK = 512
LAST_USER_BLOCK_SEARCHED = 1 << 20

H5_FULL = ir.Format("h5-full", loader=ir.LEGACY_H5, records_keras_version=True)
H5_WEIGHTS = ir.Format("h5-weights")

# Layouts (ir.ModelArtifact.layout) of the files this parser reads.
LEGACY_FULL = "legacy-h5"
LEGACY_WEIGHTS = "legacy-weights"
KERAS03_WEIGHTS = "keras-0.3-weights"
KERAS3_WEIGHTS = "keras3-weights"

# Root groups that mark a Keras 3 / tf-keras weights store (formats.md §1.5, §3.3).
KERAS3_MARKERS = ("vars", "layers", "_layer_checkpoint_dependencies")



def _is_hdf5(head: bytes, file: BinaryIO) -> bool:
    offset = 0
    while offset + len(SIGNATURE) <= len(head):
        if head[offset : offset + len(SIGNATURE)] == SIGNATURE:
            return True
        offset = max(offset * 2, FIRST_USER_BLOCK)
    while offset <= LAST_USER_BLOCK_SEARCHED:  # a user block can push the superblock past the first read
        file.seek(offset)
        found = file.read(len(SIGNATURE))
        if len(found) < len(SIGNATURE):
            return False
        if found == SIGNATURE:
            return True
        offset *= 2
    return False


SPEC = FormatSpec(
    container="hdf5",
    words="an HDF5 file",
    formats=(H5_FULL, H5_WEIGHTS),
    reader=f"{__name__}.model",
    recognised_by="the HDF5 signature (also behind a user block); full model or weights only by the layout inside",
    reads="`model_config`, `training_config`, `keras_version`, `backend`, the `model_weights` inventory (chunked "
    "`layer_names0..N`, every string-attribute variant); weights-only files (`save_weights`, Keras 0.3, Keras 3 "
    "`.weights.h5`) are reported as H5L002 with their layer inventory",
    sniff=_is_hdf5,
    suffixes=(".h5", ".hdf5", ".h5f", ".h5py", ".hd5"),
    model_suffixes=(".h5", ".hdf5", ".h5f", ".h5py", ".hd5", ".he5"),
    rename_fix="rename it to .h5 (Keras 3 load_model picks the reader by extension)",
    commit_patterns=(r"\.(h5|hdf5|h5f|h5py|hd5|he5)$",),
)
