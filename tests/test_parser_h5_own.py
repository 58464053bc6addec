"""The HDF5 parser's two paths side by side: h5lint's own reader (own.py, the default) and h5py (the oracle).

On every HDF5 file of sample_models/, ../shared/format-examples/ and ../shared/realworld/files/ the own
path must either find exactly what the h5py path finds (artifact, problems, version tags: attribute
values, dataset shapes and dtypes, weight inventory, links out of the file) or hand the file to h5py
for a reason listed here. test_hdf5_reader_oracle.py compares the reader itself with h5py object by
object; this compares what the parser makes of it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import h5py
import numpy as np
import pytest

from h5lint.parsers.h5 import SPEC, h5py_path, model, outcomes, own

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ROOTS = (REPO / "sample_models", SHARED / "format-examples", SHARED / "realworld" / "files")

KERAS3 = "a Keras 3 weights store"
# Files the own path hands to h5py, by path below their corpus, and the start of the reason it gives.
HANDED_TO_H5PY = {
    "broken_bad_model_config.h5": "invalid JSON",  # the problem is reported in the h5py path's words
    "broken_truncated.h5": "truncated file",  # read again through a zero-padded view (files.open_cut_short)
    "k3_nonfinite_weights.weights.h5": KERAS3,
    "k3_sharded_weights/model_00000.weights.h5": KERAS3,
    "k3_sharded_weights/model_00001.weights.h5": KERAS3,
    "k3_sigmoid_head_bce.weights.h5": KERAS3,
    "k3_sigmoid_head_bce_unzipped/model.weights.h5": KERAS3,
    "k3_hf_unzipped/model.weights.h5": KERAS3,
    "k3_sharded_unzipped/model_00000.weights.h5": KERAS3,
    "k3_sharded_unzipped/model_00001.weights.h5": KERAS3,
    "khub_gemma_tiny_preset/model_00000.weights.h5": KERAS3,
    "khub_gemma_tiny_preset/model_00001.weights.h5": KERAS3,
    "khub_gemma_tiny_preset/model_00002.weights.h5": KERAS3,
    "k3_functional.weights.h5": KERAS3,
    "NAVIM0__DDQN-CarRacing-v3__model.weights.h5": KERAS3,
}


def _hdf5_files() -> list[tuple[str, Path]]:
    found = []
    for root in ROOTS:
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            with open(path, "rb") as file:
                if SPEC.sniff(file.read(4096), file):
                    found.append((path.relative_to(root).as_posix(), path))
    return found


def _values(weight) -> str | None:
    """What a weight's reader yields: the digest of its values in native byte order (None: no reader)."""
    if weight._reader is None:
        return None
    digest, count = hashlib.sha256(), 0
    for chunk in weight.chunks(1000):  # small chunks: both readers' slicing is exercised
        native = np.ascontiguousarray(chunk, dtype=chunk.dtype.newbyteorder("="))
        digest.update(native.tobytes())
        count += native.size
    return f"{count} values, {digest.hexdigest()[:16]}"


def _facts(outcome) -> str:
    """Everything a parse outcome says, weight readers by the values they read (repr: NaN == NaN)."""
    artifact = outcome.artifact
    if artifact is not None and artifact.weights is not None:
        layers = tuple(
            (layer.name, tuple(dataclasses.replace(w, _reader=_values(w)) for w in layer.weights))
            for layer in artifact.weights
        )
        artifact = dataclasses.replace(artifact, weights=layers)
    return repr((artifact, outcome.problems, outcome.versions, outcome.not_a_model))


def _compare(path: Path) -> str | None:
    """None if the own path read ``path`` and agrees with h5py's; the hand-off reason otherwise."""
    try:
        own.read(str(path), outcomes.opener(str(path)))
    except own.HandOff as exc:
        return str(exc)
    assert _facts(model.read(str(path))) == _facts(h5py_path.read(str(path))), path
    return None


def test_every_corpus_hdf5_file_reads_the_same_through_both_paths():
    if not SHARED.is_dir():
        pytest.skip(f"no shared/ folder beside the repository ({SHARED})")
    files = _hdf5_files()
    assert len(files) > 100
    handed = {name: why for name, path in files if (why := _compare(path)) is not None}
    assert set(handed) == set(HANDED_TO_H5PY)
    for name, why in handed.items():
        assert why.startswith(HANDED_TO_H5PY[name]), (name, why)


