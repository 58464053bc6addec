"""H5L201-H5L206 through the whole pipeline on real files: real-world files and format examples (samples: test_samples.py).

Every artifact is linted once through the engine with only the H5L2 rules. Files not listed in the
expectation tables must give no finding at all; listed ones exactly the (code, location) pairs
listed. A second test re-derives what the manifest's last_activation / last_units / loss columns
predict for the head rules and explains each place where h5lint knowingly says something else.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from h5lint.engine import lint_paths
from h5lint.settings import resolve
from h5lint.training import canonical_loss_name

from conftest import FORMAT_EXAMPLES, REALWORLD, REALWORLD_MANIFEST

FILES = REALWORLD / "files"
SETTINGS = resolve(None, {"select": ["H5L2"]})

Found = dict[str, set[tuple[str, str | None]]]

EXPECTED_REALWORLD = {
    # Functional LSTM ending in Dense(3) (linear) compiled with
    # SparseCategoricalCrossentropy(from_logits=True): correct, but predict() returns logits.
    "tuanTaAnh__ids-2018-version2__LSTM_model.h5": {("H5L205", "output:dense_3")},
    # Dense(3, sigmoid) trained with mse on a 3-class intrusion-detection task.
    "tuanTaAnh__ids-2018-version2__MLP_model.h5": {("H5L204", "output:dense_2")},
}

# The functional example (tf-keras, Keras 3, .keras/npz/legacy .h5, TF.js) has a linear head
# 'out_b' created under mixed_float16 and compiled with SparseCategoricalCrossentropy(from_logits=True).
# The extracted model_config copies carry no training config, hence no H5L205.
OUT_B = {("H5L205", "output:out_b"), ("H5L206", "layer:out_b")}
OUT_B_UNCOMPILED = {("H5L206", "layer:out_b")}
EXPECTED_FORMAT_EXAMPLES = {
    "tfk_functional.h5": OUT_B,
    "k3_functional.keras": OUT_B,
    "k3_functional_legacy.h5": OUT_B,
    "k3_functional_npz.keras": OUT_B,
    "tfjs_layers_functional/model.json": OUT_B,
    "extracted/k3_functional.config.json": OUT_B,
    "extracted/k3_functional_npz.config.json": OUT_B,
    "extracted/tfjs_layers_functional.model.json": OUT_B,
    "extracted/tfk_functional.model_config.json": OUT_B_UNCOMPILED,
    "extracted/k3_functional_legacy.model_config.json": OUT_B_UNCOMPILED,
}


def _findings(paths) -> Found:
    report = lint_paths([str(p) for p in paths], SETTINGS)
    return {a.path: {(f.code, f.location) for f in a.findings if f.code.startswith("H5L2")} for a in report.artifacts}


@pytest.fixture(scope="module")
def realworld() -> Found:
    found = _findings(sorted(FILES.iterdir()))
    # A TF.js folder is reported as its model.json: key every artifact by the manifest's name.
    return {Path(path).relative_to(FILES).parts[0]: hits for path, hits in found.items()}


def test_every_realworld_file_was_linted(realworld):
    assert sorted(realworld) == sorted(p.name for p in FILES.iterdir())


@pytest.mark.parametrize("name", sorted(p.name for p in FILES.iterdir()))
def test_realworld_findings(realworld, name):
    assert realworld[name] == EXPECTED_REALWORLD.get(name, set())


# ------------------------------------------------------------------------- manifest agreement
PROBABILITY_LOSSES = {
    "binary_crossentropy": "binary",
    "binary_focal_crossentropy": "binary",
    "categorical_crossentropy": "categorical",
    "sparse_categorical_crossentropy": "categorical",
    "categorical_focal_crossentropy": "categorical",
    "kl_divergence": "categorical",
}
REGRESSION_LOSSES = {"mean_squared_error", "mean_absolute_error", "mean_squared_logarithmic_error", "huber"}


def _per_output(cell: str, count: int) -> list[str]:
    """``softmax;linear`` -> one entry per output; ``{a:mse,b:bce}`` -> the values, in output order."""
    cell = cell.strip()
    if cell.startswith("{"):
        return [part.split(":", 1)[1].strip() for part in cell.strip("{}").split(",")]
    parts = [p.strip() for p in cell.split(";")] if cell else []
    return parts if len(parts) == count else [cell] * count


def _predicted(row: dict[str, str]) -> set[str]:
    """The head rules the manifest's columns call for (codes only: it does not name the layers)."""
    count = int(row["n_outputs"]) if row["n_outputs"].isdigit() else 0
    codes: set[str] = set()
    activations = _per_output(row["last_activation"], count)
    units = _per_output(row["last_units"], count)
    losses = _per_output(row["loss"], count) if row["loss"].strip() not in ("", "none") else [""] * count
    for act, width, loss in zip(activations, units, losses):
        size = int(m.group()) if (m := re.match(r"\d+", width)) else None
        if act == "softmax" and size == 1:
            codes.add("H5L203")
        if not loss:
            continue
        from_logits = "from_logits=True" in loss
        name = canonical_loss_name(loss.split("(", 1)[0])
        expects = PROBABILITY_LOSSES.get(name)
        squashed = act in ("sigmoid", "softmax")
        if from_logits and squashed:
            codes.add("H5L202")
        elif from_logits and act == "linear":
            codes.add("H5L205")
        elif expects and act in ("linear", "relu", "tanh"):
            codes.add("H5L201")
        elif (act, expects) == ("sigmoid", "categorical") or ((act, expects) == ("softmax", "binary") and size != 1):
            codes.add("H5L204")
        elif squashed and name in REGRESSION_LOSSES:
            codes.add("H5L204")
    return codes


