"""Each transformation of ``h5lint fix`` on its own: what it rewrites, what it leaves, what it reports.

The configs are small hand-written copies of what tf-keras writes (the samples show the real thing, and
tools/verify_fixes.py proved the rewritten samples with the real loaders: test_fix_results.py).
"""

from __future__ import annotations

import copy

from h5lint.fix import (
    arguments,
    axes,
    compile_settings,
    dtype_policies,
    initializers,
    inputs,
    modules,
    nested_models,
    sequential_lists,
)
from h5lint.fix.configs import Configs
from h5lint.ir import KERAS_ARCHIVE, LEGACY_H5, MODEL_FROM_JSON


def _functional(*layers, outputs=None, name="m"):
    return {
        "class_name": "Functional",
        "config": {
            "name": name,
            "layers": list(layers),
            "input_layers": [["inp", 0, 0]],
            "output_layers": outputs or [[layers[-1]["name"], 0, 0]],
        },
    }


def _layer(class_name, name, inbound=None, **config):
    return {
        "class_name": class_name,
        "name": name,
        "config": {"name": name, **config},
        "inbound_nodes": [[[inbound, 0, 0, {}]]] if inbound else [],
    }


INPUT = _layer("InputLayer", "inp", batch_input_shape=[None, 3, 2], dtype="float32")


def _apply(transformation, model, compile_config=None, loader=LEGACY_H5):
    before = copy.deepcopy((model, compile_config))
    configs, changes = transformation.apply(Configs(model, compile_config, loader))
    assert (model, compile_config) == before, "a transformation must not edit what it was given"
    return configs, changes


# ------------------------------------------------------------------------------------ drop-default-arguments
def test_drops_time_major_false_and_names_it():
    model = _functional(INPUT, _layer("LSTM", "lstm_3", "inp", units=2, time_major=False))
    configs, changes = _apply(arguments.TRANSFORMATION, model)
    assert "time_major" not in configs.model["config"]["layers"][1]["config"]
    assert [c.text.split(":")[0] for c in changes] == ["dropped lstm_3.time_major (False)"]
    assert changes[0].transformation == "drop-default-arguments"


def test_keeps_time_major_true():
    # time_major=True asks for what Keras 3 cannot express; the plan refuses the file for it.
    model = _functional(INPUT, _layer("GRU", "gru", "inp", units=2, time_major=True))
    configs, changes = _apply(arguments.TRANSFORMATION, model)
    assert configs.model == model and changes == ()


def test_drops_groups_of_depthwise_and_wrapped_layers():
    inner = {"class_name": "DepthwiseConv2D", "config": {"name": "dw", "kernel_size": [3, 3], "groups": 1}}
    td = _layer("TimeDistributed", "td", "inp", layer=inner)
    configs, changes = _apply(arguments.TRANSFORMATION, _functional(INPUT, td))
    assert "groups" not in configs.model["config"]["layers"][1]["config"]["layer"]["config"]
    assert [c.location for c in changes] == ["td/dw.groups"]


def test_separable_conv_unused_kernel_arguments_match_in_either_envelope():
    # tf-keras writes the unused kernel_* arguments with or without a Keras 3 envelope ("module") around them.
    legacy = {"class_name": "GlorotUniform", "config": {"seed": None}}
    layer = _layer("SeparableConv2D", "sep", "inp", groups=1, kernel_initializer=legacy, kernel_regularizer=None)
    configs, changes = _apply(arguments.TRANSFORMATION, _functional(INPUT, layer))
    assert set(configs.model["config"]["layers"][1]["config"]) == {"name"}
    assert len(changes) == 3


def test_build_state_goes_whatever_it_holds():
    layer = _layer("MultiHeadAttention", "mha", "inp", num_heads=2, query_shape=[None, 5, 4])
    configs, changes = _apply(arguments.TRANSFORMATION, _functional(INPUT, layer))
    assert "query_shape" not in configs.model["config"]["layers"][1]["config"]
    assert "build state" in changes[0].text


# ------------------------------------------------------------------------------------------- input-shapes
def test_first_sequential_layer_shape_moves_to_a_new_input_layer():
    model = {
        "class_name": "Sequential",
        "config": {
            "name": "s",
            "layers": [
                {
                    "class_name": "Conv1D",
                    "config": {"name": "c1", "batch_input_shape": [None, 10, 2], "dtype": "float32"},
                },
                {"class_name": "Dense", "config": {"name": "out", "units": 1}},
            ],
        },
    }
    configs, changes = _apply(inputs.TRANSFORMATION, model)
    layers = configs.model["config"]["layers"]
    assert layers[0] == {
        "class_name": "InputLayer",
        "config": {"batch_shape": [None, 10, 2], "dtype": "float32", "sparse": False, "name": "c1_input"},
    }
    assert "batch_input_shape" not in layers[1]["config"]
    assert changes[0].text == "moved c1.batch_input_shape ([null, 10, 2]) to a new InputLayer 'c1_input'"


