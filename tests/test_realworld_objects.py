"""H5L301-H5L304 on every real-world and format-example file, checked against the manifest.

Every file is linted once through the engine with only the H5L3 rules. Files not listed in the
expectation tables must give no finding at all; listed ones exactly the findings listed. A second test
re-derives what the manifest's nonstandard_* and cudnn columns predict and explains each place where
h5lint knowingly says something else.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from h5lint.engine import lint_paths
from h5lint.settings import resolve

from conftest import FORMAT_EXAMPLES, REALWORLD

FILES = REALWORLD / "files"
SETTINGS = resolve(None, {"select": ["H5L3"]})

KERAS1_L1L2 = {
    ("H5L304", f"layer:{name}")
    for name in (
        "convolution2d_1", "convolution2d_2", "convolution2d_3", "convolution2d_4", "convolution2d_5",
        "dense_1", "dense_2", "dense_3",
    )
}

EXPECTED_REALWORLD = {
    # Subclassed top-level models: the class is the user's code (manifest: "(top-level model)").
    "AlgoDM-Fall2023-Team2__Visual-Search-Using-Variational-Autoencoders__model.keras": {("H5L301", "object:VAE")},
    "IEEE-NITK__Speech-to-Image__savedmodel_root": {("H5L301", "object:Transformer")},
    "Srthk03__Speaker_Verification__siamese_model.keras": {("H5L301", "object:L1Distance")},
    # The manifest misses these: the siamese tutorial's kernel_initializer="W_init" and
    # bias_initializer="b_init" are plain Python functions (no registration) in 25 and 23 layer
    # configs of keras_metadata.pb; tf-keras would need custom_objects for them.
    "AnwerSaeed017__face-recognition-using-siamese-network__partial_savedmodel": {
        ("H5L301", "object:W_init"),
        ("H5L301", "object:b_init"),
    },
    # Keras 1.2.2 functional model: custom layer class plus a Keras 1 Merge(mode="concat").
    "multicom-toolbox__DeepSF__models__model_SimilarityReduction.json": {
        ("H5L301", "object:K_max_pooling1d"),
        ("H5L304", "layer:merge_1"),
    },
    # keras-contrib CRF tagger: the manifest has no metrics column, so crf_viterbi_accuracy is extra.
    "lyssym__TF_Serving_example__model__crf.h5": {
        ("H5L302", "object:CRF"),
        ("H5L302", "object:crf_loss"),
        ("H5L302", "object:crf_viterbi_accuracy"),
    },
    "Praneet9__Cryptocurrency_Prediction__models__RNN_Final.model": {
        ("H5L303", "layer:cu_dnnlstm_1"),
        ("H5L303", "layer:cu_dnnlstm_2"),
        ("H5L303", "layer:cu_dnnlstm_3"),
    },
    "nimiew__stock_prediction__models__RNN_Final.model": {
        ("H5L303", "layer:cu_dnnlstm"),
        ("H5L303", "layer:cu_dnnlstm_1"),
        ("H5L303", "layer:cu_dnnlstm_2"),
    },
    # Keras 1.2.x Sequential models (behavioural cloning) whose W_regularizer is Keras 1's
    # {"name": "L1L2Regularizer", ...}: Keras 2 converted it, Keras 3 has no such class. The
    # manifest has no column for removed built-ins.
    "jeremy-shannon__CarND-Behavioral-Cloning-Project__model.h5": KERAS1_L1L2,
    "ncondo__CarND-Behavioral-Cloning__model.json": KERAS1_L1L2,
}

SCALE_AND_ACT = {("H5L301", "object:h5lint>ScaleLayer"), ("H5L301", "object:h5lint>my_act")}
MY_LOSS = {("H5L301", "object:h5lint>my_loss")}
MY_MODEL = {("H5L301", "object:MyModel")}
TFOPLAMBDA = {("H5L304", "layer:tf.math.multiply"), ("H5L304", "layer:tf.__operators__.getitem")}

# Format examples (format-examples/README.md says which models carry custom objects); the
# extracted/*.json copies of model configs are linted too and must agree with their originals.
EXPECTED_FORMAT_EXAMPLES = {
    "tfk_functional.h5": SCALE_AND_ACT,
    "k3_functional.keras": SCALE_AND_ACT,
    "k3_functional_legacy.h5": SCALE_AND_ACT,
    "k3_functional_npz.keras": SCALE_AND_ACT,
    "tfjs_layers_functional/model.json": SCALE_AND_ACT,
    "tfk_stateful.h5": MY_LOSS,
    "k3_stateful.keras": MY_LOSS,
    "tfk_savedmodel_stateful": MY_LOSS,
    "k3_subclassed.keras": MY_MODEL,
    "tfk_savedmodel_subclassed": MY_MODEL,
    "tfk_tfoplambda.h5": TFOPLAMBDA,
    "extracted/tfk_functional.model_config.json": SCALE_AND_ACT,
    "extracted/k3_functional.config.json": SCALE_AND_ACT,
    "extracted/k3_functional_legacy.model_config.json": SCALE_AND_ACT,
    "extracted/k3_functional_npz.config.json": SCALE_AND_ACT,
    "extracted/tfjs_layers_functional.model.json": SCALE_AND_ACT,
    "extracted/k3_stateful.config.json": MY_LOSS,
    "extracted/k3_subclassed.config.json": MY_MODEL,
    "extracted/tfk_tfoplambda.model_config.json": TFOPLAMBDA,
}


def _findings(paths) -> dict[str, set[tuple[str, str | None]]]:
    report = lint_paths([str(p) for p in paths], SETTINGS)
    return {a.path: {(f.code, f.location) for f in a.findings if f.code.startswith("H5L30")} for a in report.artifacts}


@pytest.fixture(scope="module")
def realworld() -> dict[str, set[tuple[str, str | None]]]:
    found = _findings(sorted(FILES.iterdir()))
    # A TF.js folder is reported as its model.json: key every artifact by the manifest's name.
    return {Path(path).relative_to(FILES).parts[0]: hits for path, hits in found.items()}


@pytest.fixture(scope="module")
def format_examples() -> dict[str, set[tuple[str, str | None]]]:
    paths = [p for p in sorted(FORMAT_EXAMPLES.iterdir()) if p.name not in ("README.md", "extracted", "gen")]
    paths += sorted((FORMAT_EXAMPLES / "extracted").glob("*.json"))
    found = _findings(paths)
    return {str(Path(p).relative_to(FORMAT_EXAMPLES)): hits for p, hits in found.items()}


def test_every_realworld_file_was_linted(realworld):
    assert sorted(realworld) == sorted(p.name for p in FILES.iterdir())


@pytest.mark.parametrize("name", sorted(p.name for p in FILES.iterdir()))
def test_realworld_findings(realworld, name):
    assert realworld[name] == EXPECTED_REALWORLD.get(name, set())


def test_format_examples(format_examples):
    unexpected = {name: hits for name, hits in format_examples.items() if hits != EXPECTED_FORMAT_EXAMPLES.get(name, set())}
    assert unexpected == {}
    assert set(EXPECTED_FORMAT_EXAMPLES) <= set(format_examples)


# ------------------------------------------------------------------------- manifest agreement
def _manifest_rows() -> list[dict[str, str]]:
    with open(REALWORLD / "manifest.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _names(cell: str) -> set[str]:
    """``VAE(top-level model)`` -> ``VAE``; cells may list several names."""
    return {re.sub(r"\(.*\)$", "", part.strip()) for part in re.split(r"[,;|]", cell) if part.strip()}


# Names h5lint reports that the manifest's nonstandard_* columns do not list, and why.
NOT_IN_MANIFEST = {
    "AnwerSaeed017__face-recognition-using-siamese-network__partial_savedmodel": {"W_init", "b_init"},  # missed
    "lyssym__TF_Serving_example__model__crf.h5": {"crf_viterbi_accuracy"},  # a metric: no manifest column
}


@pytest.mark.parametrize("row", _manifest_rows(), ids=lambda r: r["local_name"][:60])
def test_agrees_with_manifest(realworld, row):
    name = row["local_name"]
    hits = realworld[name]
    predicted = _names(row["nonstandard_classes"]) | _names(row["nonstandard_loss"]) | _names(row["nonstandard_activations"])
    reported = {loc.split(":", 1)[1] for code, loc in hits if code in ("H5L301", "H5L302")}
    assert reported == predicted | NOT_IN_MANIFEST.get(name, set())
    cudnn = {loc for code, loc in hits if code == "H5L303"}
    assert bool(cudnn) == bool(row["cudnn"].strip())


# ------------------------------------------------------------------- the built-ins table itself
def test_builtins_table_is_sorted_and_version_aware():
    from h5lint.catalog import knowledge

    lines = knowledge("keras_builtins")["lines"]
    assert list(lines) == ["keras-1", "keras-2", "tf.keras", "tf-keras", "keras-3"]
    for kinds in lines.values():
        assert all(names == sorted(set(names)) for names in kinds.values())

    def has(line: str, kind: str, name: str) -> bool:
        return name in lines[line][kind]

    assert has("keras-2", "layers", "CuDNNLSTM") and has("tf.keras", "layers", "CuDNNLSTM")
    assert not has("keras-3", "layers", "CuDNNLSTM")
    assert has("tf.keras", "layers", "TFOpLambda") and not has("keras-3", "layers", "TFOpLambda")
    assert has("keras-1", "layers", "Merge") and not has("tf-keras", "layers", "Merge")
    assert has("tf-keras", "optimizers", "Custom>Adam") and has("tf-keras", "models", "Functional")
    assert has("keras-3", "dtype_policies", "DTypePolicy") and has("tf.keras", "dtype_policies", "Policy")
