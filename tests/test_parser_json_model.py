"""The JSON parser (h5lint.parsers.json_model): TF.js model.json, model.to_json() architectures and Keras 3
sharded weights indexes, on real files from /work/shared and broken copies of them."""

from __future__ import annotations

import json
import shutil
import zipfile

import h5py
import numpy as np
import pytest
from conftest import (
    FORMAT_EXAMPLES,
    REALWORLD,
    REALWORLD_MANIFEST,
    SAMPLES,
    require_shared,
)

from h5lint import ir
from h5lint.keras.training import canonical_loss_name
from h5lint.parsers.h5.weights import keras3_weights
from h5lint.parsers.json_model import read as json_model
from h5lint.testing import interpreted

require_shared()  # every test here reads the shared corpora

# The manifest's "other" is a model.to_json() architecture file; its tfjs rows are folders holding model.json.
MANIFEST_FORMATS = {"other": "keras-json", "tfjs": "tfjs"}
REALWORLD_JSON = sorted(name for name, row in REALWORLD_MANIFEST.items() if row["format"] in MANIFEST_FORMATS)
TFJS_SEQUENTIAL = FORMAT_EXAMPLES / "tfjs_layers_sequential"
TFJS_FUNCTIONAL = FORMAT_EXAMPLES / "tfjs_layers_functional"


def _read(path) -> tuple[ir.ModelArtifact | None, list[tuple[str, str | None, str]]]:
    outcome = json_model.read(str(path))
    return interpreted(outcome), [(p.code, p.hit.location, p.hit.message) for p in outcome.problems]


def _inventory(model: ir.ModelArtifact) -> dict[str, list[tuple[str, tuple[int, ...], str]]]:
    return {layer.name: [(w.name, w.shape, w.dtype) for w in layer.weights] for layer in model.weights or ()}


def _values(weight: ir.WeightArray, chunk: int = 5) -> np.ndarray:
    return np.concatenate(list(weight.chunks(chunk)) or [np.zeros(0)])


def _tfjs_copy(tmp_path, source=TFJS_SEQUENTIAL, edit=None, shards=True):
    """A copy of a TF.js folder, with model.json passed through ``edit`` and the .bin shards optional."""
    folder = tmp_path / "tfjs"
    folder.mkdir()
    doc = json.loads((source / "model.json").read_text())
    if edit is not None:
        edit(doc)
    (folder / "model.json").write_text(json.dumps(doc))
    if shards:
        for shard in source.glob("*.bin"):
            shutil.copy(shard, folder / shard.name)
    return folder / "model.json"


# --- TF.js ----------------------------------------------------------------------------------------


def test_tfjs_sequential_example():
    model, problems = _read(TFJS_SEQUENTIAL / "model.json")
    assert problems == []
    assert (model.format.name, model.layout) == ("tfjs", "layers-model")
    assert model.versions == ir.VersionTags(
        keras_version="2.21.0", backend="tensorflow", writer="tf-keras", producer="TensorFlow.js Converter v4.22.0"
    )
    assert [(s.name, s.loss.name) for s in model.outputs] == [("probs", "sparse_categorical_crossentropy")]
    assert model.training.optimizer.class_name == "Adam" and model.training.optimizer.registered_name == "Custom>Adam"
    assert _inventory(model) == {
        "hidden": [("hidden/kernel", (4, 8), "float32"), ("hidden/bias", (8,), "float32")],
        "probs": [("probs/kernel", (8, 3), "float32"), ("probs/bias", (3,), "float32")],
    }
    assert model.files == ("model.json", "group1-shard1of1.bin")