def test_archive_input_layer_gets_a_module_and_mixed_policies_float32_inputs():
    first = {
        "module": "keras.layers",
        "class_name": "Dense",
        "config": {
            "name": "d",
            "batch_input_shape": [None, 4],
            "dtype": {"class_name": "Policy", "config": {"name": "mixed_float16"}},
        },
    }
    model = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [first]}}
    configs, _ = _apply(inputs.TRANSFORMATION, model, loader=KERAS_ARCHIVE)
    new = configs.model["config"]["layers"][0]
    assert new["module"] == "keras.layers" and new["registered_name"] is None
    assert new["config"]["dtype"] == "float32"


def test_copies_after_an_input_layer_are_dropped_where_keras3_rejects_them():
    layers = [
        {"class_name": "InputLayer", "config": {"name": "c1_input", "batch_input_shape": [None, 10, 2]}},
        {"class_name": "Conv1D", "config": {"name": "c1", "batch_input_shape": [None, 10, 2]}},
    ]
    archive = {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"name": "s", "layers": [{"module": "keras.layers", **layer} for layer in layers]},
    }
    configs, changes = _apply(inputs.TRANSFORMATION, archive, loader=KERAS_ARCHIVE)
    assert configs.model["config"]["layers"][0]["config"]["batch_input_shape"] == [None, 10, 2]
    assert "batch_input_shape" not in configs.model["config"]["layers"][1]["config"]
    assert [c.location for c in changes] == ["c1.batch_input_shape"]
    # Keras 3's legacy HDF5 loader turns the copy into a harmless input_shape: nothing to change there.
    legacy = {"class_name": "Sequential", "config": {"name": "s", "layers": layers}}
    assert _apply(inputs.TRANSFORMATION, legacy)[1] == ()


# ----------------------------------------------------------------------------------------- dtype-policies
def test_policy_objects_become_dtype_policies():
    policy = {"module": "keras.mixed_precision", "class_name": "Policy", "config": {"name": "mixed_float16"}}
    model = _functional(INPUT, _layer("Dense", "hidden", "inp", units=2, dtype=policy))
    configs, changes = _apply(dtype_policies.TRANSFORMATION, model)
    assert configs.model["config"]["layers"][1]["config"]["dtype"] == {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": "mixed_float16"},
        "registered_name": None,
    }
    assert (
        changes[0].text == "rewrote hidden.dtype from tf.keras Policy('mixed_float16') to DTypePolicy('mixed_float16')"
    )


def test_unknown_policy_names_stay():
    model = _functional(
        INPUT, _layer("Dense", "d", "inp", dtype={"class_name": "Policy", "config": {"name": "_infer"}})
    )
    assert _apply(dtype_policies.TRANSFORMATION, model)[1] == ()


# ---------------------------------------------------------------------------------- nested-model-references
def test_calls_of_nested_models_are_renumbered_from_zero():
    head = {
        "class_name": "Sequential",
        "name": "head",
        "config": {"name": "head", "layers": [{"class_name": "Dense", "config": {"name": "h", "units": 1}}]},
        "inbound_nodes": [[["inp", 0, 0, {}]], [["inp", 0, 0, {}]]],
    }
    after = _layer("Dense", "out", "head")
    after["inbound_nodes"] = [[["head", 2, 0, {}]]]
    model = _functional(INPUT, head, after, outputs=[["head", 1, 0], ["out", 0, 0]])
    configs, changes = _apply(nested_models.TRANSFORMATION, model)
    assert configs.model["config"]["output_layers"] == [["head", 0, 0], ["out", 0, 0]]
    assert configs.model["config"]["layers"][2]["inbound_nodes"] == [[["head", 1, 0, {}]]]
    assert len(changes) == 2


def test_keras3_nodes_and_plain_layers_stay():
    model = _functional(INPUT, _layer("Dense", "d", "inp"), outputs=[["d", 0, 0]])
    assert _apply(nested_models.TRANSFORMATION, model)[1] == ()


# -------------------------------------------------------------------------------------------- keras3-modules
def test_tf_keras_model_modules_are_renamed():
    model = {"module": "tf_keras.src.engine.functional", **_functional(INPUT)}
    configs, changes = _apply(modules.TRANSFORMATION, model, loader=KERAS_ARCHIVE)
    assert configs.model["module"] == "keras.src.models.functional"
    assert changes[0].text.startswith("renamed module tf_keras.src.engine.functional")


def test_architecture_json_top_level_model_gets_a_module_first():
    configs, changes = _apply(modules.TRANSFORMATION, _functional(INPUT), loader=MODEL_FROM_JSON)
    assert list(configs.model)[:2] == ["module", "class_name"]
    assert configs.model["registered_name"] == "Functional"
    assert _apply(modules.TRANSFORMATION, _functional(INPUT), loader=LEGACY_H5)[1] == ()


