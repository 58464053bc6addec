"""Security rules on the real-world files: every Lambda the manifest lists, and nothing else.

The manifest's `lambda` column counts Lambda layers per file; h5lint must report each one, at its
layer, whatever its encoding (raw marshal strings from Keras 1/2.0, base64, Keras 3 `__lambda__`,
keras_metadata.pb tuples). No file in the set has unsafe graph ops, foreign module references,
external HDF5 references, unsafe zip members, TFSMLayers, vocabulary paths, TorchModuleWrappers or
path-like asset and layer names, so H5L102-H5L109 must be silent on all of them.
"""

from __future__ import annotations

import csv

import pytest
from conftest import REALWORLD

from h5lint.engine import lint_paths
from h5lint.settings import resolve

ROWS = {r["local_name"]: r for r in csv.DictReader(open(REALWORLD / "manifest.tsv", encoding="utf-8"), delimiter="\t")}

LAMBDA_LAYERS = {
    "2015131141143821__CarND-Behavioral-Cloning-Project__model.h5": ["lambda_1", "lambda_2"],
    "ChenxinWang0210__Behavioral-Cloning__model.json": ["lambda_1"],
    "ncondo__CarND-Behavioral-Cloning__model.json": ["lambda_1"],
    "AnwerSaeed017__face-recognition-using-siamese-network__partial_savedmodel": ["lambda"],
    "jeremy-shannon__CarND-Behavioral-Cloning-Project__model.h5": ["lambda_1"],
    "malfaro2__dl4j-test-resources__src__main__resources__modelimport__keras__examples__lambda__model_lambda.h5": [
        "lambda_3",
        "lambda_4",
    ],
    "malfaro2__dl4j-test-resources__src__main__resources__modelimport__keras__weights__space_to_depth_graph_tensorflow_2.h5": [
        "space_to_depth_x2"
    ],
    "tuanTaAnh__ids-2018-version2__LSTM_model.h5": ["last_hidden_state"],
    "mmoffatt2__smart_doorlock__siamese_model_0.7.keras": ["lambda"],
}


@pytest.fixture(scope="module")
def findings() -> dict[str, set[tuple[str, str | None]]]:
    report = lint_paths([str(REALWORLD / "files")], resolve(None, {"select": ["H5L1"]}), jobs=1)
    by_file: dict[str, set[tuple[str, str | None]]] = {}
    for artifact in report.artifacts:
        name = artifact.path.split("files/", 1)[1].split("/", 1)[0]
        by_file[name] = {(f.code, f.location) for f in artifact.findings}
    return by_file


def test_lambda_table_matches_the_manifest_counts():
    counted = {name: int(row["lambda"]) for name, row in ROWS.items() if row["lambda"] not in ("", "0")}
    assert counted == {name: len(layers) for name, layers in LAMBDA_LAYERS.items()}


@pytest.mark.parametrize("name", sorted(ROWS), ids=lambda n: n[:80])
def test_security_findings_are_exactly_the_lambdas(name, findings):
    expected = {("H5L101", f"layer:{layer}") for layer in LAMBDA_LAYERS.get(name, [])}
    assert findings[name] == expected


def test_lambda_names_are_read_from_the_bytes():
    report = lint_paths(
        [str(REALWORLD / "files" / "2015131141143821__CarND-Behavioral-Cloning-Project__model.h5")],
        resolve(None, {"select": ["H5L101"]}),
        jobs=1,
    )
    messages = {f.location: f.message for f in report.findings}
    assert "refers to keras.backend, tf, image, resize_images" in messages["layer:lambda_2"]
    assert "Python 3.0-3.7" in messages["layer:lambda_2"]
