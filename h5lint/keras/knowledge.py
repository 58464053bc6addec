"""Facts about Keras and TensorFlow that the semantic layer and the rules look up (``data/*.toml|json``).

Tables are data so that a fact has one source and a citation next to it; each file says where its
facts come from. Generated tables (``keras_releases.json``) name the tool that made them.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Mapping
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@functools.lru_cache(maxsize=None)
def table(name: str) -> Mapping[str, Any]:
    """The table ``data/<name>.toml`` (or ``.json``)."""
    root = resources.files(__package__) / "data"
    toml_file = root / f"{name}.toml"
    if toml_file.is_file():
        return tomllib.loads(toml_file.read_text(encoding="utf-8"))
    return json.loads((root / f"{name}.json").read_text(encoding="utf-8"))
