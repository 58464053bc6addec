"""TensorFlow checkpoints and SavedModel variables: discovery, the bundle as weights, damaged parts, graph heads.

The samples are real (tf-keras 2.21 save_weights, Keras 3.15 export, TF 2.21 tf.Module; see samples.json);
damaged copies are made in a temporary folder from them. Every variables/ folder of the three corpora must
read without a traceback, through the SavedModel parser and the bundle reader alike.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import FORMAT_EXAMPLES, REALWORLD, SAMPLES

from h5lint import ir
from h5lint.discover import discover
from h5lint.engine import lint_paths
from h5lint.findings import Problem
from h5lint.keras.tfgraph import graph_heads
from h5lint.parsers.checkpoint import read as checkpoint
from h5lint.parsers.savedmodel import read as savedmodel
from h5lint.settings import resolve
from h5lint.testing import interpreted

CKPT = "tfk_sigmoid_head_bce_ckpt"
NAN_CKPT = "tfk_nonfinite_weights_ckpt"
TFK_SM = "tfk_sigmoid_head_bce_savedmodel"
K3_EXPORT = "k3_sigmoid_head_bce_export"
DATA = "ckpt.data-00000-of-00001"
SM_DATA = "variables/variables.data-00000-of-00001"
MEMBERS = ("checkpoint", "ckpt.index", DATA)


def _sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"sample {name} is not there (sample_models/ is generated)")
    return path


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(_sample(name), target)
    return target


def _found(outcome):
    return [(p.code, p.hit.location) for p in outcome.problems]


def _candidates(paths) -> list[tuple[str, str]]:
    return [(c.path, c.container) for c in discover([str(p) for p in paths])]


def _cut(path: Path, size: int) -> None:
    path.write_bytes(path.read_bytes()[:size])


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


# --- discovery ------------------------------------------------------------------------------------


def test_a_checkpoint_folder_is_one_artifact():
    folder = _sample(CKPT)
    assert _candidates([folder]) == [(str(folder), "tf-checkpoint")]
    assert _candidates([folder / "ckpt.index"]) == [(str(folder), "tf-checkpoint")]
    # pre-commit passes every member: one artifact
    assert _candidates([folder / name for name in MEMBERS]) == [(str(folder), "tf-checkpoint")]
    assert (str(folder), "tf-checkpoint") in _candidates([SAMPLES])


def test_an_index_without_its_checkpoint_file_is_a_bundle(tmp_path):
    folder = _copy(tmp_path, CKPT)
    (folder / "checkpoint").unlink()
    index = folder / "ckpt.index"
    assert _candidates([folder]) == [(str(index), "tf-checkpoint")]
    assert _candidates([index, folder / DATA]) == [(str(index), "tf-checkpoint")]
    outcome = checkpoint.read(str(index))
    assert _found(outcome) == [("H5L002", "file")]
    assert outcome.artifact.files == ("ckpt.index", DATA)


def test_a_folder_holding_more_than_a_checkpoint_is_walked(tmp_path):
    folder = _copy(tmp_path, CKPT)
    shutil.copy(_sample("tfk_sigmoid_head_bce.h5"), folder / "model.h5")
    assert _candidates([folder]) == [(str(folder / "ckpt.index"), "tf-checkpoint"), (str(folder / "model.h5"), "hdf5")]
    # the checkpoint file alone names the latest checkpoint
    assert _candidates([folder / "checkpoint"]) == [(str(folder / "checkpoint"), "tf-checkpoint")]
    assert [p.code for p in checkpoint.read(str(folder / "checkpoint")).problems] == ["H5L002"]


def test_a_savedmodel_keeps_its_variables():
    folder = _sample(TFK_SM)
    variables = sorted((folder / "variables").iterdir())
    assert _candidates([*variables, folder / "saved_model.pb"]) == [(str(folder), "savedmodel-dir")]
    assert _candidates([folder / "variables"]) == [(str(folder), "savedmodel-dir")]  # its SavedModel, not a checkpoint
    assert (str(folder), "savedmodel-dir") in _candidates([SAMPLES])
    assert not [path for path, container in _candidates([SAMPLES]) if "/variables/" in path]


def test_other_tables_are_not_checkpoints_when_walking(tmp_path):
    (tmp_path / "000005.ldb").write_bytes((_sample(CKPT) / "ckpt.index").read_bytes())
    assert _candidates([tmp_path]) == []


# --- a checkpoint artifact ------------------------------------------------------------------------


def test_save_weights_checkpoint_is_weights_only_with_its_inventory():
    outcome = checkpoint.read(str(_sample(CKPT)))
    assert _found(outcome) == [("H5L002", "file")]
    message = outcome.problems[0].hit.message
    assert "it holds 4 variables (layer_with_weights-0/bias (8), layer_with_weights-0/kernel (4x8)" in message
    assert "H5L503, H5L505 are not judged" in message
    assert "model.load_weights('ckpt')" in outcome.problems[0].hit.fix
    model = interpreted(outcome)
    assert (model.format.name, model.layout, model.has_optimizer_weights) == ("tf-checkpoint", "object-based", True)
    assert model.files == tuple(sorted(MEMBERS))
    # tf-keras names its variables "<layer>/<weight>": the layers are known without a config
    stored = [(layer.name, w.name, w.shape, w.dtype) for layer in model.weights for w in layer.weights]
    assert stored == [
        ("hidden", "hidden/bias", (8,), "float32"),
        ("hidden", "hidden/kernel", (4, 8), "float32"),
        ("out", "out/bias", (1,), "float32"),
        ("out", "out/kernel", (8, 1), "float32"),
    ]


def test_non_finite_checkpoint_weights_are_found():
    report = lint_paths([str(_sample(NAN_CKPT))], resolve(None, {}))
    (artifact,) = report.artifacts
    assert [(f.code, f.location) for f in artifact.findings] == [("H5L002", "file"), ("H5L502", "layer:hidden")]
    assert "'hidden/kernel' (4x8, 32 values): 1 NaN and 2 Inf" in artifact.findings[1].message


def test_the_latest_checkpoint_is_read(tmp_path):
    folder = _copy(tmp_path, CKPT)
    for name in ("ckpt.index", DATA):
        shutil.copy(folder / name, folder / name.replace("ckpt", "ckpt-2"))
    (folder / "checkpoint").write_text('model_checkpoint_path: "ckpt-2"\nall_model_checkpoint_paths: "ckpt-2"\n')
    outcome = checkpoint.read(str(folder))
    assert _found(outcome) == [("H5L002", "file")]
    assert "the latest of 2 checkpoints, ckpt-2.index" in outcome.problems[0].hit.message


@pytest.mark.parametrize(
    "state, found",
    [
        ('model_checkpoint_path: "ckpt-9"\n', [("H5L002", "file"), ("H5L004", "member:ckpt-9.index")]),
        ('model_checkpoint_path: "/home/someone/run/ckpt"\n', [("H5L002", "file"), ("H5L004", "member:checkpoint")]),
        ('model_checkpoint_path: "../ckpt"\n', [("H5L002", "file"), ("H5L004", "member:checkpoint")]),
        ("model_checkpoint_path {\n", [("H5L002", "file"), ("H5L001", "member:checkpoint")]),
    ],
    ids=["names-a-missing-checkpoint", "absolute-path", "leaves-the-folder", "not-a-checkpoint-state"],
)
def test_a_checkpoint_file_that_names_no_usable_checkpoint(tmp_path, state, found):
    folder = _copy(tmp_path, CKPT)
    (folder / "checkpoint").write_text(state)
    outcome = checkpoint.read(str(folder))
    assert _found(outcome) == found
    assert interpreted(outcome).weights  # the checkpoint in the folder is read anyway


def test_an_index_without_its_data_shard(tmp_path):
    folder = _copy(tmp_path, CKPT)
    (folder / DATA).unlink()
    outcome = checkpoint.read(str(folder))
    assert _found(outcome) == [("H5L002", "file"), ("H5L004", f"member:{DATA}")]
    message = outcome.problems[1].hit.message
    assert f"{DATA} is missing, but the index stores 7 tensors there (layer_with_weights-0/kernel" in message
    assert "model.load_weights and tf.train.Checkpoint.restore fail" in message
    # the weights are listed, but no rule gets values from a shard that is not there
    report = lint_paths([str(folder)], resolve(None, {}))
    assert [f.code for f in report.artifacts[0].findings] == ["H5L002", "H5L004"]


def test_a_data_shard_without_its_index(tmp_path):
    folder = _copy(tmp_path, CKPT)
    (folder / "ckpt.index").unlink()
    (folder / "checkpoint").unlink()
    outcome = checkpoint.read(str(folder / DATA))
    assert outcome.artifact is None and _found(outcome) == [("H5L004", "member:ckpt.index")]


def test_a_shard_cut_short(tmp_path):
    folder = _copy(tmp_path, CKPT)
    _cut(folder / DATA, 500)
    outcome = checkpoint.read(str(folder))
    assert _found(outcome) == [("H5L002", "file"), ("H5L001", f"member:{DATA}")]
    assert f"{DATA} is 500 bytes, but" in outcome.problems[1].hit.message


def test_a_checksum_mismatch_names_the_tensor(tmp_path):
    folder = _copy(tmp_path, CKPT)
    _flip(folder / DATA, 0)
    outcome = checkpoint.read(str(folder))
    assert _found(outcome) == [("H5L002", "file"), ("H5L001", f"member:{DATA}")]
    assert "checksum mismatch" in outcome.problems[1].hit.message


def test_an_index_that_is_not_a_bundle(tmp_path):
    folder = _copy(tmp_path, CKPT)
    _cut(folder / "ckpt.index", 100)
    outcome = checkpoint.read(str(folder))
    assert outcome.artifact is None and _found(outcome) == [("H5L001", "member:ckpt.index")]
    assert "cannot be read as a checkpoint index" in outcome.problems[0].hit.message


def test_a_shard_linked_out_of_the_folder_is_not_followed(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    folder = _copy(tmp_path, CKPT)
    (folder / DATA).rename(outside / DATA)
    os.symlink(outside / DATA, folder / DATA)
    outcome = checkpoint.read(str(folder))
    assert _found(outcome) == [("H5L002", "file"), ("H5L001", f"member:{DATA}")]
    assert "does not follow it" in outcome.problems[1].hit.message


# --- SavedModel variables -------------------------------------------------------------------------


def test_tf_keras_savedmodel_weights_are_mapped_to_its_layers():
    model = interpreted(savedmodel.read(str(_sample(TFK_SM))))
    stored = [(layer.name, w.name, w.location) for layer in model.weights for w in layer.weights]
    assert stored == [
        ("hidden", "hidden/bias", "layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE"),
        ("hidden", "hidden/kernel", "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE"),
        ("out", "out/bias", "layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE"),
        ("out", "out/kernel", "layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE"),
    ]
    assert model.has_optimizer_weights  # optimizer/ state is not a weight, metrics (keras_api/) neither


def test_keras3_export_variables_tracked_twice_are_one_weight():
    model = interpreted(savedmodel.read(str(_sample(K3_EXPORT))))
    names = sorted(w.name for layer in model.weights for w in layer.weights)
    assert names == ["hidden/bias", "hidden/kernel", "out/bias", "out/kernel"]
    (head,) = [h for h in model.graph_heads if h.signature == "serving_default"]
    assert (head.producer.op, head.kernel_op.op) == ("Sigmoid", "MatMul")
    kernel = next(w for layer in model.weights for w in layer.weights if w.location == head.kernel)
    assert kernel.name == "out/kernel"


def test_savedmodel_index_without_its_data_shard(tmp_path):
    folder = _copy(tmp_path, K3_EXPORT)
    (folder / SM_DATA).unlink()
    outcome = savedmodel.read(str(folder))
    assert _found(outcome) == [("H5L004", f"member:{SM_DATA}")]
    assert "the index stores 9 tensors there (variables/0, variables/1" in outcome.problems[0].hit.message
    assert "tf.saved_model.load and load_model fail" in outcome.problems[0].hit.message


@pytest.mark.parametrize("damage", ["cut", "flip"])
def test_savedmodel_shard_damage(tmp_path, damage):
    folder = _copy(tmp_path, TFK_SM)
    if damage == "cut":
        _cut(folder / SM_DATA, 300)
    else:
        _flip(folder / SM_DATA, 40)
    outcome = savedmodel.read(str(folder))
    assert _found(outcome) == [("H5L001", f"member:{SM_DATA}")]
    assert ("is 300 bytes, but" if damage == "cut" else "checksum mismatch") in outcome.problems[0].hit.message
    assert interpreted(outcome).graph is not None  # the rest of the folder is still read


def test_savedmodel_variables_linked_out_of_the_folder(tmp_path):
    folder = _copy(tmp_path, TFK_SM)
    outside = tmp_path / "elsewhere"
    (folder / "variables").rename(outside)
    os.symlink(outside, folder / "variables")
    outcome = savedmodel.read(str(folder))
    assert _found(outcome) == [("H5L001", "member:variables/")]
    assert interpreted(outcome).weights is None


def _savedmodel_folders() -> list[Path]:
    roots = [SAMPLES, FORMAT_EXAMPLES, REALWORLD / "files"]
    return sorted(p.parent for root in roots if root.exists() for p in root.rglob("variables") if p.is_dir())


@pytest.mark.parametrize("folder", _savedmodel_folders(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_variables_folder_reads(folder):
    outcome = savedmodel.read(str(folder))  # never raises
    assert {p.code for p in outcome.problems} <= {"H5L001", "H5L004"}
    index = folder / "variables" / "variables.index"
    if index.is_file():
        contents = checkpoint.read_bundle(index, str(folder), "variables/", "it does not load")
        assert isinstance(contents, (checkpoint.BundleRead, Problem))
    report = lint_paths([str(folder)], resolve(None, {}))
    assert report.artifacts[0].crashed_checks == ()


def test_index_without_data_shard_in_the_realworld_corpus():
    # Two real SavedModels were committed without variables.data-*: the index still lists every variable.
    for name in ("71hyeon__Deep-Learning__Augment_model.h5py", "Amaury-ISEN__detection_masque__savedmodel_root"):
        outcome = savedmodel.read(str(REALWORLD / "files" / name))
        assert [p for p in _found(outcome) if p[0] == "H5L004"] == [("H5L004", f"member:{SM_DATA}")]
        assert interpreted(outcome).weights


# --- graph heads ----------------------------------------------------------------------------------


def _info(graph: ir.GraphSummary, tensor: str = "Call:0") -> ir.SavedModelInfo:
    output = ir.TensorSpec("output_0", "DT_FLOAT", (-1, 1), tensor)
    signature = ir.Signature("serving_default", "tensorflow/serving/predict", (), (output,))
    return ir.SavedModelInfo("saved_model.pb", (("serve",),), (signature,), (), (), graph=graph)


def test_a_function_that_calls_itself_ends_the_trace():
    loop = ir.GraphFunction(
        args=("x",),
        returns=("Call:output:0",),
        nodes={"Call": ir.GraphNode("StatefulPartitionedCall", ("x",), None, "f")},
    )
    graph = ir.GraphSummary(
        ir.GraphFunction(nodes={"Call": ir.GraphNode("PartitionedCall", ("x",), None, "f")}), {"f": loop}
    )
    (head,) = graph_heads(_info(graph))
    assert head.producer is None


@pytest.mark.parametrize(
    "returns, nodes",
    [
        (("Missing:output:0",), {}),  # an op the summary left out
        (("Id:output:5",), {"Id": ir.GraphNode("IdentityN", ("x",))}),  # an output IdentityN does not have
        (("Id:output:x",), {"Id": ir.GraphNode("Identity", ("x",))}),  # not a tensor reference
        (("x",), {}),  # an argument, followed to what the caller passes: a Placeholder, left out
    ],
)
def test_broken_references_end_the_trace(returns, nodes):
    function = ir.GraphFunction(args=("x",), returns=returns, nodes=nodes)
    graph = ir.GraphSummary(
        ir.GraphFunction(nodes={"Call": ir.GraphNode("PartitionedCall", ("in",), None, "f")}), {"f": function}
    )
    (head,) = graph_heads(_info(graph))
    assert head.producer is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_like_a_shard_is_never_opened(tmp_path):
    folder = _copy(tmp_path, CKPT)
    (folder / DATA).unlink()
    os.mkfifo(folder / DATA)
    # not a checkpoint folder any more (it holds a FIFO): its index is read on its own, the FIFO refused
    assert _candidates([folder]) == [(str(folder / "ckpt.index"), "tf-checkpoint")]
    report = lint_paths([str(folder)], resolve(None, {}))
    assert [(f.code, f.location) for f in report.artifacts[0].findings] == [
        ("H5L001", f"member:{DATA}"),
        ("H5L002", "file"),
    ]
    assert "not a regular file" in report.artifacts[0].findings[0].message


def test_an_index_under_another_name_is_h5l003(tmp_path):
    named = tmp_path / "weights.h5"
    shutil.copy(_sample(CKPT) / "ckpt.index", named)
    report = lint_paths([str(named)], resolve(None, {}))
    assert [(f.code, f.location) for f in report.artifacts[0].findings] == [
        ("H5L001", "member:weights.h5"),
        ("H5L003", "file"),
    ]
    assert "TensorFlow finds a checkpoint by its prefix" in report.artifacts[0].findings[1].fix
