"""Issue 13: targets name a release, a backend and a Python; load rules change at the Keras releases that
changed the loaders, and every boundary is judged on both sides with the same file."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from h5lint import ir
from h5lint.checks import RuleContext, all_checks
from h5lint.keras.model import interpret
from h5lint.keras.versions import TargetError, parse_target
from h5lint.testing import artifact_from_case, run_rule


# ------------------------------------------------------------------------------------------ targets
@pytest.mark.parametrize(
    "text, line, version, release",
    [
        ("keras>=3", "keras-3", (3, 15, 1), "3.15"),
        ("keras==3.8", "keras-3", (3, 8, 0), "3.8"),
        ("keras==3.13", "keras-3", (3, 13, 2), "3.13"),  # ==3.13 is every 3.13.x: pip picks the newest
        ("keras<3.13.2", "keras-3", (3, 13, 1), "3.13"),
        ("keras~=3.11.0", "keras-3", (3, 11, 3), "3.11"),
        ("keras<3.9", "keras-3", (3, 8, 0), "3.8"),
        ("tensorflow==2.15", "tf.keras", (2, 15, 1), "2.15"),
        ("tensorflow==2.9", "tf.keras", (2, 9, 3), "2.9"),
        ("tensorflow>=2.16", "keras-3", (3, 15, 1), "3.15"),
        ("tf-keras==2.17", "tf-keras", (2, 17, 0), "2.17"),
        ("keras==2.2.4", "keras-2", (2, 2, 4), "2.2"),
        ("keras==3.16", "keras-3", (3, 16), "3.15"),  # a release newer than the tables: judged as the newest
    ],
)
def test_target_release(text, line, version, release):
    target = parse_target(text)
    assert (target.line, target.version, target.release) == (line, version, release)


def test_target_backend_and_python():
    target = parse_target("keras==3.15; backend=jax; python==3.12")
    assert (target.runtime, target.backend, target.python) == ("keras==3.15", "jax", (3, 12))
    assert str(target) == "keras==3.15; backend=jax; python==3.12"
    default = parse_target("python==3.11")
    assert (default.runtime, default.backend, default.backend_named, default.python) == (
        "keras>=3", "tensorflow", False, (3, 11))
    for bad in ("keras==3.15; backend=theano", "python>=3.11", "keras==3; tf-keras==2.15", ""):
        with pytest.raises(TargetError):
            parse_target(bad)


# ------------------------------------------------------------------------------- case builders
def _k3(layers, version="3.15.1", **extra):
    """A Keras 3 .keras case: a Sequential model of these layer entries (``module`` keras.layers unless given)."""
    entries = [
        {"module": "keras.layers", "registered_name": None, **layer} if "module" not in layer else layer
        for layer in layers
    ]
    return {
        "format": "keras-zip",
        "keras_version": version,
        "model_config": {"module": "keras", "class_name": "Sequential", "registered_name": None,
                         "config": {"name": "m", "layers": entries}},
        **extra,
    }


def _dense(name="out", **config):
    return {"class_name": "Dense", "config": {"name": name, "units": 1, **config}}


def _messages(code, case, target):
    return [hit.message for hit in run_rule(code, case, target=target)]


def _one(code, case, target):
    found = _messages(code, case, target)
    assert len(found) == 1, found
    return found[0]


# ----------------------------------------------------------------- one test per load-rule boundary
def test_module_allowlist_boundary_3_9():
    # Keras 3.0-3.8 import any module a config names; 3.9 (#20751) only keras, keras_hub, keras_cv, keras_nlp.
    case = _k3([{"module": "my_pkg.layers", "class_name": "Scale", "config": {"name": "scale"}}], "3.8.0")
    before = _one("H5L301", case, "keras==3.8")
    after = _one("H5L301", case, "keras==3.9")
    assert "Keras 3.8.0 finds it by importing the module 'my_pkg.layers' the config names" in before
    assert "Keras 3.9.0 and later no longer import it" in before
    assert "load_model cannot find it and fails unless it is given custom_objects={\"Scale\": Scale}." in after
    assert "importing" not in after
    # The security rule says what each side does with a module that runs commands.
    evil = _k3([_dense(activation={"module": "os", "class_name": "function", "config": "system",
                                   "registered_name": "function"})], "3.8.0")
    assert "the target keras==3.8 imports and calls" in _one("H5L103", evil, "keras==3.8")
    assert "Keras 3.9.0 and later refuse to import it" in _one("H5L103", evil, "keras==3.9")


def test_refused_functions_boundary_3_11():
    # Keras 3.11 (#21412) refuses loading functions such as keras.utils.get_file in a config.
    case = _k3([_dense(activation={"module": "keras.utils", "class_name": "function", "config": "get_file",
                                   "registered_name": "function"})], "3.10.0")
    assert "the target keras==3.10 calls it while loading" in _one("H5L103", case, "keras==3.10")
    after = _one("H5L103", case, "keras==3.11")
    assert "Keras 3.11.0 and later refuse to deserialize keras.utils.get_file, so load_model fails" in after
    # 3.15 (#23115) refuses every non-modeling API, such as keras.saving.save_model.
    saver = _k3([_dense(activation={"module": "keras.saving", "class_name": "function", "config": "save_model",
                                    "registered_name": "function"})], "3.14.0")
    assert "a Keras loading/saving API" in _one("H5L103", saver, "keras==3.14")
    assert "the target keras==3.14 calls it while loading" in _one("H5L103", saver, "keras==3.14")
    assert "Keras 3.15.0 and later refuse to deserialize keras.saving.save_model" in _one("H5L103", saver, "keras==3.15")


def _legacy_lambda():
    with open(Path(__file__).parent.parent / "rules" / "H5L101_lambda_layer" / "cases.json", encoding="utf-8") as fh:
        return next(c["case"] for c in json.load(fh) if c["name"] == "keras2_base64_lambda")


def test_h5_safe_mode_boundary_3_11_3():
    # Keras 3.11.3 (#21602, CVE-2025-9905): .h5 loads honour safe_mode; before, a Lambda's code just ran.
    case = _legacy_lambda()
    before = _one("H5L101", case, "keras==3.11.2")
    after = _one("H5L101", case, "keras==3.11.3")
    # The boundary is the h5-lambda guard's (data/load_guards.toml), shared with the other security rules.
    assert "keras==3.11.2 runs it even with safe_mode=True (CVE-2025-9905, fixed in 3.11.3)" in before
    assert "keras==3.11.3 refuses it unless safe_mode=False (CVE-2025-9905, fixed in 3.11.3)" in after
    # tf-keras never applies safe_mode to .h5 files.
    assert "tf-keras==2.15 runs it on every load: it has no safe_mode check for it" in _one("H5L101", case, "tf-keras==2.15")


def test_lookup_vocabulary_file_boundary_3_12():
    # Keras 3.12 (#21751, CVE-2025-12058): a vocabulary path is refused in safe mode; before, it was read.
    case = _k3([{"class_name": "StringLookup", "config": {"name": "lookup", "vocabulary": "/data/vocab.txt"}}],
               "3.11.0")
    # H5L107 owns the cause (one finding per cause), judged with the vocabulary-file guard; H5L403 stays silent.
    before = _one("H5L107", case, "keras==3.11")
    after = _one("H5L107", case, "keras==3.12")
    assert "StringLookup 'lookup' reads its vocabulary from the absolute path '/data/vocab.txt'" in before
    assert "keras==3.11 reads it even with safe_mode=True (CVE-2025-12058, fixed in 3.12.0)" in before
    assert "keras==3.12 refuses it unless safe_mode=False (CVE-2025-12058, fixed in 3.12.0)" in after
    assert _messages("H5L403", case, "keras==3.11") == _messages("H5L403", case, "keras==3.12") == []


@pytest.mark.parametrize("before, after", [("keras==3.12.0", "keras==3.12.1"), ("keras==3.13.1", "keras==3.13.2")])
def test_tfsm_layer_boundary_3_12_1_and_3_13_2(before, after):
    # #22035 was cherry-picked into 3.12.1 and 3.13.2 (3.13.0 and 3.13.1 still load a TFSMLayer).
    case = _k3([{"module": "keras.layers", "class_name": "TFSMLayer",
                 "config": {"name": "served", "filepath": "/models/exported", "call_endpoint": "serve"}}], "3.12.0")
    # H5L106 owns the cause, judged with the tfsm-layer guard; H5L403 stays silent.
    assert f"{before} loads it even with safe_mode=True (CVE-2026-1462, fixed in 3.12.1 and 3.13.2)" in _one(
        "H5L106", case, before
    )
    assert f"{after} refuses it unless safe_mode=False (CVE-2026-1462" in _one("H5L106", case, after)
    assert _messages("H5L403", case, before) == _messages("H5L403", case, after) == []


def test_registered_name_on_builtin_boundary_3_15():
    # Keras 3.15 (#22729): a registered_name on a Keras built-in raises; 3.14 used the built-in silently.
    case = _k3([{"module": "keras.layers", "class_name": "Dense", "registered_name": "my_pkg>Dense",
                 "config": {"name": "out", "units": 1}}], "3.14.0")
    assert _messages("H5L403", case, "keras==3.14") == []
    after = _one("H5L403", case, "keras==3.15")
    assert "Keras 3.15.0 and later reject unless a package registers that name" in after
    assert "layer out (Dense as my_pkg>Dense)" in after


def test_nested_container_weights_boundary_3_15():
    # Keras 3.15 (#22362) saves sub-layers of nested lists under container groups; 3.14 never reads them.
    artifact = artifact_from_case(_k3([_dense()], "3.15.1"))
    stored = ir.WeightArray("out", "0", (1, 1), "float32", "layers/blocks/container_1/dense/vars/0")
    model = interpret(dataclasses.replace(artifact, weights=(ir.WeightLayer("out", (stored,)),)))

    def messages(target):
        ctx = RuleContext(code="H5L403", target=parse_target(target))
        return [hit.message for hit in all_checks()["H5L403"](model, ctx)]

    assert any("container groups, which Keras 3.15.0 writes and Keras 3.14.1 never reads" in m
               for m in messages("keras==3.14"))
    assert messages("keras==3.15") == []


@pytest.mark.parametrize("mode, before, after", [("int4", "3.10", "3.11"), ("gptq", "3.11", "3.12"),
                                                 ("awq", "3.13", "3.14")])
def test_quantization_mode_boundaries(mode, before, after):
    # QUANTIZATION_MODES gained int4 in 3.11, gptq in 3.12 and awq in 3.14.
    dtype = {"module": "keras.dtype_policies", "class_name": "QuantizedDTypePolicy",
             "config": {"mode": f"{mode}/128" if mode != "awq" else mode, "source_name": "float32"},
             "registered_name": None}
    case = _k3([_dense(dtype=dtype)], f"{after}.0")
    message = _one("H5L403", case, f"keras=={before}")
    assert f"quantized in modes Keras {before}" in message and f"out ({mode})" in message
    assert not any("quantized" in m for m in _messages("H5L403", case, f"keras=={after}"))


def test_same_file_two_targets_two_answers():
    # The acceptance line: --target keras==3.8 and keras==3.15 give different, correct answers on one file.
    case = _k3([{"module": "keras.layers", "class_name": "RMSNormalization",
                 "config": {"name": "norm", "axis": -1, "epsilon": 1e-6}}, _dense()], "3.15.1")
    old = _one("H5L403", case, "keras==3.8")
    assert "RMSNormalization (added in Keras 3.9)" in old
    assert not any("RMSNormalization" in m for m in _messages("H5L403", case, "keras==3.15"))


# ---------------------------------------------------------------------------- backend and Python
def test_backend_skew_torch_optimizer():
    # A Keras 3 .keras compiled on PyTorch names its optimizer by the torch module (TorchOptimizer.__new__).
    case = _k3([_dense()], "3.8.0", compile_config={
        "optimizer": {"module": "keras.src.backend.torch.optimizers.torch_adam", "class_name": "Adam",
                      "config": {"name": "adam", "learning_rate": 0.001}, "registered_name": None},
        "loss": "binary_crossentropy", "metrics": None})
    on_tensorflow = _one("H5L403", case, "keras==3.15")
    assert "Keras 3 on tensorflow (the default" in on_tensorflow
    assert "the compiled optimizer (keras.src.backend.torch.optimizers.torch_adam)" in on_tensorflow
    assert _messages("H5L403", case, "keras==3.15; backend=torch") == []


# marshal.dumps((lambda x: abs(x) + len([1])).__code__), base64, written by the pyenv Pythons 3.11.7 and 3.12.1:
# 3.11 compiles each call as PRECALL, CALL; 3.12 dropped PRECALL; the marshal layout is the same.
LAMBDA_BY_PYTHON = {
    "3.11": "4wEAAAAAAAAAAAAAAAQAAAADAAAA80IAAACXAHQBAAAAAAAAAAAAAHwApgEAAKsBAAAAAAAAAAB0AwAAAAAAAAAAAABkAWcBpgEAAKsBAAAAAAAA"
            "AAB6AAAAUwApAk7pAQAAACkC2gNhYnPaA2xlbikB2gF4cwEAAAAg+gg8c3RyaW5nPvoIPGxhbWJkYT5yBwAAAAEAAABzGQAAAIAApSOgYaEmpCat"
            "M7ABqHOpOKw40SIzgADzAAAAAA==",
    "3.12": "4wEAAAAAAAAAAAAAAAQAAAADAAAA8zIAAACXAHQBAAAAAAAAAAB8AKsBAAAAAAAAdAMAAAAAAAAAAGQBZwGrAQAAAAAAAHoAAABTACkCTukBAAAA"
            "KQLaA2Fic9oDbGVuKQHaAXhzAQAAACD6CDxzdHJpbmc++gg8bGFtYmRhPnIHAAAAAQAAAHMVAAAAgACkI6BhoyasM7ABqHOrONEiM4AA8wAAAAA=",
}


def _lambda_case(python):
    return {"keras_version": "2.15.0", "backend": "tensorflow", "model_config": {
        "class_name": "Sequential", "config": {"name": "m", "layers": [{"class_name": "Lambda", "config": {
            "name": "f", "function": [LAMBDA_BY_PYTHON[python], None, None], "function_type": "lambda",
            "module": "__main__", "output_shape_type": "raw", "arguments": {}}}]}}}


@pytest.mark.parametrize(
    "written, target, expected",
    [
        ("3.11", "keras>=3", "from Python 3.11 that refers to abs, len. On load, a Keras 3 release without the CVE-2025-9905 fix"),
        ("3.11", "keras>=3", "Marshalled bytecode only loads under the Python version that wrote it."),
        ("3.11", "keras>=3; python==3.11", "Its function was written by Python 3.11, as the target runs"),
        ("3.11", "keras>=3; python==3.10", "Python 3.10 cannot read: loading fails with 'bad marshal data'"),
        ("3.11", "keras>=3; python==3.12", "uses instructions Python 3.12 does not have"),
        ("3.12", "keras>=3; python==3.12", "Its function was written by Python 3.12, as the target runs"),
        ("3.12", "tf-keras==2.15; python==3.11", "uses instructions Python 3.11 does not have"),
    ],
)
def test_python_target_lambda(written, target, expected):
    message = _one("H5L101", _lambda_case(written), target)
    assert expected in message, message


def test_bytecode_minor_is_read_from_the_opcodes():
    from h5lint.keras.bytecode import code_bytes, describe_python, read_code_names

    for python, encoded in LAMBDA_BY_PYTHON.items():
        names = read_code_names(code_bytes(encoded))
        assert (names.layout, describe_python(names.layout, names.pythons)) == ("3.11+", python)
    # `lambda t: t * 2.0` compiles to the same bytes in 3.11 and 3.12: both stay possible.
    simple = _legacy_lambda()["model_config"]["config"]["layers"][0]["config"]["function"][0]
    names = read_code_names(code_bytes(simple))
    assert describe_python(names.layout, names.pythons) == "3.11 or 3.12"


# ------------------------------------------------------------------------- the four measured misses
def test_tf1_savedmodel_is_refused_by_keras3():
    case = {"format": "savedmodel", "tensorflow_version": "1.15.5",
            "savedmodel": {"tags": [["serve"]], "object_identifiers": []}}
    message = _one("H5L403", case, "keras>=3")
    assert "it is a TensorFlow 1 style SavedModel (TensorFlow 1.15.5)" in message
    # tf-keras fails on them too (measured with tf-keras 2.21.0 on the tf115_*_savedmodel samples).
    assert "'IndexError: list index out of range'" in _one("H5L403", case, "tf-keras==2.21")
    # A TF 2 SavedModel without Keras (tf.Module, Keras 3 export) has an object graph and is meant for
    # tf.saved_model.load: not judged.
    module = {"format": "savedmodel", "tensorflow_version": "2.21.0",
              "savedmodel": {"tags": [["serve"]], "object_identifiers": ["_generic_user_object"]}}
    assert _messages("H5L403", module, "keras>=3") == []


def test_tf115_initializer_dtype():
    # TF 1.15 tf.keras writes init_ops classes with a dtype; Keras 3's initializers take no dtype.
    case = {"keras_version": "2.2.4-tf", "backend": "tensorflow", "model_config": {
        "class_name": "Sequential", "config": {"name": "m", "layers": [{"class_name": "Dense", "config": {
            "name": "out", "units": 1, "batch_input_shape": [None, 4], "dtype": "float32",
            "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None, "dtype": "float32"}},
            "bias_initializer": {"class_name": "Zeros", "config": {"dtype": "float32"}}}}]}}}
    message = _one("H5L403", case, "keras>=3")
    assert "kernel_initializer of layer out (GlorotUniform: dtype=\"float32\")" in message
    assert "bias_initializer of layer out (Zeros: dtype=\"float32\")" in message
    assert _messages("H5L403", case, "tensorflow==1.15") == []


def test_depthwise_groups_and_module_batch_input_shape():
    # Issue 11 section 3: tf.keras writes groups=1 into DepthwiseConv2D, and tf.keras 2.13-2.15 .keras zips put
    # batch_input_shape with a module key on layers, which Keras 3 then builds directly.
    legacy = {"keras_version": "2.15.0", "backend": "tensorflow", "model_config": {
        "class_name": "Sequential", "config": {"name": "m", "layers": [
            {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 8, 8, 3], "name": "in"}},
            {"class_name": "DepthwiseConv2D", "config": {"name": "dw", "kernel_size": [3, 3], "groups": 1}}]}}}
    assert "layer dw (DepthwiseConv2D: groups=1 (the default))" in _one("H5L403", legacy, "keras>=3")
    zipped = {"format": "keras-zip", "keras_version": "2.15.0", "model_config": {
        "module": "keras", "class_name": "Sequential", "registered_name": None, "config": {"name": "m", "layers": [
            {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
             "config": {"name": "d", "units": 2, "batch_input_shape": [None, 4]}}]}}}
    message = _one("H5L403", zipped, "keras>=3")
    assert "layer d (Dense: batch_input_shape=[null, 4])" in message
    # The same layer without a module goes through the legacy loader, which turns it into input_shape.
    assert not any("batch_input_shape=" in m for m in _messages("H5L403", legacy, "keras>=3"))


# ------------------------------------------------------------------------ newest Keras 3 layouts
def _read_sample(name):
    from conftest import SAMPLES

    from h5lint.parsers.keras_zip import archive

    outcome = archive.read(str(SAMPLES / name))
    return outcome, [(p.code, p.hit.location, p.hit.message.split(": ", 1)[1]) for p in outcome.problems]


@pytest.mark.parametrize("name, layout", [("k3_sharded_unzipped", "keras3-sharded-dir"),
                                          ("k3_sharded.keras", "keras3-sharded-zip")])
def test_sharded_weights_in_a_keras_folder_and_zip(name, layout):
    outcome, problems = _read_sample(name)
    artifact = outcome.artifact
    assert artifact.layout == layout
    # Every variable of the clean model, gathered from its shards under the layers' names.
    assert [(layer.name, [w.shape for w in layer.weights]) for layer in artifact.weights] == [
        ("hidden", [(4, 8), (8,)]), ("inp", []), ("out", [(8, 1), (1,)])]
    assert [(code, location) for code, location, _ in problems] == [("H5L001", "member:model.weights.json")]
    assert "keras.saving.load_model does not read" in problems[0][2]


def test_sharded_folder_missing_and_extra_shards(tmp_path):
    from conftest import SAMPLES

    from h5lint.parsers.keras_zip import archive

    folder = tmp_path / "model"
    import shutil

    shutil.copytree(SAMPLES / "k3_sharded_unzipped", folder)
    (folder / "model_00001.weights.h5").unlink()
    shutil.copyfile(SAMPLES / "k3_sharded_unzipped" / "model_00000.weights.h5", folder / "model_00007.weights.h5")
    outcome = archive.read(str(folder))
    found = [(p.code, p.hit.location, p.hit.severity) for p in outcome.problems]
    assert ("H5L001", "member:model_00001.weights.h5", None) in found
    assert ("H5L001", "member:model_00007.weights.h5", "warning") in [(c, l, s and s.value) for c, l, s in found]


def test_hugging_face_folder():
    outcome, problems = _read_sample("k3_hf_unzipped")
    assert (outcome.artifact.layout, problems) == ("keras3-hf-dir", [])


def test_quantized_kernels_are_not_judged_by_their_packed_layout():
    # int4 packs two values per byte along the output axis in 3.15: a 6x2 kernel for units=4 is correct.
    for name in ("k3_quantized_int8.keras", "k3_quantized_int4.keras"):
        outcome, problems = _read_sample(name)
        model = interpret(outcome.artifact)
        hits = [h.message for code in ("H5L503", "H5L505") for h in all_checks()[code](model, RuleContext(code=code))]
        assert (problems, hits) == ([], [])


def test_experimental_export_config_is_read():
    from conftest import SAMPLES

    from h5lint.parsers.savedmodel import read

    outcome = read.read(str(SAMPLES / "tf115_experimental_export_savedmodel"))
    artifact = outcome.artifact
    assert (artifact.layout, artifact.versions.keras_version, artifact.keras.location) == (
        "tf.keras-experimental-export", "2.2.4-tf", "member:assets/saved_model.json")
    assert [layer.name for layer in interpret(artifact).graph.layers] == ["hidden", "out"]


def test_keras_hub_preset_is_recognised_and_judged_against_keras_hub():
    from conftest import SAMPLES

    from h5lint.keras.builtins import keras_hub_releases, third_party_package
    from h5lint.keras.objects import MODELS, NamedObject
    from h5lint.keras.structure import ObjectRef

    outcome, problems = _read_sample("khub_gemma_tiny_preset")
    artifact = outcome.artifact
    assert (artifact.format.name, artifact.layout, artifact.versions.keras_version, artifact.versions.producer) == (
        "keras-hub-preset", "keras-hub-preset", "3.15.1", "keras-hub 0.32.0")
    assert problems == []  # sharded weights are how presets are loaded (from_preset), not a finding here
    assert sum(len(layer.weights) for layer in artifact.weights) == 11
    known = NamedObject(ObjectRef("GemmaBackbone", "keras_hub>GemmaBackbone"), MODELS, "top-level model")
    unknown = NamedObject(ObjectRef("MyBackbone", "keras_hub>MyBackbone"), MODELS, "top-level model")
    assert keras_hub_releases(known) == ("0.16.1", "0.32.0") and third_party_package(known).key == "keras_hub"
    assert third_party_package(unknown) is None  # no keras-hub release registers it: the project's own class
    assert (SAMPLES / "khub_gemma_tiny_preset" / "model.weights.json").is_file()


def test_orbax_checkpoint_config_is_read():
    from conftest import SAMPLES

    from h5lint.parsers import orbax

    outcome = orbax.read(str(SAMPLES / "k315_orbax_checkpoint"))
    artifact = outcome.artifact
    assert (outcome.problems, artifact.format.name, artifact.layout, artifact.versions.writer) == (
        (), "orbax-checkpoint", "orbax-step-0", "keras-3")
    assert [layer.name for layer in interpret(artifact).graph.layers] == ["inp", "hidden", "out"]
    # Before 3.14 load_model does not read Orbax checkpoints at all.
    model = interpret(artifact)
    ctx = RuleContext(code="H5L403", target=parse_target("keras==3.13"))
    assert any("reads from Keras 3.14.0 on only" in h.message for h in all_checks()["H5L403"](model, ctx))


def test_orbax_checkpoint_without_model_config(tmp_path):
    import shutil

    from conftest import SAMPLES

    from h5lint.parsers import orbax

    folder = tmp_path / "ckpt"
    shutil.copytree(SAMPLES / "k315_orbax_checkpoint", folder)
    shutil.rmtree(folder / "0" / "model_config")
    outcome = orbax.read(str(folder))
    assert [(p.code, p.hit.location) for p in outcome.problems] == [("H5L002", "file")]
    assert "without a model_config checkpointable (pytree)" in outcome.problems[0].hit.message
    # A layout h5lint does not read says so precisely, not as a generic unreadable file.
    shutil.copytree(SAMPLES / "k315_orbax_checkpoint" / "0" / "model_config", folder / "0" / "model_config")
    (folder / "0" / "model_config" / "_strings.json").unlink()
    outcome = orbax.read(str(folder))
    assert [(p.code, p.hit.location) for p in outcome.problems] == [("H5L001", "member:0/model_config/_strings.json")]
    assert "this layout is not supported yet" in outcome.problems[0].hit.message


# ------------------------------------------------------------------------------------------- CLI
def test_cli_target_names_release_backend_and_python():
    from conftest import SAMPLES
    from typer.testing import CliRunner

    from h5lint.cli import app

    sample = str(SAMPLES / "k38_torch_adam.keras")
    on_torch = CliRunner().invoke(app, ["check", "--select", "H5L403", "--target", "keras==3.8; backend=torch", sample])
    assert on_torch.exit_code == 0, on_torch.output
    default = CliRunner().invoke(
        app, ["check", "--select", "H5L403", "--target", "keras==3.8", "--output-format", "full", sample]
    )
    assert default.exit_code == 1 and "keras.src.backend.torch.optimizers.torch_adam" in default.stdout
    bad = CliRunner().invoke(app, ["check", "--target", "keras==3.8; backend=theano", sample])
    assert bad.exit_code == 2 and "backend 'theano' is not one of" in bad.output


def test_weight_rules_run_across_shards(tmp_path):
    import shutil

    import h5py
    import numpy as np
    from conftest import SAMPLES

    from h5lint.parsers.keras_zip import archive

    folder = tmp_path / "model"
    shutil.copytree(SAMPLES / "k3_sharded_unzipped", folder)
    edited = None
    for shard in sorted(folder.glob("model_*.weights.h5")):
        with h5py.File(shard, "r+") as h5:
            paths = []
            h5.visititems(lambda name, obj: paths.append(name) if isinstance(obj, h5py.Dataset) else None)
            kernel = next((p for p in paths if p.startswith("layers/dense_1/") and p.endswith("vars/0")), None)
            if kernel is not None:
                h5[kernel][...] = np.nan
                edited = shard.name
    assert edited is not None
    model = interpret(archive.read(str(folder)).artifact)
    hits = list(all_checks()["H5L502"](model, RuleContext(code="H5L502")))
    assert [h.location for h in hits] == ["layer:out"]
