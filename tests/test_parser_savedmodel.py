"""The SavedModel parser (h5lint.parsers.savedmodel), on real folders from /work/shared and damaged copies."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import pytest
from conftest import FORMAT_EXAMPLES, REALWORLD, SAMPLES, require_shared

from h5lint import ir, pbwire
from h5lint.keras.structure import TensorRef
from h5lint.parsers.savedmodel import read as savedmodel
from h5lint.parsers.savedmodel.library import Library, split
from h5lint.parsers.savedmodel.protoschema import message_class
from h5lint.testing import interpreted

require_shared()  # every test here reads the shared corpora

EXAMPLES = (
    "tfk_savedmodel_func",
    "tfk_savedmodel_stateful",
    "tfk_savedmodel_subclassed",
    "k3_export_savedmodel",
    "tf_module_savedmodel",
    "tf1_builder_pbtxt",
)
MANIFEST = {row["local_name"]: row for row in csv.DictReader(open(REALWORLD / "manifest.tsv"), delimiter="\t")}
HALF_PLUS_TWO = (
    "tensorflow__serving__tensorflow_serving__servables__tensorflow__testdata__saved_model_half_plus_two_cpu__00000123"
)
MANIFEST_PARTIAL = "AnwerSaeed017__face-recognition-using-siamese-network__partial_savedmodel"
REALWORLD_SM = sorted(name for name, row in MANIFEST.items() if row["format"] == "savedmodel")

VARIABLES_DIR = ("H5L004", "member:variables/")
NO_DATA_SHARD = ("H5L004", "member:variables/variables.data-00000-of-00001")
KERAS_METADATA = ("H5L004", "member:keras_metadata.pb")
GRAPH_FILE = ("H5L004", "member:saved_model.pb")
REALWORLD_PROBLEMS = {
    "0x7a726f__MNIST_model__model1": [GRAPH_FILE, KERAS_METADATA, VARIABLES_DIR],
    "71hyeon__Deep-Learning__Augment_model.h5py": [NO_DATA_SHARD],
    "AbfCodes__Stock-Prediction__savedmodel_root": [],
    "AdamClarkStandke__GAN_Models__savedmodel_root": [KERAS_METADATA, VARIABLES_DIR],
    "Amaury-ISEN__detection_masque__savedmodel_root": [NO_DATA_SHARD],
    "AnwerSaeed017__face-recognition-using-siamese-network__partial_savedmodel": [
        KERAS_METADATA,
        GRAPH_FILE,
        VARIABLES_DIR,
    ],
    "ConJones__TetrisDQN__old_agents__agent_no_conv_small_less_hi_great_start": [],
    "Engr-Muhammad-Anees__sentiment-analysis-imdb-lstm__savedmodel_root": [VARIABLES_DIR],
    "IEEE-NITK__Speech-to-Image__savedmodel_root": [VARIABLES_DIR],
    HALF_PLUS_TWO: [],
}


def _found(outcome):
    return [(p.code, p.hit.location) for p in outcome.problems]


def _read_example(name):
    outcome = savedmodel.read(str(FORMAT_EXAMPLES / name))
    assert _found(outcome) == []
    return interpreted(outcome)


def _op(model, name):
    return next((use for use in model.savedmodel.ops if use.op == name), None)


def _signature(model, key):
    return next(sig for sig in model.savedmodel.signatures if sig.key == key)


# --- format examples ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_format_examples_read_cleanly(name):
    model = _read_example(name)
    assert model.format.name == "savedmodel"
    assert model.path == str(FORMAT_EXAMPLES / name)
    assert model.versions.tensorflow_version == "2.21.0"
    assert model.versions.tensorflow_git_version == "v2.21.0-rc1-5-ga481b10260d"
    assert model.savedmodel.tags == (("serve",),)
    assert model.savedmodel.schema_version == 1
    assert "variables/variables.index" in model.files
    ops = [use.op for use in model.savedmodel.ops]
    assert ops == sorted(ops)
    assert not set(ops) & set(model.savedmodel.function_names)  # calls to library functions are not ops
    for use in model.savedmodel.ops:
        assert list(use.places) == sorted(use.places)


def test_tf_keras_functional_savedmodel():
    model = _read_example("tfk_savedmodel_func")
    assert model.layout == "keras-metadata"
    assert (model.versions.keras_version, model.versions.backend, model.versions.writer) == (
        "2.21.0",
        "tensorflow",
        "tf-keras",
    )
    assert model.graph.kind == "functional" and [l.name for l in model.graph.layers] == ["features", "body", "head"]
    (head,) = model.outputs
    assert (head.name, head.loss.name) == ("head", "categorical_crossentropy")
    assert model.training.source == "keras_metadata" and model.training.optimizer.class_name == "RMSprop"
    serving = _signature(model, "serving_default")
    assert serving.method_name == "tensorflow/serving/predict"
    assert serving.inputs == (ir.TensorSpec("features", "DT_FLOAT", (-1, 3), "serving_default_features:0"),)
    assert serving.outputs == (ir.TensorSpec("head", "DT_FLOAT", (-1, 2), "StatefulPartitionedCall:0"),)
    init = _signature(model, "__saved_model_init_op")
    assert init.outputs == (ir.TensorSpec("__saved_model_init_op", "DT_INVALID", None, "NoOp"),)
    # TF2 keeps only plumbing in the top-level graph; the compute ops live in library functions.
    assert "graph" in _op(model, "StatefulPartitionedCall").places
    assert "graph" not in _op(model, "MatMul").places and _op(model, "MatMul").places
    assert model.savedmodel.object_identifiers[:3] == ("_tf_keras_network", "_tf_keras_input_layer", "_tf_keras_layer")
    assert model.savedmodel.has_keras_metadata
    assert model.savedmodel.fingerprint == {
        "saved_model_checksum": 15460756961789164414,
        "graph_def_program_hash": 15038960672404764777,
        "signature_def_hash": 4968325448273775066,
        "saved_object_graph_hash": 2695565293590371244,
        "checkpoint_hash": 10091743147865312441,
        "uuid": "223524935679403673622840560100042903712",
        "producer": 4,
    }


def test_stateful_lstm_savedmodel_ops_inside_functions():
    model = _read_example("tfk_savedmodel_stateful")
    cudnn = _op(model, "CudnnRNNV3")
    assert cudnn is not None and cudnn.places and "graph" not in cudnn.places
    assert all(place in model.savedmodel.function_names for place in cudnn.places)
    assert _op(model, "StatelessWhile") is not None
    assert _signature(model, "serving_default").inputs == (ir.TensorSpec(
        "stateful_lstm_input", "DT_FLOAT", (2, 3, 1), "serving_default_stateful_lstm_input:0"
    ),)
    assert model.graph.kind == "sequential"
    lstm = model.graph.layer("stateful_lstm")
    assert lstm is not None and lstm.config["stateful"] is True
    (y,) = model.outputs
    assert (y.name, y.loss.name) == ("y", "h5lint>my_loss")


def test_subclassed_savedmodel():
    model = _read_example("tfk_savedmodel_subclassed")
    assert (model.graph.kind, model.graph.class_name, model.graph.layers) == ("subclassed", "MyModel", ())
    assert model.outputs == () and model.training is None
    assert model.savedmodel.object_identifiers[0] == "_tf_keras_model"


def test_keras3_export_has_two_signatures_and_a_half_output():
    model = _read_example("k3_export_savedmodel")
    assert model.layout == "tf" and model.versions.writer == "tensorflow"
    assert model.versions.keras_version is None and model.graph is None
    keys = [sig.key for sig in model.savedmodel.signatures]
    assert {"serve", "serving_default"} <= set(keys)
    for key, call in (("serve", "StatefulPartitionedCall"), ("serving_default", "StatefulPartitionedCall_1")):
        assert _signature(model, key).outputs == (
            ir.TensorSpec("output_0", "DT_FLOAT", (-1, 1), f"{call}:0"),
            ir.TensorSpec("output_1", "DT_HALF", (-1, 3), f"{call}:1"),
        )
    assert not model.savedmodel.has_keras_metadata
    assert {"Less", "LogicalAnd", "TensorListGetItem"} <= {use.op for use in model.savedmodel.ops}


def test_tf_module_with_asset_and_two_signatures():
    model = _read_example("tf_module_savedmodel")
    assert "assets/h5lint_vocab.txt" in model.files
    assert _signature(model, "lookup").inputs == (ir.TensorSpec("tok", "DT_STRING", (), "lookup_tok:0"),)
    assert ir.TensorSpec("n", "DT_INT32", (), "StatefulPartitionedCall:0") in _signature(model, "serving_default").outputs
    assert not any(i.startswith("_tf_keras_") for i in model.savedmodel.object_identifiers)


def test_tf1_builder_text_format():
    model = _read_example("tf1_builder_pbtxt")
    assert model.layout == "pbtxt"
    assert model.files == ("saved_model.pbtxt", "variables/variables.data-00000-of-00001", "variables/variables.index")
    assert model.savedmodel.function_names == ()
    assert _op(model, "MatMul") == ir.OpUse("MatMul", ("graph",))
    assert _op(model, "VarHandleOp") == ir.OpUse("VarHandleOp", ("graph",))
    assert model.savedmodel.object_identifiers == ()
    assert model.savedmodel.fingerprint is None
    assert _signature(model, "serving_default").outputs == (ir.TensorSpec("y", "DT_FLOAT", (-1, 1), "y:0"),)


# --- real-world folders -------------------------------------------------------------------------


def test_every_realworld_savedmodel_is_listed_here():
    assert sorted(REALWORLD_PROBLEMS) == REALWORLD_SM


@pytest.mark.parametrize("name", REALWORLD_SM)
def test_realworld_savedmodels_match_the_manifest(name):
    row = MANIFEST[name]
    outcome = savedmodel.read(str(REALWORLD / "files" / name))
    assert _found(outcome) == REALWORLD_PROBLEMS[name]
    model = interpreted(outcome)
    assert model.versions.keras_version == (row["keras_version"] or None)
    assert model.versions.backend == (row["backend"] or None)
    if row["model_class"] and not row["model_class"].startswith("keras-savedmodel"):
        assert model.graph.class_name == row["model_class"]
    if row["n_outputs"] not in ("", "0"):
        assert len(model.outputs) == int(row["n_outputs"])
        last = model.outputs[-1]
        assert model.graph.layer(last.name).class_name == row["last_layer"]
        assert last.loss.name == row["loss"]


def test_renamed_graph_is_read_and_named():
    outcome = savedmodel.read(str(REALWORLD / "files" / "0x7a726f__MNIST_model__model1"))
    renamed, damaged, variables = (p.hit.message for p in outcome.problems)
    assert "saved_model.pb is missing; model1.pb looks like it, renamed — TF only loads saved_model.pb" in renamed
    # Read as cp1252 text and written back as UTF-8: the first length grew to 1.78 MB.
    assert "declares 1,786,699 bytes but only 27,145 remain" in damaged and "re-encoded as text" in damaged
    assert "the object graph has 63 variable(s)" in variables
    assert outcome.problems[0].hit.fix == "rename model1.pb to saved_model.pb"
    model = interpreted(outcome)
    assert model.versions.tensorflow_version == "2.10.0"
    assert model.files == ("keras_metadata.pb", "model1.pb")
    assert len(model.graph.layers) == 13


def test_keras_metadata_alone_gives_the_keras_model():
    outcome = savedmodel.read(str(REALWORLD / "files" / MANIFEST_PARTIAL))
    damaged, missing, _ = (p.hit.message for p in outcome.problems)
    assert "converted to CRLF" in damaged and "h5lint read 17 of its Keras objects anyway" in damaged
    assert outcome.problems[0].hit.fix == savedmodel.FIX_TEXT_DAMAGE
    assert "saved_model.pb is missing" in missing
    model = interpreted(outcome)
    assert model.layout == "keras-metadata-only"
    assert model.savedmodel.tags == () and model.savedmodel.ops == ()
    assert model.savedmodel.object_identifiers[0] == "_tf_keras_network"
    assert model.graph.layer("lambda").class_name == "Lambda"


def test_keras_objects_without_metadata_are_reported():
    outcome = savedmodel.read(str(REALWORLD / "files" / "AdamClarkStandke__GAN_Models__savedmodel_root"))
    message = outcome.problems[0].hit.message
    assert "_tf_keras_sequential x15" in message and "keras_metadata.pb is missing" in message
    assert interpreted(outcome).graph is None and interpreted(outcome).versions.writer == "tensorflow"


def test_tf24_metadata_inside_the_graph():
    model = interpreted(savedmodel.read(str(REALWORLD / "files" / "Amaury-ISEN__detection_masque__savedmodel_root")))
    assert model.layout == "keras-legacy-metadata"
    assert model.savedmodel.has_keras_metadata


def test_tf1_graph_with_snappy_index_and_name_based_keys():
    folder = REALWORLD / "files" / HALF_PLUS_TWO
    model = interpreted(savedmodel.read(str(folder)))
    assert _op(model, "VariableV2").places == ("graph",)
    # TF1 checkpoints have no object graph: a key is the variable's name.
    assert [(w.layer, w.name, w.shape) for layer in model.weights for w in layer.weights] == [
        (name, name, ()) for name in ("a", "a2", "b", "c", "c2")
    ]


def test_protobuf_is_imported_only_when_a_savedmodel_is_read():
    code = (
        "import sys, h5lint.cli, h5lint.engine, h5lint.parsers; "
        "assert not [m for m in sys.modules if m.startswith('google.protobuf')]"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- damaged and hand-made folders --------------------------------------------------------------


def _copy(tmp_path, name="tfk_savedmodel_func"):
    target = tmp_path / name
    shutil.copytree(FORMAT_EXAMPLES / name, target)
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def test_corrupt_graph_is_unreadable_but_keras_metadata_still_read(tmp_path):
    folder = _copy(tmp_path)
    data = bytearray((folder / "saved_model.pb").read_bytes())
    data[10:30] = b"\xff" * 20
    (folder / "saved_model.pb").write_bytes(bytes(data))
    outcome = savedmodel.read(str(folder))
    assert _found(outcome) == [("H5L001", "member:saved_model.pb")]
    message = outcome.problems[0].hit.message
    assert message.startswith(f"{folder / 'saved_model.pb'}: protobuf does not parse: in meta_graphs[0]")
    assert message.endswith("; re-export it")
    assert interpreted(outcome).graph.name == "small_func" and interpreted(outcome).savedmodel.ops == ()


def test_corrupt_graph_without_keras_metadata_gives_no_artifact(tmp_path):
    folder = _copy(tmp_path, "tf_module_savedmodel")
    (folder / "saved_model.pb").write_bytes((folder / "saved_model.pb").read_bytes()[:5000])
    outcome = savedmodel.read(str(folder))
    assert interpreted(outcome) is None
    assert _found(outcome) == [("H5L001", "member:saved_model.pb")]
    assert "declares" in outcome.problems[0].hit.message


@pytest.mark.parametrize(
    "keep, graph_kept, keras_version",
    [(6000, True, "2.21.0"), (3000, False, "2.21.0"), (100, False, None)],
    ids=["after-root", "root-cut-after-versions", "root-cut-early"],
)
def test_truncated_keras_metadata_is_incomplete(tmp_path, keep, graph_kept, keras_version):
    folder = _copy(tmp_path)
    (folder / "keras_metadata.pb").write_bytes((folder / "keras_metadata.pb").read_bytes()[:keep])
    outcome = savedmodel.read(str(folder))
    assert _found(outcome) == [KERAS_METADATA]
    message = outcome.problems[0].hit.message
    assert "protobuf does not parse (at offset" in message and "Cannot parse keras metadata" in message
    model = interpreted(outcome)
    assert model.versions.tensorflow_version == "2.21.0" and _op(model, "MatMul") is not None
    assert (model.graph is not None) == graph_kept
    assert model.versions.keras_version == keras_version
    if keep == 3000:
        assert "the root model's config is lost, but its keras_version 2.21.0 is legible" in message
        assert model.versions.writer == "tf-keras" and model.versions.backend == "tensorflow"


def test_crlf_converted_keras_metadata_is_undone(tmp_path):
    folder = _copy(tmp_path)
    data = (folder / "keras_metadata.pb").read_bytes()
    assert b"\n" in data and b"\r" not in data
    (folder / "keras_metadata.pb").write_bytes(data.replace(b"\n", b"\r\n"))
    outcome = savedmodel.read(str(folder))
    assert _found(outcome) == [KERAS_METADATA]
    assert "h5lint read 6 of its Keras objects anyway" in outcome.problems[0].hit.message
    assert interpreted(outcome).graph.name == "small_func"


def test_missing_variables_parts(tmp_path):
    folder = _copy(tmp_path)
    (folder / "variables" / "variables.data-00000-of-00001").unlink()
    (folder / "variables" / "variables.index").unlink()
    assert _found(savedmodel.read(str(folder))) == [("H5L004", "member:variables/variables.index"), NO_DATA_SHARD]
    shutil.rmtree(folder / "variables")
    (problem,) = savedmodel.read(str(folder)).problems
    assert problem.hit.location == "member:variables/"
    assert "the object graph has 10 variable(s)" in problem.hit.message


def test_missing_second_shard_is_named(tmp_path):
    folder = _copy(tmp_path)
    variables = folder / "variables"
    (variables / "variables.data-00000-of-00001").rename(variables / "variables.data-00000-of-00002")
    assert _found(savedmodel.read(str(folder))) == [
        ("H5L004", "member:variables/variables.data-00000-of-00001"),
    ]  # the index says one shard; the renamed file is not it


def test_missing_asset(tmp_path):
    folder = _copy(tmp_path, "tf_module_savedmodel")
    (folder / "assets" / "h5lint_vocab.txt").unlink()
    assert _found(savedmodel.read(str(folder))) == [("H5L004", "member:assets/h5lint_vocab.txt")]


def test_folder_with_nothing_to_read(tmp_path):
    (tmp_path / "fingerprint.pb").write_bytes(b"")
    outcome = savedmodel.read(str(tmp_path))
    assert interpreted(outcome) is None
    assert _found(outcome) == [("H5L001", "file")]


def test_damaged_keras_metadata_alone_is_nothing_to_read(tmp_path):
    (tmp_path / "keras_metadata.pb").write_bytes(b"\x0a\x90\x01garbage")
    outcome = savedmodel.read(str(tmp_path))
    assert interpreted(outcome) is None
    assert _found(outcome) == [KERAS_METADATA, ("H5L001", "file")]


def test_chunked_savedmodel_is_not_supported(tmp_path):
    (tmp_path / "saved_model.cpb").write_bytes(b"\x00" * 16)
    outcome = savedmodel.read(str(tmp_path))
    assert interpreted(outcome) is None
    assert _found(outcome) == [("H5L001", "member:saved_model.cpb")]
    message = outcome.problems[0].hit.message
    assert "chunked SavedModel (saved_model.cpb, proto splitter) is not supported yet" in message


def test_graph_over_budget_is_refused_before_reading(tmp_path, monkeypatch):
    folder = _copy(tmp_path, "tf_module_savedmodel")
    monkeypatch.setattr(savedmodel, "MAX_PROTO_BYTES", 1000)
    outcome = savedmodel.read(str(folder))
    assert _found(outcome) == [("H5L001", "member:saved_model.pb")]
    assert "it is 15,302 bytes, over h5lint's budget of 1,000 bytes" in outcome.problems[0].hit.message
    assert outcome.problems[0].hit.fix == savedmodel.FIX_OVER_BUDGET


def test_graph_that_holds_nothing(tmp_path):
    (tmp_path / "saved_model.pb").write_bytes(b"\x08\x01")  # schema version 1, no MetaGraphDef
    outcome = savedmodel.read(str(tmp_path))
    assert _found(outcome) == [("H5L001", "member:saved_model.pb")]
    assert "holds no MetaGraphDef" in outcome.problems[0].hit.message


def test_broken_text_format_names_the_line(tmp_path):
    (tmp_path / "saved_model.pbtxt").write_text("saved_model_schema_version: 1\nmeta_graphs {\n  graph_def { node {\n")
    outcome = savedmodel.read(str(tmp_path))
    assert _found(outcome) == [("H5L001", "member:saved_model.pbtxt")]
    assert "text format does not parse: 3:20" in outcome.problems[0].hit.message


def _length_delimited(field, payload):
    return bytes([field << 3 | 2]) + _varint(len(payload)) + payload


def _varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes(out + bytes([value]))


def test_deeply_nested_attributes_do_not_crash(tmp_path):
    value = b""
    for _ in range(3000):  # AttrValue.func (10) -> NameAttrList.attr (2) -> entry value (2) -> AttrValue ...
        entry = _length_delimited(1, b"f") + _length_delimited(2, value)
        value = _length_delimited(10, _length_delimited(2, entry))
    attr = _length_delimited(1, b"then") + _length_delimited(2, value)
    node = _length_delimited(2, b"If") + _length_delimited(5, attr)
    graph = _length_delimited(2, _length_delimited(2, _length_delimited(1, node)))
    (tmp_path / "saved_model.pb").write_bytes(b"\x08\x01" + graph)
    outcome = savedmodel.read(str(tmp_path))
    assert _found(outcome) == [("H5L001", "member:saved_model.pb")]
    assert "messages nest deeper than 100 levels" in outcome.problems[0].hit.message


GRAPH_WITH_CALL = """
saved_model_schema_version: 1
meta_graphs {
  meta_info_def { tags: "serve" tensorflow_version: "1.15.0" }
  graph_def {
    node { name: "c" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } } }
    node { name: "call" op: "f" }
    library { function { signature { name: "f" } node_def { name: "m" op: "Mul" } } }
  }
  saver_def { filename_tensor_name: "save/Const:0" version: V2 }
}
"""


def _graph_with_call(text: bool, tmp_path):
    """A TF1-style graph: a Const and a direct call of library function ``f`` (which multiplies);
    ``saver_def`` is not in h5lint's schema and is skipped."""
    if text:
        (tmp_path / "saved_model.pbtxt").write_text(GRAPH_WITH_CALL)
        return
    model = message_class("SavedModel")(saved_model_schema_version=1)
    meta = model.meta_graphs.add()
    meta.meta_info_def.tags.append("serve")
    meta.meta_info_def.tensorflow_version = "1.15.0"
    meta.graph_def.node.add(name="c", op="Const")
    meta.graph_def.node.add(name="call", op="f")
    fn = meta.graph_def.library.function.add()
    fn.signature.name = "f"
    fn.node_def.add(name="m", op="Mul")
    (tmp_path / "saved_model.pb").write_bytes(model.SerializeToString())


