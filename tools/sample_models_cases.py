"""The sample cases written by ``make_sample_models.py`` (one function per group, listed in STEPS).

Each builder takes ``K`` (the ``keras`` or the ``tf_keras`` package: their layer APIs agree for everything
used here) and returns a small model whose every layer has an explicit ``name=`` so that the layer names, and
with them the locations in h5lint's snapshot of its findings, do not change when the samples are rebuilt.
Each step registers, per sample, how it was made and the facts about the file that need TensorFlow to know;
what h5lint reports on it is h5lint's snapshot (``python -m pytest --update-snapshots``).
"""
from __future__ import annotations

import os
import sys
import tempfile

import numpy as np

# ---------------------------------------------------------------------------------------------------
# model builders
# ---------------------------------------------------------------------------------------------------


def dense_head(units, activation, loss=None, *, name="model", out_dtype=None, hidden_dtype=None, metrics=None):
    """Input(4) -> Dense(8, relu, name=hidden) -> Dense(units, activation, name=out)."""

    def build(K):
        inp = K.Input(shape=(4,), name="inp")
        kw = {"dtype": hidden_dtype} if hidden_dtype else {}
        x = K.layers.Dense(8, activation="relu", name="hidden", **kw)(inp)
        kw = {"dtype": out_dtype} if out_dtype else {}
        out = K.layers.Dense(units, activation=activation, name="out", **kw)(x)
        m = K.Model(inp, out, name=name)
        if loss is not None:
            m.compile(optimizer="sgd", loss=loss(K) if callable(loss) else loss,
                      **({"metrics": metrics(K) if callable(metrics) else metrics} if metrics else {}))
        return m

    return build


def traced_head(activation, loss, name):
    """Dense(3, activation, name=probs) -> Reshape((3,1)) -> Flatten -> Dropout: output layer is 'drop'."""

    def build(K):
        inp = K.Input(shape=(4,), name="inp")
        x = K.layers.Dense(8, activation="relu", name="hidden")(inp)
        x = K.layers.Dense(3, activation=activation, name="probs")(x)
        x = K.layers.Reshape((3, 1), name="reshape")(x)
        x = K.layers.Flatten(name="flatten")(x)
        out = K.layers.Dropout(0.1, name="drop")(x)
        m = K.Model(inp, out, name=name)
        m.compile(optimizer="sgd", loss=loss)
        return m

    return build


def activation_layer_head(K):
    inp = K.Input(shape=(4,), name="inp")
    x = K.layers.Dense(8, activation="relu", name="hidden")(inp)
    x = K.layers.Dense(3, name="logits")(x)
    out = K.layers.Activation("softmax", name="out")(x)
    m = K.Model(inp, out, name="activation_layer_softmax")
    m.compile(optimizer="sgd", loss="categorical_crossentropy")
    return m


def multi_output(loss, name):
    """Two heads: out_a = Dense(1, sigmoid), out_b = Dense(3) linear."""

    def build(K):
        inp = K.Input(shape=(4,), name="inp")
        x = K.layers.Dense(8, activation="relu", name="hidden")(inp)
        a = K.layers.Dense(1, activation="sigmoid", name="out_a")(x)
        b = K.layers.Dense(3, name="out_b")(x)
        m = K.Model(inp, [a, b], name=name)
        m.compile(optimizer="sgd", loss=loss(K))
        return m

    return build


def lstm_model(stateful, bidirectional=False, name="lstm_model"):
    def build(K):
        inp = K.Input(shape=(3, 1), batch_size=2, name="inp")
        lstm = K.layers.LSTM(2, stateful=stateful, name="lstm" if not bidirectional else "lstm_fw")
        x = K.layers.Bidirectional(lstm, name="bilstm")(inp) if bidirectional else lstm(inp)
        out = K.layers.Dense(1, activation="sigmoid", name="out")(x)
        m = K.Model(inp, out, name=name)
        m.compile(optimizer="sgd", loss="binary_crossentropy")
        return m

    return build


def unbuilt_model(K):
    """Sequential Dense(8,'hidden') -> Dense(4,'hidden2') -> Dense(1,sigmoid,'out') without an input shape: never
    built, so no layer has weights when it is saved."""
    m = K.Sequential([K.layers.Dense(8, activation="relu", name="hidden"),
                      K.layers.Dense(4, activation="relu", name="hidden2"),
                      K.layers.Dense(1, activation="sigmoid", name="out")], name="unbuilt")
    m.compile(optimizer="sgd", loss="binary_crossentropy")
    return m


def unbuilt_facts(c, name):
    """What Keras 3 does with an unbuilt sample: loads it without weights, makes random ones at the first call."""
    x = np.ones((2, 4), "float32")
    loaded = [c.keras.models.load_model(str(c.OUT / name)) for _ in range(2)]
    before, built = len(loaded[0].weights), loaded[0].built
    outputs = [m.predict(x, verbose=0) for m in loaded]
    after = len(loaded[0].weights)
    differ = not np.allclose(outputs[0], outputs[1])
    return (f"Keras {c.K3_VERSION} load_model loads it with {before} weights (model.built {built}); its "
            f"first predict() creates {after}, and two loads predict {'different' if differ else 'the same'} values "
            f"for the same input ({'new random weights each time' if differ else 'unexpected'})")


def with_weights(build, edit):
    """Build the model, then overwrite weights with ``edit(model)`` (uses layer.set_weights)."""

    def b(K):
        m = build(K)
        edit(m)
        return m

    return b


def nonfinite_edit(m):
    layer = m.get_layer("hidden")
    k, bias = layer.get_weights()
    k = k.copy()
    k[0, 0] = np.nan
    k[1, 1] = np.inf
    k[2, 2] = -np.inf
    layer.set_weights([k, bias])


def zero_out_edit(m):
    layer = m.get_layer("out")
    k, bias = layer.get_weights()
    layer.set_weights([np.zeros_like(k), bias])


def normalization_model(adapted):
    def build(K):
        inp = K.Input(shape=(4,), name="inp")
        norm = K.layers.Normalization(name="norm")
        if adapted:
            norm.adapt(np.arange(40, dtype="float32").reshape(10, 4))
        x = norm(inp)
        x = K.layers.Dense(8, activation="relu", name="hidden")(x)
        out = K.layers.Dense(1, activation="sigmoid", name="out")(x)
        m = K.Model(inp, out, name="normalization_adapted" if adapted else "normalization_unadapted")
        m.compile(optimizer="sgd", loss="binary_crossentropy")
        return m

    return build


def tfoplambda_model(K):
    import tensorflow as tf

    inp = K.Input(shape=(4,), name="inp")
    x = tf.math.multiply(inp, 2.0)  # becomes a TFOpLambda layer "tf.math.multiply"
    x = x[:, 0:2]  # becomes a SlicingOpLambda layer "tf.__operators__.getitem"
    out = K.layers.Dense(1, activation="sigmoid", name="out")(x)
    m = K.Model(inp, out, name="tfoplambda")
    m.compile(optimizer="sgd", loss="binary_crossentropy")
    return m


# ---- custom objects --------------------------------------------------------------------------------

_CLASSES: dict = {}


