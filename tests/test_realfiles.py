"""What real files showed (issue 11 §3): each case built from the config or bytes real files had.

Every test builds its input here (a config, a few bytes, an edited copy of a sample) and asserts the
exact findings; the samples made by the generator are covered by the snapshot and by the exact-finding
tests at the end. Items that concern one rule are also its cases (rules/<rule>/cases.json):
``stateful`` stored as -1 or 1 (H5L501), Keras 1 TimeDistributedDense heads from a real Keras 1.2.2 file
(H5L201), Dense(1, softmax) under any loss (H5L204), one finding per removed class (H5L303, H5L304),
Keras 3 Lambdas of a named ``def`` (H5L101, H5L103, H5L301), H5L403's wording and a model saved unbuilt
(H5L505).
"""

from __future__ import annotations

import json

from conftest import SAMPLES

from h5lint.codes import UNREADABLE
from h5lint.engine import lint_outcome, lint_paths
from h5lint.findings import Hit, ParseOutcome, Problem
from h5lint.settings import resolve
from h5lint.testing import artifact_from_case, run_rule

SETTINGS = resolve(None, {"select": ["ALL"]})


def _codes(report) -> list[tuple[str, str | None]]:
    return [(f.code, f.location) for f in report.findings]


def lint_case(case: dict):
    """Every rule's findings on a case document, as the engine reports them."""
    report = lint_outcome("case.h5", ParseOutcome(artifact_from_case(case)), SETTINGS)
    assert report.crashed_checks == ()
    return report


