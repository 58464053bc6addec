"""H5L104 external-hdf5-reference: HDF5 objects that make the loader read other files."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.model import KerasModel

_WHAT = {
    "external-link": "an external link",
    "external-storage": "a dataset whose data is stored in an external file",
    "virtual-dataset": "a virtual dataset that maps data from other files",
}


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    for ref in model.h5_references:
        yield Hit(
            message=f"HDF5 object {ref.location} is {_WHAT.get(ref.kind, ref.kind)} to {ref.target!r}; "
            "reading the model opens that file (h5lint did not follow it). Keras never writes these.",
            location=f"hdf5:{ref.location}",
            fix="Re-save the model with model.save() from trusted code; do not load a file that points at other files.",
        )
