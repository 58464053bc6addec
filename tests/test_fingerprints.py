"""Fingerprints survive re-saving an unchanged model: they hang on rule + path + logical location only."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import h5py
import pytest
from conftest import SAMPLES

from h5lint.engine import lint_paths
from h5lint.settings import resolve


def _rewrite_hdf5(source: Path, target: Path) -> None:
    """A new HDF5 file with the same content but a different byte layout (as a re-save produces)."""
    with h5py.File(source, "r") as src, h5py.File(target, "w", libver="latest") as dst:
        for key, value in reversed(list(src.attrs.items())):
            dst.attrs[key] = value
        for name in reversed(list(src.keys())):
            src.copy(src[name], dst, name=name)


def _rewrite_zip(source: Path, target: Path) -> None:
    """The same members, newly dated, in reverse order, with a new date_saved, compressed differently."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in reversed(src.infolist()):
            data = src.read(info)
            if info.filename == "metadata.json":
                meta = json.loads(data)
                meta["date_saved"] = "2030-01-01@00:00:00"
                data = json.dumps(meta).encode()
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2030, 1, 1, 0, 0, 0)), data)


def _fingerprints(folder: Path, name: str) -> dict[str, tuple[str, str | None]]:
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        report = lint_paths([name], resolve(None, {"select": ["ALL"]}), jobs=1)
    finally:
        os.chdir(cwd)
    return {f.fingerprint: (f.code, f.location) for f in report.findings}


@pytest.mark.parametrize(
    "sample, rewrite",
    [
        ("tfk_lambda_os_system.h5", _rewrite_hdf5),
        ("k3_multi_loss_list_missing_activation.h5", _rewrite_hdf5),
        ("k3_nonfinite_weights.h5", _rewrite_hdf5),
        ("k3_lambda_nested.keras", _rewrite_zip),
        ("k3_stateful_bilstm.keras", _rewrite_zip),
    ],
)
def test_resaving_keeps_every_fingerprint(sample, rewrite, tmp_path):
    original, resaved = tmp_path / "a", tmp_path / "b"
    original.mkdir()
    resaved.mkdir()
    name = "model" + Path(sample).suffix
    (original / name).write_bytes((SAMPLES / sample).read_bytes())
    rewrite(SAMPLES / sample, resaved / name)
    assert (original / name).read_bytes() != (resaved / name).read_bytes()
    before, after = _fingerprints(original, name), _fingerprints(resaved, name)
    assert before, "the sample must have findings"
    assert before == after