@pytest.mark.parametrize("text", [False, True])
def test_function_calls_are_not_ops_and_no_variables_are_needed(tmp_path, text):
    _graph_with_call(text, tmp_path)
    outcome = savedmodel.read(str(tmp_path))
    assert _found(outcome) == []  # no variables in the graph: no variables/ needed
    info = interpreted(outcome).savedmodel
    assert info.ops == (ir.OpUse("Const", ("graph",)), ir.OpUse("Mul", ("f",)))
    assert info.function_names == ("f",)
    assert interpreted(outcome).versions.tensorflow_version == "1.15.0"


def _keras_metadata(nodes):
    metadata = message_class("SavedMetadata")()
    for node_id, path, identifier, meta in nodes:
        metadata.nodes.add(node_id=node_id, node_path=path, identifier=identifier, metadata=meta)
    return metadata.SerializeToString()


def test_third_party_keras_metadata(tmp_path):
    """TensorFlow.NET style (formats.md pitfall 13): pretty-printed, no model_config, PascalCase
    InputSpec keys, ``name: null`` in layer configs, flat 3-element inbound nodes."""
    root = {
        "class_name": "Functional",
        "name": "net",
        "config": {
            "name": "net",
            "layers": [
                {
                    "class_name": "InputLayer",
                    "name": "x",
                    "config": {"name": None, "batch_input_shape": [None, 4]},
                    "inbound_nodes": [],
                },
                {
                    "class_name": "Dense",
                    "name": "out",
                    "config": {"name": None, "units": 1, "activation": "sigmoid"},
                    "inbound_nodes": [["x", 0, 0]],
                },
            ],
            "input_layers": [["x", 0, 0]],
            "output_layers": [["out", 0, 0]],
        },
        "input_spec": [{"class_name": "InputSpec", "config": {"DType": None, "MinNdim": 2}}],
    }
    pretty = json.dumps(root, indent=2)
    (tmp_path / "keras_metadata.pb").write_bytes(_keras_metadata([(0, "root", "_tf_keras_layer", pretty)]))
    _graph_with_call(False, tmp_path)
    outcome = savedmodel.read(str(tmp_path))
    assert _found(outcome) == []
    model = interpreted(outcome)
    assert model.versions.keras_version is None and model.versions.writer is None
    assert model.graph.kind == "functional" and model.graph.output_names == ("out",)
    assert model.graph.layer("out").inbound == ((TensorRef("x"),),)


