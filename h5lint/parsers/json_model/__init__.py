"""JSON models: TF.js ``model.json``, ``model.to_json()`` architectures and sharded Keras 3 weight maps."""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

from ... import ir
from ..spec import FormatSpec

TFJS = ir.Format("tfjs", scoped_weights=True)
KERAS_JSON = ir.Format("keras-json", loader=ir.MODEL_FROM_JSON)

# A key of a Keras/TF.js model or of a sharded weights index; the closing quote may be escaped, so JSON
# encoded twice ({\"class_name\": ...}) is recognised too, but a mention inside a string (a README-like
# JSON saying "class_name='system'") is not.
_MODEL_JSON_KEY = re.compile(rb'(?:modelTopology|class_name|weight_map|weightsManifest)\\?"\s*:')
_MODEL_JSON_WINDOW = 1 << 16



def _is_json(head: bytes, _file: BinaryIO) -> bool:
    # '"' too: some projects json.dump() the string model.to_json() returns, encoding it twice.
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[", b'"')


def _looks_like_model_json(path: Path) -> bool:
    """A ``.json`` file met in a folder is a model when it has model keys (cheap check of its start)."""
    if path.suffix.lower() != ".json":
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(_MODEL_JSON_WINDOW)
    except OSError:
        return False
    return _MODEL_JSON_KEY.search(head) is not None


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
    found_by_walk=_looks_like_model_json,
    commit_patterns=(r"(^|/)model\.json$",),
)
