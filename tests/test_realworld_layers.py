"""Layer and weight rules (H5L501-H5L505) on real files: the real-world collection, the format examples and the
generated sample models, with exact findings; where they differ from the manifest or from
sample_models/expected.json, the comment says why.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import numpy as np

from h5lint.checks import RuleContext, all_checks
from h5lint.engine import lint_paths
from h5lint.ir import ModelArtifact, WeightArray, WeightLayer
from h5lint.settings import resolve

from conftest import FORMAT_EXAMPLES, REALWORLD, SAMPLES

CODES = ("H5L501", "H5L502", "H5L503", "H5L504", "H5L505")
NAN_INF = "(4x8, 32 values): 1 NaN and 2 Inf"


def _findings(paths: list[Path], root: Path) -> dict[str, dict[tuple[str, str], str]]:
    """Top-level entry under ``root`` -> {(code, location): message}."""
    report = lint_paths([str(p) for p in paths], resolve(None, {"select": list(CODES)}))
    found: dict[str, dict[tuple[str, str], str]] = {}
    for artifact in report.artifacts:
        entry = found.setdefault(Path(artifact.path).relative_to(root).parts[0], {})
        for finding in artifact.findings:
            entry[(finding.code, finding.location or "")] = finding.message
    return found


def _assert_exact(found: dict[str, dict[tuple[str, str], str]], expected: dict[str, dict[tuple[str, str], str]]):
    for name, got in sorted(found.items()):
        want = expected.get(name, {})
        assert sorted(got) == sorted(want), (name, got)
        for key, text in want.items():
            assert text in got[key], (name, key, got[key])
    assert set(expected) <= set(found), sorted(set(expected) - set(found))


# ---------------------------------------------------------------------------------------------
# Real-world files

REALWORLD_FILES = REALWORLD / "files"
STATEFUL_JSON = "chen0040__keras-timeseries-web-api__demo__models__monthly-milk-production__stateful-lstm-architecture.json"
EXPECTED_REALWORLD = {
    # The manifest's stateful_rnn column flags this to_json architecture (batch_input_shape [12, 1, 1]).
    # Its companion weights file (...stateful-lstm-weights.h5) has no config, so nothing can be said there.
    STATEFUL_JSON: {("H5L501", "layer:lstm_1"): "the batch size is fixed at 12"},
    # Not in the manifest (it has no column for it), but true: the tf.keras 2.12 model stores the
    # Normalization statistics it was built with - mean 0 x19, variance 1 x19, count 0 - so adapt() never ran.
    "41Leahcim__astronomy_pipeline__model.keras": {
        ("H5L504", "layer:normalization"): "Normalization layer 'normalization' still has its initial statistics"
    },
}


@functools.lru_cache(maxsize=1)
def _realworld() -> dict[str, dict[tuple[str, str], str]]:
    return _findings(sorted(REALWORLD_FILES.iterdir()), REALWORLD_FILES)


def test_realworld_exact_findings():
    _assert_exact(_realworld(), EXPECTED_REALWORLD)


def test_manifest_stateful_column():
    with (REALWORLD / "manifest.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    flagged = {row["local_name"] for row in rows if row["stateful_rnn"]}
    reported = {name for name, found in _realworld().items() if any(code == "H5L501" for code, _ in found)}
    assert flagged == reported == {STATEFUL_JSON}


# ---------------------------------------------------------------------------------------------
# Format examples (real TF 2.21 / Keras 3.15 / tf-keras 2.21 files)

EXPECTED_FORMAT_EXAMPLES = {
    name: {("H5L501", "layer:stateful_lstm"): "fixed at 2"}
    for name in ("tfk_stateful.h5", "k3_stateful.keras", "tfk_savedmodel_stateful")
}


def test_format_examples_exact_findings():
    # tfk_inf_nan.h5 and k3_unicode_inf_nan*.* hold NaN/Infinity in their configs, not in their weights.
    # extracted/ (the same configs as loose JSON) and the generator scripts are not model files.
    paths = sorted(p for p in FORMAT_EXAMPLES.iterdir() if p.name not in ("extracted", "gen", "README.md"))
    found = _findings(paths, FORMAT_EXAMPLES)
    _assert_exact(found, EXPECTED_FORMAT_EXAMPLES)


# ---------------------------------------------------------------------------------------------
# Generated sample models

EXPECTED_SAMPLES = {
    "tfk_stateful_lstm.h5": {("H5L501", "layer:lstm"): "fixed at 2"},
    "tfk_stateful_lstm_savedmodel": {("H5L501", "layer:lstm"): "fixed at 2"},
    "k3_stateful_lstm.h5": {("H5L501", "layer:lstm"): "fixed at 2"},
    "k3_stateful_lstm.keras": {("H5L501", "layer:lstm"): "fixed at 2"},
    # H5L501 reports a Bidirectional whose two directions are both stateful once, at the wrapper (not per
    # direction: bilstm/forward_layer, bilstm/backward_layer): one problem, one fix. The inner paths also
    # differ: a wrapped layer's location is its config name (tf-keras 'lstm_fw', Keras 3 'forward_lstm_fw'),
    # not the wrapper's attribute name.
    "tfk_stateful_bilstm.h5": {("H5L501", "layer:bilstm"): "stateful LSTM (stateful=True) in both directions"},
    "k3_stateful_bilstm.h5": {("H5L501", "layer:bilstm"): "in both directions"},
    "k3_stateful_bilstm.keras": {("H5L501", "layer:bilstm"): "in both directions"},
    "tfk_nonfinite_weights.h5": {("H5L502", "layer:hidden"): f"'hidden/kernel:0' {NAN_INF}"},
    "tfk_nonfinite_weights_weights.h5": {("H5L502", "layer:hidden"): f"'hidden/kernel:0' {NAN_INF}"},
    "k3_nonfinite_weights.h5": {("H5L502", "layer:hidden"): f"'hidden/kernel' {NAN_INF}"},
    "k3_nonfinite_weights.keras": {("H5L502", "layer:hidden"): f"'0' {NAN_INF}"},
    "k3_nonfinite_weights.weights.h5": {("H5L502", "layer:hidden"): f"'0' {NAN_INF}"},
    "tfjs_nonfinite_weights": {("H5L502", "layer:hidden"): f"'hidden/kernel' {NAN_INF}"},
    "tfk_zero_output_kernel.h5": {("H5L503", "layer:out"): "all-zero kernel 'out/kernel:0' (8x1)"},
    "k3_zero_output_kernel.h5": {("H5L503", "layer:out"): "all-zero kernel 'out/kernel' (8x1)"},
    "k3_zero_output_kernel.keras": {("H5L503", "layer:out"): "all-zero kernel '0' (8x1)"},
    "tfk_normalization_unadapted.h5": {("H5L504", "layer:norm"): "adapt() was never called"},
    "k3_normalization_unadapted.h5": {("H5L504", "layer:norm"): "adapt() was never called"},
    # Keras 3 keeps count at 0 after adapt(); the unadapted .keras is told apart by mean 0 / variance 1 alone.
    "k3_normalization_unadapted.keras": {("H5L504", "layer:norm"): "adapt() was never called"},
    "broken_weights_missing_group.h5": {("H5L505", "layer:hidden"): "stores no weights for it"},
    # The replaced (8, 2) kernel is all zeros too; H5L503 leaves a kernel that contradicts units=1 to H5L505.
    "broken_weights_wrong_shape.h5": {("H5L505", "layer:out"): "units=1, but its stored kernel 'out/kernel:0' has shape 8x2"},
    "broken_k3_weights_wrong_shape.keras": {("H5L505", "layer:out"): "units=1, but its stored kernel '0' has shape 8x2"},
    "broken_k3_weights_wrong_shape.h5": {("H5L505", "layer:out"): "units=1, but its stored kernel 'out/kernel' has shape 8x2"},
}


def test_sample_models_exact_findings():
    found = _findings(sorted(p for p in SAMPLES.iterdir() if p.name not in ("README.md", "expected.json")), SAMPLES)
    _assert_exact(found, EXPECTED_SAMPLES)


# ---------------------------------------------------------------------------------------------
# Reading discipline: only float arrays are read, in bounded chunks


def _unreadable(max_elements: int):
    raise AssertionError("an array that is not floating point must never be read")


def test_non_float_arrays_are_never_read():
    arrays = tuple(
        WeightArray("d", name, (4,), dtype, f"d/{name}", _unreadable)
        for name, dtype in (("ints", "int64"), ("flags", "bool"), ("names", "|O"), ("text", "|S8"))
    )
    model = ModelArtifact(path="x.h5", format="h5-weights", weights=(WeightLayer("d", arrays),))
    assert list(all_checks()["H5L502"](model, RuleContext())) == []


def test_chunks_are_bounded():
    requested: list[int] = []

    def reader(max_elements: int):
        requested.append(max_elements)
        values = np.full(10_000, np.nan, dtype=np.float32)
        for start in range(0, values.size, max_elements):
            yield values[start : start + max_elements]

    weight = WeightArray("big", "big/kernel:0", (100, 100), "float32", "big/big/kernel:0", reader)
    model = ModelArtifact(path="x.h5", format="h5-weights", weights=(WeightLayer("big", (weight,)),))
    hits = list(all_checks()["H5L502"](model, RuleContext()))
    assert [h.location for h in hits] == ["layer:big"] and "10000 NaN" in hits[0].message
    assert requested and 0 < max(requested) <= 1 << 20
