"""Weight values are only read when a rule that reads them runs, and then in bounded chunks."""

from __future__ import annotations

import pytest
from conftest import SAMPLES

from h5lint import ir
from h5lint.catalog import load_catalog
from h5lint.engine import lint_paths
from h5lint.parsers.h5 import h5py_path
from h5lint.settings import resolve

WEIGHT_RULES = sorted(code for code, spec in load_catalog().items() if spec.reads_weights)
SAMPLE_FILES = [
    SAMPLES / name
    for name in (
        "k3_nonfinite_weights.h5",
        "k3_nonfinite_weights.keras",
        "k3_zero_output_kernel.h5",
        # TF checkpoints: a save_weights folder, a SavedModel's variables/ (config and graph-only)
        "tfk_nonfinite_weights_ckpt",
        "tfk_nonfinite_weights_savedmodel",
        "k3_zero_output_kernel_export",
    )
]


@pytest.fixture
def reads(monkeypatch):
    calls: list[tuple[str, int]] = []
    real = ir.WeightArray.chunks

    def spy(self, max_elements=1 << 20):
        calls.append((self.location, max_elements))
        return real(self, max_elements)

    monkeypatch.setattr(ir.WeightArray, "chunks", spy)
    return calls


def test_the_catalog_marks_the_weight_rules():
    # H5L403 needs the store's group layout only, H5L505 the shapes only.
    assert WEIGHT_RULES == ["H5L403", "H5L502", "H5L503", "H5L504", "H5L505"]


def test_no_weight_values_are_read_without_a_weight_rule(reads):
    report = lint_paths([str(p) for p in SAMPLE_FILES], resolve(None, {"ignore": WEIGHT_RULES}), isolate=False)
    assert report.artifacts and all(a.readable for a in report.artifacts)
    assert reads == []


def test_the_version_rule_reads_the_store_layout_not_the_values(reads):
    report = lint_paths([str(p) for p in SAMPLE_FILES], resolve(None, {"select": ["H5L403"]}), jobs=1)
    assert report.artifacts and reads == []


def test_weight_rules_read_in_bounded_chunks(reads):
    report = lint_paths([str(p) for p in SAMPLE_FILES], resolve(None, {"select": WEIGHT_RULES}), isolate=False)
    # H5L403 (a weight rule for the store's layout) judges the SavedModel sample too, reading no values.
    assert {f.code for f in report.findings} == {"H5L403", "H5L502", "H5L503"}
    assert reads and all(0 < limit <= 1 << 22 for _location, limit in reads)


def test_weight_readers_of_one_artifact_share_one_open_file(monkeypatch):
    # H5L502 and H5L503 read several arrays of the same file; inside the engine's keep_open() the file is
    # opened once for all of them, not once per array: the parser opens it to read the metadata with its own
    # reader, the weight readers once more to read the contiguous values, and libhdf5 never.
    from h5lint.parsers.h5 import outcomes, own

    opened: list[str] = []
    monkeypatch.setattr(outcomes, "open_h5", lambda path: opened.append(f"h5py {path}"))
    monkeypatch.setattr(own, "open", lambda path, mode: opened.append(f"raw {path}") or open(path, mode), raising=False)
    sample = SAMPLES / "k3_nonfinite_weights.h5"
    report = lint_paths([str(sample)], resolve(None, {"select": ["H5L502", "H5L503"]}), isolate=False)
    assert opened == [f"raw {sample}", f"raw {sample}"]
    assert {f.code for f in report.artifacts[0].findings} == {"H5L502"}


def test_arrays_of_one_group_walk_to_it_once_per_open_file(monkeypatch):
    """A layer's kernel and bias share their group: within one artifact's checks it is walked to once."""
    from h5lint.openfiles import keep_open
    from h5lint.parsers.h5 import weights as h5_weights

    # Through h5py (a file the own reader hands over); contiguous values are read without it (contiguous.py).
    artifact = h5py_path.read(str(SAMPLES / "tfk_linear_head_bce.h5")).artifact
    assert artifact is not None
    arrays = [w for layer in artifact.weights for w in layer.weights]
    walked: list[str] = []
    real = h5_weights.resolve
    monkeypatch.setattr(h5_weights, "resolve", lambda group, path: walked.append(path) or real(group, path))
    with keep_open():
        values = [list(w.chunks()) for w in arrays]
    groups = {w.location.rpartition("/")[0] for w in arrays}
    assert len(arrays) > len(groups) and sorted(walked) == sorted(groups)
    assert all(values)
    walked.clear()
    for w in arrays:  # outside keep_open every read opens the file, and finds its group again
        list(w.chunks())
    assert len(walked) == len(arrays)
