"""The .keras zip / unzipped Keras folder parser (h5lint.parsers.keras_zip), on real files from /work/shared."""

from __future__ import annotations

import pickle
import zipfile

import numpy as np
import pytest
from conftest import FORMAT_EXAMPLES, REALWORLD, REALWORLD_MANIFEST, require_shared

from h5lint import discover, ir
from h5lint.candidate import Candidate
from h5lint.keras.training import canonical_loss_name
from h5lint.parsers import read_candidate
from h5lint.parsers.keras_zip import archive as keras_zip
from h5lint.testing import interpreted

require_shared()  # every test here reads the shared corpora

# file -> (layout, keras_version, [(output, loss)], weight layers)
EXAMPLES = {
    "k3_functional.keras": (
        "keras3-zip",
        "3.15.1",
        [("out_a", "binary_crossentropy"), ("out_b", "sparse_categorical_crossentropy")],
        10,
    ),
    "k3_functional_npz.keras": (
        "keras3-zip",
        "3.15.1",
        [("out_a", "binary_crossentropy"), ("out_b", "sparse_categorical_crossentropy")],
        None,
    ),
    "k3_sequential.keras": ("keras3-zip", "3.15.1", [("probs", "sparse_categorical_crossentropy")], 3),
    "k3_stateful.keras": ("keras3-zip", "3.15.1", [("y", "h5lint>my_loss")], 2),
    "k3_subclassed.keras": ("keras3-zip", "3.15.1", [], 1),  # no layer graph: it is Python code
    "k3_unicode_inf_nan.keras": ("keras3-zip", "3.15.1", [("mask_nan", None)], 4),  # not compiled
    "k3_with_assets.keras": ("keras3-zip", "3.15.1", [("lookup", None)], 1),
    "tfk_small_func.keras": ("tf-keras-zip", "2.21.0", [("head", "categorical_crossentropy")], 3),
}
REALWORLD_ZIPS = sorted(name for name, row in REALWORLD_MANIFEST.items() if row["format"] == "keras-zip")


def _read(path) -> tuple[ir.ModelArtifact | None, list[tuple[str, str | None, str]]]:
    outcome = keras_zip.read(str(path))
    return interpreted(outcome), [(p.code, p.hit.location, p.hit.message) for p in outcome.problems]


def _read_broken(path):
    """A .keras whose config.json cannot be used: it is still read (members, weights, version), without a graph;
    returns (None, problems) so that tests state the problems."""
    model, problems = _read(path)
    assert model is not None and model.graph is None and model.archive_members
    return None, problems


def _outputs(model: ir.ModelArtifact) -> list[tuple[str, str | None]]:
    return [(spec.name, spec.loss.name if spec.loss else None) for spec in model.outputs]


def _inventory(model: ir.ModelArtifact) -> dict[str, list[tuple[str, tuple[int, ...]]]]:
    return {layer.name: [(w.name, w.shape) for w in layer.weights] for layer in model.weights or ()}


def _values(model: ir.ModelArtifact) -> list[np.ndarray]:
    return [np.concatenate(list(w.chunks(7)) or [np.zeros(0)]) for layer in model.weights for w in layer.weights]


def _rezip(source, target, replace=None, extra=(), compression=zipfile.ZIP_STORED):
    """A copy of the zip ``source`` with members replaced (bytes) or dropped (None), then ``extra`` appended."""
    replace = replace or {}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", compression) as dst:
        for info in src.infolist():
            data = replace.get(info.filename, src.read(info))
            if data is not None:
                dst.writestr(info.filename, data)
        for name, data in extra:
            dst.writestr(name, data)
    return target


# --- every real .keras file ----------------------------------------------------------------------


def test_every_keras_zip_example_is_listed_here():
    assert {p.name for p in FORMAT_EXAMPLES.glob("*.keras")} == set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_format_examples(name):
    layout, version, outputs, weight_layers = EXAMPLES[name]
    model, problems = _read(FORMAT_EXAMPLES / name)
    assert problems == []
    assert (model.format.name, model.layout, model.versions.keras_version) == ("keras-zip", layout, version)
    assert model.versions.writer == ("keras-3" if version.startswith("3.") else "tf-keras")
    assert model.versions.backend is None  # .keras files do not record it
    assert _outputs(model) == outputs
    assert (len(model.weights) if model.weights is not None else None) == weight_layers
    assert [m.name for m in model.archive_members][:3] == ["metadata.json", "config.json", model.files[2]]


