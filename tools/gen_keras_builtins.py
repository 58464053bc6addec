"""Generate rules/knowledge/keras_builtins.json: the object names each Keras line has built in.

Run by hand in a venv that has Keras 3 and tf-keras installed (never from h5lint or its tests):

    /work/tfvenv/bin/python tools/gen_keras_builtins.py

The Keras 3 and tf-keras lines are introspected from the installed packages: the public modules
(``keras.layers`` ...) and the tables the deserializers really look names up in (``ALL_OBJECTS_DICT``,
tf-keras' ``populate_deserializable_objects``, the optimizer ``all_classes`` tables, the global
registry that holds ``Custom>Adam``), so names configs contain but nobody imports (``Functional``,
``TFOpLambda``, ``Policy``, ``MeanMetricWrapper``) are covered. The older lines (standalone Keras
1.2.2 and 2.0-2.3, tf.keras of TF 1.x) cannot be installed any more; their names are facts taken from
their documentation and module listings and written out below.

The output is sorted and stable, so a re-run without package changes gives no diff.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

OUT = Path(__file__).resolve().parents[1] / "rules" / "knowledge" / "keras_builtins.json"
KINDS = (
    "layers",
    "models",
    "activations",
    "initializers",
    "regularizers",
    "constraints",
    "losses",
    "metrics",
    "optimizers",
    "dtype_policies",
)
# Helpers every kind module has; they are never serialized as an object name.
NOT_OBJECTS = {"serialize", "deserialize", "get", "keras_export", "deserialize_keras_object", "serialize_keras_object"}
# Serialization markers (not objects) that configs contain; listed so readers can skip them.
MARKERS = [
    "TensorShape",
    "TypeSpec",
    "__bytes__",
    "__ellipsis__",
    "__keras_tensor__",
    "__lambda__",
    "__numpy__",
    "__slice__",
    "__tensor__",
    "__tuple__",
    "__typespec__",
    "function",
]
# Strings compile() resolves itself in every line (keras/engine/training.py @ 1.2.2 and 2.x,
# tf_keras/src/engine/compile_utils.py, keras/src/trainers/compile_utils.py): not object names.
COMPILE_SHORTHANDS = {"metrics": ["acc", "accuracy", "ce", "crossentropy"]}


def _names(namespace, predicate=lambda obj: True) -> set[str]:
    """Public names of classes and functions in a module or dict."""
    items = vars(namespace).items() if inspect.ismodule(namespace) else namespace.items()
    return {
        name
        for name, obj in items
        if not name.startswith("_")
        and name not in NOT_OBJECTS
        and (inspect.isclass(obj) or inspect.isfunction(obj) or callable(obj))
        and not inspect.ismodule(obj)
        and predicate(obj)
    }


# ----------------------------------------------------------------------------------------- Keras 3
def keras3() -> dict[str, set[str]]:
    import keras
    from keras.src import activations, constraints, initializers, losses, metrics, optimizers, regularizers
    from keras.src import dtype_policies
    from keras.src import layers as src_layers
    from keras.src.layers import Layer

    def is_layer(obj) -> bool:
        return inspect.isclass(obj) and issubclass(obj, Layer)

    names: dict[str, set[str]] = {kind: set() for kind in KINDS}
    # The legacy .h5 loader looks layer names up in keras.src.layers.__dict__; .keras files use module paths.
    names["layers"] = _names(src_layers, is_layer) | _names(keras.layers, is_layer)
    names["models"] = {"Functional", "Model", "Sequential"}
    names["layers"] -= names["models"]
    names["activations"] = set(activations.ALL_OBJECTS_DICT) | _names(keras.activations)
    names["initializers"] = set(initializers.ALL_OBJECTS_DICT) | _names(keras.initializers)
    names["regularizers"] = set(regularizers.ALL_OBJECTS_DICT) | _names(keras.regularizers)
    names["constraints"] = set(constraints.ALL_OBJECTS_DICT) | _names(keras.constraints)
    names["losses"] = set(losses.ALL_OBJECTS_DICT) | _names(keras.losses)
    names["metrics"] = set(metrics.ALL_OBJECTS_DICT) | _names(keras.metrics)
    names["optimizers"] = {c.__name__ for c in optimizers.ALL_OBJECTS} | set(optimizers.ALL_OBJECTS_DICT)
    names["optimizers"] |= _names(keras.optimizers, inspect.isclass)
    names["dtype_policies"] = set(dtype_policies.ALL_OBJECTS_DICT) | _names(keras.dtype_policies, inspect.isclass)
    names["dtype_policies"] |= _names(keras.mixed_precision, inspect.isclass)
    return names


# ---------------------------------------------------------------------------------------- tf-keras
def tf_keras_line() -> tuple[dict[str, set[str]], set[str]]:
    """tf-keras 2.x names, and the registered optimizer names Keras 3 resolves by their config name."""
    import tf_keras
    from tf_keras.src import activations, constraints, losses, metrics, regularizers
    from tf_keras.src import initializers
    from tf_keras.src import optimizers
    from tf_keras.src.engine.base_layer import Layer
    from tf_keras.src.engine.training import Model
    from tf_keras.src.layers import serialization as layer_serialization
    from tf_keras.src.layers import activation as activation_layers
    from tf_keras.src.mixed_precision import policy
    from tf_keras.src.saving import object_registration

    def is_layer(obj) -> bool:
        return inspect.isclass(obj) and issubclass(obj, Layer)

    def from_tf_keras(obj) -> bool:
        return getattr(obj, "__module__", "").startswith("tf_keras")

    names: dict[str, set[str]] = {kind: set() for kind in KINDS}
    layer_serialization.populate_deserializable_objects()
    table = layer_serialization.LOCAL.ALL_OBJECTS
    names["models"] = {"Functional", "Model", "Sequential", "LinearModel", "WideDeepModel"}
    names["layers"] = {n for n, obj in table.items() if is_layer(obj) or inspect.isfunction(obj)}
    names["layers"] |= _names(tf_keras.layers, is_layer)
    names["layers"] |= _names(tf_keras.layers.experimental, is_layer)
    names["layers"] |= _names(tf_keras.layers.experimental.preprocessing, is_layer)
    names["layers"] -= names["models"]
    names["activations"] = _names(activation_layers, from_tf_keras) | _names(activations, from_tf_keras)
    initializers.populate_deserializable_objects()
    names["initializers"] = set(initializers.LOCAL.ALL_OBJECTS) | _names(tf_keras.initializers)
    names["regularizers"] = _names(regularizers, from_tf_keras)
    names["constraints"] = _names(constraints, from_tf_keras)
    names["losses"] = _names(losses, from_tf_keras)
    names["metrics"] = _names(metrics, from_tf_keras)
    # Both optimizer tables (new and legacy optimizers) are keyed lowercase; the loader lowercases.
    source = inspect.getsource(optimizers.deserialize)
    names["optimizers"] = set(re.findall(r'"([a-z0-9]+)":\s', source))
    names["optimizers"] |= _names(tf_keras.optimizers, inspect.isclass)
    names["optimizers"] |= _names(tf_keras.optimizers.legacy, inspect.isclass)
    names["optimizers"] |= _names(tf_keras.optimizers.experimental, inspect.isclass)
    names["dtype_policies"] = set(re.findall(r'"(Policy\w*)"', inspect.getsource(policy.deserialize)))
    resolved_by_keras3: set[str] = set()
    for registered, obj in object_registration._GLOBAL_CUSTOM_OBJECTS.items():
        if not from_tf_keras(obj):
            continue
        # Importing tf_keras registers its new optimizers ("Custom>Adam"), CustomScaleLayer of
        # InceptionResNetV2 and SharpnessAwareMinimization under the default "Custom" package.
        if inspect.isclass(obj) and issubclass(obj, Model):
            kind = "models"
        elif is_layer(obj):
            kind = "layers"
        else:
            kind = "optimizers"
        names[kind].add(registered)
        if kind == "optimizers":
            resolved_by_keras3.add(registered)
    return names, resolved_by_keras3


# ------------------------------------------------------------------------------- older lines (facts)
# Standalone Keras 1.2.2 (keras/layers/*.py, keras/engine/topology.py, keras/legacy/models.py,
# keras/activations.py, initializations.py, regularizers.py, constraints.py, objectives.py,
# metrics.py, optimizers.py at tag 1.2.2).
KERAS_1 = {
    "layers": """
        InputLayer Input Merge Masking Dropout SpatialDropout1D SpatialDropout2D SpatialDropout3D Activation
        Reshape Permute Flatten RepeatVector Lambda Dense ActivityRegularization MaxoutDense Highway
        TimeDistributedDense Convolution1D AtrousConvolution1D Convolution2D AtrousConvolution2D
        SeparableConvolution2D Deconvolution2D Convolution3D UpSampling1D UpSampling2D UpSampling3D
        ZeroPadding1D ZeroPadding2D ZeroPadding3D Cropping1D Cropping2D Cropping3D Conv1D Conv2D Conv3D
        AtrousConv1D AtrousConv2D SeparableConv2D Deconv2D MaxPooling1D AveragePooling1D MaxPooling2D
        AveragePooling2D MaxPooling3D AveragePooling3D GlobalMaxPooling1D GlobalAveragePooling1D
        GlobalMaxPooling2D GlobalAveragePooling2D GlobalMaxPooling3D GlobalAveragePooling3D
        LocallyConnected1D LocallyConnected2D Recurrent SimpleRNN GRU LSTM BatchNormalization Embedding
        GaussianNoise GaussianDropout LeakyReLU PReLU ELU ParametricSoftplus ThresholdedReLU SReLU Wrapper
        TimeDistributed Bidirectional ConvRecurrent2D ConvLSTM2D
    """,
    "models": "Sequential Model Graph",
    "activations": "softmax elu softplus softsign relu tanh sigmoid hard_sigmoid linear",
    "initializers": """
        uniform lecun_uniform normal identity orthogonal zero one glorot_normal glorot_uniform he_normal
        he_uniform
    """,
    "regularizers": """
        Regularizer EigenvalueRegularizer L1L2Regularizer WeightRegularizer ActivityRegularizer l1 l2 l1l2
        activity_l1 activity_l2 activity_l1l2
    """,
    "constraints": "Constraint MaxNorm NonNeg UnitNorm MinMaxNorm maxnorm nonneg unitnorm",
    "losses": """
        mean_squared_error mean_absolute_error mean_absolute_percentage_error mean_squared_logarithmic_error
        squared_hinge hinge categorical_crossentropy sparse_categorical_crossentropy binary_crossentropy
        kullback_leibler_divergence poisson cosine_proximity mse MSE mae MAE mape MAPE msle MSLE kld KLD
        cosine
    """,
    "metrics": """
        binary_accuracy categorical_accuracy sparse_categorical_accuracy top_k_categorical_accuracy
        sparse_top_k_categorical_accuracy fbeta_score fmeasure precision recall matthews_correlation
    """,
    "optimizers": "Optimizer SGD RMSprop Adagrad Adadelta Adam Adamax Nadam TFOptimizer",
    "dtype_policies": "",
}

# Standalone Keras 2.0-2.3.1 (keras/layers/__init__.py and its modules at tags 2.0.0 ... 2.3.1;
# keras/legacy/layers.py kept Merge, MaxoutDense, Highway, AtrousConvolution*, Recurrent and
# ConvRecurrent2D deserializable through 2.1.x; CuDNNGRU/CuDNNLSTM from 2.0.9).
KERAS_2 = {
    "layers": """
        InputLayer Input Masking Dropout SpatialDropout1D SpatialDropout2D SpatialDropout3D Activation Reshape
        Permute Flatten RepeatVector Lambda Dense ActivityRegularization Conv1D Conv2D Conv3D SeparableConv1D
        SeparableConv2D DepthwiseConv2D Conv2DTranspose Conv3DTranspose Cropping1D Cropping2D Cropping3D
        UpSampling1D UpSampling2D UpSampling3D ZeroPadding1D ZeroPadding2D ZeroPadding3D Convolution1D
        Convolution2D Convolution3D SeparableConvolution1D SeparableConvolution2D Convolution2DTranspose
        Convolution3DTranspose Deconvolution2D Deconvolution3D Deconv2D Deconv3D MaxPooling1D MaxPooling2D
        MaxPooling3D AveragePooling1D AveragePooling2D AveragePooling3D GlobalMaxPooling1D GlobalMaxPooling2D
        GlobalMaxPooling3D GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D MaxPool1D
        MaxPool2D MaxPool3D AvgPool1D AvgPool2D AvgPool3D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D
        GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D LocallyConnected1D LocallyConnected2D RNN SimpleRNN
        GRU LSTM SimpleRNNCell GRUCell LSTMCell StackedRNNCells ConvLSTM2D ConvLSTM2DCell ConvRNN2D CuDNNGRU
        CuDNNLSTM BatchNormalization Embedding GaussianNoise GaussianDropout AlphaDropout LeakyReLU PReLU ELU
        ThresholdedReLU Softmax ReLU Wrapper TimeDistributed Bidirectional Add Subtract Multiply Average
        Maximum Minimum Concatenate Dot add subtract multiply average maximum minimum concatenate dot Merge
        MaxoutDense Highway AtrousConvolution1D AtrousConvolution2D AtrousConv1D AtrousConv2D Recurrent
        ConvRecurrent2D
    """,
    "models": "Sequential Model",
    "activations": "softmax elu selu softplus softsign relu tanh sigmoid hard_sigmoid exponential linear",
    "initializers": """
        Initializer Zeros Ones Constant RandomNormal RandomUniform TruncatedNormal VarianceScaling Orthogonal
        Identity lecun_uniform glorot_normal glorot_uniform he_normal lecun_normal he_uniform zero zeros one
        ones constant uniform random_uniform normal random_normal truncated_normal identity orthogonal
    """,
    "regularizers": "Regularizer L1L2 l1 l2 l1_l2",
    "constraints": """
        Constraint MaxNorm NonNeg UnitNorm MinMaxNorm max_norm non_neg unit_norm min_max_norm maxnorm nonneg
        unitnorm
    """,
    "losses": """
        Loss LossFunctionWrapper MeanSquaredError MeanAbsoluteError MeanAbsolutePercentageError
        MeanSquaredLogarithmicError SquaredHinge Hinge CategoricalHinge LogCosh BinaryCrossentropy
        CategoricalCrossentropy SparseCategoricalCrossentropy KLDivergence Poisson CosineSimilarity Huber
        mean_squared_error mean_absolute_error mean_absolute_percentage_error mean_squared_logarithmic_error
        squared_hinge hinge categorical_hinge logcosh huber_loss categorical_crossentropy
        sparse_categorical_crossentropy binary_crossentropy kullback_leibler_divergence poisson
        cosine_proximity cosine_similarity mse MSE mae MAE mape MAPE msle MSLE kld KLD cosine
    """,
    "metrics": """
        Metric Mean Sum MeanMetricWrapper Accuracy BinaryAccuracy CategoricalAccuracy
        SparseCategoricalAccuracy TopKCategoricalAccuracy SparseTopKCategoricalAccuracy FalsePositives
        FalseNegatives TrueNegatives TruePositives AUC Precision Recall SensitivityAtSpecificity
        SpecificityAtSensitivity MeanSquaredError MeanAbsoluteError MeanAbsolutePercentageError
        MeanSquaredLogarithmicError RootMeanSquaredError Hinge SquaredHinge CategoricalHinge LogCoshError
        BinaryCrossentropy CategoricalCrossentropy SparseCategoricalCrossentropy KLDivergence Poisson
        CosineSimilarity MeanIoU binary_accuracy categorical_accuracy sparse_categorical_accuracy
        top_k_categorical_accuracy sparse_top_k_categorical_accuracy
    """,
    "optimizers": "Optimizer SGD RMSprop Adagrad Adadelta Adam Adamax Nadam TFOptimizer",
    "dtype_policies": "",
}

# tf.keras as shipped inside TensorFlow (keras_version "2.x.y-tf" in TF 1.x, then 2.4-2.15):
# everything tf-keras still deserializes, plus what TF 1.x and early TF 2 had and tf-keras dropped
# (tf.keras.layers.CuDNNGRU/CuDNNLSTM in TF 1.x, the TF 1.14 v2 RNN names, TensorFlowOpLayer of TF 2.0-2.3).
TF_KERAS_EXTRA = {
    "layers": """
        CuDNNGRU CuDNNLSTM UnifiedGRU UnifiedLSTM TensorFlowOpLayer BatchNormalizationV1 BatchNormalizationV2
        PeepholeLSTMCell DenseFeatures SequenceFeatures
    """,
    "optimizers": "Optimizer TFOptimizer",
    "dtype_policies": "Policy PolicyV1",
}


def _words(text: str) -> set[str]:
    return set(text.split())


def main() -> int:
    k3 = keras3()
    tfk, resolved_by_keras3 = tf_keras_line()
    # Keras 3's legacy loader resolves a tf-keras "Custom>Adam" by the optimizer's config name
    # (keras/src/legacy/saving/saving_utils.py, _resolve_compile_arguments_compat).
    k3["optimizers"] |= {name for name in resolved_by_keras3 if name.split(">", 1)[1].lower() in k3["optimizers"]}
    tf_keras_2 = {kind: set(tfk[kind]) | _words(TF_KERAS_EXTRA.get(kind, "")) for kind in KINDS}
    lines = {
        "keras-1": {kind: _words(KERAS_1[kind]) for kind in KINDS},
        "keras-2": {kind: _words(KERAS_2[kind]) for kind in KINDS},
        "tf.keras": tf_keras_2,
        "tf-keras": tfk,
        "keras-3": k3,
    }
    import keras
    import tf_keras

    document = {
        "about": "Object names each Keras line has built in, per kind. Generated by tools/gen_keras_builtins.py; "
        "do not edit by hand.",
        "sources": {
            "keras-3": f"keras {keras.__version__} (introspected)",
            "tf-keras": f"tf_keras {tf_keras.__version__} (introspected)",
            "tf.keras": f"tf_keras {tf_keras.__version__} (introspected) plus TF 1.x / early TF 2 names",
            "keras-2": "standalone Keras 2.0.0-2.3.1 module listings",
            "keras-1": "standalone Keras 1.2.2 module listings",
        },
        "case_insensitive_kinds": ["optimizers"],
        "markers": sorted(MARKERS),
        "compile_shorthands": COMPILE_SHORTHANDS,
        "lines": {line: {kind: sorted(names[kind]) for kind in KINDS} for line, names in lines.items()},
    }
    OUT.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    counts = {line: sum(len(v) for v in kinds.values()) for line, kinds in document["lines"].items()}
    print(f"wrote {OUT} {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
