"""The HDF5 parser (h5lint.parsers.h5) and its weight inventories, on real files from /work/shared."""

from __future__ import annotations

import contextlib

import h5py
import numpy as np
import pytest

from h5lint.parsers.h5weights import keras3_has_optimizer_weights, keras3_weights, legacy_weights

from conftest import FORMAT_EXAMPLES


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