def test_functional_example_in_detail():
    model, _ = _read(FORMAT_EXAMPLES / "k3_functional.keras")
    assert model.graph.kind == "functional" and model.graph.name == "func_model"
    assert [spec.loss_weight for spec in model.outputs] == [1.0, 0.5]
    assert model.outputs[1].loss.from_logits is True
    assert model.training.source == "compile_config" and model.training.optimizer.class_name == "Adam"
    assert _inventory(model)["out_a"] == [("0", (17, 1)), ("1", (1,))]
    assert model.has_optimizer_weights is True
    assert model.archive_members[2] == ir.ArchiveMember("model.weights.h5", 69440, 69440, zipfile.ZIP_STORED, False, 0o600 << 16)
    out_a_kernel = model.weight_layer("out_a").weights[0]
    assert out_a_kernel.location == "layers/dense/vars/0"
    assert sum(chunk.size for chunk in out_a_kernel.chunks(5)) == 17


def test_assets_are_listed_not_read():
    model, _ = _read(FORMAT_EXAMPLES / "k3_with_assets.keras")
    assert model.files == ("metadata.json", "config.json", "model.weights.h5", "assets/layers/string_lookup/vocabulary.txt")


def test_nonstandard_json_literals_are_recorded():
    model, _ = _read(FORMAT_EXAMPLES / "k3_unicode_inf_nan.keras")
    assert model.nonstandard_json == ("Infinity", "NaN")


@pytest.mark.parametrize("name", REALWORLD_ZIPS)
def test_realworld_files_match_the_manifest(name):
    row = REALWORLD_MANIFEST[name]
    model, problems = _read(REALWORLD / "files" / name)
    assert problems == []
    assert model.format.name == "keras-zip"
    assert model.versions.keras_version == row["keras_version"]
    assert model.versions.backend == (row["backend"] or None)
    assert model.graph.class_name == row["model_class"]
    assert len(model.graph.layers) == int(row["n_layers"])
    assert len(model.outputs) == int(row["n_outputs"])
    assert ";".join(model.graph.layer(spec.name).class_name for spec in model.outputs) == row["last_layer"]
    expected_loss = None if row["loss"] == "none" else canonical_loss_name(row["loss"])
    assert [spec.loss.name if spec.loss else None for spec in model.outputs] == [expected_loss] * len(model.outputs)
    assert model.weights  # every one has a model.weights.h5 with layer weights


def test_keras_2_13_zip_is_a_tf_keras_layout():
    model, _ = _read(REALWORLD / "files" / "AliElgamel9__FastNeuralStyleTransfer__model.keras")
    assert (model.layout, model.versions.writer) == ("tf-keras-zip", "tf.keras")


def test_hdf5_named_keras_is_not_a_zip():
    # tf.keras 2.12 wrote HDF5 under .keras; discovery sends it to the HDF5 parser, this one refuses it.
    path = REALWORLD / "files" / "41Leahcim__astronomy_pipeline__model.keras"
    assert _read(path) == (
        None,
        [("H5L001", "file", f"{path}: corrupt or truncated zip archive: File is not a zip file")],
    )


# --- npz weights: headers only, nothing unpickled --------------------------------------------------