def scale_class(K, registered):
    key = (K.__name__, registered)
    if key in _CLASSES:
        return _CLASSES[key]

    class Scale(K.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    if registered:
        Scale = type("AcmeScale", (Scale,), {})
        Scale = K.saving.register_keras_serializable(package="acme")(Scale)
    _CLASSES[key] = Scale
    return Scale


def init_class(K):
    key = (K.__name__, "init")
    if key not in _CLASSES:
        class MyInit(K.initializers.Initializer):
            def __call__(self, shape, dtype=None, **kwargs):
                return K.ops.ones(shape, dtype=dtype) * 0.01 if hasattr(K, "ops") else \
                    __import__("tensorflow").ones(shape, dtype=dtype) * 0.01

            def get_config(self):
                return {}

        _CLASSES[key] = MyInit
    return _CLASSES[key]


def my_act(x):
    return x * 0.5


def my_loss(y_true, y_pred):
    return (y_true - y_pred) ** 2


def my_metric(y_true, y_pred):
    return y_pred * 0.0


# The Python objects each custom-object sample names (by sample base name), as the user who loads it has them:
# step_custom_objects measures which custom_objects keys the real loaders need for them.
CUSTOM_OBJECTS = {
    "custom_layer_unregistered": lambda K: [scale_class(K, False)],
    "custom_layer_registered_acme": lambda K: [scale_class(K, True)],
    "custom_activation": lambda K: [my_act],
    "custom_initializer": lambda K: [init_class(K)],
    "custom_loss": lambda K: [my_loss],
    "custom_metric": lambda K: [my_metric],
}


def sample_base(name: str) -> str:
    """``custom_loss`` for ``tfk_custom_loss.h5``, ``k3_custom_loss.keras``, ``tfk_custom_loss_savedmodel``."""
    base = name.split("_", 1)[1]
    for suffix in (".weights.h5", "_savedmodel", "_arch.json", ".h5", ".keras"):
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def custom_layer_model(registered):
    def build(K):
        cls = scale_class(K, registered)
        inp = K.Input(shape=(4,), name="inp")
        x = cls(name="scale")(inp)
        out = K.layers.Dense(1, activation="sigmoid", name="out")(x)
        m = K.Model(inp, out, name="custom_layer")
        m.compile(optimizer="sgd", loss="binary_crossentropy")
        return m

    return build


def custom_fn_model(what):
    def build(K):
        inp = K.Input(shape=(4,), name="inp")
        kw = {}
        if what == "activation":
            kw["activation"] = my_act
        if what == "initializer":
            kw["kernel_initializer"] = init_class(K)()
        x = K.layers.Dense(8, name="hidden", **kw)(inp)
        out = K.layers.Dense(1, activation="sigmoid", name="out")(x)
        m = K.Model(inp, out, name=f"custom_{what}")
        m.compile(optimizer="sgd", loss=my_loss if what == "loss" else "binary_crossentropy",
                  **({"metrics": [my_metric]} if what == "metric" else {}))
        return m

    return build


# ---- Lambda layers ---------------------------------------------------------------------------------

def double_it(x):
    return x * 2.0


# Keras 3 stores a def'd function only by name (module/class_name 'function'); only a real `lambda` gets its
# bytecode marshalled into the file.  So the two "malicious" samples use lambdas (tf-keras marshals both kinds).
# The guards keep the side effects from running while the model is traced and saved.
OS_SYSTEM_LAMBDA = lambda t: (  # noqa: E731
    __import__("os").system("touch /tmp/h5lint_pwned") if __import__("os").environ.get("H5LINT_PWN") == "1"
    else None, t)[1]
WRITE_FILE_LAMBDA = lambda t: (  # noqa: E731
    open("/tmp/h5lint_lambda_ran", "w").write("a Lambda layer from an h5lint sample was executed\n")
    if __import__("os").environ.get("H5LINT_PWN") == "1" else None, t)[1]


def py_scale(x):
    return x * 2.0


PY_FUNCTION_LAMBDA = lambda t: __import__("tensorflow").reshape(  # noqa: E731
    __import__("tensorflow").py_function(py_scale, [t], "float32"), __import__("tensorflow").shape(t))


def lambda_model(kind):
    def build(K):
        inp = K.Input(shape=(4,), name="inp")
        if kind == "anon":
            x = K.layers.Lambda(lambda t: t * 2.0, name="double")(inp)
        elif kind == "named":
            x = K.layers.Lambda(double_it, name="named_fn")(inp)
        elif kind == "nested":
            inner = K.Sequential([K.Input(shape=(4,), name="inner_in"),
                                  K.layers.Dense(4, name="inner_dense"),
                                  K.layers.Lambda(lambda t: t * 2.0, name="inner_lambda")], name="inner_seq")
            x = inner(inp)
        elif kind == "time_distributed":
            x = K.layers.Reshape((4, 1), name="reshape")(inp)
            x = K.layers.TimeDistributed(K.layers.Lambda(lambda t: t * 2.0, name="td_lambda"), name="td")(x)
            x = K.layers.Flatten(name="flatten")(x)
        elif kind == "os_system":
            x = K.layers.Lambda(OS_SYSTEM_LAMBDA, name="pwn")(inp)
        elif kind == "writes_file":
            x = K.layers.Lambda(WRITE_FILE_LAMBDA, name="write_file")(inp)
        elif kind == "py_function":
            x = K.layers.Lambda(PY_FUNCTION_LAMBDA, name="py_fn")(inp)
        else:
            raise ValueError(kind)
        out = K.layers.Dense(1, activation="sigmoid", name="out")(x)
        m = K.Model(inp, out, name=f"lambda_{kind}")
        m.compile(optimizer="sgd", loss="binary_crossentropy")
        return m

    return build


# ---- what tf-keras writes and Keras 3 refuses (issue 14: h5lint fix) ---------------------------------------

def depthwise_model(K):
    """DepthwiseConv2D, SeparableConv2D and Conv2DTranspose: tf-keras writes groups=1 into all three."""
    inp = K.Input(shape=(8, 8, 3), name="inp")
    x = K.layers.DepthwiseConv2D(3, name="dw")(inp)
    x = K.layers.SeparableConv2D(4, 3, name="sep")(x)
    x = K.layers.Conv2DTranspose(2, 3, name="deconv")(x)
    x = K.layers.GlobalAveragePooling2D(name="gap")(x)
    out = K.layers.Dense(1, activation="sigmoid", name="out")(x)
    m = K.Model(inp, out, name="depthwise_separable")
    m.compile(optimizer="adam", loss="binary_crossentropy")
    return m


def sequential_input_shape_model(K):
    """Sequential whose first layer takes input_shape: tf-keras adds an InputLayer and keeps batch_input_shape on
    the layer too; SpatialDropout1D writes trainable/noise_shape."""
    m = K.Sequential([K.layers.Conv1D(4, 3, input_shape=(10, 2), name="c1"),
                      K.layers.SpatialDropout1D(0.1, name="sdrop"),
                      K.layers.Flatten(name="flat"),
                      K.layers.Dense(1, name="out")], name="sequential_input_shape")
    m.compile(optimizer=K.optimizers.Adam(learning_rate=0.01), loss="mae", metrics=["mae"])
    return m


def nested_sequential_head_model(K):
    """A Sequential head without an input shape, called on a functional model's hidden layer as its output."""
    inp = K.Input(shape=(4,), name="inp")
    x = K.layers.Dense(8, activation="relu", name="hidden")(inp)
    head = K.Sequential([K.layers.Dense(4, activation="relu", name="head_hidden"),
                         K.layers.Dense(1, activation="sigmoid", name="head_out")], name="head")
    m = K.Model(inp, head(x), name="nested_sequential_head")
    m.compile(optimizer="sgd", loss="binary_crossentropy")
    return m


def nested_functional_model(K):
    """A functional block used in the middle of a functional model."""
    block_in = K.Input(shape=(8,), name="block_in")
    block = K.Model(block_in, K.layers.Dense(3, activation="relu", name="block_dense")(block_in), name="block")
    inp = K.Input(shape=(4,), name="inp")
    x = K.layers.Dense(8, activation="relu", name="hidden")(inp)
    out = K.layers.Dense(1, activation="sigmoid", name="out")(block(x))
    m = K.Model(inp, out, name="nested_functional")
    m.compile(optimizer="sgd", loss="binary_crossentropy")
    return m


def recurrent_embedding_model(K):
    """Embedding (tf-keras writes batch_input_shape [None, None]) -> Conv1D -> BatchNormalization -> GRU ->
    SimpleRNN: time_major in both RNNs, integer inputs."""
    inp = K.Input(shape=(6,), dtype="int32", name="tokens")
    x = K.layers.Embedding(10, 4, name="emb")(inp)
    x = K.layers.Conv1D(4, 2, name="conv")(x)
    x = K.layers.BatchNormalization(name="bn")(x)
    x = K.layers.GRU(3, return_sequences=True, name="gru")(x)
    x = K.layers.SimpleRNN(3, name="rnn")(x)
    out = K.layers.Dense(2, activation="softmax", name="out")(x)
    m = K.Model(inp, out, name="recurrent_embedding")
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def attention_model(K):
    """MultiHeadAttention: tf-keras records the shapes it was built with (query_shape, ...)."""
    inp = K.Input(shape=(5, 4), name="seq")
    x = K.layers.MultiHeadAttention(num_heads=2, key_dim=2, name="mha")(inp, inp)
    x = K.layers.GlobalAveragePooling1D(name="pool")(x)
    out = K.layers.Dense(1, name="out")(x)
    m = K.Model(inp, out, name="attention")
    m.compile(optimizer="rmsprop", loss=K.losses.MeanSquaredError())
    return m


# ---------------------------------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------------------------------

CLEAN = "sigmoid_head_bce"
CLEAN_DESC = ("clean functional model Input(4)->Dense(8,relu,'hidden')->Dense(1,sigmoid,'out'), "
              "compile(sgd, 'binary_crossentropy')")


def step_formats(c):
    """Issue 2: one real sample per container format, all of the same clean model."""
    build = dense_head(1, "sigmoid", "binary_crossentropy", name=CLEAN)
    c.write_all(["tfk_h5", "k3_h5", "tfk_keras", "k3_keras", "tfk_weights", "k3_weights", "k3_dir", "tfk_json",
                 "k3_json", "k3_export"], build, CLEAN, CLEAN_DESC)
    # npz weights: every .npy member of model.weights.npz is a pickled numpy object array
    c.write_all(["k3_npz"], build, CLEAN, CLEAN_DESC,
                notes="model.weights.npz holds one object-dtype .npy per Keras object (__root__, layers/input_layer, "
                      "layers/dense, layers/dense_1, optimizer)")

    # Keras 3 sharded weights (max_shard_size is in GB)
    c.fresh()
    m = build(c.keras)
    d = c.OUT / "k3_sharded_weights"
    d.mkdir()
    m.save_weights(str(d / "model.weights.json"), max_shard_size=0.00000014)
    api = (f"keras {c.K3_VERSION}: model.save_weights('k3_sharded_weights/model.weights.json', "
           f"max_shard_size=0.00000014)  # ~150-byte shards; {CLEAN_DESC}")
    c.register("k3_sharded_weights/model.weights.json", api, notes="the index of the shards listed next")
    for shard in sorted(d.iterdir()):
        if shard.name != "model.weights.json":
            c.register(f"k3_sharded_weights/{shard.name}", api,
                       notes="one shard (a Keras 3 weights store holding a subset of the variables)")


def step_savedmodels(c):
    tf = c.tf
    # tf-keras functional + stateful SavedModels
    c.write_all(["tfk_sm"], dense_head(1, "sigmoid", "binary_crossentropy", name=CLEAN), CLEAN, CLEAN_DESC)
    c.write_all(["tfk_sm"], lstm_model(True, name="stateful_lstm"), "stateful_lstm",
                "Input(shape=(3,1), batch_size=2)->LSTM(2, stateful=True,'lstm')->Dense(1,sigmoid,'out'), BCE")

    # raw tf.Module, clean
    c.fresh()

    class Affine(tf.Module):
        def __init__(self):
            super().__init__(name="affine")
            self.w = tf.Variable([[1.0], [2.0]], name="w")
            self.b = tf.Variable([0.5], name="b")

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="x")])
        def __call__(self, x):
            return {"y": tf.matmul(x, self.w) + self.b}

    mod = Affine()
    p = c.OUT / "tf_module_clean_savedmodel"
    tf.saved_model.save(mod, str(p), signatures={"serving_default": mod.__call__})
    c.register(p.name, f"tensorflow {c.TF_VERSION}: tf.saved_model.save(tf.Module with w,b variables and a "
               "tf.function y = x@w + b, dir, signatures={'serving_default': f})")

    # raw tf.Module with file I/O ops in its graph
    c.fresh()

    class FileOps(tf.Module):
        def __init__(self):
            super().__init__(name="file_ops")
            self.scale = tf.Variable(2.0, name="scale")

        @tf.function(input_signature=[tf.TensorSpec([], tf.string, name="path")])
        def read(self, path):
            return {"contents": tf.io.read_file(path)}

        @tf.function(input_signature=[tf.TensorSpec([], tf.string, name="path"),
                                      tf.TensorSpec([], tf.string, name="contents")])
        def write(self, path, contents):
            tf.io.write_file(path, contents)
            return {"ok": tf.constant(True)}

    mod = FileOps()
    p = c.OUT / "tf_module_file_ops_savedmodel"
    tf.saved_model.save(mod, str(p), signatures={"read": mod.read, "write": mod.write})
    c.register(p.name, f"tensorflow {c.TF_VERSION}: tf.saved_model.save(tf.Module whose tf.functions call "
               "tf.io.read_file / tf.io.write_file, dir, signatures={'read': ..., 'write': ...})")

    # TF1 builder, text protobuf
    c.fresh()
    p = c.OUT / "tf1_builder_pbtxt_savedmodel"
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
        w = tf.compat.v1.get_variable("w", initializer=tf.constant([[1.0], [2.0]]))
        y = tf.identity(tf.matmul(x, w), name="y")
        with tf.compat.v1.Session(graph=g) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            builder = tf.compat.v1.saved_model.Builder(str(p))
            sig = tf.compat.v1.saved_model.predict_signature_def({"x": x}, {"y": y})
            builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={"serving_default": sig})
            builder.save(as_text=True)
    c.register(p.name, f"tensorflow {c.TF_VERSION}: tf.compat.v1.saved_model.Builder(dir)."
               "add_meta_graph_and_variables(sess, ['serve'], ...) then .save(as_text=True) -> saved_model.pbtxt; "
               "graph y = x @ w")