def test_invalid_root_metadata_json_names_the_offset(tmp_path):
    (tmp_path / "keras_metadata.pb").write_bytes(_keras_metadata([(0, "root", "_tf_keras_network", '{"class_name": ')]))
    _graph_with_call(False, tmp_path)
    outcome = savedmodel.read(str(tmp_path))
    assert _found(outcome) == [KERAS_METADATA]
    assert "invalid JSON at offset 15" in outcome.problems[0].hit.message
    assert interpreted(outcome).graph is None


def test_nan_in_keras_metadata_is_recorded(tmp_path):
    root = '{"class_name": "Sequential", "config": {"name": "s", "layers": []}, "keras_version": "2.15.0", "x": NaN}'
    (tmp_path / "keras_metadata.pb").write_bytes(_keras_metadata([(0, "root", "_tf_keras_sequential", root)]))
    outcome = savedmodel.read(str(tmp_path))
    assert _found(outcome) == [GRAPH_FILE]  # no layer with weights: variables/ is not asked for
    assert interpreted(outcome).nonstandard_json == ("NaN",)
    assert interpreted(outcome).versions.writer == "tf.keras"


def test_empty_keras_metadata(tmp_path):
    _graph_with_call(False, tmp_path)
    (tmp_path / "keras_metadata.pb").write_bytes(b"")
    assert _found(savedmodel.read(str(tmp_path))) == [KERAS_METADATA]


