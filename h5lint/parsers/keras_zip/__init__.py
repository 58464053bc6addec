"""Keras native archives: a ``.keras`` zip, or the same members unzipped into a folder (formats.md §3)."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

from ... import ir
from ..spec import FormatSpec

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS_STORE = "model.weights.h5"
# KerasHub presets keep large backbones sharded (keras_hub/src/utils/preset_utils.py
# SHARDED_MODEL_WEIGHTS_CONFIG_FILE); so may any folder a user saves weights into.
SHARDED_INDEX = "model.weights.json"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
# The end-of-central-directory record: 22 bytes and a comment of up to 65,535 after it, at the file's end.
END_RECORD = b"PK\x05\x06"
END_RECORD_SIZE = 22
MAX_COMMENT = 0xFFFF

KERAS_ZIP = ir.Format("keras-zip", loader=ir.KERAS_ARCHIVE, records_keras_version=True)
KERAS_DIR = ir.Format("keras-dir", loader=ir.KERAS_ARCHIVE, records_keras_version=True)
# A KerasHub preset folder (save_to_preset): config.json is the backbone, metadata.json records keras_hub_version,
# task.json / preprocessor.json / tokenizer.json the rest; keras_hub's from_preset loads it.
KERAS_HUB_PRESET = ir.Format("keras-hub-preset", loader=ir.KERAS_ARCHIVE, records_keras_version=True)

_READS = (
    "`config.json` incl. `compile_config`, `metadata.json` (incl. KerasHub's `keras_hub_version`), the weights "
    "store (`.h5`, sharded `model.weights.json` + shards, or `.npz` headers only), the member list"
)



def _is_zip(head: bytes, file: BinaryIO) -> bool:
    # zipfile (and so Keras 3) finds an archive by the record at its end, whatever comes before it: an HDF5
    # file with a zip appended is a .keras to Keras, so it is one to h5lint too.
    return head.startswith(ZIP_SIGNATURES) or _has_end_record(file)


def _has_end_record(file: BinaryIO) -> bool:
    size = file.seek(0, os.SEEK_END)
    start = max(0, size - END_RECORD_SIZE - MAX_COMMENT)
    file.seek(start)
    tail = file.read()
    at = tail.rfind(END_RECORD)
    while at >= 0:
        if at + END_RECORD_SIZE <= len(tail):
            cd_size, cd_offset, comment = struct.unpack_from("<IIH", tail, at + 12)
            # The comment must end the file and the central directory must fit before the record.
            if at + END_RECORD_SIZE + comment == len(tail) and cd_size + cd_offset <= start + at:
                return True
        at = tail.rfind(END_RECORD, 0, at)
    return False


def is_keras_dir(folder: Path) -> bool:
    return (folder / CONFIG).is_file() and any((folder / name).is_file() for name in (METADATA, WEIGHTS_STORE, SHARDED_INDEX))


def _owner(path: Path) -> Path | None:
    named = path.name in (CONFIG, METADATA, WEIGHTS_STORE, SHARDED_INDEX)
    return path.parent if named and is_keras_dir(path.parent) else None


ZIP = FormatSpec(
    container="zip",
    words="a zip archive",
    formats=(KERAS_ZIP,),
    reader=f"{__name__}.archive",
    recognised_by="the zip signature",
    reads=_READS,
    sniff=_is_zip,
    suffixes=(".keras",),
    model_suffixes=(".keras",),
    rename_fix="rename it to .keras (Keras 3 load_model picks the reader by extension)",
    commit_patterns=(r"\.keras$",),
)

FOLDER = FormatSpec(
    container="keras-dir",
    words="an unzipped Keras folder",
    formats=(KERAS_DIR, KERAS_HUB_PRESET),
    reader=f"{__name__}.archive",
    recognised_by="a folder holding `config.json` with `metadata.json`, `model.weights.h5` or `model.weights.json` "
    "(unzipped `.keras`, Hugging Face `hf://` saves, KerasHub presets)",
    reads=_READS,
    claims_folder=is_keras_dir,
    owner_of=_owner,
    anchors=(CONFIG,),
    rename_fix="zip it into a .keras file, or load the folder with keras.saving.load_model",
)
