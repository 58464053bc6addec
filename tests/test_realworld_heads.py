"""H5L201-H5L206 on the real-world files, against the hand-made manifest (exact findings: tests/snapshots)."""

from __future__ import annotations

import pytest
from conftest import REALWORLD_MANIFEST, require_shared
from snapshots import found_by_top

require_shared()  # every test here reads the shared corpora

FOUND = found_by_top("realworld", "H5L2")


@pytest.mark.parametrize(
    "name",
    [name for name, row in REALWORLD_MANIFEST.items() if "binary-as-2-unit-softmax" in row["odd"]],
)
def test_binary_as_two_unit_softmax_is_not_a_finding(name):
    # All three real 2-unit softmax binary classifiers use (sparse) categorical crossentropy (or are
    # not compiled): that is correct, so nothing is reported. Only softmax(2) + binary crossentropy
    # would be (H5L204, info), see rules/H5L204_activation_loss_mismatch/rule.toml.
    row = REALWORLD_MANIFEST[name]
    assert "softmax" in row["last_activation"] and "binary" not in row["loss"]
    assert FOUND[name] == set()


def test_manifest_heads_with_a_probability_loss_on_logits_are_reported():
    # The manifest's hand labels: a linear last layer compiled with from_logits=True returns logits (H5L205).
    for name, row in REALWORLD_MANIFEST.items():
        if row["last_activation"] == "linear" and "from_logits=True" in row["loss"]:
            assert ("H5L205" in {code for code, _ in FOUND[name]}), name