def step_tfjs(c):
    import types as _t

    for n in ("tensorflow_decision_forests", "tensorflow_hub", "tensorflowjs.converters.jax_conversion"):
        if n not in sys.modules:
            mod = _t.ModuleType(n)
            mod.convert_jax = None  # only the JAX converter needs it
            sys.modules[n] = mod
    from tensorflowjs import __version__ as tfjs_version
    from tensorflowjs.converters import converter

    for src, dst in (("tfk_sigmoid_head_bce.h5", "tfjs_sigmoid_head_bce"),
                     ("tfk_lambda_anon.h5", "tfjs_lambda_anon"),
                     ("tfk_linear_head_bce.h5", "tfjs_linear_head_bce"),
                     ("tfk_nonfinite_weights.h5", "tfjs_nonfinite_weights")):
        converter.dispatch_keras_h5_to_tfjs_layers_model_conversion(str(c.OUT / src), str(c.OUT / dst))
        c.register(dst + "/model.json",
                   f"tensorflowjs {tfjs_version}: converters.converter.dispatch_keras_h5_to_tfjs_layers_model_"
                   f"conversion('{src}', '{dst}')",
                   notes=f"weights in {dst}/group1-shard1of1.bin")


def step_broken(c):
    """Cut, damaged or misnamed copies of real files."""
    h5src = "tfk_sigmoid_head_bce.h5"
    data = (c.OUT / h5src).read_bytes()
    (c.OUT / "broken_truncated.h5").write_bytes(data[:2048])
    c.register("broken_truncated.h5", f"first 2048 bytes of {h5src}")

    (c.OUT / "broken_empty.h5").write_bytes(b"")
    c.register("broken_empty.h5", "empty file (0 bytes)")

    pointer = ("version https://git-lfs.github.com/spec/v1\n"
               f"oid sha256:{c.hashlib.sha256(data).hexdigest()}\n"
               f"size {len(data)}\n")
    (c.OUT / "broken_lfs_pointer.h5").write_text(pointer)
    c.register("broken_lfs_pointer.h5",
               f"the Git LFS pointer text git-lfs writes for {h5src} (version/oid sha256/size lines), "
               "i.e. a checkout without `git lfs pull`")

    ksrc = "k3_sigmoid_head_bce.keras"
    c.rewrite_zip(ksrc, "broken_no_config.keras", drop=("config.json",))
    c.register("broken_no_config.keras", f"copy of {ksrc} with the zip member config.json removed")

    c.rewrite_zip(ksrc, "broken_cut_config.keras", replace={"config.json": lambda b: b[: len(b) // 2]})
    c.register("broken_cut_config.keras",
               f"copy of {ksrc} with config.json cut to its first half (invalid JSON)")

    tjsrc = "tfk_sigmoid_head_bce_arch.json"
    text = (c.OUT / tjsrc).read_text()
    (c.OUT / "broken_cut_arch.json").write_text(text[: len(text) // 2])
    c.register("broken_cut_arch.json", f"first half of {tjsrc} (invalid JSON)")

    c.copy_sample(h5src, "broken_hdf5_named.keras")
    c.register("broken_hdf5_named.keras",
               f"byte copy of {h5src} (a legacy HDF5 model) under a .keras name "
               "(what tf.keras <= 2.12 wrote for model.save('x.keras'))")

    c.copy_sample(ksrc, "broken_keras_zip_named.h5")
    c.register("broken_keras_zip_named.h5", f"byte copy of {ksrc} (a Keras 3 zip) under a .h5 name")

    smsrc = "k3_sigmoid_head_bce_export"
    c.copy_sample(smsrc, "broken_savedmodel_named.h5")
    c.register("broken_savedmodel_named.h5",
               f"copy of the SavedModel directory {smsrc}/ named broken_savedmodel_named.h5/")

    tsrc = "tfk_sigmoid_head_bce_savedmodel"
    d = c.copy_sample(tsrc, "broken_savedmodel_no_variables")
    c.shutil.rmtree(d / "variables")
    c.register(d.name, f"copy of {tsrc}/ with variables/ deleted")

    d = c.copy_sample(tsrc, "broken_savedmodel_cut_keras_metadata")
    km = (d / "keras_metadata.pb").read_bytes()
    (d / "keras_metadata.pb").write_bytes(km[: len(km) // 2])
    c.register(d.name, f"copy of {tsrc}/ with keras_metadata.pb cut to its first half",
               notes="saved_model.pb is intact, so the graph part is still readable")

    d = c.copy_sample(tsrc, "broken_savedmodel_renamed_pb")
    (d / "saved_model.pb").rename(d / "model.pb")
    c.register(d.name, f"copy of {tsrc}/ with saved_model.pb renamed to model.pb",
               notes="variables/, keras_metadata.pb and fingerprint.pb are still there; no loader takes the folder "
                     "for a SavedModel")

    d = c.copy_sample(tsrc, "broken_savedmodel_corrupt_pb")
    pb = bytearray((d / "saved_model.pb").read_bytes())
    mid = len(pb) // 2
    pb[mid:mid + 64] = bytes(range(0xC0, 0x100))  # 64 bytes of 0xC0..0xFF: runs of unterminated varints
    (d / "saved_model.pb").write_bytes(bytes(pb))
    c.register(d.name, f"copy of {tsrc}/ with 64 bytes in the middle of saved_model.pb overwritten by 0xC0..0xFF",
               notes="keras_metadata.pb is intact and still holds the Keras model config and Keras version; "
                     "no loader gets past the graph")

    d = c.copy_sample(h5src, "broken_bad_model_config.h5")
    with c.h5py.File(d, "r+") as f:
        cfg = f.attrs["model_config"]
        cfg = cfg.decode() if isinstance(cfg, bytes) else str(cfg)
        f.attrs["model_config"] = cfg[: len(cfg) // 2].encode()
    c.register(d.name, f"copy of {h5src}; h5py: f.attrs['model_config'] = first half of its JSON (invalid JSON)")

    # stored weights that do not fit the model config
    d = c.copy_sample(h5src, "broken_weights_missing_group.h5")
    with c.h5py.File(d, "r+") as f:
        del f["model_weights/hidden"]
    c.register(d.name, f"copy of {h5src}; h5py: del f['model_weights/hidden'] (layer_names still lists 'hidden')")

    # tf-keras names the kernel dataset "kernel:0", Keras 3's legacy HDF5 saver "kernel"
    for src, dst, kernel in ((h5src, "broken_weights_wrong_shape.h5", "kernel:0"),
                             ("k3_sigmoid_head_bce.h5", "broken_k3_weights_wrong_shape.h5", "kernel")):
        d = c.copy_sample(src, dst)
        with c.h5py.File(d, "r+") as f:
            g = f["model_weights/out/out"]
            del g[kernel]
            g.create_dataset(kernel, data=c.np.zeros((8, 2), dtype="float32"))
        c.register(d.name, f"copy of {src}; h5py: model_weights/out/out/{kernel} replaced by a (8, 2) float32 "
                   "dataset (config says Dense(units=1) -> (8, 1))")

    d = c.rewrite_zip(ksrc, "broken_k3_weights_wrong_shape.keras", replace={
        "model.weights.h5": lambda b: _reshape_k3_kernel(c, b)})
    c.register(d.name, f"copy of {ksrc} whose model.weights.h5 member was rewritten with h5py: "
               "layers/dense_1/vars/0 (the kernel of layer out; Keras 3 weight paths use auto names) replaced by a "
               "(8, 2) float32 dataset")


def _reshape_k3_kernel(c, blob: bytes) -> bytes:
    import io

    bio = io.BytesIO(blob)
    with c.h5py.File(bio, "r+") as f:
        g = f["layers/dense_1/vars"]
        attrs = dict(g["0"].attrs)
        del g["0"]
        ds = g.create_dataset("0", data=c.np.zeros((8, 2), dtype="float32"))
        for k, v in attrs.items():
            ds.attrs[k] = v
    return bio.getvalue()


# Why Keras 3 cannot load a tf-keras .h5 (step_load_check's results), for the samples' notes.
TIME_MAJOR = "tf-keras writes time_major into LSTM configs ('Unrecognized keyword arguments passed to LSTM')"
POLICY = "tf-keras mixed-precision Policy objects ('str' object has no attribute 'quantization_mode')"
LOSS_OBJECT = ("tf-keras saves the loss object with reduction='auto' and 'fn', which Keras 3's loss class "
               "rejects when compiling")
SHORT_LOSS = "the compiled loss 'mse' in training_config ('Could not deserialize 'keras.metrics.mse'')"


def step_correctness(c):
    """Issue 3: output heads and losses, right and wrong, in several formats."""
    all4 = ["tfk_h5", "k3_h5", "k3_keras", "tfk_sm"]
    three = ["tfk_h5", "k3_h5", "k3_keras"]

    # the sigmoid head + BCE these heads are compared with is the clean model written by step_formats

    # H5L201
    c.write_all(all4, dense_head(1, None, "binary_crossentropy", name="linear_head_bce"), "linear_head_bce",
                "Dense(1,'out') linear head, compile(loss='binary_crossentropy')")
    c.write_all(three, dense_head(3, None, "categorical_crossentropy", name="linear_head_cce"), "linear_head_cce",
                "Dense(3,'out') linear head, compile(loss='categorical_crossentropy')")
    c.write_all(three, traced_head("softmax", "categorical_crossentropy", "softmax_reshape_flatten_dropout"),
                "softmax_reshape_flatten_dropout",
                "Dense(3,softmax,'probs')->Reshape((3,1),'reshape')->Flatten('flatten')->Dropout(0.1,'drop'), "
                "categorical_crossentropy (softmax reached through shape-only layers)")
    c.write_all(three, traced_head(None, "categorical_crossentropy", "linear_reshape_flatten_dropout"),
                "linear_reshape_flatten_dropout",
                "Dense(3,linear,'probs')->Reshape((3,1),'reshape')->Flatten('flatten')->Dropout(0.1,'drop'), "
                "categorical_crossentropy (no activation anywhere after the last Dense)")
    c.write_all(three, activation_layer_head, "activation_layer_softmax",
                "Dense(3,'logits') linear -> Activation('softmax','out'), categorical_crossentropy")

    # H5L202
    c.write_all(all4, dense_head(1, "sigmoid", lambda K: K.losses.BinaryCrossentropy(from_logits=True),
                                 name="sigmoid_head_bce_from_logits"),
                "sigmoid_head_bce_from_logits",
                "Dense(1,sigmoid,'out'), compile(loss=BinaryCrossentropy(from_logits=True))",
                k3_refuses={"tfk_h5": LOSS_OBJECT})

    # H5L203
    c.write_all(all4, dense_head(1, "softmax", None, name="single_unit_softmax"), "single_unit_softmax",
                "Dense(1,softmax,'out'), not compiled")
    c.write_all(["tfk_h5"], dense_head(1, "softmax", "binary_crossentropy", name="single_unit_softmax_bce"),
                "single_unit_softmax_bce", "Dense(1,softmax,'out'), compile(loss='binary_crossentropy')",
                notes="a softmax over one unit always returns 1.0, whatever the loss")

    # H5L204
    c.write_all(all4, dense_head(3, "sigmoid", "categorical_crossentropy", name="sigmoid3_cce"), "sigmoid3_cce",
                "Dense(3,sigmoid,'out'), categorical_crossentropy")
    c.write_all(three, dense_head(3, "softmax", "binary_crossentropy", name="softmax3_bce"), "softmax3_bce",
                "Dense(3,softmax,'out'), binary_crossentropy")
    c.write_all(three, dense_head(1, "sigmoid", "mse", name="sigmoid_mse"), "sigmoid_mse",
                "Dense(1,sigmoid,'out'), loss='mse'",
                k3_refuses={"tfk_h5": SHORT_LOSS, "k3_h5": SHORT_LOSS + " - even though Keras 3 wrote it"})
    c.write_all(three, dense_head(3, "softmax", "categorical_crossentropy", name="softmax3_cce"), "softmax3_cce",
                "Dense(3,softmax,'out'), categorical_crossentropy")

    # H5L205
    c.write_all(all4, dense_head(3, None, lambda K: K.losses.SparseCategoricalCrossentropy(from_logits=True),
                                 name="logits_scce_from_logits"),
                "logits_scce_from_logits",
                "Dense(3,'out') linear, compile(loss=SparseCategoricalCrossentropy(from_logits=True))",
                k3_refuses={"tfk_h5": LOSS_OBJECT})

    # H5L206
    c.write_all(all4, dense_head(3, "softmax", "sparse_categorical_crossentropy", name="float16_softmax_output",
                                 hidden_dtype="mixed_float16", out_dtype="mixed_float16"),
                "float16_softmax_output",
                "Dense(8,relu,'hidden',dtype='mixed_float16')->Dense(3,softmax,'out',dtype='mixed_float16'), "
                "sparse_categorical_crossentropy", k3_refuses={"tfk_h5": POLICY})
    c.write_all(all4, dense_head(3, "softmax", "sparse_categorical_crossentropy",
                                  name="float16_hidden_float32_output",
                                  hidden_dtype="mixed_float16", out_dtype="float32"),
                "float16_hidden_float32_output",
                "Dense(8,relu,'hidden',dtype='mixed_float16')->Dense(3,softmax,'out',dtype='float32')",
                k3_refuses={"tfk_h5": POLICY})

    # multi-output
    c.write_all(three, multi_output(lambda K: {"out_a": "binary_crossentropy",
                                               "out_b": K.losses.SparseCategoricalCrossentropy(from_logits=True)},
                                    "multi_loss_dict"),
                "multi_loss_dict",
                "two heads out_a=Dense(1,sigmoid), out_b=Dense(3) linear; loss={'out_a': 'binary_crossentropy', "
                "'out_b': SparseCategoricalCrossentropy(from_logits=True)}",
                k3_refuses={"tfk_h5": LOSS_OBJECT})
    c.write_all(three, multi_output(lambda K: ["binary_crossentropy",
                                               K.losses.SparseCategoricalCrossentropy(from_logits=True)],
                                    "multi_loss_list"),
                "multi_loss_list",
                "same two heads; loss given as a list by position: ['binary_crossentropy', "
                "SparseCategoricalCrossentropy(from_logits=True)]",
                k3_refuses={"tfk_h5": LOSS_OBJECT})
    c.write_all(three, multi_output(lambda K: ["binary_crossentropy", "sparse_categorical_crossentropy"],
                                    "multi_loss_list_missing_activation"),
                "multi_loss_list_missing_activation",
                "same two heads; loss list ['binary_crossentropy', 'sparse_categorical_crossentropy'] "
                "(from_logits=False) -> the linear out_b has no activation")

    # H5L501
    c.write_all(["tfk_h5", "k3_h5", "k3_keras"], lstm_model(True, name="stateful_lstm"), "stateful_lstm",
                "Input(shape=(3,1), batch_size=2)->LSTM(2, stateful=True,'lstm')->Dense(1,sigmoid,'out'), BCE",
                k3_refuses={"tfk_h5": TIME_MAJOR})
    bi_desc = ("Input(shape=(3,1), batch_size=2)->Bidirectional(LSTM(2, stateful=True,'lstm_fw'),'bilstm')"
               "->Dense(1,sigmoid,'out'), BCE")
    c.write_all(["tfk_h5", "k3_h5", "k3_keras"], lstm_model(True, True, name="stateful_bilstm"), "stateful_bilstm",
                bi_desc,
                notes="tf-keras stores only the wrapped layer (config key 'layer', name 'lstm_fw'); Keras 3 stores "
                      "'layer' (name 'forward_lstm_fw') and 'backward_layer' (name 'backward_lstm_fw'); both "
                      "directions are stateful",
                k3_refuses={"tfk_h5": TIME_MAJOR})
    c.write_all(["tfk_h5", "k3_h5", "k3_keras", "tfk_sm"], lstm_model(False, name="lstm_not_stateful"),
                "lstm_not_stateful", "same as stateful_lstm but LSTM(stateful=False)",
                k3_refuses={"tfk_h5": TIME_MAJOR})

    # H5L502
    nf = with_weights(dense_head(1, "sigmoid", "binary_crossentropy", name="nonfinite_weights"), nonfinite_edit)
    c.write_all(["tfk_h5", "k3_h5", "k3_keras", "tfk_weights", "k3_weights"], nf, "nonfinite_weights",
                "clean model, then hidden.set_weights([kernel with [0,0]=nan, [1,1]=inf, [2,2]=-inf, bias])")

    # H5L503
    zo = with_weights(dense_head(1, "sigmoid", "binary_crossentropy", name="zero_output_kernel"), zero_out_edit)
    c.write_all(three, zo, "zero_output_kernel", "clean model, then out.set_weights([zeros_like(kernel), bias])")

    # H5L505: a model saved before it was built (tf-keras refuses to write one to HDF5, Keras 3 does not)
    for name in c.write_all(["k3_h5", "k3_keras"], unbuilt_model, "unbuilt",
                            "Sequential([Dense(8,relu,'hidden'), Dense(4,relu,'hidden2'), Dense(1,sigmoid,'out')]) "
                            "with no input shape, compiled (sgd, BCE) and saved without ever being called"):
        c.SAMPLES[name]["notes"] = unbuilt_facts(c, name)
    with tempfile.TemporaryDirectory() as scratch:  # not a sample: only whether tf-keras writes one
        try:
            c.fresh()
            unbuilt_model(c.tf_keras).save(os.path.join(scratch, "tfk_unbuilt.h5"))
            refused = f"tf-keras {c.tf_keras.__version__} writes it to HDF5 too"
        except ValueError as exc:
            refused = f"tf-keras {c.tf_keras.__version__} refuses to save it to HDF5 ({str(exc).split('. ')[0]})"
    c.SAMPLES["k3_unbuilt.h5"]["notes"] += "; " + refused

    # H5L504
    c.write_all(three, normalization_model(False), "normalization_unadapted",
                "Input(4)->Normalization('norm') never adapted->Dense->Dense(1,sigmoid), BCE")
    c.write_all(three, normalization_model(True), "normalization_adapted",
                "Input(4)->Normalization('norm').adapt(arange(40).reshape(10,4))->Dense->Dense(1,sigmoid), BCE")

    # H5L304: classes Keras 3 no longer has
    c.write_all(["tfk_h5", "tfk_keras", "tfk_sm"], tfoplambda_model, "tfoplambda",
                "tf.math.multiply(input, 2.0) and x[:, 0:2] on Keras tensors (TFOpLambda / SlicingOpLambda "
                "layers), then Dense(1,sigmoid,'out'), BCE",
                k3_refuses={"tfk_h5": "Keras 3 has no TFOpLambda / SlicingOpLambda ('Unknown layer')"})


def step_security(c):
    """Issue 4: custom objects, Lambda layers."""
    c.write_all(["tfk_h5", "k3_h5", "k3_keras", "tfk_sm"], custom_layer_model(False), "custom_layer_unregistered",
                "custom Layer subclass Scale (module sample_models_cases, NOT registered) named 'scale'")
    c.write_all(["tfk_h5", "k3_keras"], custom_layer_model(True), "custom_layer_registered_acme",
                "custom Layer AcmeScale registered with register_keras_serializable(package='acme') "
                "-> class name 'acme>AcmeScale', named 'scale'")
    c.write_all(["tfk_h5", "k3_keras"], custom_fn_model("activation"), "custom_activation",
                "Dense(8,'hidden', activation=my_act) with an unregistered function")
    c.write_all(["tfk_h5", "k3_keras"], custom_fn_model("initializer"), "custom_initializer",
                "Dense(8,'hidden', kernel_initializer=MyInit()) with an unregistered Initializer subclass")
    c.write_all(["tfk_h5", "k3_keras"], custom_fn_model("loss"), "custom_loss",
                "compile(loss=my_loss) with an unregistered function")
    c.write_all(["tfk_h5", "k3_keras"], custom_fn_model("metric"), "custom_metric",
                "compile(loss='binary_crossentropy', metrics=[my_metric]) with an unregistered function")

    lam = [("anon", "Lambda(lambda t: t * 2.0, name='double')"),
           ("named", "Lambda(double_it, name='named_fn') (a def'd function: tf-keras marshals its "
                     "bytecode, Keras 3 stores only the name 'double_it')"),
           ("nested",
            "Sequential([Input, Dense('inner_dense'), Lambda(lambda, 'inner_lambda')], name='inner_seq') used as "
            "a layer of the functional model"),
           ("time_distributed",
            "Reshape((4,1))->TimeDistributed(Lambda(lambda, name='td_lambda'), name='td')->Flatten"),
           ("os_system",
            "Lambda(lambda t: (__import__('os').system('touch /tmp/h5lint_pwned') if "
            "__import__('os').environ.get('H5LINT_PWN') == '1' else None, t)[1], name='pwn'): bytecode names "
            "os.system; the guard is never true while generating"),
           ("writes_file",
            "Lambda(lambda t: (open('/tmp/h5lint_lambda_ran', 'w').write(...) if "
            "__import__('os').environ.get('H5LINT_PWN') == '1' else None, t)[1], name='write_file'): writes the "
            "marker file if a loader ever runs it with H5LINT_PWN=1")]
    for kind, desc in lam:
        kinds = ["tfk_h5", "k3_keras"] + (["k3_h5"] if kind in ("anon", "nested") else []) + (
            ["tfk_sm"] if kind == "anon" else [])
        c.write_all(kinds, lambda_model(kind), f"lambda_{kind}", desc + " -> Dense(1,sigmoid,'out'), BCE",
                    k3_refuses={"tfk_h5": "tf-keras Lambda keys inside TimeDistributed (function_type, module, ...) "
                                          "('Unrecognized keyword arguments passed to Lambda')"}
                    if kind == "time_distributed" else None)

    # A graph op that runs Python: tf.py_function inside a Lambda, in a tf-keras SavedModel (the graph keeps
    # an EagerPyFunc op that calls back into whatever Python function the loading process registered)
    c.write_all(["tfk_sm"], lambda_model("py_function"), "lambda_py_function",
                "Lambda(lambda t: tf.reshape(tf.py_function(py_scale, [t], tf.float32), tf.shape(t)), name='py_fn') "
                "-> Dense(1,sigmoid,'out'), BCE")


def _tfk_checkpoint(c, build, base: str, desc: str) -> None:
    """``model.save_weights('<base>_ckpt/ckpt')`` with tf-keras (a TF checkpoint folder: checkpoint, ckpt.index,
    ckpt.data-00000-of-00001), then a check that load_weights restores it into the same architecture."""
    import tf_keras

    c.fresh()
    model = build(tf_keras)
    folder = c.OUT / f"tfk_{base}_ckpt"
    model.save_weights(str(folder / "ckpt"))
    c.fresh()
    again = build(tf_keras)
    again.load_weights(str(folder / "ckpt")).assert_existing_objects_matched()
    for saved, restored in zip(model.weights, again.weights):
        assert np.array_equal(saved.numpy(), restored.numpy(), equal_nan=True), saved.name
    c.register(folder.name, f"tf_keras {tf_keras.__version__}: model.save_weights('{folder.name}/ckpt'); {desc}",
               notes=f"files: {', '.join(sorted(p.name for p in folder.iterdir()))}; load_model cannot read it "
                     "(weights only), model.load_weights('" + folder.name + "/ckpt') restores every weight into the "
                     "same architecture (checked)")


def step_tf_checkpoints_and_graphs(c):
    """Issue 11: TF checkpoints (save_weights), SavedModel variables, and graph-only SavedModels (Keras 3 export,
    tf.Module) whose heads are read from the graph."""
    clean = dense_head(1, "sigmoid", "binary_crossentropy", name=CLEAN)
    _tfk_checkpoint(c, clean, CLEAN, CLEAN_DESC)
    nf_desc = "clean model, then hidden.set_weights([kernel with [0,0]=nan, [1,1]=inf, [2,2]=-inf, bias])"
    nf = with_weights(dense_head(1, "sigmoid", "binary_crossentropy", name="nonfinite_weights"), nonfinite_edit)
    _tfk_checkpoint(c, nf, "nonfinite_weights", nf_desc)
    c.write_all(["tfk_sm", "k3_export"], nf, "nonfinite_weights", nf_desc)
    zo = with_weights(dense_head(1, "sigmoid", "binary_crossentropy", name="zero_output_kernel"), zero_out_edit)
    c.write_all(["tfk_sm", "k3_export"], zo, "zero_output_kernel",
                "clean model, then out.set_weights([zeros_like(kernel), bias])")

    # Graph-only heads: a Keras 3 export has no Keras config, only the serving graph
    c.write_all(["k3_export"], dense_head(1, "softmax", None, name="single_unit_softmax"), "single_unit_softmax",
                "Dense(1,softmax,'out'), not compiled", notes="the serving function's Softmax runs over an axis of size 1")
    c.write_all(["k3_export"], dense_head(3, "softmax", "categorical_crossentropy", name="softmax3_cce"),
                "softmax3_cce", "Dense(3,softmax,'out'), categorical_crossentropy")
    c.write_all(["k3_export"], dense_head(3, "softmax", "sparse_categorical_crossentropy",
                                          name="float16_softmax_output", hidden_dtype="mixed_float16",
                                          out_dtype="mixed_float16"),
                "float16_softmax_output",
                "Dense(8,relu,'hidden',dtype='mixed_float16')->Dense(3,softmax,'out',dtype='mixed_float16'), "
                "sparse_categorical_crossentropy")
    c.write_all(["k3_export"], dense_head(3, "softmax", "sparse_categorical_crossentropy",
                                          name="float16_hidden_float32_output", hidden_dtype="mixed_float16",
                                          out_dtype="float32"),
                "float16_hidden_float32_output",
                "Dense(8,relu,'hidden',dtype='mixed_float16')->Dense(3,softmax,'out',dtype='float32')")

    # A training function in the graph: softmax probabilities given to a loss that applies softmax itself
    tf = c.tf
    for probs, name in ((True, "tf_module_softmax_xent_savedmodel"), (False, "tf_module_logits_xent_savedmodel")):
        c.fresh()

        class Classifier(tf.Module):
            def __init__(self):
                super().__init__(name="classifier")
                self.w = tf.Variable(tf.random.stateless_normal([4, 3], seed=[1, 2]), name="w")

            @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32, name="x")])
            def predict(self, x):
                return {"probs": tf.nn.softmax(tf.matmul(x, self.w))}

            @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32, name="x"),
                                          tf.TensorSpec([None], tf.int32, name="y")])
            def train(self, x, y):
                with tf.GradientTape() as tape:
                    scores = tf.matmul(x, self.w)
                    scores = tf.nn.softmax(scores) if probs else scores
                    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=scores))
                self.w.assign_sub(0.1 * tape.gradient(loss, self.w))
                return {"loss": loss}

        mod = Classifier()
        p = c.OUT / name
        tf.saved_model.save(mod, str(p), signatures={"serving_default": mod.predict, "train": mod.train})
        given = "tf.nn.softmax(x @ w)" if probs else "the logits x @ w"
        c.register(p.name, f"tensorflow {c.TF_VERSION}: tf.saved_model.save(tf.Module with w (4x3), tf.functions "
                   "predict = softmax(x @ w) and train = one SGD step on tf.nn.sparse_softmax_cross_entropy_with_logits("
                   f"labels=y, logits={given}), dir, signatures={{'serving_default': predict, 'train': train}})")