def sequential(*layers: dict, keras_version: str = "2.15.0", loss: object = None) -> dict:
    """A tf.keras-style Sequential case (InputLayer first) compiled with ``loss``."""
    entries = [{"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [None, 4]}}, *layers]
    case: dict = {
        "keras_version": keras_version,
        "backend": "tensorflow",
        "model_config": {"class_name": "Sequential", "config": {"name": "m", "layers": entries}},
    }
    if loss is not None:
        case["training_config"] = {"loss": loss, "optimizer_config": {"class_name": "Adam", "config": {}}}
    return case


# ------------------------------------------------------------------------------------------ engine
def test_two_different_problems_at_one_place_are_two_findings():
    said = [Problem(UNREADABLE, Hit(f"x.h5: {what}", "file")) for what in ("first problem", "second problem")]
    outcome = ParseOutcome(None, (*said, said[0]))  # the first one repeated word for word
    report = lint_outcome("x.h5", outcome, SETTINGS)
    assert [f.message for f in report.findings] == ["x.h5: first problem", "x.h5: second problem"]


# ------------------------------------------------------------------------------------------ heads
def test_single_unit_softmax_is_one_finding_whatever_the_loss():
    # Dense(1, softmax) always returns 1.0; H5L204's loss advice would keep that constant.
    for loss in ("mean_squared_error", "categorical_crossentropy", "binary_crossentropy"):
        out = {"class_name": "Dense", "config": {"name": "out", "units": 1, "activation": "softmax"}}
        report = lint_case(sequential(out, loss=loss))
        assert [c for c in _codes(report) if c[0].startswith("H5L2")] == [("H5L203", "layer:out")], loss


# ------------------------------------------------------------------------------------------ H5L403 wording
def _h5l403(case: dict) -> Hit:
    (hit,) = run_rule("H5L403", case)
    return hit


def _legacy(*layers: dict, loss: object = "mean_squared_error", optimizer: dict | None = None) -> dict:
    """A standalone Keras 2.2.4 Sequential (no InputLayer: the first layer carries batch_input_shape)."""
    return {
        "keras_version": "2.2.4",
        "model_config": {"class_name": "Sequential", "config": {"name": "m", "layers": list(layers)}},
        "training_config": {"loss": loss, "optimizer_config": optimizer or {"class_name": "Adam", "config": {}}},
    }


DENSE_FIRST = {"class_name": "Dense", "config": {"name": "hidden", "units": 8, "batch_input_shape": [None, 4]}}
DENSE_OUT = {"class_name": "Dense", "config": {"name": "out", "units": 1}}


def test_h5l403_one_reason_is_not_numbered_and_dense_only_models_load():
    hit = _h5l403(_legacy(DENSE_FIRST, DENSE_OUT))
    assert "(1)" not in hit.message and "(1)" not in (hit.fix or "")
    assert "the model still loads" in hit.message and "predict()" in hit.message
    assert "convolution" not in hit.message and "fail to build" not in hit.message
    assert hit.fix == (
        "Run h5lint fix, which moves the shape to an InputLayer, or load it with tf-keras and re-save it from "
        "Keras 3 code with an explicit keras.Input."
    )


def test_h5l403_conv_models_fail_to_build():
    conv = {"class_name": "Conv2D", "config": {"name": "conv", "filters": 2, "batch_input_shape": [None, 8, 8, 1]}}
    flat = {"class_name": "Flatten", "config": {"name": "flat"}}
    hit = _h5l403(_legacy(conv, flat, DENSE_OUT))
    assert "layers that do not work on that rank (Conv2D, Flatten) then break the build" in hit.message


def test_h5l403_optimizer_reason_has_no_loss_parenthetical():
    optimizer = {"class_name": "Adam", "config": {"lr": 0.001}}
    hit = _h5l403(_legacy({"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4]}}, DENSE_OUT,
                          optimizer=optimizer))
    assert "(the Keras 2.0-2.2 optimizer argument 'lr')" in hit.message
    assert "loss" not in hit.message.split("cannot rebuild", 1)[1].split("so load_model")[0]
    assert hit.fix.endswith("spelled the Keras 3 way: keras.optimizers.Adam(learning_rate=...).")


def test_h5l403_fix_names_this_models_loss_not_binary_crossentropy():
    inp = {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4]}}
    hit = _h5l403(_legacy(inp, DENSE_OUT, loss="mse"))  # a regression model
    assert "BinaryCrossentropy" not in hit.fix and "loss='mean_squared_error'" in hit.fix
    tf_keras_bce = {"class_name": "BinaryCrossentropy", "config": {"reduction": "auto", "from_logits": True}}
    hit = _h5l403(_legacy(inp, DENSE_OUT, loss=tf_keras_bce))
    assert "keras.losses.BinaryCrossentropy(from_logits=True)" in hit.fix and "learning_rate" not in hit.fix


def test_h5l403_normalization_builds_on_any_rank_only_on_the_last_axis():
    standalone = {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": -1}}
    assert "the model still loads" in _h5l403(_legacy(DENSE_FIRST, standalone, DENSE_OUT)).message
    tf_keras = {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": [1]}}
    assert "(BatchNormalization) then break the build" in _h5l403(_legacy(DENSE_FIRST, tf_keras, DENSE_OUT)).message


def test_h5l403_says_nothing_it_cannot_know_when_classes_are_missing():
    # A CuDNNLSTM first (H5L303's): whether the rest would load once it is replaced is not this file's fact.
    cudnn = {"class_name": "CuDNNLSTM", "config": {"name": "lstm", "units": 4, "batch_input_shape": [None, 60, 8]}}
    message = _h5l403(_legacy(cudnn, DENSE_OUT)).message
    assert message.endswith(
        "carries batch_input_shape (lstm), which Keras 3's legacy loader takes for the shape of one sample, so it "
        "builds an input of (None, None, 60, 8) instead of (None, 60, 8)."
    )


# ------------------------------------------------------------------------------------------ one cause, one finding
def test_classes_the_target_lacks_are_reported_once_by_the_rule_that_owns_them():
    layers = [
        {"class_name": "CuDNNLSTM", "config": {"name": f"cu_dnnlstm_{i}", "units": 4, "return_sequences": True}}
        for i in (1, 2, 3)
    ]
    tf_op = {"class_name": "TFOpLambda", "config": {"name": "tf.math.multiply", "function": "math.multiply"}}
    report = lint_case(sequential(*layers, tf_op, keras_version="2.2.4-tf"))
    assert _codes(report) == [("H5L303", "object:CuDNNLSTM"), ("H5L304", "object:TFOpLambda")]  # no H5L403


def test_one_regularizer_class_in_eight_layers_is_one_finding():
    regularizer = {"name": "L1L2Regularizer", "l1": 0.0, "l2": 0.001}
    layers = [
        {"class_name": "Dense", "config": {"name": f"dense_{i}", "output_dim": 8, "W_regularizer": regularizer}}
        for i in range(1, 9)
    ]
    layers[0]["config"]["batch_input_shape"] = [None, 4]
    case = {"keras_version": "1.2.0", "model_config": {"class_name": "Sequential", "config": layers}}
    removed = [f for f in lint_case(case).findings if f.code == "H5L304"]
    assert [f.location for f in removed] == ["object:L1L2Regularizer"]
    assert "W_regularizer of layer dense_1" in removed[0].message
    assert "the first of these 8 layers" in removed[0].message


def test_tfjs_model_missing_64_shards_is_one_finding(tmp_path):
    doc = json.loads((SAMPLES / "tfjs_sigmoid_head_bce" / "model.json").read_text(encoding="utf-8"))
    shards = [f"group1-shard{i}of64.bin" for i in range(1, 65)]
    doc["weightsManifest"][0]["paths"] = shards
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = lint_paths([str(path)], SETTINGS)
    (finding,) = report.findings
    assert (finding.code, finding.location) == ("H5L001", "member:group1-shard1of64.bin")
    assert finding.message == (
        f"{path}: 64 weights files listed in weightsManifest are missing (group1-shard1of64.bin, "
        "group1-shard2of64.bin, group1-shard3of64.bin, group1-shard4of64.bin, group1-shard5of64.bin, "
        "group1-shard6of64.bin, group1-shard7of64.bin, group1-shard8of64.bin, group1-shard9of64.bin, "
        "group1-shard10of64.bin and 54 more); loading the model fails"
    )


# ------------------------------------------------------------------------------------------ real samples
def _sample_findings(name: str) -> list[tuple[str, str | None, str]]:
    report = lint_paths([str(SAMPLES / name)], SETTINGS)
    assert [a.crashed_checks for a in report.artifacts] == [()]
    return [(f.code, f.location, f.severity.value) for f in report.findings]


def test_keras3_lambda_of_a_named_def_is_the_name_to_pass():
    # keras 3.15.1 saved Lambda(double_it) as {"module": "builtins", "class_name": "function", "config":
    # "double_it"}; its load_check: "could not be deserialized properly" without custom_objects.
    assert _sample_findings("k3_lambda_named.keras") == [("H5L301", "object:double_it", "warning")]
    assert _sample_findings("k3_sigmoid_head_bce.keras") == []  # the same model without the Lambda


# ------------------------------------------------------------------------------------------ pickles
class FakeEstimator:
    """Stands for a scikit-learn estimator: pickled here, never unpickled."""


def test_pickles_named_like_models_are_named_pickles(tmp_path):
    import pickle

    model = tmp_path / "model.h5"
    model.write_bytes(pickle.dumps(FakeEstimator(), protocol=4))
    classifier = tmp_path / "classifier.keras"
    classifier.write_bytes(pickle.dumps({"weights": [1.0, 2.0]}, protocol=2))
    report = lint_paths([str(tmp_path)], SETTINGS)
    found = {a.path: [(f.code, f.location, f.message) for f in a.findings] for a in report.artifacts}
    assert found == {
        str(classifier): [
            (
                "H5L001",
                "file",
                f"{classifier}: the bytes are a Python pickle (protocol 2), not a Keras model: no Keras loader reads "
                "it, and unpickling it (pickle.load, joblib.load) runs whatever code it names; h5lint recognised it "
                "by its first bytes and did not unpickle it",
            ),
            (
                "H5L003",
                "file",
                f"{classifier}: named '.keras' but is a Python pickle, not a zip archive: Keras's loaders fail on it, "
                "and the name hides that loading it the way it was saved (pickle.load, joblib.load) runs the code "
                "it names",
            ),
        ],
        str(model): [
            (
                "H5L001",
                "file",
                f"{model}: the bytes are a Python pickle (protocol 4) that names test_realfiles.FakeEstimator first, "
                "not a Keras model: no Keras loader reads it, and unpickling it (pickle.load, joblib.load) runs "
                "whatever code it names; h5lint recognised it by its first bytes and did not unpickle it",
            ),
            ("H5L003", "file", found[str(model)][1][2]),
        ],
    }
    assert "not an HDF5 file" in found[str(model)][1][2]


def test_a_pickle_not_named_like_a_model_is_not_a_model(tmp_path):
    import pickle

    (tmp_path / "scaler.pkl").write_bytes(pickle.dumps({"mean": 0.5}, protocol=5))
    assert lint_paths([str(tmp_path)], SETTINGS).artifacts == ()


# ------------------------------------------------------------------------------------------ damaged files' versions
def _versions(path) -> tuple[bool, str | None, str | None, str | None]:
    (artifact,) = lint_paths([str(path)], SETTINGS).artifacts
    return artifact.readable, artifact.versions.keras_version, artifact.versions.backend, artifact.versions.writer


def test_keras_zip_with_a_broken_config_still_says_which_keras_wrote_it():
    # The rest of the archive is read (readable), its config is not; metadata.json still names the writer.
    assert _versions(SAMPLES / "broken_cut_config.keras") == (True, "3.15.1", None, "keras-3")
    assert _versions(SAMPLES / "broken_no_config.keras") == (True, "3.15.1", None, "keras-3")


def test_truncated_h5_reports_the_root_attributes_that_survived(tmp_path):
    whole = (SAMPLES / "tfk_sigmoid_head_bce.h5").read_bytes()
    cut = tmp_path / "cut.h5"
    cut.write_bytes(whole[:8000])  # the root group and the heap holding its strings end before 6,144
    assert _versions(cut) == (False, "2.21.0", "tensorflow", "tf-keras")
    (finding,) = lint_paths([str(cut)], SETTINGS).findings
    assert "truncated HDF5 file: it is 8,000 bytes" in finding.message
    # Cut inside that heap: HDF5 would loop on the zeros that stand for its missing tail, so nothing is read.
    cut.write_bytes(whole[:4000])
    assert _versions(cut) == (False, None, None, None)
    assert _versions(SAMPLES / "broken_truncated.h5") == (False, None, None, None)  # cut at 2,048 bytes


def test_h5_with_a_broken_model_config_still_says_which_keras_wrote_it():
    assert _versions(SAMPLES / "broken_bad_model_config.h5") == (True, "2.21.0", "tensorflow", "tf-keras")


UNBUILT = (
    "No weights are stored for any of its layers (hidden, hidden2, out): the model was saved before it was built "
    "(never called on data, trained or given an input shape), so it holds no trained weights. Keras 3's load_model "
    "loads it all the same, and the layers get new random weights at their first call: predict() returns what an "
    "untrained model computes."
)


def test_a_model_saved_unbuilt_is_one_finding_that_says_what_happens():
    # keras 3.15.1 saved a Sequential that was never called; its samples.json notes record that Keras 3 loads it
    # with 0 weights and that two loads predict different values (new random weights at the first call).
    for name, clean in (("k3_unbuilt.h5", "k3_sigmoid_head_bce.h5"), ("k3_unbuilt.keras", "k3_sigmoid_head_bce.keras")):
        report = lint_paths([str(SAMPLES / name)], SETTINGS)
        assert [(f.code, f.location, f.severity.value, f.message) for f in report.findings] == [
            ("H5L505", "file", "warning", UNBUILT)
        ], name
        assert _sample_findings(clean) == []  # the same kind of model, built and trained


def test_h5l403_fix_for_a_wrapped_loss_function_names_the_function():
    inp = {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4]}}
    wrapper = {"class_name": "LossFunctionWrapper", "config": {"reduction": "auto", "fn": "mse"}}
    hit = _h5l403(_legacy(inp, DENSE_OUT, loss=wrapper))
    assert "(a tf.keras loss object with reduction='auto')" in hit.message
    assert hit.fix.endswith("spelled the Keras 3 way: loss='mean_squared_error'.")