@pytest.mark.parametrize("folder, h5_name", [(TFJS_SEQUENTIAL, "tfk_sequential.h5"), (TFJS_FUNCTIONAL, "tfk_functional.h5")])
def test_tfjs_weight_values_are_the_converted_models(folder, h5_name):
    """The lazy readers find every weight at its offset in the shard: values equal the source .h5's."""
    model, _ = _read(folder / "model.json")
    with h5py.File(FORMAT_EXAMPLES / h5_name, "r") as h5:
        for layer in model.weights:
            for weight in layer.weights:
                # tfk_*.h5 stores model_weights/<top layer>/<weight name>:0
                stored = h5["model_weights"][layer.name][weight.name + ":0"][()]
                assert weight.shape == stored.shape
                assert np.array_equal(_values(weight, 7), stored.reshape(-1))


def test_tfjs_functional_groups_nested_model_weights_under_the_top_layer():
    model, problems = _read(TFJS_FUNCTIONAL / "model.json")
    assert problems == []
    assert [(s.name, s.loss.name, s.loss_weight) for s in model.outputs] == [
        ("out_a", "binary_crossentropy", 1.0),
        ("out_b", "sparse_categorical_crossentropy", 0.5),
    ]
    inventory = _inventory(model)
    assert list(inventory) == ["bilstm", "inner_seq", "out_a", "out_b", "scale", "td"]
    assert [name for name, _, _ in inventory["inner_seq"]] == ["dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias"]


@pytest.mark.parametrize("name", REALWORLD_JSON)
def test_realworld_files_match_the_manifest(name):
    row = REALWORLD_MANIFEST[name]
    path = REALWORLD / "files" / name
    model, problems = _read(path / "model.json" if path.is_dir() else path)
    assert problems == []
    assert model.format.name == MANIFEST_FORMATS[row["format"]]
    assert model.versions.keras_version == (row["keras_version"] or None)
    assert model.versions.backend == (row["backend"] or None)
    if row["model_class"] == "graph-model":
        assert (model.layout, model.graph, model.outputs) == ("graph-model", None, ())
        return
    assert model.graph.class_name == row["model_class"]
    assert len(model.graph.layers) == int(row["n_layers"])
    assert [model.graph.layer(s.name).class_name for s in model.outputs] == [row["last_layer"]] * int(row["n_outputs"])
    expected_loss = None if row["loss"] == "none" else canonical_loss_name(row["loss"])
    assert [s.loss.name if s.loss else None for s in model.outputs] == [expected_loss]


def test_tfjs_keras3_weight_names_start_with_the_model_name():
    model, _ = _read(REALWORLD / "files" / "Andrzej1302__titanic-webnn__tfjs" / "model.json")
    assert model.versions.writer == "keras-3" and model.versions.producer == "TensorFlow.js Converter v4.22.0"
    assert [layer.name for layer in model.weights] == ["dense", "dense_1", "dense_2"]
    assert model.weights[0].weights[0].name == "sequential/dense/kernel"
    assert sum(_values(w).size for layer in model.weights for w in layer.weights) == 6 * 16 + 16 + 16 * 8 + 8 + 8 + 1


def test_tfjs_graph_model():
    model, problems = _read(REALWORLD / "files" / "AnkitVaity__math-garden__tfjs" / "model.json")
    assert problems == []
    assert model.versions == ir.VersionTags(
        tensorflow_version="1.13.2", writer="tfjs-converter", producer="TensorFlow.js Converter v1.2.3"
    )
    assert model.weight_layer("layer_1").weights[0].shape == (784, 512)
    assert _values(model.weight_layer("layer_1").weights[0], 100_000).size == 784 * 512


def test_tfjs_keras_version_from_generated_by_and_bare_topology(tmp_path):
    """tfjs-layers' own model.save writes the architecture itself as modelTopology and trainingConfig beside it."""

    def bare(doc):
        topology = doc["modelTopology"]
        doc["modelTopology"] = topology["model_config"]
        doc["trainingConfig"] = topology["training_config"]
        doc["generatedBy"] = "keras v2.12.0"

    model, problems = _read(_tfjs_copy(tmp_path, edit=bare))
    assert problems == []
    assert (model.versions.keras_version, model.versions.backend, model.versions.writer) == ("2.12.0", None, "tf.keras")
    assert [(s.name, s.loss.name) for s in model.outputs] == [("probs", "sparse_categorical_crossentropy")]