def step_edited(c):
    """Edited copies of real files (attributes rewritten, members injected): still readable."""
    h5src = "tfk_sigmoid_head_bce.h5"
    ksrc = "k3_sigmoid_head_bce.keras"
    h5py = c.h5py

    # Both Keras lines write keras_version on the root and on model_weights/, and readers (h5lint, the loaders'
    # load_weights_from_hdf5_group) fall back to the second: a file records no version only without both.
    for src, dst in ((h5src, "edited_no_keras_version.h5"),
                     ("k3_sigmoid_head_bce.h5", "edited_k3_no_keras_version.h5")):
        d = c.copy_sample(src, dst)
        with h5py.File(d, "r+") as f:
            del f.attrs["keras_version"]
            del f["model_weights"].attrs["keras_version"]
        c.register(d.name, f"copy of {src}; h5py: del f.attrs['keras_version'] and "
                           "del f['model_weights'].attrs['keras_version']")

    d = c.copy_sample(h5src, "edited_backend_theano.h5")
    with h5py.File(d, "r+") as f:
        f.attrs["backend"] = "theano"
    c.register(d.name, f"copy of {h5src}; h5py: f.attrs['backend'] = 'theano'")

    jsrc = "tfk_sigmoid_head_bce_arch.json"
    arch = c.json.loads((c.OUT / jsrc).read_text())
    assert arch["backend"] == "tensorflow"
    arch["backend"] = "theano"
    (c.OUT / "edited_backend_theano_arch.json").write_text(c.json.dumps(arch))
    c.register("edited_backend_theano_arch.json",
               f"{jsrc} with its top-level \"backend\" set to \"theano\" (what Keras 2 on Theano wrote)")

    c.rewrite_zip(ksrc, "edited_no_metadata.keras", drop=("metadata.json",))
    c.register("edited_no_metadata.keras", f"copy of {ksrc} with the zip member metadata.json removed")

    def os_system(b):
        cfg = c.json.loads(b)
        for layer in cfg["config"]["layers"]:
            if layer["config"].get("name") == "hidden":
                layer["module"] = "os"
                layer["class_name"] = "system"
                layer["registered_name"] = "system"
                layer["config"] = {"command": "touch /tmp/h5lint_pwned"}
        return c.json.dumps(cfg).encode()

    os_edit = ("layer 'hidden' rewritten to module='os', class_name='system', registered_name='system', "
               "config={'command': 'touch /tmp/h5lint_pwned'} (CVE-2025-1550 pattern)")
    c.rewrite_zip(ksrc, "edited_k3_module_os_system.keras", replace={"config.json": os_system})
    c.register("edited_k3_module_os_system.keras", f"copy of {ksrc}; config.json {os_edit}")
    for src, dst in ((h5src, "edited_tfk_module_os_system.h5"),
                     ("k3_sigmoid_head_bce.h5", "edited_k3_module_os_system.h5")):
        d = c.copy_sample(src, dst)
        with h5py.File(d, "r+") as f:
            f.attrs["model_config"] = os_system(f.attrs["model_config"])
        c.register(d.name, f"copy of {src}; h5py: the model_config attribute's {os_edit}")

    def builtins_exec(b):
        cfg = c.json.loads(b)
        for layer in cfg["config"]["layers"]:
            if layer["config"].get("name") == "out":
                layer["config"]["activation"] = {"module": "builtins", "class_name": "exec",
                                                 "config": "import os; os.system('touch /tmp/h5lint_pwned')",
                                                 "registered_name": "exec"}
        return c.json.dumps(cfg).encode()

    c.rewrite_zip(ksrc, "edited_k3_builtins_exec_activation.keras", replace={"config.json": builtins_exec})
    c.register("edited_k3_builtins_exec_activation.keras",
               f"copy of {ksrc}; config.json: activation of layer 'out' rewritten to "
               "{'module': 'builtins', 'class_name': 'exec', 'config': \"import os; os.system(...)\"}")

    for src, dst in ((h5src, "edited_external_link.h5"), ("k3_sigmoid_head_bce.h5", "edited_k3_external_link.h5")):
        d = c.copy_sample(src, dst)
        with h5py.File(d, "r+") as f:
            f["model_weights/ext"] = h5py.ExternalLink("other.h5", "/x")
        c.register(d.name, f"copy of {src}; h5py: f['model_weights/ext'] = h5py.ExternalLink('other.h5', '/x')")

    def external_link(blob: bytes) -> bytes:
        import io

        bio = io.BytesIO(blob)
        with h5py.File(bio, "r+") as f:
            f["layers/ext"] = h5py.ExternalLink("other.h5", "/x")
        return bio.getvalue()

    d = c.rewrite_zip(ksrc, "edited_k3_weights_external_link.keras", replace={"model.weights.h5": external_link})
    c.register(d.name, f"copy of {ksrc} whose model.weights.h5 member was rewritten with h5py: "
               "f['layers/ext'] = h5py.ExternalLink('other.h5', '/x')")

    d = c.copy_sample(h5src, "edited_virtual_dataset.h5")
    with h5py.File(d, "r+") as f:
        layout = h5py.VirtualLayout(shape=(4,), dtype="float32")
        layout[:] = h5py.VirtualSource("/etc/h5lint_other.h5", "data", shape=(4,))
        f["model_weights"].create_virtual_dataset("vds", layout, fillvalue=0)
    c.register(d.name, f"copy of {h5src}; h5py: model_weights.create_virtual_dataset('vds', VirtualLayout((4,)) "
               "mapped to VirtualSource('/etc/h5lint_other.h5', 'data'))")

    d = c.copy_sample(h5src, "edited_external_storage.h5")
    with h5py.File(d, "r+") as f:
        f["model_weights"].create_dataset("ext_raw", shape=(4,), dtype="float32",
                                          external=[("h5lint_raw.bin", 0, 16)])
    c.register(d.name, f"copy of {h5src}; h5py: model_weights.create_dataset('ext_raw', (4,), float32, "
               "external=[('h5lint_raw.bin', 0, 16)]) (raw data stored in another file)")

    c.rewrite_zip(ksrc, "edited_zip_slip.keras", extra=[("../evil.sh", b"#!/bin/sh\ntouch /tmp/h5lint_pwned\n")])
    c.register("edited_zip_slip.keras", f"copy of {ksrc} plus a member named '../evil.sh'")
    c.rewrite_zip(ksrc, "edited_absolute_member.keras", extra=[("/etc/x", b"h5lint\n")])
    c.register("edited_absolute_member.keras", f"copy of {ksrc} plus a member named '/etc/x'")
    with c.zipfile.ZipFile(c.OUT / ksrc) as z:
        orig_cfg = z.read("config.json")
    c.rewrite_zip(ksrc, "edited_duplicate_config.keras", extra=[("config.json", orig_cfg)])
    c.register("edited_duplicate_config.keras",
               f"copy of {ksrc} plus a second member named config.json (same bytes appended at the end)")

    # SavedModels whose MetaInfoDef lost its TF version strings (edited with TF's own protobuf classes)
    for src, dst in (("k3_sigmoid_head_bce_export", "edited_savedmodel_no_tf_version"),
                     ("tfk_sigmoid_head_bce_savedmodel", "edited_tfk_savedmodel_no_tf_version")):
        d = c.copy_sample(src, dst)
        _clear_tf_version(d)
        c.register(d.name, f"copy of {src}/; saved_model.pb re-serialized with meta_info_def.tensorflow_version "
                           "and tensorflow_git_version cleared (tensorflow.core.protobuf.saved_model_pb2), "
                           "fingerprint.pb removed")