def test_wire_damage_descriptions():
    assert pbwire.describe_damage(b"\x0a\x05ab") == "at offset 0 field 1 declares 5 bytes but only 2 remain"
    assert pbwire.describe_damage(b"\x08\x80") == "at offset 1 a varint runs past the end of its message (offset 2)"
    assert pbwire.describe_damage(b"\x0b") == "at offset 0 field 1 has wire type 3, which these files never use"
    schema = message_class("SavedModel").DESCRIPTOR
    # meta_graphs[0] -> meta_info_def -> tags[0], first with a cut length, then with bytes that are not UTF-8
    cut = b"\x12\x06\x0a\x04\x22\x05ab"
    assert pbwire.describe_damage(cut, schema) == (
        "in meta_graphs[0].meta_info_def, at offset 4 field 4 declares 5 bytes but only 2 remain"
    )
    assert pbwire.describe_damage(cut) == "h5lint cannot tell where: the framing it checked is intact"
    not_utf8 = b"\x12\x06\x0a\x04\x22\x02\xff\xfe"
    assert pbwire.describe_damage(not_utf8, schema) == (
        "at offset 6 text field meta_graphs[0].meta_info_def.tags[0] is not UTF-8"
    )
    assert pbwire.undo_text_damage("\x0a\x88".encode("latin-1").decode("cp1252").encode("utf-8"))[0] == b"\x0a\x88"


