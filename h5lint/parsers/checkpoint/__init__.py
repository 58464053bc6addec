"""TensorFlow checkpoints: the tensor bundles ``model.save_weights("dir/ckpt")`` (tf-keras), ``tf.train.Checkpoint``
and the TF1 ``Saver`` write, as ``<prefix>.index`` + ``<prefix>.data-00000-of-00001`` and a ``checkpoint`` file
naming the latest prefix (:mod:`h5lint.tensorbundle`).

A folder holding a ``checkpoint`` file and nothing but checkpoint files is one artifact (its latest
checkpoint); so is an index on its own (a bare bundle, or one in a folder that holds other things too,
whose other files are then found as usual). A SavedModel's ``variables/`` is the SavedModel's: its spec
comes first in :data:`h5lint.parsers.SPECS`, and no SavedModel writes a ``checkpoint`` file there.
"""

from __future__ import annotations

import os
import re
import struct
from pathlib import Path
from typing import BinaryIO

from ... import ir
from .. import savedmodel
from ..parts import MAX_MEMBERS
from ..spec import FormatSpec

STATE_FILE = "checkpoint"  # tensorflow/python/checkpoint/checkpoint_management.py
INDEX_SUFFIX = ".index"
META_SUFFIX = ".meta"  # the TF1 Saver writes <prefix>.meta (a MetaGraphDef) beside each checkpoint
DATA_SHARD = re.compile(r"(?P<prefix>.+)\.data-\d{5}-of-\d{5}")
# The last 8 bytes of the LevelDB-style table an index is (core/lib/io/format.h kTableMagicNumber).
TABLE_MAGIC = struct.pack("<Q", 0xDB4775248B80FB57)
SMALLEST_TABLE = 48  # the footer alone

CHECKPOINT = ir.Format("tf-checkpoint")


def is_part(name: str) -> bool:
    """A file name a checkpoint writer uses."""
    return name == STATE_FILE or name.endswith((INDEX_SUFFIX, META_SUFFIX)) or DATA_SHARD.fullmatch(name) is not None


def _is_table(_head: bytes, file: BinaryIO) -> bool:
    try:
        file.seek(0, os.SEEK_END)
        if file.tell() < SMALLEST_TABLE:
            return False
        file.seek(-len(TABLE_MAGIC), os.SEEK_END)
        return file.read(len(TABLE_MAGIC)) == TABLE_MAGIC
    except OSError:
        return False


def is_checkpoint_dir(folder: Path) -> bool:
    """A folder holding a ``checkpoint`` file, an index, and only checkpoint files.

    Anything else in it (a model file, a subfolder) leaves the folder to be walked, so that nothing next
    to a checkpoint goes unseen; its indexes are then artifacts of their own.
    """
    if not (folder / STATE_FILE).is_file():
        return False
    try:
        with os.scandir(folder) as entries:
            names = []
            for entry in entries:
                if len(names) >= MAX_MEMBERS or not entry.is_file(follow_symlinks=False):
                    return False
                names.append(entry.name)
    except OSError:
        return False
    return all(is_part(name) for name in names) and any(name.endswith(INDEX_SUFFIX) for name in names)


def _owner(path: Path) -> Path | None:
    """The artifact a checkpoint file given by name (pre-commit passes each) belongs to: its folder when
    the folder is a checkpoint folder, else its index (an index is an artifact itself)."""
    name = path.name
    if not is_part(name) or name.endswith(META_SUFFIX):
        return None
    if is_checkpoint_dir(path.parent):
        return path.parent
    shard = DATA_SHARD.fullmatch(name)
    if shard is not None:
        index = path.with_name(shard.group("prefix") + INDEX_SUFFIX)
        return index if index.is_file() else path  # a shard without its index: the reader says so
    return path


def _walked_index(path: Path) -> bool:
    # Other programs write LevelDB tables too (.ldb, .sst); only an index is a checkpoint's. A walk enters a
    # SavedModel's variables/ only when that folder itself is given, and the SavedModel owns its bundle.
    if path.parent.name == "variables" and savedmodel.is_savedmodel_dir(path.parent.parent):
        return False
    return path.name.endswith(INDEX_SUFFIX)


SPEC = FormatSpec(
    container="tf-checkpoint",
    words="a TensorFlow checkpoint",
    formats=(CHECKPOINT,),
    reader=f"{__name__}.read",
    recognised_by="the table magic number at the end of a `.index` file; a folder holding a `checkpoint` file "
    "and only checkpoint files (`*.index`, `*.data-NNNNN-of-NNNNN`, `*.meta`)",
    reads="the latest checkpoint's index (every variable's object path, dtype, shape and checksum), its data shards "
    "(present, long enough, checksums within a budget, values streamed for the weight rules), the `checkpoint` file; "
    "reported as H5L002 with the variable inventory",
    sniff=_is_table,
    claims_folder=is_checkpoint_dir,
    owner_of=_owner,
    found_by_walk=_walked_index,
    rename_fix="name it <prefix>.index beside its <prefix>.data-NNNNN-of-NNNNN shards: TensorFlow finds a checkpoint "
    "by its prefix",
    anchors=(STATE_FILE,),
    commit_patterns=(r"(^|/)checkpoint$", r"\.index$", r"\.data-\d{5}-of-\d{5}$"),
)
