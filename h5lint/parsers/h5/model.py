"""Read a legacy Keras HDF5 file (full model or weights only) or a Keras 3 weights store.

Only attributes and the link/group structure are read here (formats.md §1): weight values stay on
disk until a rule iterates them, so reading a 500 MB model costs what reading a 5 MB one does.
External links, external raw-data storage and virtual datasets are recorded, never followed.
h5lint's own reader (own.py) reads the legacy layouts without h5py or numpy; every other file goes to
h5py_path.py, which imports them.
"""

from __future__ import annotations

from ...findings import ParseOutcome
from ...remote import ranges
from . import LEGACY_FULL, own
from .outcomes import opener, weights_only_outcome


def read(path: str, read_weights: bool = True) -> ParseOutcome:
    """Parse one HDF5 file; every problem becomes a :class:`Problem`, nothing escapes.

    h5lint's own HDF5 reader (own.py) reads the legacy layouts when the file reads cleanly; every other
    file, and every problem, is read through h5py here, so what a file gets reported never depends on
    which of the two read it.
    """
    if ranges.serves(path):  # a remote file: read by ranges through h5py's file-object driver
        return _through_h5py(path)
    try:
        found = own.read(path, opener(path))
    except own.HandOff:
        return _through_h5py(path)
    if found.artifact.layout == LEGACY_FULL:
        return ParseOutcome(found.artifact)
    return weights_only_outcome(found.artifact, found.layer_names, [])


def _through_h5py(path: str) -> ParseOutcome:
    # h5py and numpy are imported only for the files the own reader hands over.
    from . import h5py_path

    return h5py_path.read(path)
