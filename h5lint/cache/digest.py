"""What produced a result besides the artifact: one digest naming the cache folder of a run.

h5lint's version is not enough for an editable install or a checkout, so the digest also covers the
size and mtime of every source, rule and knowledge file of the package, the libraries whose reading a
result depends on (their module files' stat: a reinstall changes it), the Python version, and the
resolved settings, target and budgets. Any change gives a new folder: old results are never read.
"""

from __future__ import annotations

import enum
import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .. import __version__
from ..budgets import Budgets
from ..settings import Settings

# Libraries whose reading ends up in a report (h5py for HDF5, protobuf for SavedModels ...).
READERS = ("h5py", "numpy", "google.protobuf", "pathspec", "packaging")
_SOURCES = (".py", ".toml", ".json")
# Bumped when the entry layout changes.
LAYOUT = 1


def canonical(value: Any) -> Any:
    """``value`` as JSON with a stable order (sets and mappings sorted; dataclasses by field)."""
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return sorted([str(k), canonical(v)] for k, v in value.items())
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)  # a requirement specifier, a version: their text is what they mean


def _tree(folder: Path) -> list[list[Any]]:
    found = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(_SOURCES):
                info = os.stat(os.path.join(current, name))
                found.append([os.path.relpath(os.path.join(current, name), folder), info.st_size, info.st_mtime_ns])
    return found


def _reader_files() -> list[list[Any]]:
    found = []
    for name in READERS:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        if origin and os.path.exists(origin):
            info = os.stat(origin)
            found.append([name, origin, info.st_size, info.st_mtime_ns])
        else:
            found.append([name, None])
    return found


def sources() -> list[Any]:
    package = Path(__file__).resolve().parent.parent
    rules = Path(str(resources.files("h5lint.rules")))
    return [_tree(package), _tree(rules) if rules != package / "rules" else [], _reader_files()]


def run_digest(settings: Settings, budgets: Budgets) -> str:
    """The digest of everything but the artifact that a result depends on (hex)."""
    what = {
        "layout": LAYOUT,
        "h5lint": __version__,
        "python": sys.version,
        "sources": sources(),
        "settings": canonical(settings),
        "budgets": canonical(budgets),
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()