def test_tfjs_missing_shard_is_reported_and_weights_still_listed(tmp_path):
    path = _tfjs_copy(tmp_path, shards=False)
    model, problems = _read(path)
    assert problems == [
        (
            "H5L001",
            "member:group1-shard1of1.bin",
            f"{path}: weights file group1-shard1of1.bin listed in weightsManifest is missing; loading the model fails",
        )
    ]
    assert _inventory(model)["probs"][0] == ("probs/kernel", (8, 3), "float32")
    assert list(model.weights[0].weights[0].chunks()) == []


def test_tfjs_short_shard(tmp_path):
    path = _tfjs_copy(tmp_path)
    shard = path.parent / "group1-shard1of1.bin"
    shard.write_bytes(shard.read_bytes()[:100])
    model, problems = _read(path)
    assert problems == [
        (
            "H5L001",
            "member:group1-shard1of1.bin",
            f"{path}: weights shards group1-shard1of1.bin hold 100 bytes but weightsManifest needs 268",
        )
    ]
    assert _values(model.weight_layer("probs").weights[1]).size == 0  # past the end: nothing to read


def test_tfjs_shard_outside_the_folder_is_never_opened(tmp_path):
    def escape(doc):
        doc["weightsManifest"][0]["paths"] = ["../secret.bin"]

    (tmp_path / "secret.bin").write_bytes(b"\0" * 268)
    path = _tfjs_copy(tmp_path, edit=escape)
    model, problems = _read(path)
    assert problems == [
        (
            "H5L001",
            "member:../secret.bin",
            f"{path}: weights file ../secret.bin is not inside the model's folder; h5lint does not read it",
        )
    ]
    assert all(w._reader is None for layer in model.weights for w in layer.weights)


def test_tfjs_unparsable_manifest(tmp_path):
    def scramble(doc):
        doc["weightsManifest"] = [{"paths": "group1-shard1of1.bin", "weights": []}]

    path = _tfjs_copy(tmp_path, edit=scramble)
    model, problems = _read(path)
    assert model.weights is None and model.graph is not None
    assert problems == [
        (
            "H5L001",
            "file",
            f"{path}: weightsManifest is not a list of {{paths: [...], weights: [{{name, shape, dtype}}]}} groups",
        )
    ]