def test_npz_store_is_inspected_by_npy_headers_only(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the parser tried to load array data")

    monkeypatch.setattr(np, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    model, problems = _read(FORMAT_EXAMPLES / "k3_functional_npz.keras")
    assert problems == []
    assert model.weights is None
    assert len(model.npy_members) == 19
    assert model.npy_members[0] == ir.NpyMember("__root__.npy", "|O", ())
    assert {m.descr for m in model.npy_members} == {"|O"}
    assert model.npy_members[-1].name == "optimizer.npy"
    assert model.files[2] == "model.weights.npz"


def test_npy_header_forms():
    header = b"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"
    v1 = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header
    v2 = b"\x93NUMPY\x02\x00" + len(header).to_bytes(4, "little") + header
    assert keras_zip._npy_header(v1) == ("<f4", (3, 4))
    assert keras_zip._npy_header(v2) == ("<f4", (3, 4))
    code = b"__import__('os').system('echo hi')"
    for bad, why in [
        (b"PK\x03\x04", "no \\x93NUMPY magic"),
        (b"\x93NUMPY\x01\x00" + len(code).to_bytes(2, "little") + code, "not a Python dict literal"),
        (b"\x93NUMPY\x01\x00\xff\xff{", "over numpy's limit"),
        (b"\x93NUMPY\x09\x00\x10\x00", "unknown .npy format version 9.0"),
        (v1[:-5], "truncated .npy header"),
    ]:
        with pytest.raises(keras_zip.PartProblem, match=why.replace(".", r"\.").replace("\\x", "\\\\x")):
            keras_zip._npy_header(bad)


def test_bad_npy_member_names_the_member(tmp_path):
    with zipfile.ZipFile(FORMAT_EXAMPLES / "k3_functional_npz.keras") as src:
        npz = tmp_path / "inner.npz"
        with zipfile.ZipFile(src.open("model.weights.npz")) as inner, zipfile.ZipFile(npz, "w") as out:
            for info in inner.infolist():
                out.writestr(info.filename, b"not numpy" if info.filename == "layers/dense.npy" else inner.read(info))
    path = _rezip(FORMAT_EXAMPLES / "k3_functional_npz.keras", tmp_path / "m.keras", {"model.weights.npz": npz.read_bytes()})
    model, problems = _read(path)
    assert model.npy_members == ()
    assert problems == [
        (
            "H5L001",
            "member:model.weights.npz",
            f"{path}: member model.weights.npz member layers/dense.npy is not a .npy array (no \\x93NUMPY magic)",
        )
    ]


# --- broken and edited archives, made from real ones -----------------------------------------------


def test_zip_without_config_is_not_a_keras_model(tmp_path):
    path = _rezip(FORMAT_EXAMPLES / "k3_sequential.keras", tmp_path / "m.keras", {"config.json": None})
    assert _read_broken(path) == (
        None,
        [
            (
                "H5L001",
                "file",
                f"{path}: zip archive without config.json: not a Keras model (members: metadata.json, model.weights.h5)",
            )
        ],
    )


def test_truncated_zip(tmp_path):
    data = (FORMAT_EXAMPLES / "k3_sequential.keras").read_bytes()
    path = tmp_path / "cut.keras"
    path.write_bytes(data[: len(data) // 2])
    model, problems = _read(path)
    assert model is None
    assert problems == [("H5L001", "file", f"{path}: corrupt or truncated zip archive: File is not a zip file")]


def test_invalid_json_in_config_reports_the_offset(tmp_path):
    path = _rezip(FORMAT_EXAMPLES / "k3_sequential.keras", tmp_path / "m.keras", {"config.json": b'{"class_name": "Sequential",, }'})
    model, problems = _read_broken(path)
    assert model is None
    assert problems == [
        (
            "H5L001",
            "member:config.json",
            f"{path}: invalid JSON at offset 28 in member config.json: Expecting property name enclosed in double quotes",
        )
    ]


@pytest.mark.parametrize(
    "config, shown",
    [(b"[1, 2]", "the document is an array"), (b'{"name": "m", "layers": []}', "top-level keys: name, layers")],
)
def test_config_that_is_not_a_model_envelope(tmp_path, config, shown):
    path = _rezip(FORMAT_EXAMPLES / "k3_sequential.keras", tmp_path / "m.keras", {"config.json": config})
    assert _read_broken(path) == (
        None,
        [
            (
                "H5L001",
                "member:config.json",
                f'{path}: member config.json is not a Keras model ({{"class_name": ..., "config": ...}}); {shown}',
            )
        ],
    )


def test_config_over_budget_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(keras_zip, "MAX_CONFIG_BYTES", 1000)
    model, problems = _read_broken(FORMAT_EXAMPLES / "k3_sequential.keras")
    assert model is None
    assert problems == [
        (
            "H5L001",
            "member:config.json",
            f"{FORMAT_EXAMPLES / 'k3_sequential.keras'}: member config.json is 3,129 bytes, over h5lint's budget of 1,000 bytes",
        )
    ]


def _corrupt_member_data(path, name):
    """Flip the last byte of a stored member's data so that its CRC no longer matches."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    data = bytearray(path.read_bytes())
    header = info.header_offset
    start = header + 30 + int.from_bytes(data[header + 26 : header + 28], "little") + int.from_bytes(data[header + 28 : header + 30], "little")
    data[start + info.file_size - 1] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("member, keeps_graph", [("config.json", False), ("metadata.json", True), ("model.weights.h5", True)])
def test_bad_crc_names_the_member(tmp_path, member, keeps_graph):
    path = _rezip(FORMAT_EXAMPLES / "k3_sequential.keras", tmp_path / "m.keras")
    _corrupt_member_data(path, member)
    model, problems = _read(path)
    # Only config.json holds the graph; the others lose the version or the weights. The rest is read anyway.
    assert model is not None and (model.graph is not None) == keeps_graph
    assert problems == [
        ("H5L001", f"member:{member}", f"{path}: member {member} cannot be read (BadZipFile: Bad CRC-32 for file '{member}')")
    ]


def test_lazy_reads_of_a_file_damaged_after_parsing_stop_quietly(tmp_path):
    """Rules iterate chunks() long after parsing; a zip that changed meanwhile must not raise into them."""
    path = _rezip(FORMAT_EXAMPLES / "k3_sequential.keras", tmp_path / "m.keras")
    model, _ = _read(path)
    _corrupt_member_data(path, "model.weights.h5")
    assert [list(w.chunks()) for layer in model.weights for w in layer.weights] == [[], [], [], []]
    path.write_bytes(b"gone")
    assert list(model.weights[0].weights[0].chunks()) == []


def test_encrypted_member_is_not_read(tmp_path):
    path = _rezip(FORMAT_EXAMPLES / "k3_sequential.keras", tmp_path / "m.keras")
    with zipfile.ZipFile(path) as zf:
        info, central = zf.getinfo("config.json"), zf.start_dir
    data = bytearray(path.read_bytes())
    while data[central + 46 : central + 57] != b"config.json":  # the central directory entry of config.json
        central = data.index(b"PK\x01\x02", central + 1)
    data[central + 8] |= 0x01  # general purpose flag bit 0: encrypted, in the directory and the local header
    data[info.header_offset + 6] |= 0x01
    path.write_bytes(bytes(data))
    assert _read_broken(path) == (
        None,
        [
            (
                "H5L001",
                "member:config.json",
                f"{path}: member config.json is encrypted (password protected); Keras cannot read it either",
            )
        ],
    )


def test_missing_metadata_keeps_going(tmp_path):
    path = _rezip(FORMAT_EXAMPLES / "k3_functional.keras", tmp_path / "m.keras", {"metadata.json": None})
    model, problems = _read(path)
    assert problems == []
    assert (model.versions.keras_version, model.versions.writer, model.layout) == (None, None, "keras-zip")
    assert _outputs(model) == EXAMPLES["k3_functional.keras"][2]


def test_missing_weights_store(tmp_path):
    path = _rezip(FORMAT_EXAMPLES / "k3_sequential.keras", tmp_path / "m.keras", {"model.weights.h5": None})
    model, problems = _read(path)
    assert model.weights is None and model.graph is not None
    assert problems == [
        (
            "H5L001",
            "file",
            f"{path}: no weights store (model.weights.h5, variables.h5, model.weights.npz) in the zip archive; Keras' "
            "load_model fails with 'Expected a model.weights.h5 or model.weights.npz file'",
        )
    ]


def test_corrupt_weights_store_names_the_member(tmp_path):
    path = _rezip(FORMAT_EXAMPLES / "k3_sequential.keras", tmp_path / "m.keras", {"model.weights.h5": b"\x89HDF\r\n\x1a\n" + b"\0" * 64})
    model, problems = _read(path)
    assert model.weights is None and model.graph is not None
    assert [(code, location) for code, location, _ in problems] == [("H5L001", "member:model.weights.h5")]
    assert problems[0][2].startswith(f"{path}: member model.weights.h5 is not a readable HDF5 weights store (")


def test_keras_2_11_variables_store(tmp_path):
    with zipfile.ZipFile(FORMAT_EXAMPLES / "tfk_small_func.keras") as src:
        weights = src.read("model.weights.h5")
    path = _rezip(
        FORMAT_EXAMPLES / "tfk_small_func.keras",
        tmp_path / "m.keras",
        {"model.weights.h5": None, "metadata.json": b'{"keras_version": "2.11.0"}'},
        extra=[("variables.h5", weights)],
    )
    model, problems = _read(path)
    assert problems == []
    assert (model.layout, model.versions.writer) == ("keras-2.11-zip", "tf.keras")
    assert len(model.weights) == 3


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_duplicates_and_hostile_names_are_recorded_raw(tmp_path):
    with zipfile.ZipFile(FORMAT_EXAMPLES / "k3_sequential.keras") as src:
        config = src.read("config.json")
    path = _rezip(
        FORMAT_EXAMPLES / "k3_sequential.keras",
        tmp_path / "m.keras",
        extra=[("config.json", config.replace(b'"tiny_seq"', b'"second"', 1)), ("../evil.sh", b"#!/bin/sh\n"), ("/abs", b"x")],
    )
    model, problems = _read(path)
    assert problems == []
    names = [m.name for m in model.archive_members]
    assert names == ["metadata.json", "config.json", "model.weights.h5", "config.json", "../evil.sh", "/abs"]
    assert model.graph.name == "second"  # zipfile, like Keras, reads the last of duplicated names
    assert model.files == ("metadata.json", "config.json", "model.weights.h5", "../evil.sh", "/abs")
    assert not (tmp_path / "evil.sh").exists() and not (tmp_path.parent / "evil.sh").exists()


def test_deflated_members_are_read_too(tmp_path):
    path = _rezip(FORMAT_EXAMPLES / "k3_functional.keras", tmp_path / "m.keras", compression=zipfile.ZIP_DEFLATED)
    model, problems = _read(path)
    original, _ = _read(FORMAT_EXAMPLES / "k3_functional.keras")
    assert problems == []
    assert {m.compress_type for m in model.archive_members} == {zipfile.ZIP_DEFLATED}
    assert _inventory(model) == _inventory(original)
    assert all(np.array_equal(a, b) for a, b in zip(_values(model), _values(original)))


# --- unzipped Keras folder -------------------------------------------------------------------------


def test_unzipped_folder_reads_like_the_zip(tmp_path):
    folder = tmp_path / "model_dir"
    with zipfile.ZipFile(FORMAT_EXAMPLES / "k3_with_assets.keras") as zf:
        zf.extractall(folder)
    (folder / "model.weights.h5").chmod(0o755)
    zipped, _ = _read(FORMAT_EXAMPLES / "k3_with_assets.keras")
    candidate = list(discover.discover([str(folder)]))
    assert candidate == [Candidate(str(folder), ("keras-dir",))]
    outcome = read_candidate(candidate[0])
    model = interpreted(outcome)
    assert outcome.problems == ()
    assert (model.format.name, model.layout, model.versions) == ("keras-dir", "keras3-dir", zipped.versions)
    assert model.graph == zipped.graph and model.outputs == zipped.outputs
    assert _inventory(model) == _inventory(zipped)
    assert all(np.array_equal(a, b) for a, b in zip(_values(model), _values(zipped)))
    members = {m.name: m for m in model.archive_members}
    assert sorted(members) == [
        "assets/",
        "assets/layers/",
        "assets/layers/string_lookup/",
        "assets/layers/string_lookup/vocabulary.txt",
        "config.json",
        "metadata.json",
        "model.weights.h5",
    ]
    assert members["assets/"].is_dir and members["assets/"].external_attr & 0x10
    assert (members["model.weights.h5"].external_attr >> 16) & 0o777 == 0o755
    assert members["config.json"].file_size == members["config.json"].compress_size == (folder / "config.json").stat().st_size
    assert model.files == ("config.json", "metadata.json", "model.weights.h5", "assets/layers/string_lookup/vocabulary.txt")


def test_unzipped_folder_with_broken_config(tmp_path):
    folder = tmp_path / "model_dir"
    with zipfile.ZipFile(FORMAT_EXAMPLES / "k3_sequential.keras") as zf:
        zf.extractall(folder)
    (folder / "config.json").write_text('{"class_name": ')
    assert _read_broken(folder) == (
        None,
        [("H5L001", "member:config.json", f"{folder}: invalid JSON at offset 15 in member config.json: Expecting value")],
    )
