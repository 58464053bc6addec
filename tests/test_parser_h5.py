"""The HDF5 parser (h5lint.parsers.h5) and its weight inventories, on real files from /work/shared."""

from __future__ import annotations

import contextlib
import csv
import os
import re
import shutil
import threading
import zipfile

import h5py
import numpy as np
import pytest
from conftest import FORMAT_EXAMPLES, REALWORLD, require_shared

from h5lint import ir
from h5lint.parsers.h5 import attrs as h5attrs
from h5lint.parsers.h5 import model as h5
from h5lint.parsers.h5.weights import (
    keras3_has_optimizer_weights,
    keras3_weights,
    legacy_weights,
)
from h5lint.testing import interpreted

require_shared()  # every test here reads the shared corpora

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def _opener(path):
    return lambda: h5py.File(path, "r")


def _inventory(layers):
    return {layer.name: [(w.name, w.shape) for w in layer.weights] for layer in layers}


def test_legacy_inventory_of_full_model():
    path = FORMAT_EXAMPLES / "tfk_functional.h5"
    with h5py.File(path, "r") as h5:
        layers = legacy_weights(h5["model_weights"], _opener(path), "model_weights")
    inventory = _inventory(layers)
    assert inventory["out_b"] == [("out_b/kernel:0", (17, 3)), ("out_b/bias:0", (3,))]
    assert inventory["inner_seq"][0] == ("dense_1/kernel:0", (2, 5))
    assert inventory["seq_in"] == []  # weight_names is an empty float64 array
    out_b = layers[[layer.name for layer in layers].index("out_b")]
    assert out_b.weights[0].location == "model_weights/out_b/out_b/kernel:0"
    assert out_b.weights[0].dtype == "float32"


def test_keras3_inventory_names_layers_by_vars_name_and_skips_optimizer():
    path = FORMAT_EXAMPLES / "k3_functional.weights.h5"
    with h5py.File(path, "r") as h5:
        layers = keras3_weights(h5, _opener(path))
        assert keras3_has_optimizer_weights(h5)
    inventory = _inventory(layers)
    assert inventory["out_a"] == [("0", (17, 1)), ("1", (1,))]
    assert inventory["td"] == [("layer/vars/0", (3, 4)), ("layer/vars/1", (4,))]
    assert [name for name, _ in inventory["bilstm"]][:3] == [
        "backward_layer/cell/vars/0",
        "backward_layer/cell/vars/1",
        "backward_layer/cell/vars/2",
    ]
    assert "adam_1" not in inventory and "optimizer" not in inventory
    assert inventory["concat"] == []


def test_chunks_stream_the_dataset_lazily_in_bounded_pieces(tmp_path):
    path = tmp_path / "w.h5"
    values = np.arange(4 * 5 * 6, dtype=np.float32).reshape(4, 5, 6)
    with h5py.File(path, "w") as h5:
        h5.attrs["layer_names"] = [b"d"]
        group = h5.create_group("d")
        group.attrs["weight_names"] = [b"d/kernel:0", b"d/scalar:0", b"d/empty:0"]
        group["d/kernel:0"] = values
        group["d/scalar:0"] = np.float32(7.0)
        group["d/empty:0"] = np.zeros((0, 3), np.float32)
    opened = []

    @contextlib.contextmanager
    def opener():
        opened.append(1)
        with h5py.File(path, "r") as h5:
            yield h5

    with h5py.File(path, "r") as h5:
        (layer,) = legacy_weights(h5, opener, "")
    kernel, scalar, empty = layer.weights
    assert kernel.location == "d/d/kernel:0" and kernel.shape == (4, 5, 6)
    assert opened == []  # building the inventory reads nothing
    for max_elements in (1, 7, 30, 45, 1000):
        chunks = list(kernel.chunks(max_elements))
        assert all(c.size <= max_elements for c in chunks)
        np.testing.assert_array_equal(np.concatenate(chunks), values.reshape(-1))
    assert len(list(kernel.chunks(30))) == 4  # one slice per first-axis row
    assert [c.tolist() for c in scalar.chunks()] == [[7.0]]
    assert list(empty.chunks()) == []
    assert len(opened) == 8  # one open per iteration


# --- read(): every HDF5 file we have -------------------------------------------------------------