def _clear_tf_version(folder) -> None:
    from tensorflow.core.protobuf import saved_model_pb2

    sm = saved_model_pb2.SavedModel()
    sm.ParseFromString((folder / "saved_model.pb").read_bytes())
    for mg in sm.meta_graphs:
        mg.meta_info_def.ClearField("tensorflow_version")
        mg.meta_info_def.ClearField("tensorflow_git_version")
    (folder / "saved_model.pb").write_bytes(sm.SerializeToString())
    (folder / "fingerprint.pb").unlink(missing_ok=True)  # the fingerprint hashes no longer match



# Why Keras 3 refuses the cure samples (seen in step_load_check), for their notes.
GROUPS = "tf-keras writes groups=1 into DepthwiseConv2D / SeparableConv2D / Conv2DTranspose configs"
INNER_SHAPE = "a layer of the Sequential model carries batch_input_shape ('Unrecognized keyword arguments')"
SPATIAL_DROPOUT = "tf-keras writes trainable and noise_shape into SpatialDropout1D configs ('Error when deserializing')"
SEQUENTIAL_JSON = "keras.models.model_from_json cannot read tf-keras JSON ('Could not locate class 'Sequential'')"
ATTENTION = ("tf-keras writes the shapes MultiHeadAttention was built with (query_shape, ...) into its config "
             "('Error when deserializing class 'MultiHeadAttention'')")
