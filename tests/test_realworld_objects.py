"""H5L301-H5L304 on the real-world files against the manifest's hand-made columns (exact findings: tests/snapshots).

The manifest lists the non-standard classes, losses and activations of each file and whether it uses a CuDNN
layer; where h5lint knowingly says something else, NOT_IN_MANIFEST says why.
"""

from __future__ import annotations

import csv
import re

import pytest
from conftest import REALWORLD, require_shared
from snapshots import found_by_top

require_shared()  # every test here reads the shared corpora

REALWORLD_FOUND = found_by_top("realworld", "H5L30")


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
def test_agrees_with_manifest(row):
    name = row["local_name"]
    hits = REALWORLD_FOUND[name]
    predicted = _names(row["nonstandard_classes"]) | _names(row["nonstandard_loss"]) | _names(row["nonstandard_activations"])
    reported = {loc.split(":", 1)[1] for code, loc in hits if code in ("H5L301", "H5L302")}
    assert reported == predicted | NOT_IN_MANIFEST.get(name, set())
    cudnn = {loc for code, loc in hits if code == "H5L303"}
    assert bool(cudnn) == bool(row["cudnn"].strip())


# ------------------------------------------------------------------- the built-ins lookups themselves
def test_builtins_are_version_aware():
    from h5lint.keras.builtins import builtin_in

    assert builtin_in("CuDNNLSTM", "layers", "keras-2") and builtin_in("CuDNNLSTM", "layers", "tf.keras")
    assert not builtin_in("CuDNNLSTM", "layers", "keras-3")
    assert builtin_in("TFOpLambda", "layers", "tf.keras") and not builtin_in("TFOpLambda", "layers", "keras-3")
    assert builtin_in("Merge", "layers", "keras-1") and not builtin_in("Merge", "layers", "tf-keras")
    assert builtin_in("Custom>Adam", "optimizers", "tf-keras") and builtin_in("Functional", "models", "tf-keras")
    assert builtin_in("DTypePolicy", "dtype_policies", "keras-3") and builtin_in("Policy", "dtype_policies", "tf.keras")
    assert builtin_in("ADAM", "optimizers", "keras-3")  # the loader lowercases optimizer names it knows
    # Per release: RMSNormalization arrived in Keras 3.9.
    assert builtin_in("RMSNormalization", "layers", "keras-3", "3.9")
    assert not builtin_in("RMSNormalization", "layers", "keras-3", "3.8")
