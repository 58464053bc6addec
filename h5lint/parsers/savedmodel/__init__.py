"""TensorFlow SavedModel folders (formats.md §4): the graph, Keras metadata, fingerprint and variables."""

from __future__ import annotations

from pathlib import Path

from ... import ir
from ..spec import FormatSpec

# Member names (tensorflow/python/saved_model/constants.py).
GRAPH_PB = "saved_model.pb"
GRAPH_PBTXT = "saved_model.pbtxt"
GRAPH_CPB = "saved_model.cpb"
KERAS_METADATA = "keras_metadata.pb"
FINGERPRINT = "fingerprint.pb"
GRAPH_FILES = (GRAPH_PB, GRAPH_PBTXT, GRAPH_CPB)
MEMBERS = GRAPH_FILES + (KERAS_METADATA, FINGERPRINT)
VARIABLES_INDEX = "variables/variables.index"

SAVEDMODEL = ir.Format("savedmodel", loader=ir.SAVEDMODEL)



def is_savedmodel_dir(folder: Path) -> bool:
    return any((folder / name).is_file() for name in MEMBERS) or (folder / VARIABLES_INDEX).is_file()


def _owner(path: Path) -> Path | None:
    parent = path.parent
    if path.name in MEMBERS and is_savedmodel_dir(parent):
        return parent
    if parent.name in ("variables", "assets") and is_savedmodel_dir(parent.parent):
        return parent.parent
    if path.name in ("variables", "assets") and path.is_dir() and is_savedmodel_dir(parent):
        return parent  # the folder itself, named on the command line
    return None


SPEC = FormatSpec(
    container="savedmodel-dir",
    words="a SavedModel folder",
    formats=(SAVEDMODEL,),
    reader=f"{__name__}.read",
    recognised_by="a folder holding `saved_model.pb` / `.pbtxt` / `.cpb`, `keras_metadata.pb`, `fingerprint.pb` "
    "or `variables/variables.index`",
    reads="tags, TF versions, signatures, every op in the graph and function library, object graph identifiers, "
    "the Keras config from `keras_metadata.pb` (or the TF < 2.5 object metadata), `fingerprint.pb`, `variables/` "
    "(the checkpoint: index, data shards, weights mapped to layers through the object graph), and what computes "
    "each serving output and loss in the graph",
    claims_folder=is_savedmodel_dir,
    model_suffixes=(".pb", ".pbtxt"),
    owner_of=_owner,
    rename_fix="rename the folder without a file extension and load it with tf.saved_model.load or "
    "keras.layers.TFSMLayer",
    anchors=GRAPH_FILES,
    commit_patterns=(
        r"(^|/)saved_model\.(pb|pbtxt|cpb)$",
        r"(^|/)keras_metadata\.pb$",
        r"(^|/)fingerprint\.pb$",
        r"(^|/)variables/variables\.(index|data-\d{5}-of-\d{5})$",
    ),
)