GRAPH_FILES = sorted(
    path
    for root in (FORMAT_EXAMPLES, REALWORLD / "files", SAMPLES)
    for path in root.rglob("saved_model.pb")
)


def _facts_compared(facts) -> tuple:
    return facts.ops, facts.function_names, {name: (fn, dict(fn.nodes)) for name, fn in facts.functions.items()}


@pytest.mark.parametrize("path", GRAPH_FILES, ids=lambda p: str(p.parent.relative_to(p.parents[2])))
def test_the_library_read_one_function_at_a_time_says_what_the_whole_parse_says(path):
    data = path.read_bytes()
    model = savedmodel._binary_savedmodel(data)
    if model is None:
        return  # damaged samples: the whole parse names the damage, as before (tests of broken SavedModels)
    cut = split(data)
    assert cut is not None
    rest, library = cut
    assert len(rest) < len(data) or not library.slices or not any(library.slices)
    streamed = savedmodel._library_facts(savedmodel._binary_savedmodel(rest), library)
    whole = savedmodel._library_facts(model, Library())
    assert streamed is not None and whole is not None
    assert _facts_compared(streamed) == _facts_compared(whole)


def test_a_function_that_does_not_parse_falls_back_to_the_whole_file(tmp_path):
    """Framing that walks but a FunctionDef that protobuf rejects: the report is what the whole parse says."""
    folder = tmp_path / "sm"
    shutil.copytree(FORMAT_EXAMPLES / "tfk_savedmodel_func", folder)
    data = (folder / "saved_model.pb").read_bytes()
    _, library = split(data)
    start, end = library.slices[0][0]
    # The FunctionDef's first record becomes a varint where a message is expected (same length, framing intact).
    broken = bytearray(data)
    broken[start] = (broken[start] & ~7) | pbwire.VARINT
    broken[start + 1] = 0x01
    (folder / "saved_model.pb").write_bytes(bytes(broken))
    outcome = savedmodel.read(str(folder))
    whole = savedmodel._binary_savedmodel(bytes(broken))
    if whole is None:
        assert [p.hit.location for p in outcome.problems if p.code == "H5L001"] == ["member:saved_model.pb"]
    else:
        assert outcome.artifact is not None


def test_a_folder_inside_a_savedmodel_named_directly_checks_the_savedmodel():
    from h5lint.discover import discover

    model = SAMPLES / "tfk_sigmoid_head_bce_savedmodel"
    assert [c.path for c in discover([str(model / "variables")])] == [str(model)]
    assert [c.path for c in discover([str(model / "variables") + "/"])] == [str(model)]