NESTED = "tf-keras references the nested model's first call as node 1 ('list index out of range')"


def step_cure(c):
    """Issue 14: what tf-keras writes and Keras 3 refuses, for `h5lint fix` and tools/verify_fixes.py."""
    tfk3 = ["tfk_h5", "tfk_keras", "tfk_json"]
    c.write_all(tfk3, depthwise_model, "depthwise_separable",
                "Input(8,8,3)->DepthwiseConv2D(3,'dw')->SeparableConv2D(4,3,'sep')->Conv2DTranspose(2,3,'deconv')"
                "->GlobalAveragePooling2D->Dense(1,sigmoid,'out'), adam, BCE", k3_refuses={"tfk_h5": GROUPS})
    c.write_all(tfk3, sequential_input_shape_model, "sequential_input_shape",
                "Sequential([Conv1D(4,3,input_shape=(10,2),'c1'), SpatialDropout1D(0.1,'sdrop'), Flatten, "
                "Dense(1,'out')]), Adam(learning_rate=0.01), loss='mae', metrics=['mae']",
                k3_refuses={"tfk_h5": SPATIAL_DROPOUT, "tfk_keras": INNER_SHAPE, "tfk_json": SEQUENTIAL_JSON})
    c.write_all(tfk3, nested_sequential_head_model, "nested_sequential_head",
                "Input(4)->Dense(8,relu,'hidden')->Sequential([Dense(4,relu), Dense(1,sigmoid)], name='head') as "
                "the output, BCE", k3_refuses={"tfk_h5": NESTED})
    c.write_all(["tfk_h5", "tfk_keras"], nested_functional_model, "nested_functional",
                "Input(4)->Dense(8,relu,'hidden')->Model(Input(8)->Dense(3,relu), name='block')"
                "->Dense(1,sigmoid,'out'),"
                " BCE", k3_refuses={"tfk_h5": NESTED})
    c.write_all(["tfk_h5", "tfk_keras"], recurrent_embedding_model, "recurrent_embedding",
                "Input(6,int32)->Embedding(10,4)->Conv1D(4,2)->BatchNormalization->GRU(3,return_sequences)"
                "->SimpleRNN(3)->Dense(2,softmax,'out'), adam, sparse_categorical_crossentropy, ['accuracy']",
                k3_refuses={"tfk_h5": TIME_MAJOR.replace("LSTM", "GRU")})
    c.write_all(["tfk_h5", "tfk_keras"], attention_model, "attention",
                "Input(5,4)->MultiHeadAttention(num_heads=2,key_dim=2,'mha')(x,x)->GlobalAveragePooling1D->Dense(1), "
                "rmsprop, MeanSquaredError()",
                notes="tf-keras records the value tensor as a keyword argument of the call ({'value': ['seq', 0, 0]})",
                k3_refuses={"tfk_h5": ATTENTION})
    # The .keras archives of models whose .h5 the other steps wrote
    c.write_all(["tfk_keras"], lstm_model(False, name="lstm_not_stateful"), "lstm_not_stateful",
                "same as stateful_lstm but LSTM(stateful=False)")
    losses = lambda K: {"out_a": "binary_crossentropy",  # noqa: E731
                        "out_b": K.losses.SparseCategoricalCrossentropy(from_logits=True)}
    c.write_all(["tfk_keras"], multi_output(losses, "multi_loss_dict"), "multi_loss_dict",
                "two heads out_a=Dense(1,sigmoid), out_b=Dense(3) linear; loss={'out_a': 'binary_crossentropy', "
                "'out_b': SparseCategoricalCrossentropy(from_logits=True)}")
    c.write_all(["tfk_keras"], dense_head(3, "softmax", "sparse_categorical_crossentropy",
                                          name="float16_softmax_output", hidden_dtype="mixed_float16",
                                          out_dtype="mixed_float16"), "float16_softmax_output",
                "Dense(8,relu,'hidden',dtype='mixed_float16')->Dense(3,softmax,'out',dtype='mixed_float16'), "
                "sparse_categorical_crossentropy")

    # Edited copies of real tf-keras files: what older writers stored
    src = "tfk_sigmoid_head_bce.h5"
    d = c.copy_sample(src, "edited_tfk_optimizer_lr.h5")
    with c.h5py.File(d, "r+") as f:
        training = c.json.loads(f.attrs["training_config"])
        training["optimizer_config"] = {"class_name": "SGD", "config": {"lr": 0.01, "momentum": 0.0, "decay": 0.0,
                                                                         "nesterov": False}}
        f.attrs["training_config"] = c.json.dumps(training)
    c.register(d.name, f"copy of {src}; h5py: training_config's optimizer_config replaced by the Keras 2.2.4 form "
               "{'class_name': 'SGD', 'config': {'lr': 0.01, 'momentum': 0.0, 'decay': 0.0, 'nesterov': False}}",
               notes=f"Keras {c.K3_VERSION} cannot load it: the optimizer argument lr (\"Argument(s) not recognized: "
                     "{'lr': 0.01}\")")
    c.LOADABLE.append(d.name)

    src = "tfk_sequential_input_shape.h5"
    d = c.copy_sample(src, "edited_tfk_sequential_no_inputlayer.h5")
    with c.h5py.File(d, "r+") as f:
        config = c.json.loads(f.attrs["model_config"])
        layers = config["config"]["layers"]
        assert layers[0]["class_name"] == "InputLayer"
        del layers[0]
        f.attrs["model_config"] = c.json.dumps(config)
    c.register(d.name, f"copy of {src}; h5py: the InputLayer entry removed from model_config's layer list, so the "
               "first layer (Conv1D 'c1') alone carries batch_input_shape, as tf.keras 2.0-2.3 and Keras 2 wrote "
               "Sequential models",
               notes=f"Keras {c.K3_VERSION} cannot load it: its legacy loader makes the first layer's "
                     "batch_input_shape an input shape with one axis too many ('Kernel shape must have the same length "
                     "as input')")
    c.LOADABLE.append(d.name)


