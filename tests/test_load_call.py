"""The load call: per artifact and target, the exact call that loads it, or why none can.

Ground truth for ``custom_objects`` and ``compile``: the generator loaded every custom-object sample with the real
loaders and recorded the smallest set of keys each needed (samples.json ``custom_objects``); the load call names
exactly those keys.
"""

from __future__ import annotations

import json
import os

import pytest
from conftest import REALWORLD, SAMPLES, corpora

from h5lint.engine import lint_paths
from h5lint.fix.plan import REFUSED, plan_fix
from h5lint.fix.run import read_model
from h5lint.keras.loading import load_call
from h5lint.keras.versions import DEFAULT_TARGET, parse_target
from h5lint.reporters import RenderOptions, render
from h5lint.settings import resolve

FACTS = json.loads((SAMPLES / "samples.json").read_text(encoding="utf-8"))
TARGETS = {"keras": DEFAULT_TARGET, "tf_keras": parse_target("tf-keras")}
MEASURED = [
    pytest.param(name, loader, measured, id=f"{name}-{loader}")
    for name, entry in sorted(FACTS.items())
    for loader, measured in entry.get("custom_objects", {}).items()
    if measured.get("loads", True)
]


def test_custom_object_samples_were_measured():
    assert len(MEASURED) >= 15


@pytest.mark.parametrize("name,loader,measured", MEASURED)
def test_custom_objects_keys_equal_the_measured_ones(name, loader, measured):
    call = load_call(read_model(str(SAMPLES / name)), TARGETS[loader.split()[0]])
    assert call.call is not None, call.blockers
    assert sorted(call.custom_objects) == sorted(measured["required_measured"])
    assert call.compile == measured["compile"]


def test_a_sample_no_custom_objects_can_load_says_why():
    # tf-keras cannot rebuild the function envelope it wrote itself into an .h5 (measured: "loads": false).
    entry = FACTS["tfk_custom_activation.h5"]["custom_objects"]
    assert next(v for k, v in entry.items() if k.startswith("tf_keras"))["loads"] is False
    call = load_call(read_model(str(SAMPLES / "tfk_custom_activation.h5")), TARGETS["tf_keras"])
    assert call.call is None and "function" in call.blockers[0]


def _call(name, target=DEFAULT_TARGET):
    return load_call(read_model(str(SAMPLES / name)), target)


def test_registered_class_key_and_python_name():
    call = _call("tfk_custom_layer_registered_acme.h5")
    assert call.call == (
        'keras.models.load_model("' + str(SAMPLES / "tfk_custom_layer_registered_acme.h5") + '", '
        'custom_objects={"acme>AcmeScale": AcmeScale})'
    )


def test_compile_false_only_when_compile_cannot_be_rebuilt():
    assert _call("tfk_sigmoid_mse.h5").compile is False
    assert "compile=False" in _call("tfk_sigmoid_mse.h5").call
    assert _call("tfk_sigmoid_head_bce.h5").compile is True
    assert "compile" not in _call("tfk_sigmoid_head_bce.h5").call


def test_safe_mode_false_comes_with_the_lambda_warning():
    call = _call("k3_lambda_anon.keras")
    assert call.call.startswith("keras.saving.load_model(") and call.call.endswith("safe_mode=False)")
    assert call.safe_mode is False and any("run the Python code" in n for n in call.notes)
    assert _call("k3_sigmoid_head_bce.keras").safe_mode is True


def test_tf_keras_target_installs_tf_keras():
    call = _call("tfk_stateful_lstm.h5", TARGETS["tf_keras"])
    assert call.install == ("pip install tf-keras",) and call.call.startswith("tf_keras.models.load_model(")


def test_keras3_cannot_load_says_why_and_offers_tf_keras_and_fix():
    call = _call("tfk_stateful_lstm.h5")
    assert call.call is None and "time_major" in call.blockers[0]
    assert call.alternatives[0].startswith("pip install tf-keras; import tf_keras; tf_keras.models.load_model(")
    assert "h5lint fix" in call.alternatives[1]


def test_savedmodel_gets_tfsmlayer_with_its_real_signature_key():
    call = _call("tf_module_file_ops_savedmodel")
    assert call.call.startswith("keras.layers.TFSMLayer(") and 'call_endpoint="read"' in call.call
    keras_made = _call("tfk_sigmoid_head_bce_savedmodel")
    assert 'call_endpoint="serving_default"' in keras_made.call
    assert any(a.startswith("import tensorflow as tf; tf.saved_model.load(") for a in keras_made.alternatives)


def test_architecture_weights_and_tfjs():
    assert _call("k3_sigmoid_head_bce_arch.json").call.startswith("keras.models.model_from_json(open(")
    weights = _call("tfk_sigmoid_head_bce_weights.h5")
    assert weights.call.startswith("model.load_weights(") and "weights only" in weights.notes[0]
    tfjs = load_call(read_model(str(SAMPLES / "tfjs_sigmoid_head_bce")), DEFAULT_TARGET)
    assert tfjs.call.startswith('tf.loadLayersModel("file://') and tfjs.runtime == "tensorflowjs"


def test_keras3_picks_the_loader_by_extension():
    call = _call("broken_hdf5_named.keras")
    assert call.call is None and ".h5/.hdf5" in call.blockers[-1]


@pytest.mark.parametrize("root", corpora())
def test_every_readable_artifact_gets_a_load_answer(root):
    report = lint_paths([str(root)], resolve(None, {}), jobs=os.cpu_count() or 1)
    for artifact in report.artifacts:
        assert artifact.crashed_checks == ()
        if artifact.readable:
            assert artifact.load is not None, artifact.path
            assert (artifact.load.call is None) == bool(artifact.load.blockers), artifact.path
        else:
            assert artifact.load is None


def test_text_report_shows_the_load_call_on_request():
    report = lint_paths([str(SAMPLES / "tfk_sigmoid_mse.h5")], resolve(None, {}))
    plain = render("text", report, RenderOptions())
    shown = render("text", report, RenderOptions(show_load=True))
    assert "load:" not in plain
    assert "    load: import keras; keras.models.load_model(" in shown and "compile=False)" in shown


@pytest.mark.needs_shared
def test_changed_activations_load_with_a_warning_and_are_not_fixed():
    # Measured (tools/verify_fixes.py --corpus): this Keras 2.8 LSTM model loads in Keras 3 once its config is
    # fixed, but predicts up to 0.012 differently, because Keras 3 redefined hard_sigmoid.
    path = str(REALWORLD / "files" / "Aaronvpp__LSTM-Name-Classification__model_weights.h5")
    plan = plan_fix(read_model(path), DEFAULT_TARGET)
    assert plan.status == REFUSED and "computes differently" in plan.refusals[0]
    assert not any("hard_sigmoid" in n for n in load_call(read_model(path), TARGETS["tf_keras"]).notes)
    loads = load_call(
        read_model(str(REALWORLD / "files" / "linoyvincent__Age-Gender-Detector__age_gender_model.h5")), DEFAULT_TARGET
    )
    assert not any("hard_sigmoid" in n for n in loads.notes)
