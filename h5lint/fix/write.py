"""Write a planned fix into a NEW file; the scanned file is only ever read.

* legacy HDF5: a byte copy of the file whose ``model_config`` / ``training_config`` attributes are rewritten
  with h5py on the copy (weights and everything else untouched);
* ``.keras`` zip: a new archive with the same members in the same order and with the same zip metadata, the
  member bytes streamed unchanged except ``config.json``;
* architecture JSON: the new document.

The copy is written next to the output under a temporary name and renamed into place, so a failure never leaves
half a file behind.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from .configs import ARCHITECTURE, CONFIG_JSON, H5_FULL, KERAS_JSON, KERAS_ZIP
from .plan import FIXED, FixPlan

_COPY_CHUNK = 1 << 20


class OutputError(ValueError):
    """The output path cannot be written (it is the input, or exists); the message says why."""


def _dumps(doc: Any) -> str:
    # Keras writes its configs with json.dumps' defaults; NaN/Infinity stay as the file had them.
    return json.dumps(doc, allow_nan=True)


# Keras 3 picks its loader by the file name (keras/src/saving/saving_api.py load_model).
_SUFFIXES = {H5_FULL: (".h5", ".hdf5"), KERAS_ZIP: (".keras",)}


def check_output(source: str, output: Path, fmt: str | None = None) -> None:
    suffixes = _SUFFIXES.get(fmt or "", ())
    if suffixes and not output.name.lower().endswith(suffixes):
        raise OutputError(
            f"{output}: Keras 3 reads this format only under a {'/'.join(suffixes)} name; name the copy so"
        )
    src = Path(source).resolve()
    out = output.resolve()
    if out == src or src in out.parents:
        raise OutputError(f"{output}: fix never writes to what it reads; name a new file")
    if output.exists() or output.is_symlink():
        raise OutputError(f"{output} exists; fix writes a new file only (delete it or choose another name)")


@contextmanager
def _staged(output: Path) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".h5lint-fix", dir=output.parent or Path("."))
    os.close(fd)
    staged = Path(name)
    try:
        yield staged
        os.replace(staged, output)
    finally:
        if staged.exists():
            staged.unlink()


def _write_h5(plan: FixPlan, staged: Path) -> None:
    import h5py

    shutil.copyfile(plan.path, staged)
    with h5py.File(staged, "r+") as h5:
        for name, doc in plan.after.items():
            old = h5.attrs.get(name)
            text = _dumps(doc)
            h5.attrs[name] = text.encode("utf-8") if isinstance(old, bytes) else text


def _write_zip(plan: FixPlan, staged: Path) -> None:
    config = _dumps(plan.after[CONFIG_JSON]).encode("utf-8")
    with zipfile.ZipFile(plan.path) as zin, zipfile.ZipFile(staged, "w", allowZip64=True) as zout:
        for info in zin.infolist():
            if info.filename == CONFIG_JSON:
                zout.writestr(info, config, compress_type=info.compress_type)
                continue
            # A copy of the entry: writing it sets the new archive's offsets.
            with zin.open(info) as src, zout.open(copy.copy(info), "w", force_zip64=info.file_size > 0x7FFFFFFF) as dst:
                shutil.copyfileobj(src, dst, _COPY_CHUNK)


def _write_json(plan: FixPlan, staged: Path, string_wrapped: bool) -> None:
    text = _dumps(plan.after[ARCHITECTURE])
    staged.write_text(json.dumps(text) if string_wrapped else text, encoding="utf-8")


def write_fix(plan: FixPlan, output: Path, layout: str | None = None) -> None:
    """Write ``plan``'s fixed copy to ``output`` (which must not exist and must not be the input)."""
    assert plan.status == FIXED, plan.status
    check_output(plan.path, output, plan.format)
    with _staged(output) as staged:
        if plan.format == H5_FULL:
            _write_h5(plan, staged)
        elif plan.format == KERAS_ZIP:
            _write_zip(plan, staged)
        elif plan.format == KERAS_JSON:
            _write_json(plan, staged, layout == "architecture-in-json-string")
        else:  # refusals keep every other format out
            raise AssertionError(plan.format)