# ---- Issue 10 item 5: content that makes load_model reach outside the file ------------------------------

# posix.system('touch /tmp/h5lint_pwned') as protocol-2 pickle opcodes, written out byte by byte (the edited
# TorchModuleWrapper's data.pkl). Nothing here or in h5lint ever unpickles it.
HOSTILE_PICKLE = (
    b"\x80\x02"  # PROTO 2
    b"cposix\nsystem\n"  # GLOBAL 'posix system'
    b"X\x17\x00\x00\x00touch /tmp/h5lint_pwned"  # BINUNICODE, 23 bytes
    b"\x85"  # TUPLE1
    b"R"  # REDUCE: call posix.system with that tuple
    b"."  # STOP
)
TORCH_SAMPLE = "k3_torch_module_wrapper.keras"


def _edit_layers(cfg, edit):
    """Apply ``edit(layer)`` to every layer entry of a Keras 3 functional config (config.json)."""
    for layer in cfg["config"]["layers"]:
        edit(layer)
    return cfg


def _renamed(c, blob: bytes, old: str, new: str) -> bytes:
    """config.json with layer ``old`` renamed to ``new`` everywhere the graph names it (its entry, its config and
    the keras_history of the tensors other layers take from it)."""
    cfg = c.json.loads(blob)

    def walk(value):
        if isinstance(value, dict):
            history = value.get("keras_history")
            if isinstance(history, list) and history and history[0] == old:
                history[0] = new
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            if len(value) == 3 and value[0] == old and all(isinstance(v, int) for v in value[1:]):
                value[0] = new  # input_layers / output_layers entries
            for item in value:
                walk(item)

    def rename(layer):
        if layer["name"] == old:
            layer["name"] = layer["config"]["name"] = new

    walk(_edit_layers(cfg, rename))
    return c.json.dumps(cfg).encode()


def _torch_sample(c) -> None:
    """k3_torch_module_wrapper.keras, written with the torch Python (sample_models_torch.py); without one the
    published file and its record are kept, since no other process here can write it."""
    import subprocess

    if c.TORCH_PYTHON:
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample_models_torch.py")
        env = {k: v for k, v in os.environ.items() if k not in ("H5LINT_PWN", "KERAS_BACKEND")}
        proc = subprocess.run([c.TORCH_PYTHON, script, str(c.OUT)], capture_output=True, text=True, env=env)
        assert proc.returncode == 0, f"{script} failed:\n{proc.stderr}"
        record = c.json.loads(proc.stdout.strip().splitlines()[-1])
    else:
        published = c.PUBLISHED / TORCH_SAMPLE
        assert published.exists(), f"{TORCH_SAMPLE} needs --torch-python (a Python with torch and Keras 3)"
        c.shutil.copyfile(published, c.OUT / TORCH_SAMPLE)
        record = c.json.loads((c.PUBLISHED / "samples.json").read_text())[TORCH_SAMPLE]
        print(f"[make_sample_models] no --torch-python: {TORCH_SAMPLE} kept as published", flush=True)
    c.register(TORCH_SAMPLE, record["made_by"], record.get("notes", ""))
    c.SAMPLES[TORCH_SAMPLE]["load_check"] = record["load_check"]
    # step_load_check adds what Keras 3 on TensorFlow and tf-keras say (neither has torch to unpickle with)
    c.LOADABLE.append(TORCH_SAMPLE)


def _hostile_torch_module(c, blob: bytes) -> bytes:
    """config.json whose TorchModuleWrapper payload has its archive/data.pkl replaced by HOSTILE_PICKLE (the
    torch.save zip is otherwise copied member by member)."""
    import base64
    import io

    def edit(layer):
        if layer["class_name"] != "TorchModuleWrapper":
            return
        src = io.BytesIO(base64.b64decode(layer["config"]["module"]))
        dst = io.BytesIO()
        with c.zipfile.ZipFile(src) as zin, c.zipfile.ZipFile(dst, "w") as zout:
            for info in zin.infolist():
                data = HOSTILE_PICKLE if info.filename.endswith("/data.pkl") else zin.read(info.filename)
                zout.writestr(info, data)
        layer["config"]["module"] = base64.b64encode(dst.getvalue()).decode("ascii")

    return c.json.dumps(_edit_layers(c.json.loads(blob), edit)).encode()


def _asset_savedmodel(c, folder) -> None:
    """A tf.Module whose lookup table reads a vocabulary file: tf.saved_model.save copies it to assets/ and lists
    it in MetaGraphDef.asset_file_def."""
    import tempfile

    tf = c.tf
    c.fresh()
    with tempfile.TemporaryDirectory() as tmp:
        vocab = os.path.join(tmp, "h5lint_vocab.txt")
        with open(vocab, "w") as fh:
            fh.write("cat\ndog\nbird\n")

        class Vocab(tf.Module):
            def __init__(self):
                super().__init__(name="vocab")
                init = tf.lookup.TextFileInitializer(vocab, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                                                     tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER)
                self.table = tf.lookup.StaticHashTable(init, default_value=-1)

            @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="words")])
            def __call__(self, words):
                return {"ids": self.table.lookup(words)}

        mod = Vocab()
        tf.saved_model.save(mod, str(folder), signatures={"serving_default": mod.__call__})


