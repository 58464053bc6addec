"""JSON models: TF.js ``model.json``, ``model.to_json()`` architectures and sharded Keras 3 weight maps."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from ... import ir
from ..spec import FormatSpec

TFJS = ir.Format("tfjs", scoped_weights=True)
KERAS_JSON = ir.Format("keras-json", loader=ir.MODEL_FROM_JSON)

def _is_json(head: bytes, _file: BinaryIO) -> bool:
    # '"' too: some projects json.dump() the string model.to_json() returns, encoding it twice.
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[", b'"')


def _named_json(path: Path) -> bool:
    # Which JSON files met in a folder are models is decided by parsing them (a worker does); only .json
    # files are worth that, the rest of a repository's JSON-looking text is not.
    return path.suffix.lower() == ".json"


SPEC = FormatSpec(
    container="json",
    words="a JSON file",
    formats=(TFJS, KERAS_JSON),
    reader=f"{__name__}.read",
    recognised_by="JSON content (TF.js `modelTopology`, a Keras `class_name`/`config` object, a sharded "
    "`weight_map`)",
    reads="the Keras config inside, the TF.js weight manifest and its shards, the weight map of sharded Keras 3 "
    "weights",
    sniff=_is_json,
    suffixes=(".json",),
    rename_fix="rename it to .json and load it with keras.models.model_from_json",
    found_by_walk=_named_json,
    commit_patterns=(r"(^|/)model\.json$",),
)