MANIFEST = {row["local_name"]: row for row in csv.DictReader(open(REALWORLD / "manifest.tsv"), delimiter="\t")}
REALWORLD_H5 = sorted(name for name, row in MANIFEST.items() if row["format"] in ("h5-full", "h5-weights"))
EXAMPLE_FORMATS = {
    "k3_functional.weights.h5": ("h5-weights", "keras3-weights"),
    "k3_functional_legacy.h5": ("h5-full", "legacy-h5"),
    "k3_sequential_legacy.h5": ("h5-full", "legacy-h5"),
    "k3_unicode_inf_nan_legacy.h5": ("h5-full", "legacy-h5"),
    "tfk_chunked_layer_names.h5": ("h5-full", "legacy-h5"),
    "tfk_functional.h5": ("h5-full", "legacy-h5"),
    "tfk_functional_weights.h5": ("h5-weights", "legacy-weights"),
    "tfk_inf_nan.h5": ("h5-full", "legacy-h5"),
    "tfk_sequential.h5": ("h5-full", "legacy-h5"),
    "tfk_stateful.h5": ("h5-full", "legacy-h5"),
    "tfk_tfoplambda.h5": ("h5-full", "legacy-h5"),
}


def test_every_hdf5_example_is_listed_here():
    on_disk = {p.name for p in FORMAT_EXAMPLES.iterdir() if p.is_file() and p.read_bytes()[:8] == HDF5_MAGIC}
    assert on_disk == set(EXAMPLE_FORMATS)


@pytest.mark.parametrize("name", sorted(EXAMPLE_FORMATS))
def test_format_examples(name):
    outcome = h5.read(str(FORMAT_EXAMPLES / name))
    model = interpreted(outcome)
    assert (model.format.name, model.layout) == EXAMPLE_FORMATS[name]
    if model.format.name == "h5-full":
        assert outcome.problems == ()
        assert model.versions.backend == "tensorflow"
        assert model.versions.keras_version == ("2.21.0" if name.startswith("tfk_") else "3.15.1")
        assert model.versions.writer == ("tf-keras" if name.startswith("tfk_") else "keras-3")
        assert model.graph is not None and model.outputs
    else:
        assert [p.code for p in outcome.problems] == ["H5L002"]


def _last_layer_classes(model: ir.ModelArtifact) -> str:
    return ";".join(model.graph.layer(spec.name).class_name for spec in model.outputs)


@pytest.mark.parametrize("name", REALWORLD_H5)
def test_realworld_files_match_the_manifest(name):
    row = MANIFEST[name]
    outcome = h5.read(str(REALWORLD / "files" / name))
    model = interpreted(outcome)
    assert model is not None, outcome.problems
    assert model.format.name == row["format"]
    assert model.versions.keras_version == (row["keras_version"] or None)
    assert model.versions.backend == (row["backend"] or None)
    assert model.h5_references == ()
    if row["format"] == "h5-full":
        assert outcome.problems == ()
        # The manifest writes a wrapper as "TimeDistributed(Dense)"; the graph's output layer is the wrapper.
        assert _last_layer_classes(model) == re.sub(r"\(\w+\)", "", row["last_layer"])
        assert len(model.outputs) == int(row["n_outputs"])
    else:
        assert [p.code for p in outcome.problems] == ["H5L002"]
        assert [p.hit.location for p in outcome.problems] == ["file"]
        if row["last_layer"]:  # "(name)dense_5": the last layer the weights file lists
            assert model.weights[-1].name == row["last_layer"].removeprefix("(name)")


def test_weights_only_message_lists_the_layers():
    (problem,) = h5.read(str(REALWORLD / "files" / "0xDaksh__Credit-Card-Fraud__model.h5")).problems
    assert problem.code == "H5L002"
    assert problem.hit.message == (
        "weights only: no model_config, so load_model cannot rebuild the model; it holds weights for 6 layers "
        "(dense_1, dense_2, dropout_1, dense_3, dense_4, dense_5)"
    )
    (problem,) = h5.read(str(REALWORLD / "files" / "datlife__behavioral-cloning__model__cnn.h5")).problems
    assert problem.hit.message.endswith(
        "it holds weights for 63 layers "
        "(cifar, lambda_1, conv0, bn0, relu0, dropout_1, conv1a, bn1b, relu1b, conv1b and 53 more)"
    )