def _full_model(path: Path, **extra) -> Path:
    """A small legacy full model; ``extra`` adds links and datasets to model_weights."""
    with h5py.File(path, "w", **({"userblock_size": extra.pop("userblock")} if "userblock" in extra else {})) as f:
        f.attrs["model_config"] = '{"class_name": "Sequential", "config": {"layers": []}}'
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = np.array([b"dense"])
        layer = weights.create_group("dense")
        layer.attrs["weight_names"] = np.array([b"dense/kernel:0", b"dense/bias:0"])
        layer.create_dataset("dense/kernel:0", data=np.ones((3, 2), "float32"))
        layer.create_dataset("dense/bias:0", data=np.zeros((2,), ">f8"))
        for name, make in extra.items():
            make(f, name)
    return path


def _virtual_layout() -> h5py.VirtualLayout:
    layout = h5py.VirtualLayout((2,), "f4")
    layout[:] = h5py.VirtualSource("source.h5", "/data", shape=(2,))
    return layout


VARIANTS = {
    "external_link": lambda f, name: f.__setitem__(f"model_weights/{name}", h5py.ExternalLink("other.h5", "/x")),
    "soft_link": lambda f, name: f.__setitem__(f"model_weights/{name}", h5py.SoftLink("/model_weights/dense")),
    "external_storage": lambda f, name: f.create_dataset(
        f"model_weights/{name}", shape=(4,), dtype="f4", external=[("outside.bin", 0, 16)]
    ),
    "virtual": lambda f, name: f.create_virtual_dataset(f"model_weights/{name}", _virtual_layout(), fillvalue=0),
    "shape_bomb": lambda f, name: f.create_dataset(f"model_weights/{name}", shape=(1 << 30,), dtype="f4"),
    "strings": lambda f, name: f.create_dataset(f"model_weights/{name}", data=np.array([b"a", b"bc"])),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_links_and_storage_outside_the_file_are_facts_of_the_own_path(tmp_path, variant):
    path = _full_model(tmp_path / "m.h5", **{variant: VARIANTS[variant]})
    assert _compare(path) is None


def test_a_weight_listed_through_a_soft_link_and_a_refused_shape_bomb(tmp_path):
    def listed(f, name):
        f["model_weights/dense"].attrs["weight_names"] = np.array([b"dense/kernel:0", b"alias", b"bomb"])
        f["model_weights/dense/alias"] = h5py.SoftLink("/model_weights/dense/dense/kernel:0")
        f["model_weights/dense"].create_dataset("bomb", shape=(1 << 30,), dtype="f4")

    path = _full_model(tmp_path / "m.h5", listed=listed)
    assert _compare(path) is None
    (layer,) = model.read(str(path)).artifact.weights
    assert [w.name for w in layer.weights] == ["dense/kernel:0", "alias", "bomb"]
    assert layer.weights[2].refused and layer.weights[2]._reader is None


def test_behind_a_user_block(tmp_path):
    assert _compare(_full_model(tmp_path / "m.h5", userblock=1024)) is None


def test_a_layer_name_that_is_not_utf8_goes_to_h5py(tmp_path):
    path = _full_model(tmp_path / "m.h5")
    with h5py.File(path, "r+") as f:
        f["model_weights"].attrs["layer_names"] = np.array([b"dense", b"caf\xe9"])
        f["model_weights"].create_group(b"caf\xe9")
    assert _compare(path) is not None
    assert model.read(str(path)).artifact is not None



@pytest.mark.slow
def test_reports_are_byte_identical_through_either_path(monkeypatch):
    """The whole JSON report of every HDF5 file of the corpora, read by the own reader and then with every
    file handed to h5py: the same bytes."""
    from h5lint.engine import lint_paths
    from h5lint.reporters import render
    from h5lint.settings import resolve

    paths = [str(path) for _name, path in _hdf5_files()]
    assert len(paths) > 100 or not SHARED.is_dir()
    settings = resolve(None, {})
    own_path = render("json", lint_paths(paths, settings, isolate=False))

    def hand_off(path, opener):
        raise own.HandOff("this test reads every file through h5py")

    monkeypatch.setattr(own, "read", hand_off)
    assert render("json", lint_paths(paths, settings, isolate=False)) == own_path
