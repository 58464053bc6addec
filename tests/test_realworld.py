"""Every real-world file agrees with the hand-made manifest: format, versions, outputs and losses.

The manifest (../shared/realworld/manifest.tsv) is a reading made by hand and script. On the
columns checked here h5lint and the manifest agree on all 64 rows once two naming conventions are
mapped (FORMAT_NAMES, and the manifest's "TimeDistributed(Dense)" for wrapped heads). The places
where the manifest is incomplete are documented with the rules they concern:
tests/test_realworld_objects.py (custom initializers W_init/b_init it missed, the CRF metric) and
tests/test_realworld_heads.py (the "binary-as-2-unit-softmax" rows, which are correct models).
"""

from __future__ import annotations

import csv
import re

import pytest
from conftest import REALWORLD, require_shared

from h5lint import ir
from h5lint.discover import discover
from h5lint.keras.training import canonical_loss_name
from h5lint.parsers import read_candidate
from h5lint.testing import interpreted

require_shared()  # every test here reads the shared corpora

ROWS = list(csv.DictReader(open(REALWORLD / "manifest.tsv", encoding="utf-8"), delimiter="\t"))
# The manifest calls architecture-only model.to_json() files "other"; h5lint names the format.
FORMAT_NAMES = {"other": "keras-json"}


def _artifact(local_name: str) -> ir.ModelArtifact | None:
    matches = list(discover([str(REALWORLD / "files" / local_name)]))
    assert len(matches) == 1, matches
    return interpreted(read_candidate(matches[0]))


@pytest.fixture(scope="module")
def artifacts() -> dict[str, ir.ModelArtifact | None]:
    return {row["local_name"]: _artifact(row["local_name"]) for row in ROWS}


def _output_class(model: ir.ModelArtifact, spec: ir.OutputSpec) -> str:
    layer = model.graph.layer(spec.tensor.layer) if model.graph else None
    if layer is None:
        return "?"
    if layer.wrapped:  # the manifest writes TimeDistributed(Dense)
        return f"{layer.class_name}({layer.wrapped[0][1].class_name})"
    return layer.class_name


def _loss_names(manifest_loss: str, names: tuple[str, ...]) -> list[str | None]:
    if manifest_loss in ("", "none"):
        return [None] * len(names)
    if manifest_loss.startswith("{"):
        pairs = dict(part.split(":", 1) for part in manifest_loss.strip("{}").split(","))
        return [canonical_loss_name(pairs[n]) if n in pairs else None for n in names]
    name = re.sub(r"\(.*\)$", "", manifest_loss)
    return [canonical_loss_name(name)] * len(names)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["local_name"][:80])
def test_format_and_versions_agree(row, artifacts):
    model = artifacts[row["local_name"]]
    assert model is not None, "every real-world file must be readable"
    assert model.format.name == FORMAT_NAMES.get(row["format"], row["format"])
    if row["keras_version"]:
        assert model.versions.keras_version == row["keras_version"]
    if row["backend"]:
        assert model.versions.backend == row["backend"]


@pytest.mark.parametrize(
    "row", [r for r in ROWS if r["last_layer"] and not r["last_layer"].startswith("(name)")], ids=lambda r: r["local_name"][:80]
)
def test_outputs_and_losses_agree(row, artifacts):
    model = artifacts[row["local_name"]]
    classes = [_output_class(model, spec) for spec in model.outputs]
    assert ";".join(classes) == row["last_layer"]
    names = tuple(spec.name for spec in model.outputs)
    losses = [spec.loss.name if spec.loss else None for spec in model.outputs]
    assert losses == _loss_names(row["loss"], names)
    if "from_logits=True" in row["loss"]:
        assert all(spec.loss and spec.loss.from_logits for spec in model.outputs)


@pytest.mark.parametrize(
    "row", [r for r in ROWS if r["last_layer"].startswith("(name)")], ids=lambda r: r["local_name"][:80]
)
def test_weights_only_files_name_their_last_layer(row, artifacts):
    model = artifacts[row["local_name"]]
    assert model.format.name == "h5-weights" and model.graph is None
    stored = [entry.name for entry in model.weights or ()]
    assert row["last_layer"].removeprefix("(name)") in stored