def test_keras3_store_named_h5_is_told_to_be_renamed(tmp_path):
    copy = tmp_path / "model.h5"
    shutil.copy(FORMAT_EXAMPLES / "k3_functional.weights.h5", copy)
    outcome = h5.read(str(copy))
    (problem,) = outcome.problems
    assert problem.hit.message.startswith(
        "Keras 3 weights store (.weights.h5): no model config, so load_model cannot rebuild the model; "
        "it holds weights for 10 layers (bilstm, concat, out_a, out_b, seq_in, aux_in, double, scale, inner_seq, td)"
    )
    assert problem.hit.fix.endswith("so rename it")
    assert interpreted(outcome).has_optimizer_weights
    assert interpreted(outcome).versions == ir.VersionTags()


def test_chunked_layer_names_are_joined():
    model = interpreted(h5.read(str(FORMAT_EXAMPLES / "tfk_chunked_layer_names.h5")))
    graph_names = [layer.name for layer in model.graph.layers if layer.class_name != "InputLayer"]
    assert len(model.weights) == 66 and len(graph_names) == 66
    assert [layer.name for layer in model.weights] == graph_names  # layer_names0 then layer_names1, in order
    assert all(len(name) == 1000 for name in graph_names)
    assert model.weights[65].weights[0].shape == (1, 1)


def test_unicode_names_and_nonstandard_json():
    model = interpreted(h5.read(str(FORMAT_EXAMPLES / "k3_unicode_inf_nan_legacy.h5")))
    assert model.nonstandard_json == ("Infinity", "NaN")
    assert {"entrée", "dense_ü"} <= {layer.name for layer in model.weights}
    assert model.graph.name == "modèle"
    assert interpreted(h5.read(str(FORMAT_EXAMPLES / "tfk_inf_nan.h5"))).nonstandard_json == ("Infinity", "NaN")


def test_full_model_and_weights_only_file_of_the_same_model_have_the_same_inventory():
    full = interpreted(h5.read(str(FORMAT_EXAMPLES / "tfk_functional.h5")))
    weights_only = interpreted(h5.read(str(FORMAT_EXAMPLES / "tfk_functional_weights.h5")))
    assert _inventory(full.weights) == _inventory(weights_only.weights)
    assert full.has_optimizer_weights and not weights_only.has_optimizer_weights
    assert [spec.name for spec in full.outputs] == ["out_a", "out_b"]


def test_weights_are_read_only_when_chunks_are_iterated(monkeypatch):
    from h5lint.parsers.h5 import outcomes, own

    opened = []
    monkeypatch.setattr(outcomes, "open_h5", lambda path: opened.append(f"h5py {path}"))
    monkeypatch.setattr(own, "open", lambda path, mode: opened.append(f"raw {path}") or open(path, mode), raising=False)
    path = str(FORMAT_EXAMPLES / "tfk_sequential.h5")
    model = interpreted(h5.read(path))
    assert opened == [f"raw {path}"]  # the metadata came from h5lint's own reader
    kernel = model.weights[[layer.name for layer in model.weights].index("hidden")].weights[0]
    assert kernel.name == "hidden/kernel:0"
    values = np.concatenate(list(kernel.chunks(5)))
    assert opened == [f"raw {path}"] * 2  # the contiguous values, straight from the file
    with h5py.File(FORMAT_EXAMPLES / "tfk_sequential.h5", "r") as f:
        np.testing.assert_array_equal(values, f["model_weights/hidden/hidden/kernel:0"][()].reshape(-1))


# --- damaged and hostile files -------------------------------------------------------------------


def _copy(tmp_path, name="tfk_sequential.h5"):
    copy = tmp_path / name
    shutil.copy(FORMAT_EXAMPLES / name, copy)
    copy.chmod(0o644)
    return copy


def _only_problem(outcome):
    (problem,) = outcome.problems
    assert problem.hit.location == "file"
    return problem.code, problem.hit.message


def _config_unreadable(path):
    """The message of the H5L001 about a model_config that cannot be used; the rest of the file is still read."""
    outcome = h5.read(str(path))
    model = interpreted(outcome)
    assert model is not None and model.graph is None and model.weights and model.versions.keras_version
    code, message = _only_problem(outcome)
    assert code == "H5L001"
    return message


def _unreadable(path):
    """The message of the single H5L001 that ``path`` reads as, with no model."""
    outcome = h5.read(str(path))
    assert interpreted(outcome) is None
    code, message = _only_problem(outcome)
    assert code == "H5L001"
    return message