def test_tfjs_quantized_and_string_weights(tmp_path):
    folder = tmp_path / "q"
    folder.mkdir()
    doc = {
        "format": "layers-model",
        "modelTopology": json.loads((TFJS_SEQUENTIAL / "model.json").read_text())["modelTopology"],
        "weightsManifest": [
            {
                "paths": ["a.bin", "b.bin"],
                "weights": [
                    {"name": "hidden/kernel", "shape": [2, 2], "dtype": "float32",
                     "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1.0}},
                    {"name": "hidden/bias", "shape": [2], "dtype": "float32", "quantization": {"dtype": "float16"}},
                    {"name": "probs/kernel", "shape": [3], "dtype": "int32"},
                    {"name": "probs/vocab", "shape": [1], "dtype": "string"},
                    {"name": "probs/bias", "shape": [1], "dtype": "float32"},
                ],
            }
        ],
    }
    payload = np.array([0, 2, 4, 6], np.uint8).tobytes() + np.array([1.5, -2], "<f2").tobytes()
    payload += np.array([7, 8, 9], "<i4").tobytes() + b"\x03\x00\x00\x00abc" + np.float32(1).tobytes()
    (folder / "a.bin").write_bytes(payload[:5])  # a weight may straddle two shards
    (folder / "b.bin").write_bytes(payload[5:])
    (folder / "model.json").write_text(json.dumps(doc))
    model, problems = _read(folder / "model.json")
    assert problems == []
    hidden, probs = model.weight_layer("hidden").weights, model.weight_layer("probs").weights
    assert _values(hidden[0], 3).tolist() == [-1.0, 0.0, 1.0, 2.0]
    assert _values(hidden[1]).tolist() == [1.5, -2.0]
    assert _values(probs[0]).tolist() == [7, 8, 9]
    # A string's byte length is only known by reading it: it and what follows it have no reader.
    assert [w._reader is None for w in probs] == [False, True, True]


# --- architecture JSON ------------------------------------------------------------------------------


def test_to_json_architecture():
    model, problems = _read(REALWORLD / "files" / "0xDaksh__Credit-Card-Fraud__model.json")
    assert problems == []
    assert (model.format.name, model.layout, model.weights, model.training) == ("keras-json", "architecture", None, None)
    assert model.versions == ir.VersionTags(keras_version="2.0.5", backend="tensorflow", writer="keras-2")


def test_double_encoded_architecture_is_read_and_marked():
    model, problems = _read(REALWORLD / "files" / "ncondo__CarND-Behavioral-Cloning__model.json")
    assert problems == []
    assert (model.layout, model.versions.keras_version) == ("architecture-in-json-string", "1.2.1")
    assert model.graph.layers[0].class_name == "Lambda"


def test_keras3_config_json_on_its_own_keeps_its_compile_config(tmp_path):
    path = tmp_path / "config.json"
    with zipfile.ZipFile(FORMAT_EXAMPLES / "k3_unicode_inf_nan.keras") as zf:
        path.write_bytes(zf.read("config.json"))
    with zipfile.ZipFile(FORMAT_EXAMPLES / "k3_sequential.keras") as zf:
        (tmp_path / "seq.json").write_bytes(zf.read("config.json"))
    model, problems = _read(path)
    assert problems == [] and model.nonstandard_json == ("Infinity", "NaN")
    model, _ = _read(tmp_path / "seq.json")
    assert model.training.source == "compile_config"
    assert [(s.name, s.loss.name) for s in model.outputs] == [("probs", "sparse_categorical_crossentropy")]


# --- Keras 3 sharded weights index ---------------------------------------------------------------

SHARDED = SAMPLES / "k3_sharded_weights"  # keras 3.15.1 save_weights(..., max_shard_size=...)


def test_sharded_weights_index_written_by_keras():
    """Keras 3.15 lists shards per variable path; layer 'hidden' straddles both shards and only the
    first shard names it, the second holds its bias under the store path layers/dense."""
    model, problems = _read(SHARDED / "model.weights.json")
    assert (model.format.name, model.layout, model.versions.writer) == ("h5-weights", "sharded-weights", "keras-3")
    assert {layer.name: [(w.name, w.shape, w.location) for w in layer.weights] for layer in model.weights} == {
        "hidden": [("0", (4, 8), "layers/dense/vars/0"), ("1", (8,), "layers/dense/vars/1")],
        "inp": [],
        "out": [("0", (8, 1), "layers/dense_1/vars/0"), ("1", (1,), "layers/dense_1/vars/1")],
    }
    assert model.has_optimizer_weights is True
    assert model.files == ("model.weights.json", "model_00000.weights.h5", "model_00001.weights.h5")
    assert _values(model.weight_layer("hidden").weights[1]).size == 8
    assert problems == [
        (
            "H5L002",
            "file",
            "Keras 3 sharded weights index (.weights.json): no model config, so load_model cannot rebuild the model; "
            "it holds weights for 3 layers (hidden, inp, out) in 2 shards (model_00000.weights.h5, model_00001.weights.h5)",
        )
    ]


def test_sharded_weights_index_with_a_missing_shard(tmp_path):
    folder = tmp_path / "sharded"
    shutil.copytree(SHARDED, folder)
    (folder / "model_00001.weights.h5").unlink()
    model, problems = _read(folder / "model.weights.json")
    assert [(layer.name, len(layer.weights)) for layer in model.weights] == [("hidden", 1), ("inp", 0)]
    assert [(code, location) for code, location, _ in problems] == [("H5L002", "file"), ("H5L001", "member:model_00001.weights.h5")]
    assert problems[1][2] == f"{folder / 'model.weights.json'}: weights shard model_00001.weights.h5 is missing"


def test_sharded_index_with_one_shard_name_per_path(tmp_path):
    """Keras releases before 3.15 map each variable path to a single shard name."""
    source = FORMAT_EXAMPLES / "k3_functional.weights.h5"
    names = ("model_00000.weights.h5", "model_00001.weights.h5")
    weight_map = {}
    with h5py.File(source, "r") as h5, h5py.File(tmp_path / names[0], "w") as first, h5py.File(tmp_path / names[1], "w") as second:
        for layer in sorted(h5["layers"]):
            target = first if layer < "input" else second
            h5.copy(h5["layers"][layer], target.require_group("layers"), layer)
            weight_map[f"/layers/{layer}/vars"] = names[0] if target is first else names[1]
        for top in ("optimizer", "vars"):
            h5.copy(h5[top], second, top)
            weight_map[f"/{top}/vars"] = names[1]
    index = tmp_path / "model.weights.json"
    index.write_text(json.dumps({"metadata": {"total_size": 69000}, "weight_map": weight_map}, indent=4))
    model, problems = _read(index)
    with h5py.File(source, "r") as h5:
        whole = keras3_weights(h5, lambda: h5py.File(source, "r"))
    assert [code for code, _, _ in problems] == ["H5L002"]
    assert sorted((layer.name, [(w.name, w.shape) for w in layer.weights]) for layer in model.weights) == sorted(
        (layer.name, [(w.name, w.shape) for w in layer.weights]) for layer in whole
    )


@pytest.mark.parametrize("weight_map", [["a.h5"], {"/vars": 3}, {"/vars": ["a.h5", None]}])
def test_unusable_weight_map(tmp_path, weight_map):
    path = tmp_path / "m.weights.json"
    path.write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    assert _read(path) == (
        None,
        [("H5L001", "file", f"{path}: weight_map is not an object mapping variable paths to shard file names")],
    )


# --- not a model, not JSON ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"name": "pkg", "version": "1.0"}', "JSON but not a Keras/TF.js model (top-level keys: name, version)"),
        ("[1, 2, 3]", "JSON but not a Keras/TF.js model (the document is an array)"),
        ('"just text"', "JSON but not a Keras/TF.js model (the document is a string)"),
        ('{"class_name": "Sequential", "config": [', "invalid JSON at offset 40 in x.json: Expecting value"),
        ('"{\\"class_name\\": }"', "invalid JSON at offset 15 in the JSON string x.json holds: Expecting value"),
    ],
)
def test_json_that_is_not_a_model(tmp_path, text, message):
    path = tmp_path / "x.json"
    path.write_text(text)
    assert _read(path) == (None, [("H5L001", "file", f"{path}: {message}")])


def test_tfjs_topology_that_is_not_a_model(tmp_path):
    def empty(doc):
        doc["modelTopology"] = {"keras_version": "2.21.0", "model_config": None}

    path = _tfjs_copy(tmp_path, edit=empty)
    model, problems = _read(path)
    assert problems == [("H5L001", "file", f"{path}: modelTopology holds no Keras model config (the document is null)")]
    # The weights manifest is still read (a NaN in a shard is still found), and the version the wrapper records.
    assert model.graph is None and model.weights and model.versions.keras_version == "2.21.0"


def test_odd_inbound_nodes_do_not_break_the_graph(tmp_path):
    """A layer whose inbound_nodes is not a list (hostile or hand-edited) is read as having no calls."""
    doc = json.loads((TFJS_FUNCTIONAL / "model.json").read_text())["modelTopology"]["model_config"]
    doc["config"]["layers"][1]["inbound_nodes"] = 1
    path = tmp_path / "arch.json"
    path.write_text(json.dumps(doc))
    model, problems = _read(path)
    assert problems == []
    assert model.graph.layer("td").inbound == ()
    assert [s.name for s in model.outputs] == ["out_a", "out_b"]