def test_wrapped_builtin_layers_get_a_module():
    inner = {"class_name": "LSTM", "config": {"name": "lstm", "units": 2}}
    model = _functional(INPUT, _layer("Bidirectional", "bi", "inp", layer=inner))
    configs, changes = _apply(modules.TRANSFORMATION, model)
    assert configs.model["config"]["layers"][1]["config"]["layer"]["module"] == "keras.layers"
    assert [c.location for c in changes] == ["wrapped layer bi/lstm"]


# ----------------------------------------------------------------------------------- sequential-layer-lists
def test_bare_list_sequential_becomes_name_and_layers():
    model = {"class_name": "Sequential", "config": [{"class_name": "Dense", "config": {"name": "d"}}]}
    configs, changes = _apply(sequential_lists.TRANSFORMATION, model)
    assert configs.model["config"] == {
        "name": "sequential",
        "layers": [{"class_name": "Dense", "config": {"name": "d"}}],
    }
    assert len(changes) == 1


# ---------------------------------------------------------------------------------------- compile-settings
def test_loss_objects_and_short_names_are_spelled_the_keras3_way():
    training = {
        "loss": {
            "out_a": "mse",
            "out_b": {
                "class_name": "SparseCategoricalCrossentropy",
                "config": {"reduction": "auto", "from_logits": True, "fn": "sparse_categorical_crossentropy"},
            },
        },
        "optimizer_config": {"class_name": "Adam", "config": {"lr": 0.01, "decay": 0.0}},
    }
    configs, changes = _apply(compile_settings.TRANSFORMATION, {"class_name": "Functional", "config": {}}, training)
    loss = configs.compile["loss"]
    assert loss["out_a"] == "mean_squared_error"
    assert loss["out_b"]["config"] == {"reduction": "sum_over_batch_size", "from_logits": True}
    assert configs.compile["optimizer_config"]["config"] == {"learning_rate": 0.01, "decay": 0.0}
    assert {c.location for c in changes} == {
        "loss.out_a",
        "loss.out_b.reduction",
        "loss.out_b.fn",
        "optimizer_config.lr",
    }


def test_tf_keras_optimizer_names_keys_and_execution_settings():
    compile_config = {
        "optimizer": {
            "class_name": "Custom>Adam",
            "config": {"learning_rate": 0.1, "jit_compile": False, "is_legacy_optimizer": False},
        },
        "loss": "binary_crossentropy",
        "run_eagerly": None,
        "steps_per_execution": None,
        "jit_compile": None,
    }
    configs, _ = _apply(compile_settings.TRANSFORMATION, {"class_name": "Functional", "config": {}}, compile_config)
    assert configs.compile["optimizer"] == {"class_name": "Adam", "config": {"learning_rate": 0.1}}
    assert (configs.compile["run_eagerly"], configs.compile["steps_per_execution"], configs.compile["jit_compile"]) == (
        False,
        1,
        False,
    )


def test_custom_losses_and_unknown_optimizers_stay():
    training = {"loss": "my_loss", "optimizer_config": {"class_name": "Custom>Mine", "config": {"jit_compile": False}}}
    configs, changes = _apply(compile_settings.TRANSFORMATION, {"class_name": "Functional", "config": {}}, training)
    assert configs.compile["loss"] == "my_loss"
    assert configs.compile == training and changes == ()


# ---------------------------------------------------------------------------------------------- axis-lists
def test_one_element_axis_lists_become_integers_in_archives_only():
    layer = {"module": "keras.layers", **_layer("BatchNormalization", "bn", "inp", axis=[2])}
    configs, changes = _apply(axes.TRANSFORMATION, _functional(INPUT, layer), loader=KERAS_ARCHIVE)
    assert configs.model["config"]["layers"][1]["config"]["axis"] == 2
    assert [c.location for c in changes] == ["bn.axis"]
    legacy = _functional(INPUT, _layer("BatchNormalization", "bn", "inp", axis=[2]))
    assert _apply(axes.TRANSFORMATION, legacy)[1] == ()  # Keras 3's legacy loader converts it itself


# ---------------------------------------------------------------------------------------- initializer-keys
def test_initializer_dtypes_of_old_tf_keras_are_dropped():
    init = {"class_name": "GlorotUniform", "config": {"seed": None, "dtype": "float32"}}
    zeros = {"class_name": "Zeros", "config": {}}
    layer = _layer("Conv1D", "conv", "inp", filters=2, kernel_initializer=init, bias_initializer=zeros)
    configs, changes = _apply(initializers.TRANSFORMATION, _functional(INPUT, layer))
    assert configs.model["config"]["layers"][1]["config"]["kernel_initializer"]["config"] == {"seed": None}
    assert [c.location for c in changes] == ["conv.kernel_initializer.dtype"]