def _asset_filename(folder, name: str) -> None:
    from tensorflow.core.protobuf import saved_model_pb2

    sm = saved_model_pb2.SavedModel()
    sm.ParseFromString((folder / "saved_model.pb").read_bytes())
    for mg in sm.meta_graphs:
        for asset in mg.asset_file_def:
            asset.filename = name
    (folder / "saved_model.pb").write_bytes(sm.SerializeToString())
    (folder / "fingerprint.pb").unlink(missing_ok=True)  # the fingerprint hashes no longer match


def step_load_time_hazards(c):
    """Issue 10 item 5: layers whose config makes load_model reach outside the file (TFSMLayer, vocabulary paths,
    TorchModuleWrapper pickles) and path-like names (SavedModel asset names, layer names)."""
    import contextlib

    import tf_keras

    keras, v3 = c.keras, c.K3_VERSION

    # TFSMLayer over the Keras 3 export of the clean model, named by a path relative to the folder the model
    # is saved from (as a user keeps the export next to the model); Keras stores the filepath as given.
    export = "k3_sigmoid_head_bce_export"
    with contextlib.chdir(c.OUT):
        c.fresh()
        inp = keras.Input(shape=(4,), name="inp")
        x = keras.layers.TFSMLayer(export, call_endpoint="serve", name="tfsm")(inp)
        out = keras.layers.Dense(1, activation="sigmoid", name="out")(x)
        keras.Model(inp, out, name="tfsm_layer").save("k3_tfsm_layer.keras")
    c.register("k3_tfsm_layer.keras",
               f"keras {v3}: model.save('k3_tfsm_layer.keras'), saved from the build folder; Input(4)->"
               f"TFSMLayer('{export}', call_endpoint='serve', name='tfsm')->Dense(1,sigmoid,'out')",
               notes=f"config.json stores filepath '{export}', relative to the loading process's working folder")
    c.LOADABLE.append("k3_tfsm_layer.keras")

    url = "gs://h5lint-example/savedmodel"

    def tfsm_url(b):
        def edit(layer):
            if layer["class_name"] == "TFSMLayer":
                layer["config"]["filepath"] = url
        return c.json.dumps(_edit_layers(c.json.loads(b), edit)).encode()

    c.rewrite_zip("k3_tfsm_layer.keras", "edited_k3_tfsm_layer_url.keras", replace={"config.json": tfsm_url})
    c.register("edited_k3_tfsm_layer_url.keras",
               f"copy of k3_tfsm_layer.keras; config.json: the TFSMLayer's filepath rewritten to '{url}' "
               "(CVE-2026-1462 pattern: a SavedModel fetched from a bucket when the model is loaded)")

    # A vocabulary file given by path: tf-keras stores the path in the config and reads it on every load.
    with contextlib.chdir(c.OUT):
        c.fresh()
        with open("h5lint_vocab.txt", "w") as fh:
            fh.write("cat\ndog\nbird\n")
        K = tf_keras
        inp = K.Input(shape=(1,), dtype="string", name="inp")
        x = K.layers.StringLookup(vocabulary="h5lint_vocab.txt", name="lookup")(inp)
        x = K.layers.CategoryEncoding(num_tokens=5, output_mode="one_hot", name="onehot")(x)
        out = K.layers.Dense(1, activation="sigmoid", name="out")(x)
        m = K.Model(inp, out, name="vocabulary_file")
        m.compile(optimizer="sgd", loss="binary_crossentropy")
        m.save("tfk_vocabulary_file.h5")
        os.remove("h5lint_vocab.txt")  # not a sample: the path in the file points at nothing shipped
    c.register("tfk_vocabulary_file.h5",
               f"tf_keras {K.__version__}: model.save('tfk_vocabulary_file.h5'), saved from the build folder; "
               "Input(1, string)->StringLookup(vocabulary='h5lint_vocab.txt', name='lookup')->CategoryEncoding(5, "
               "one_hot, 'onehot')->Dense(1,sigmoid,'out'), BCE",
               notes="the model_config stores vocabulary 'h5lint_vocab.txt' (the path given, relative to the loading "
                     "process's working folder); the file is not shipped. Behind the load check's cut messages: Keras "
                     "3.15 refuses it in safe mode ('Requested the loading of a vocabulary file outside of the model "
                     "archive'), tf-keras 2.21 tries to read it ('Vocabulary file h5lint_vocab.txt does not exist')")
    c.LOADABLE.append("tfk_vocabulary_file.h5")

    c.fresh()
    inp = keras.Input(shape=(1,), dtype="string", name="inp")
    x = keras.layers.StringLookup(vocabulary=["cat", "dog", "bird"], name="lookup")(inp)
    x = keras.layers.CategoryEncoding(num_tokens=5, output_mode="one_hot", name="onehot")(x)
    out = keras.layers.Dense(1, activation="sigmoid", name="out")(x)
    m = keras.Model(inp, out, name="string_lookup")
    m.compile(optimizer="sgd", loss="binary_crossentropy")
    m.save(str(c.OUT / "k3_string_lookup.keras"))
    c.register("k3_string_lookup.keras",
               f"keras {v3}: model.save('k3_string_lookup.keras'); Input(1, string)->StringLookup(vocabulary=['cat', "
               "'dog', 'bird'], name='lookup')->CategoryEncoding(5, one_hot, 'onehot')->Dense(1,sigmoid,'out'), BCE",
               notes="config.json stores the vocabulary as a list")
    c.LOADABLE.append("k3_string_lookup.keras")

    def vocab_path(b):
        def edit(layer):
            if layer["class_name"] == "StringLookup":
                layer["config"]["vocabulary"] = "/etc/hostname"
        return c.json.dumps(_edit_layers(c.json.loads(b), edit)).encode()

    c.rewrite_zip("k3_string_lookup.keras", "edited_k3_vocabulary_path.keras", replace={"config.json": vocab_path})
    c.register("edited_k3_vocabulary_path.keras",
               "copy of k3_string_lookup.keras; config.json: the StringLookup's vocabulary rewritten to '/etc/hostname' "
               "(CVE-2025-12058 pattern: a local file read into the vocabulary when the model is loaded)")

    # TorchModuleWrapper (PyTorch backend), and a copy whose pickle calls posix.system
    _torch_sample(c)
    c.rewrite_zip(TORCH_SAMPLE, "edited_k3_torch_pickle_os_system.keras",
                  replace={"config.json": lambda b: _hostile_torch_module(c, b)})
    c.register("edited_k3_torch_pickle_os_system.keras",
               f"copy of {TORCH_SAMPLE}; config.json: in the TorchModuleWrapper's base64 torch.save archive, "
               "archive/data.pkl replaced by a protocol-2 pickle assembled opcode by opcode that calls "
               "posix.system('touch /tmp/h5lint_pwned') (CVE-2025-49655 pattern; never loaded)")

    # SavedModel asset names
    folder = c.OUT / "tf_module_asset_savedmodel"
    _asset_savedmodel(c, folder)
    c.register(folder.name, f"tensorflow {c.TF_VERSION}: tf.saved_model.save(tf.Module with a StaticHashTable("
               "TextFileInitializer('h5lint_vocab.txt', ...)) and a tf.function ids = table.lookup(words), dir, "
               "signatures={'serving_default': f})",
               notes="assets/h5lint_vocab.txt, listed in asset_file_def as 'h5lint_vocab.txt'")
    d = c.copy_sample(folder.name, "edited_savedmodel_asset_traversal")
    _asset_filename(d, "../../h5lint_vocab.txt")
    c.register(d.name, f"copy of {folder.name}/; saved_model.pb re-serialized with asset_file_def[0].filename = "
               "'../../h5lint_vocab.txt' (tensorflow.core.protobuf.saved_model_pb2), fingerprint.pb removed")

    # A layer name shaped like a path
    c.rewrite_zip("k3_sigmoid_head_bce.keras", "edited_k3_layer_name_traversal.keras",
                  replace={"config.json": lambda b: _renamed(c, b, "hidden", "../../hidden")})
    c.register("edited_k3_layer_name_traversal.keras",
               "copy of k3_sigmoid_head_bce.keras; config.json: layer 'hidden' renamed to '../../hidden' (its entry, "
               "its config and the keras_history that names it)")


def step_load_check(c):
    """Record what the real loaders (Keras 3 and tf-keras, fresh process) say about each full model a Keras
    writer made (``load_model``; ``model_from_json`` for the ``*_arch.json`` architectures)."""
    import subprocess

    names = c.LOADABLE
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample_models_loadcheck.py")
    env = {k: v for k, v in os.environ.items() if k != "H5LINT_PWN"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    proc = subprocess.run([sys.executable, script, str(c.OUT), *names], capture_output=True, text=True, env=env,
                          check=True)
    results = c.json.loads(proc.stdout.strip().splitlines()[-1])
    for name, res in results.items():
        c.SAMPLES[name].setdefault("load_check", {}).update(res)  # after a result another process recorded


def step_custom_objects(c):
    """Record, per sample with custom objects, the custom_objects keys each real loader needs to load it
    (measured in a fresh process, see sample_models_custom_objects.py): what h5lint's load call must name."""
    import subprocess

    names = [n for n in c.LOADABLE if n.split("_", 1)[0] in ("tfk", "k3") and sample_base(n) in CUSTOM_OBJECTS]
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample_models_custom_objects.py")
    env = {k: v for k, v in os.environ.items() if k != "H5LINT_PWN"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    proc = subprocess.run([sys.executable, script, str(c.OUT), *names], capture_output=True, text=True, env=env,
                          check=True)
    for name, measured in c.json.loads(proc.stdout.strip().splitlines()[-1]).items():
        c.SAMPLES[name]["custom_objects"] = measured


STEPS = [step_formats, step_savedmodels, step_correctness, step_security, step_tfjs, step_broken, step_edited,
         step_tf_checkpoints_and_graphs, step_cure, step_load_time_hazards, step_load_check, step_custom_objects]