def test_truncated_file(tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes((FORMAT_EXAMPLES / "tfk_sequential.h5").read_bytes()[:2048])
    assert _unreadable(path) == (
        f"{path}: truncated HDF5 file: it is 2,048 bytes but its superblock says 27,040 "
        "(cut short in transfer, by a quota or while saving); re-export or re-download it"
    )


def test_corrupt_superblock_and_not_hdf5_at_all(tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(HDF5_MAGIC + b"\0" * 100)
    assert _unreadable(path) == (
        f"{path}: truncated or corrupt HDF5: Unable to synchronously open file (bad byte number in an address); "
        "re-export or re-download it"
    )
    path.write_bytes(b"PK\3\4 a zip")
    assert _unreadable(path).startswith(f"{path}: not an HDF5 file after all (")


def test_invalid_model_config_json_names_the_offset(tmp_path):
    path = _copy(tmp_path)
    with h5py.File(path, "r+") as f:
        f.attrs["model_config"] = '{"class_name": "Sequential", "config": oops}'
    assert _config_unreadable(path) == f"{path}: invalid JSON at offset 39 in model_config attribute: Expecting value"


def test_model_config_that_is_not_a_model(tmp_path):
    path = _copy(tmp_path)
    with h5py.File(path, "r+") as f:
        f.attrs["model_config"] = "null"
    assert _config_unreadable(path) == f"{path}: model_config attribute holds null, not a model"
    with h5py.File(path, "r+") as f:
        f.attrs["model_config"] = "[1, 2]"
    # JSON that is not a model config: the file is read, the semantic layer says why it has no graph.
    model = interpreted(h5.read(str(path)))
    assert (model.graph, model.problem) == (
        None,
        'model_config attribute: the model config is not a {"class_name": ..., "config": ...} object',
    )


def test_model_config_that_is_not_a_string(tmp_path):
    path = _copy(tmp_path)
    with h5py.File(path, "r+") as f:
        f.attrs["model_config"] = np.arange(3)
    assert _config_unreadable(path) == f"{path}: model_config attribute is not a string (it holds a int64 array of shape (3,))"


def test_broken_training_config_keeps_the_model(tmp_path):
    path = _copy(tmp_path)
    with h5py.File(path, "r+") as f:
        f.attrs["training_config"] = '{"loss": '
    outcome = h5.read(str(path))
    assert interpreted(outcome).graph is not None and interpreted(outcome).training is None
    assert _only_problem(outcome) == (
        "H5L001",
        f"{path}: invalid JSON at offset 9 in training_config attribute: Expecting value",
    )


def test_attribute_over_budget_is_refused_before_reading(tmp_path, monkeypatch):
    path = _copy(tmp_path)
    with h5py.File(path, "r+") as f:
        f.attrs["model_config"] = np.bytes_(b"x" * 5000)  # fixed-length: size known from the type
    monkeypatch.setattr(h5attrs, "MAX_ATTR_BYTES", 4096)
    assert _config_unreadable(path) == f"{path}: model_config attribute is 5,000 bytes, over h5lint's budget of 4,096 bytes"


def test_hdf5_that_is_not_keras(tmp_path):
    path = tmp_path / "data.h5"
    with h5py.File(path, "w") as f:
        f["images"] = np.zeros(3)
        f.create_group("labels")
    assert _unreadable(path) == (
        f"{path}: an HDF5 file but not a Keras model: it has neither model_config nor layer_names at the root, "
        "nor a Keras 3 weights layout (root groups: images, labels)"
    )


def test_keras_03_weights(tmp_path):
    path = tmp_path / "old.h5"
    with h5py.File(path, "w") as f:
        f.attrs["nb_layers"] = 2
        first = f.create_group("layer_0")
        first.attrs["nb_params"] = 2
        first["param_0"] = np.ones((3, 2), np.float32)
        first["param_1"] = np.ones(2, np.float32)
        f.create_group("layer_1").attrs["nb_params"] = 0
    outcome = h5.read(str(path))
    assert (interpreted(outcome).format.name, interpreted(outcome).layout) == ("h5-weights", "keras-0.3-weights")
    assert _inventory(interpreted(outcome).weights) == {"layer_0": [("param_0", (3, 2)), ("param_1", (2,))], "layer_1": []}
    assert _only_problem(outcome) == (
        "H5L002",
        "Keras 0.3 weights file: no model_config, so load_model cannot rebuild the model; "
        "it holds weights for 2 layers (layer_0, layer_1)",
    )


def _watch_fifo(fifo):
    """Start a writer on ``fifo``; its open() returns only if someone opens the FIFO for reading."""
    opened = threading.Event()

    def writer():
        fd = os.open(fifo, os.O_WRONLY)
        opened.set()
        os.close(fd)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    return opened, thread


def _release_fifo(fifo, thread):
    if thread.is_alive():
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # lets the writer's open() return
        thread.join(5)
        os.close(fd)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_links_and_storage_outside_the_file_are_recorded_not_followed(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["data"] = np.arange(10, dtype=np.float32)
    other_bytes = other.read_bytes()
    fifo = tmp_path / "trap.h5"  # opening it for reading would be seen by the watcher
    os.mkfifo(fifo)
    raw = tmp_path / "raw.bin"
    raw.write_bytes(np.arange(4, dtype=np.float32).tobytes())
    path = _copy(tmp_path)
    with h5py.File(path, "r+") as f:
        group = f["model_weights/hidden"]
        group["hidden/stolen:0"] = h5py.ExternalLink(str(other), "/data")
        group["hidden/trap:0"] = h5py.ExternalLink(str(fifo), "/x")
        group.attrs["weight_names"] = [b"hidden/kernel:0", b"hidden/stolen:0", b"hidden/trap:0", b"hidden/raw:0"]
        f["ghost"] = h5py.ExternalLink("missing.h5", "/x")
        group.create_dataset("hidden/raw:0", shape=(4,), dtype="f4", external=[(str(raw), 0, 16)])
        layout = h5py.VirtualLayout(shape=(10,), dtype="f4")
        layout[:] = h5py.VirtualSource(str(other), "data", shape=(10,))
        f.create_virtual_dataset("virtual", layout)
    opened, thread = _watch_fifo(fifo)
    try:
        model = interpreted(h5.read(str(path)))
        hidden = model.weight_layer("hidden")
        raw_weight = hidden.weights[-1]
        assert raw_weight.name == "hidden/raw:0" and list(raw_weight.chunks()) == []
        for weight in hidden.weights:
            list(weight.chunks())
        assert not opened.wait(0.2)
    finally:
        _release_fifo(fifo, thread)
    assert [w.name for w in hidden.weights] == ["hidden/kernel:0", "hidden/raw:0"]
    assert model.h5_references == (
        ir.H5Reference("external-link", "/ghost", "missing.h5:/x"),
        ir.H5Reference("external-storage", "/model_weights/hidden/hidden/raw:0", str(raw)),
        ir.H5Reference("external-link", "/model_weights/hidden/hidden/stolen:0", f"{other}:/data"),
        ir.H5Reference("external-link", "/model_weights/hidden/hidden/trap:0", f"{fifo}:/x"),
        ir.H5Reference("virtual-dataset", "/virtual", f"{other}:data"),
    )
    assert other.read_bytes() == other_bytes


def test_link_cycles_and_soft_links(tmp_path):
    path = _copy(tmp_path)
    with h5py.File(path, "r+") as f:
        group = f["model_weights/hidden"]
        group["hidden/loop"] = f["model_weights"]  # a hard link back up the tree
        group["hidden/alias:0"] = h5py.SoftLink("/model_weights/hidden/hidden/kernel:0")
        group["hidden/self"] = h5py.SoftLink("/model_weights/hidden/hidden/self")
        group.attrs["weight_names"] = [b"hidden/alias:0", b"hidden/self", b"hidden/loop/hidden/hidden/bias:0"]
    outcome = h5.read(str(path))
    assert outcome.problems == () and interpreted(outcome).h5_references == ()
    assert _inventory([interpreted(outcome).weight_layer("hidden")]) == {
        "hidden": [("hidden/alias:0", (4, 8)), ("hidden/loop/hidden/hidden/bias:0", (8,))]
    }
    (alias, _bias) = interpreted(outcome).weight_layer("hidden").weights
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(
            np.concatenate(list(alias.chunks(3))), f["model_weights/hidden/hidden/kernel:0"][()].reshape(-1)
        )


# --- attribute forms and Keras 3 store variants ------------------------------------------------

@pytest.mark.parametrize(
    "value, text, names",
    [
        ("dense_1", "dense_1", ("dense_1",)),
        (b"dense_1", "dense_1", ("dense_1",)),
        (np.bytes_(b"dense_\xc3\xbc"), "dense_ü", ("dense_ü",)),
        (np.array(b"dense_1"), "dense_1", ("dense_1",)),
        (np.array("dense_1", dtype=object), "dense_1", ("dense_1",)),
        (np.array([b"a", b"b\xff"]), None, ("a", "b\udcff")),  # bad UTF-8 survives as surrogate escapes
        (np.array(["a", "b"], dtype=object), None, ("a", "b")),
        (np.array([], dtype=np.float64), None, ()),  # a layer without weights
        (np.int64(3), None, None),
        (np.array([1.0, 2.0]), None, None),
    ],
)
def test_string_attribute_forms(value, text, names):
    assert h5attrs.to_text(value) == text
    assert h5attrs.to_list(value) == names


def _zip_member_opener(archive, member):
    @contextlib.contextmanager
    def opener():
        with zipfile.ZipFile(archive) as zf, zf.open(member) as raw, h5py.File(raw, "r") as h5file:
            yield h5file

    return opener


def test_tf_keras_store_inside_a_zip_is_named_by_store_path():
    opener = _zip_member_opener(FORMAT_EXAMPLES / "tfk_small_func.keras", "model.weights.h5")
    with opener() as store:
        layers = keras3_weights(store, opener)
        assert keras3_has_optimizer_weights(store)
    assert _inventory(layers) == {
        "layers/dense": [("0", (3, 4)), ("1", (4,))],
        "layers/dense_1": [("0", (4, 2)), ("1", (2,))],
        "layers/input_layer": [],
    }  # metrics/mean/vars and optimizer/vars are training state, not layers
    kernel = layers[0].weights[0]
    assert kernel.location == "layers/dense/vars/0"
    assert sum(chunk.size for chunk in kernel.chunks(5)) == 12


def test_subclassed_model_store_uses_attribute_groups():
    opener = _zip_member_opener(FORMAT_EXAMPLES / "k3_subclassed.keras", "model.weights.h5")
    with opener() as store:
        assert _inventory(keras3_weights(store, opener)) == {"dense_3": [("0", (3, 2)), ("1", (2,))]}
        assert not keras3_has_optimizer_weights(store)


def test_keras3_model_level_variables_and_numeric_order(tmp_path):
    path = tmp_path / "m.weights.h5"
    with h5py.File(path, "w") as f:
        own = f.create_group("vars")
        own.attrs["name"] = "my_model"
        own["0"] = np.float32(1)
        dense = f.create_group("layers/dense/vars")
        for i in range(12):
            dense[str(i)] = np.zeros(i + 1, np.float32)
        f["layers/dense/vars/ext"] = h5py.ExternalLink("elsewhere.h5", "/w")
    outcome = h5.read(str(path))
    model = interpreted(outcome)
    assert [layer.name for layer in model.weights] == ["my_model", "layers/dense"]
    assert [w.name for w in model.weights[1].weights] == [str(i) for i in range(12)]
    assert model.weights[0].weights[0].location == "vars/0"
    assert model.h5_references == (ir.H5Reference("external-link", "/layers/dense/vars/ext", "elsewhere.h5:/w"),)
    assert not model.has_optimizer_weights


def test_parsing_never_reads_weight_data(tmp_path):
    """A weight whose compressed bytes are garbage parses cleanly; only iterating it meets the damage."""
    path = _copy(tmp_path)
    with h5py.File(path, "r+") as f:
        group = f["model_weights/hidden"]
        values = np.ones((64, 64), np.float32)
        dset = group.create_dataset("hidden/packed:0", data=values, compression="gzip", chunks=(64, 64))
        chunk = dset.id.get_chunk_info(0)
        group.attrs["weight_names"] = [b"hidden/kernel:0", b"hidden/bias:0", b"hidden/packed:0"]
    with open(path, "r+b") as raw:
        raw.seek(chunk.byte_offset)
        raw.write(b"\xff" * chunk.size)
    outcome = h5.read(str(path))
    assert outcome.problems == ()
    packed = interpreted(outcome).weight_layer("hidden").weights[-1]
    assert (packed.name, packed.shape, packed.dtype) == ("hidden/packed:0", (64, 64), "float32")
    assert list(packed.chunks()) == []  # the reader stops at the damage instead of raising into a rule