def test_manifest_column_parsing():
    row = {"n_outputs": "3", "last_activation": "softmax;sigmoid;sigmoid", "last_units": "3;1;1",
           "loss": "{a:sparse_categorical_crossentropy,b:binary_crossentropy,c:mse}"}
    assert _predicted(row) == {"H5L204"}
    row = {"n_outputs": "1", "last_activation": "linear", "last_units": "3",
           "loss": "SparseCategoricalCrossentropy(from_logits=True)"}
    assert _predicted(row) == {"H5L205"}


@pytest.mark.parametrize("row", list(REALWORLD_MANIFEST.values()), ids=lambda r: r["local_name"][:60])
def test_agrees_with_manifest(realworld, row):
    # h5lint and the hand-made manifest agree on every file (the subclassed IEEE-NITK Transformer
    # records a from_logits loss but no layer graph: no head, nothing predicted, nothing reported).
    reported = {code for code, _location in realworld[row["local_name"]]}
    assert reported == _predicted(row)


@pytest.mark.parametrize(
    "name",
    [name for name, row in REALWORLD_MANIFEST.items() if "binary-as-2-unit-softmax" in row["odd"]],
)
def test_binary_as_two_unit_softmax_is_not_a_finding(realworld, name):
    # All three real 2-unit softmax binary classifiers use (sparse) categorical crossentropy (or are
    # not compiled): that is correct, so nothing is reported. Only softmax(2) + binary crossentropy
    # would be (H5L204, info), see rules/catalog/H5L204.toml.
    row = REALWORLD_MANIFEST[name]
    assert "softmax" in row["last_activation"] and "binary" not in row["loss"]
    assert realworld[name] == set()


# ------------------------------------------------------------------------- format examples
def test_format_examples():
    paths = [p for p in sorted(FORMAT_EXAMPLES.iterdir()) if p.name not in ("README.md", "extracted", "gen")]
    paths += sorted((FORMAT_EXAMPLES / "extracted").glob("*.json"))
    found = {str(Path(p).relative_to(FORMAT_EXAMPLES)): hits for p, hits in _findings(paths).items()}
    unexpected = {name: hits for name, hits in found.items() if hits != EXPECTED_FORMAT_EXAMPLES.get(name, set())}
    assert unexpected == {}
    assert set(EXPECTED_FORMAT_EXAMPLES) <= set(found)
