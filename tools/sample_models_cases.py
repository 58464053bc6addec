"""The sample cases written by ``make_sample_models.py`` (one function per group, listed in STEPS).

Each builder takes ``K`` (the ``keras`` or the ``tf_keras`` package: their layer APIs agree for everything
used here) and returns a small model whose every layer has an explicit ``name=`` so that the logical
locations in ``expected.json`` are stable.
"""
from __future__ import annotations

import os
import sys
import types

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
                 "k3_json", "k3_export"], build, CLEAN, [], CLEAN_DESC)
    # npz weights: every .npy member of model.weights.npz is a pickled numpy object array (H5L105 names each)
    c.write_all(["k3_npz"], build, CLEAN,
                [c.finding("H5L105", f"member:{m}.npy")
                 for m in ("__root__", "layers/input_layer", "layers/dense", "layers/dense_1", "optimizer")],
                CLEAN_DESC,
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
    c.register("k3_sharded_weights/model.weights.json", "h5-weights", None,
               [("H5L002", "file")], api, notes="the index of the shards listed next")
    for shard in sorted(d.iterdir()):
        if shard.name != "model.weights.json":
            c.register(f"k3_sharded_weights/{shard.name}", "h5-weights", None, [("H5L002", "file")],
                       api, notes="one shard (a Keras 3 weights store holding a subset of the variables)")


def step_savedmodels(c):
    tf = c.tf
    # tf-keras functional + stateful SavedModels
    c.write_all(["tfk_sm"], dense_head(1, "sigmoid", "binary_crossentropy", name=CLEAN), CLEAN, [], CLEAN_DESC)
    c.write_all(["tfk_sm"], lstm_model(True, name="stateful_lstm"), "stateful_lstm",
                [("H5L501", "layer:lstm")],
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
    c.register(p.name, "savedmodel", None, [],
               f"tensorflow {c.TF_VERSION}: tf.saved_model.save(tf.Module with w,b variables and a "
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
    c.register(p.name, "savedmodel", None, [("H5L102", "op:ReadFile"), ("H5L102", "op:WriteFile")],
               f"tensorflow {c.TF_VERSION}: tf.saved_model.save(tf.Module whose tf.functions call "
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
    c.register(p.name, "savedmodel", None, [],
               f"tensorflow {c.TF_VERSION}: tf.compat.v1.saved_model.Builder(dir)."
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

    for src, dst, findings in (("tfk_sigmoid_head_bce.h5", "tfjs_sigmoid_head_bce", []),
                               ("tfk_lambda_anon.h5", "tfjs_lambda_anon", [("H5L101", "layer:double")]),
                               ("tfk_linear_head_bce.h5", "tfjs_linear_head_bce", [("H5L201", "output:out")]),
                               ("tfk_nonfinite_weights.h5", "tfjs_nonfinite_weights", [("H5L502", "layer:hidden")])):
        converter.dispatch_keras_h5_to_tfjs_layers_model_conversion(str(c.OUT / src), str(c.OUT / dst))
        c.register(dst + "/model.json", "tfjs", c.TFK_VERSION, findings,
                   f"tensorflowjs {tfjs_version}: converters.converter.dispatch_keras_h5_to_tfjs_layers_model_"
                   f"conversion('{src}', '{dst}')",
                   notes=f"weights in {dst}/group1-shard1of1.bin")


def step_broken(c):
    """Cut / edited copies of real files that h5lint must not be able to read (or read only in part)."""
    h5src = "tfk_sigmoid_head_bce.h5"
    data = (c.OUT / h5src).read_bytes()
    (c.OUT / "broken_truncated.h5").write_bytes(data[:2048])
    c.register("broken_truncated.h5", None, None, [("H5L001", "file")],
               f"first 2048 bytes of {h5src}")

    (c.OUT / "broken_empty.h5").write_bytes(b"")
    c.register("broken_empty.h5", None, None, [("H5L001", "file")], "empty file (0 bytes)")

    pointer = ("version https://git-lfs.github.com/spec/v1\n"
               f"oid sha256:{c.hashlib.sha256(data).hexdigest()}\n"
               f"size {len(data)}\n")
    (c.OUT / "broken_lfs_pointer.h5").write_text(pointer)
    c.register("broken_lfs_pointer.h5", None, None, [("H5L001", "file")],
               f"the Git LFS pointer text git-lfs writes for {h5src} (version/oid sha256/size lines), "
               "i.e. a checkout without `git lfs pull`")

    ksrc = "k3_sigmoid_head_bce.keras"
    c.rewrite_zip(ksrc, "broken_no_config.keras", drop=("config.json",))
    c.register("broken_no_config.keras", None, None, [("H5L001", "file")],
               f"copy of {ksrc} with the zip member config.json removed")

    c.rewrite_zip(ksrc, "broken_cut_config.keras", replace={"config.json": lambda b: b[: len(b) // 2]})
    c.register("broken_cut_config.keras", None, None, [("H5L001", "member:config.json")],
               f"copy of {ksrc} with config.json cut to its first half (invalid JSON)")

    tjsrc = "tfk_sigmoid_head_bce_arch.json"
    text = (c.OUT / tjsrc).read_text()
    (c.OUT / "broken_cut_arch.json").write_text(text[: len(text) // 2])
    c.register("broken_cut_arch.json", None, None, [("H5L001", "file")],
               f"first half of {tjsrc} (invalid JSON)")

    c.copy_sample(h5src, "broken_hdf5_named.keras")
    c.register("broken_hdf5_named.keras", "h5-full", c.TFK_VERSION, [("H5L003", "file")],
               f"byte copy of {h5src} (a legacy HDF5 model) under a .keras name "
               "(what tf.keras <= 2.12 wrote for model.save('x.keras'))")

    c.copy_sample(ksrc, "broken_keras_zip_named.h5")
    c.register("broken_keras_zip_named.h5", "keras-zip", c.K3_VERSION, [("H5L003", "file")],
               f"byte copy of {ksrc} (a Keras 3 zip) under a .h5 name")

    smsrc = "k3_sigmoid_head_bce_export"
    c.copy_sample(smsrc, "broken_savedmodel_named.h5")
    c.register("broken_savedmodel_named.h5", "savedmodel", None, [("H5L003", "file")],
               f"copy of the SavedModel directory {smsrc}/ named broken_savedmodel_named.h5/")

    tsrc = "tfk_sigmoid_head_bce_savedmodel"
    d = c.copy_sample(tsrc, "broken_savedmodel_no_variables")
    c.shutil.rmtree(d / "variables")
    c.register(d.name, "savedmodel", c.TFK_VERSION,
               [("H5L004", "member:variables/"), c.finding("H5L403", "file", c.K3_SKEW)],
               f"copy of {tsrc}/ with variables/ deleted")

    d = c.copy_sample(tsrc, "broken_savedmodel_cut_keras_metadata")
    km = (d / "keras_metadata.pb").read_bytes()
    (d / "keras_metadata.pb").write_bytes(km[: len(km) // 2])
    c.register(d.name, "savedmodel", c.TFK_VERSION,
               [("H5L004", "member:keras_metadata.pb"), c.finding("H5L403", "file", c.K3_SKEW)],
               f"copy of {tsrc}/ with keras_metadata.pb cut to its first half",
               notes="saved_model.pb is intact, so the graph part is still readable")

    d = c.copy_sample(tsrc, "broken_savedmodel_renamed_pb")
    (d / "saved_model.pb").rename(d / "model.pb")
    c.register(d.name, "savedmodel", c.TFK_VERSION, [("H5L004", "member:saved_model.pb")],
               f"copy of {tsrc}/ with saved_model.pb renamed to model.pb",
               notes="variables/, keras_metadata.pb and fingerprint.pb are still there; no loader takes the folder "
                     "for a SavedModel, so H5L403 has nothing to judge")

    d = c.copy_sample(tsrc, "broken_savedmodel_corrupt_pb")
    pb = bytearray((d / "saved_model.pb").read_bytes())
    mid = len(pb) // 2
    pb[mid:mid + 64] = bytes(range(0xC0, 0x100))  # 64 bytes of 0xC0..0xFF: runs of unterminated varints
    (d / "saved_model.pb").write_bytes(bytes(pb))
    c.register(d.name, "savedmodel", c.TFK_VERSION, [("H5L001", "member:saved_model.pb")],
               f"copy of {tsrc}/ with 64 bytes in the middle of saved_model.pb overwritten by 0xC0..0xFF",
               notes="the intact keras_metadata.pb still gives the Keras model (format savedmodel, Keras version); "
                     "no loader gets past the graph, so H5L403 has nothing to judge")

    d = c.copy_sample(h5src, "broken_bad_model_config.h5")
    with c.h5py.File(d, "r+") as f:
        cfg = f.attrs["model_config"]
        cfg = cfg.decode() if isinstance(cfg, bytes) else str(cfg)
        f.attrs["model_config"] = cfg[: len(cfg) // 2].encode()
    c.register(d.name, None, None, [("H5L001", "file")],
               f"copy of {h5src}; h5py: f.attrs['model_config'] = first half of its JSON (invalid JSON)")

    # weights-config mismatches (H5L505)
    d = c.copy_sample(h5src, "broken_weights_missing_group.h5")
    with c.h5py.File(d, "r+") as f:
        del f["model_weights/hidden"]
    c.register(d.name, "h5-full", c.TFK_VERSION, [("H5L505", "layer:hidden")],
               f"copy of {h5src}; h5py: del f['model_weights/hidden'] (layer_names still lists 'hidden')")

    # tf-keras names the kernel dataset "kernel:0", Keras 3's legacy HDF5 saver "kernel"
    for src, dst, kv, kernel in ((h5src, "broken_weights_wrong_shape.h5", c.TFK_VERSION, "kernel:0"),
                                 ("k3_sigmoid_head_bce.h5", "broken_k3_weights_wrong_shape.h5", c.K3_VERSION, "kernel")):
        d = c.copy_sample(src, dst)
        with c.h5py.File(d, "r+") as f:
            g = f["model_weights/out/out"]
            del g[kernel]
            g.create_dataset(kernel, data=c.np.zeros((8, 2), dtype="float32"))
        c.register(d.name, "h5-full", kv, [("H5L505", "layer:out")],
                   f"copy of {src}; h5py: model_weights/out/out/{kernel} replaced by a (8, 2) float32 "
                   "dataset (config says Dense(units=1) -> (8, 1))")

    d = c.rewrite_zip(ksrc, "broken_k3_weights_wrong_shape.keras", replace={
        "model.weights.h5": lambda b: _reshape_k3_kernel(c, b)})
    c.register(d.name, "keras-zip", c.K3_VERSION, [("H5L505", "layer:out")],
               f"copy of {ksrc} whose model.weights.h5 member was rewritten with h5py: "
               "layers/dense_1/vars/0 (the kernel of layer out; Keras 3 weight paths use auto names) replaced by a (8, 2) float32 dataset")


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


# Why Keras 3 cannot load a tf-keras .h5 (step_load_check's results; H5L403 says the same, once per file).
TIME_MAJOR = "tf-keras writes time_major into LSTM configs ('Unrecognized keyword arguments passed to LSTM')"
POLICY = "tf-keras mixed-precision Policy objects ('str' object has no attribute 'quantization_mode')"
LOSS_OBJECT = ("tf-keras saves the loss object with reduction='auto' and 'fn', which Keras 3's loss class "
               "rejects when compiling")
SHORT_LOSS = "the compiled loss 'mse' in training_config ('Could not deserialize 'keras.metrics.mse'')"


def step_correctness(c):
    """Issue 3: output-head / loss rules, positive and negative, in several formats."""
    F = c.finding
    all4 = ["tfk_h5", "k3_h5", "k3_keras", "tfk_sm"]
    three = ["tfk_h5", "k3_h5", "k3_keras"]

    # the negative of H5L201 / H5L204 (sigmoid head + BCE) is the clean model written by step_formats

    # H5L201
    c.write_all(all4, dense_head(1, None, "binary_crossentropy", name="linear_head_bce"), "linear_head_bce",
                [F("H5L201", "output:out")], "Dense(1,'out') linear head, compile(loss='binary_crossentropy')")
    c.write_all(three, dense_head(3, None, "categorical_crossentropy", name="linear_head_cce"), "linear_head_cce",
                [F("H5L201", "output:out")], "Dense(3,'out') linear head, compile(loss='categorical_crossentropy')")
    c.write_all(three, traced_head("softmax", "categorical_crossentropy", "softmax_reshape_flatten_dropout"),
                "softmax_reshape_flatten_dropout", [],
                "Dense(3,softmax,'probs')->Reshape((3,1),'reshape')->Flatten('flatten')->Dropout(0.1,'drop'), "
                "categorical_crossentropy (softmax reached through shape-only layers: negative)")
    c.write_all(three, traced_head(None, "categorical_crossentropy", "linear_reshape_flatten_dropout"),
                "linear_reshape_flatten_dropout", [F("H5L201", "output:drop")],
                "Dense(3,linear,'probs')->Reshape((3,1),'reshape')->Flatten('flatten')->Dropout(0.1,'drop'), "
                "categorical_crossentropy (no activation anywhere after the last Dense: positive)")
    c.write_all(three, activation_layer_head, "activation_layer_softmax", [],
                "Dense(3,'logits') linear -> Activation('softmax','out'), categorical_crossentropy (negative)")

    # H5L202
    c.write_all(all4, dense_head(1, "sigmoid", lambda K: K.losses.BinaryCrossentropy(from_logits=True),
                                 name="sigmoid_head_bce_from_logits"),
                "sigmoid_head_bce_from_logits", [F("H5L202", "output:out")],
                "Dense(1,sigmoid,'out'), compile(loss=BinaryCrossentropy(from_logits=True))",
                k3_refuses={"tfk_h5": LOSS_OBJECT})

    # H5L203
    c.write_all(all4, dense_head(1, "softmax", None, name="single_unit_softmax"), "single_unit_softmax",
                [F("H5L203", "layer:out")], "Dense(1,softmax,'out'), not compiled")
    c.write_all(["tfk_h5"], dense_head(1, "softmax", "binary_crossentropy", name="single_unit_softmax_bce"),
                "single_unit_softmax_bce", [F("H5L203", "layer:out")],
                "Dense(1,softmax,'out'), compile(loss='binary_crossentropy')",
                notes="the softmax over one unit is H5L203's alone (always 1.0, whatever the loss): H5L204 does not "
                      "report the same head a second time")

    # H5L204
    c.write_all(all4, dense_head(3, "sigmoid", "categorical_crossentropy", name="sigmoid3_cce"), "sigmoid3_cce",
                [F("H5L204", "output:out")], "Dense(3,sigmoid,'out'), categorical_crossentropy")
    c.write_all(three, dense_head(3, "softmax", "binary_crossentropy", name="softmax3_bce"), "softmax3_bce",
                [F("H5L204", "output:out")], "Dense(3,softmax,'out'), binary_crossentropy")
    c.write_all(three, dense_head(1, "sigmoid", "mse", name="sigmoid_mse"), "sigmoid_mse",
                [F("H5L204", "output:out")], "Dense(1,sigmoid,'out'), loss='mse'",
                k3_refuses={"tfk_h5": SHORT_LOSS, "k3_h5": SHORT_LOSS + " - even though Keras 3 wrote it"})
    c.write_all(three, dense_head(3, "softmax", "categorical_crossentropy", name="softmax3_cce"), "softmax3_cce",
                [], "Dense(3,softmax,'out'), categorical_crossentropy (negative for H5L201/H5L204)")

    # H5L205
    c.write_all(all4, dense_head(3, None, lambda K: K.losses.SparseCategoricalCrossentropy(from_logits=True),
                                 name="logits_scce_from_logits"),
                "logits_scce_from_logits", [F("H5L205", "output:out")],
                "Dense(3,'out') linear, compile(loss=SparseCategoricalCrossentropy(from_logits=True))",
                k3_refuses={"tfk_h5": LOSS_OBJECT})

    # H5L206
    c.write_all(all4, dense_head(3, "softmax", "sparse_categorical_crossentropy", name="float16_softmax_output",
                                 hidden_dtype="mixed_float16", out_dtype="mixed_float16"),
                "float16_softmax_output", [F("H5L206", "layer:out")],
                "Dense(8,relu,'hidden',dtype='mixed_float16')->Dense(3,softmax,'out',dtype='mixed_float16'), "
                "sparse_categorical_crossentropy", k3_refuses={"tfk_h5": POLICY})
    c.write_all(all4, dense_head(3, "softmax", "sparse_categorical_crossentropy",
                                  name="float16_hidden_float32_output",
                                  hidden_dtype="mixed_float16", out_dtype="float32"),
                "float16_hidden_float32_output", [],
                "Dense(8,relu,'hidden',dtype='mixed_float16')->Dense(3,softmax,'out',dtype='float32') (negative)",
                k3_refuses={"tfk_h5": POLICY})

    # multi-output
    c.write_all(three, multi_output(lambda K: {"out_a": "binary_crossentropy",
                                               "out_b": K.losses.SparseCategoricalCrossentropy(from_logits=True)},
                                    "multi_loss_dict"),
                "multi_loss_dict", [F("H5L205", "output:out_b")],
                "two heads out_a=Dense(1,sigmoid), out_b=Dense(3) linear; loss={'out_a': 'binary_crossentropy', "
                "'out_b': SparseCategoricalCrossentropy(from_logits=True)}",
                k3_refuses={"tfk_h5": LOSS_OBJECT})
    c.write_all(three, multi_output(lambda K: ["binary_crossentropy",
                                               K.losses.SparseCategoricalCrossentropy(from_logits=True)],
                                    "multi_loss_list"),
                "multi_loss_list", [F("H5L205", "output:out_b")],
                "same two heads; loss given as a list by position: ['binary_crossentropy', "
                "SparseCategoricalCrossentropy(from_logits=True)]",
                k3_refuses={"tfk_h5": LOSS_OBJECT})
    c.write_all(three, multi_output(lambda K: ["binary_crossentropy", "sparse_categorical_crossentropy"],
                                    "multi_loss_list_missing_activation"),
                "multi_loss_list_missing_activation", [F("H5L201", "output:out_b")],
                "same two heads; loss list ['binary_crossentropy', 'sparse_categorical_crossentropy'] "
                "(from_logits=False) -> the linear out_b has no activation")

    # H5L501
    c.write_all(["tfk_h5", "k3_h5", "k3_keras"], lstm_model(True, name="stateful_lstm"), "stateful_lstm",
                [F("H5L501", "layer:lstm")],
                "Input(shape=(3,1), batch_size=2)->LSTM(2, stateful=True,'lstm')->Dense(1,sigmoid,'out'), BCE",
                k3_refuses={"tfk_h5": TIME_MAJOR})
    bi_desc = ("Input(shape=(3,1), batch_size=2)->Bidirectional(LSTM(2, stateful=True,'lstm_fw'),'bilstm')"
               "->Dense(1,sigmoid,'out'), BCE")
    c.write_all(["tfk_h5", "k3_h5", "k3_keras"], lstm_model(True, True, name="stateful_bilstm"), "stateful_bilstm",
                [F("H5L501", "layer:bilstm")], bi_desc,
                notes="tf-keras stores only the wrapped layer (config key 'layer', name 'lstm_fw'); Keras 3 stores "
                      "'layer' (name 'forward_lstm_fw') and 'backward_layer' (name 'backward_lstm_fw'); both "
                      "directions are stateful, which H5L501 reports once, at the wrapper",
                k3_refuses={"tfk_h5": TIME_MAJOR})
    c.write_all(["tfk_h5", "k3_h5", "k3_keras", "tfk_sm"], lstm_model(False, name="lstm_not_stateful"),
                "lstm_not_stateful", [], "same as stateful_lstm but LSTM(stateful=False) (negative for H5L501)",
                k3_refuses={"tfk_h5": TIME_MAJOR})

    # H5L502
    nf = with_weights(dense_head(1, "sigmoid", "binary_crossentropy", name="nonfinite_weights"), nonfinite_edit)
    c.write_all(["tfk_h5", "k3_h5", "k3_keras", "tfk_weights", "k3_weights"], nf, "nonfinite_weights",
                [F("H5L502", "layer:hidden")],
                "clean model, then hidden.set_weights([kernel with [0,0]=nan, [1,1]=inf, [2,2]=-inf, bias])")

    # H5L503
    zo = with_weights(dense_head(1, "sigmoid", "binary_crossentropy", name="zero_output_kernel"), zero_out_edit)
    c.write_all(three, zo, "zero_output_kernel", [F("H5L503", "layer:out")],
                "clean model, then out.set_weights([zeros_like(kernel), bias])")

    # H5L504
    c.write_all(three, normalization_model(False), "normalization_unadapted", [F("H5L504", "layer:norm")],
                "Input(4)->Normalization('norm') never adapted->Dense->Dense(1,sigmoid), BCE")
    c.write_all(three, normalization_model(True), "normalization_adapted", [],
                "Input(4)->Normalization('norm').adapt(arange(40).reshape(10,4))->Dense->Dense(1,sigmoid), BCE "
                "(negative)")

    # H5L304 (and H5L403: the file as a whole)
    c.write_all(["tfk_h5", "tfk_keras", "tfk_sm"], tfoplambda_model, "tfoplambda",
                [F("H5L304", "layer:tf.math.multiply", c.K3_SKEW),
                 F("H5L304", "layer:tf.__operators__.getitem", c.K3_SKEW)],
                "tf.math.multiply(input, 2.0) and x[:, 0:2] on Keras tensors (TFOpLambda / SlicingOpLambda "
                "layers), then Dense(1,sigmoid,'out'), BCE",
                k3_refuses={"tfk_h5": "Keras 3 has no TFOpLambda / SlicingOpLambda ('Unknown layer')"})


def step_security(c):
    """Issue 4: custom objects, Lambda layers."""
    F = c.finding
    c.write_all(["tfk_h5", "k3_h5", "k3_keras", "tfk_sm"], custom_layer_model(False), "custom_layer_unregistered",
                [F("H5L301", "object:Scale")],
                "custom Layer subclass Scale (module sample_models_cases, NOT registered) named 'scale'")
    c.write_all(["tfk_h5", "k3_keras"], custom_layer_model(True), "custom_layer_registered_acme",
                [F("H5L301", "object:acme>AcmeScale")],
                "custom Layer AcmeScale registered with register_keras_serializable(package='acme') "
                "-> class name 'acme>AcmeScale', named 'scale'")
    c.write_all(["tfk_h5", "k3_keras"], custom_fn_model("activation"), "custom_activation",
                [F("H5L301", "object:my_act")], "Dense(8,'hidden', activation=my_act) with an unregistered function")
    c.write_all(["tfk_h5", "k3_keras"], custom_fn_model("initializer"), "custom_initializer",
                [F("H5L301", "object:MyInit")],
                "Dense(8,'hidden', kernel_initializer=MyInit()) with an unregistered Initializer subclass")
    c.write_all(["tfk_h5", "k3_keras"], custom_fn_model("loss"), "custom_loss", [F("H5L301", "object:my_loss")],
                "compile(loss=my_loss) with an unregistered function")
    c.write_all(["tfk_h5", "k3_keras"], custom_fn_model("metric"), "custom_metric",
                [F("H5L301", "object:my_metric")],
                "compile(loss='binary_crossentropy', metrics=[my_metric]) with an unregistered function")

    lam = [("anon", "double", "Lambda(lambda t: t * 2.0, name='double')"),
           ("named", "named_fn", "Lambda(double_it, name='named_fn') (a def'd function: tf-keras marshals its "
                                 "bytecode, Keras 3 stores only the name 'double_it')"),
           ("nested", "inner_seq/inner_lambda",
            "Sequential([Input, Dense('inner_dense'), Lambda(lambda, 'inner_lambda')], name='inner_seq') used as "
            "a layer of the functional model"),
           ("time_distributed", "td/td_lambda",
            "Reshape((4,1))->TimeDistributed(Lambda(lambda, name='td_lambda'), name='td')->Flatten"),
           ("os_system", "pwn",
            "Lambda(lambda t: (__import__('os').system('touch /tmp/h5lint_pwned') if "
            "__import__('os').environ.get('H5LINT_PWN') == '1' else None, t)[1], name='pwn'): bytecode names "
            "os.system; the guard is never true while generating"),
           ("writes_file", "write_file",
            "Lambda(lambda t: (open('/tmp/h5lint_lambda_ran', 'w').write(...) if "
            "__import__('os').environ.get('H5LINT_PWN') == '1' else None, t)[1], name='write_file'): writes the "
            "marker file if a loader ever runs it with H5LINT_PWN=1")]
    for kind, loc, desc in lam:
        kinds = ["tfk_h5", "k3_keras"] + (["k3_h5"] if kind in ("anon", "nested") else []) + (
            ["tfk_sm"] if kind == "anon" else [])
        c.write_all(kinds, lambda_model(kind), f"lambda_{kind}", [F("H5L101", f"layer:{loc}")],
                    desc + " -> Dense(1,sigmoid,'out'), BCE",
                    k3_refuses={"tfk_h5": "tf-keras Lambda keys inside TimeDistributed (function_type, module, ...) "
                                          "('Unrecognized keyword arguments passed to Lambda')"}
                    if kind == "time_distributed" else None)

    # A graph op that runs Python: tf.py_function inside a Lambda, in a tf-keras SavedModel (the graph keeps
    # an EagerPyFunc op that calls back into whatever Python function the loading process registered)
    c.write_all(["tfk_sm"], lambda_model("py_function"), "lambda_py_function",
                [F("H5L101", "layer:py_fn"), F("H5L102", "op:EagerPyFunc")],
                "Lambda(lambda t: tf.reshape(tf.py_function(py_scale, [t], tf.float32), tf.shape(t)), name='py_fn') "
                "-> Dense(1,sigmoid,'out'), BCE")


def step_edited(c):
    """Edited copies of real files (attributes rewritten, members injected): still readable."""
    h5src = "tfk_sigmoid_head_bce.h5"
    ksrc = "k3_sigmoid_head_bce.keras"
    h5py = c.h5py

    # Both Keras lines write keras_version on the root and on model_weights/, and readers (h5lint, the loaders'
    # load_weights_from_hdf5_group) fall back to the second: a file records no version only without both.
    for src, dst in ((h5src, "edited_no_keras_version.h5"), ("k3_sigmoid_head_bce.h5", "edited_k3_no_keras_version.h5")):
        d = c.copy_sample(src, dst)
        with h5py.File(d, "r+") as f:
            del f.attrs["keras_version"]
            del f["model_weights"].attrs["keras_version"]
        c.register(d.name, "h5-full", None, [("H5L401", "file")],
                   f"copy of {src}; h5py: del f.attrs['keras_version'] and del f['model_weights'].attrs['keras_version']")

    d = c.copy_sample(h5src, "edited_backend_theano.h5")
    with h5py.File(d, "r+") as f:
        f.attrs["backend"] = "theano"
    c.register(d.name, "h5-full", c.TFK_VERSION, [("H5L402", "file")],
               f"copy of {h5src}; h5py: f.attrs['backend'] = 'theano'")

    jsrc = "tfk_sigmoid_head_bce_arch.json"
    arch = c.json.loads((c.OUT / jsrc).read_text())
    assert arch["backend"] == "tensorflow"
    arch["backend"] = "theano"
    (c.OUT / "edited_backend_theano_arch.json").write_text(c.json.dumps(arch))
    c.register("edited_backend_theano_arch.json", "keras-json", c.TFK_VERSION,
               [("H5L402", "file"), c.finding("H5L403", "file", c.K3_SKEW)],
               f"{jsrc} with its top-level \"backend\" set to \"theano\" (what Keras 2 on Theano wrote)")

    c.rewrite_zip(ksrc, "edited_no_metadata.keras", drop=("metadata.json",))
    c.register("edited_no_metadata.keras", "keras-zip", None, [("H5L401", "file")],
               f"copy of {ksrc} with the zip member metadata.json removed")

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
    c.register("edited_k3_module_os_system.keras", "keras-zip", c.K3_VERSION,
               [("H5L103", "layer:hidden")], f"copy of {ksrc}; config.json {os_edit}")
    for src, dst, kv in ((h5src, "edited_tfk_module_os_system.h5", c.TFK_VERSION),
                         ("k3_sigmoid_head_bce.h5", "edited_k3_module_os_system.h5", c.K3_VERSION)):
        d = c.copy_sample(src, dst)
        with h5py.File(d, "r+") as f:
            f.attrs["model_config"] = os_system(f.attrs["model_config"])
        c.register(d.name, "h5-full", kv, [("H5L103", "layer:hidden")],
                   f"copy of {src}; h5py: the model_config attribute's {os_edit}")

    def builtins_exec(b):
        cfg = c.json.loads(b)
        for layer in cfg["config"]["layers"]:
            if layer["config"].get("name") == "out":
                layer["config"]["activation"] = {"module": "builtins", "class_name": "exec",
                                                 "config": "import os; os.system('touch /tmp/h5lint_pwned')",
                                                 "registered_name": "exec"}
        return c.json.dumps(cfg).encode()

    c.rewrite_zip(ksrc, "edited_k3_builtins_exec_activation.keras", replace={"config.json": builtins_exec})
    c.register("edited_k3_builtins_exec_activation.keras", "keras-zip", c.K3_VERSION,
               [("H5L103", "layer:out")],
               f"copy of {ksrc}; config.json: activation of layer 'out' rewritten to "
               "{'module': 'builtins', 'class_name': 'exec', 'config': \"import os; os.system(...)\"}")

    for src, dst, kv in ((h5src, "edited_external_link.h5", c.TFK_VERSION),
                         ("k3_sigmoid_head_bce.h5", "edited_k3_external_link.h5", c.K3_VERSION)):
        d = c.copy_sample(src, dst)
        with h5py.File(d, "r+") as f:
            f["model_weights/ext"] = h5py.ExternalLink("other.h5", "/x")
        c.register(d.name, "h5-full", kv, [("H5L104", "hdf5:/model_weights/ext")],
                   f"copy of {src}; h5py: f['model_weights/ext'] = h5py.ExternalLink('other.h5', '/x')")

    def external_link(blob: bytes) -> bytes:
        import io

        bio = io.BytesIO(blob)
        with h5py.File(bio, "r+") as f:
            f["layers/ext"] = h5py.ExternalLink("other.h5", "/x")
        return bio.getvalue()

    d = c.rewrite_zip(ksrc, "edited_k3_weights_external_link.keras", replace={"model.weights.h5": external_link})
    c.register(d.name, "keras-zip", c.K3_VERSION, [("H5L104", "hdf5:/layers/ext")],
               f"copy of {ksrc} whose model.weights.h5 member was rewritten with h5py: "
               "f['layers/ext'] = h5py.ExternalLink('other.h5', '/x')")

    d = c.copy_sample(h5src, "edited_virtual_dataset.h5")
    with h5py.File(d, "r+") as f:
        layout = h5py.VirtualLayout(shape=(4,), dtype="float32")
        layout[:] = h5py.VirtualSource("/etc/h5lint_other.h5", "data", shape=(4,))
        f["model_weights"].create_virtual_dataset("vds", layout, fillvalue=0)
    c.register(d.name, "h5-full", c.TFK_VERSION, [("H5L104", "hdf5:/model_weights/vds")],
               f"copy of {h5src}; h5py: model_weights.create_virtual_dataset('vds', VirtualLayout((4,)) mapped "
               "to VirtualSource('/etc/h5lint_other.h5', 'data'))")

    d = c.copy_sample(h5src, "edited_external_storage.h5")
    with h5py.File(d, "r+") as f:
        f["model_weights"].create_dataset("ext_raw", shape=(4,), dtype="float32",
                                          external=[("h5lint_raw.bin", 0, 16)])
    c.register(d.name, "h5-full", c.TFK_VERSION, [("H5L104", "hdf5:/model_weights/ext_raw")],
               f"copy of {h5src}; h5py: model_weights.create_dataset('ext_raw', (4,), float32, "
               "external=[('h5lint_raw.bin', 0, 16)]) (raw data stored in another file)")

    c.rewrite_zip(ksrc, "edited_zip_slip.keras", extra=[("../evil.sh", b"#!/bin/sh\ntouch /tmp/h5lint_pwned\n")])
    c.register("edited_zip_slip.keras", "keras-zip", c.K3_VERSION, [("H5L105", "member:../evil.sh")],
               f"copy of {ksrc} plus a member named '../evil.sh'")
    c.rewrite_zip(ksrc, "edited_absolute_member.keras", extra=[("/etc/x", b"h5lint\n")])
    c.register("edited_absolute_member.keras", "keras-zip", c.K3_VERSION, [("H5L105", "member:/etc/x")],
               f"copy of {ksrc} plus a member named '/etc/x'")
    with c.zipfile.ZipFile(c.OUT / ksrc) as z:
        orig_cfg = z.read("config.json")
    c.rewrite_zip(ksrc, "edited_duplicate_config.keras", extra=[("config.json", orig_cfg)])
    c.register("edited_duplicate_config.keras", "keras-zip", c.K3_VERSION, [("H5L105", "member:config.json")],
               f"copy of {ksrc} plus a second member named config.json (same bytes appended at the end)")

    # SavedModels whose MetaInfoDef lost its TF version strings (edited with TF's own protobuf classes)
    for src, dst, kv, extra in (
            ("k3_sigmoid_head_bce_export", "edited_savedmodel_no_tf_version", None, []),
            ("tfk_sigmoid_head_bce_savedmodel", "edited_tfk_savedmodel_no_tf_version", c.TFK_VERSION,
             [c.finding("H5L403", "file", c.K3_SKEW)])):
        d = c.copy_sample(src, dst)
        _clear_tf_version(d)
        c.register(d.name, "savedmodel", kv, [("H5L401", "file")] + extra,
                   f"copy of {src}/; saved_model.pb re-serialized with meta_info_def.tensorflow_version and "
                   "tensorflow_git_version cleared (tensorflow.core.protobuf.saved_model_pb2), fingerprint.pb removed")


def _clear_tf_version(folder) -> None:
    from tensorflow.core.protobuf import saved_model_pb2

    sm = saved_model_pb2.SavedModel()
    sm.ParseFromString((folder / "saved_model.pb").read_bytes())
    for mg in sm.meta_graphs:
        mg.meta_info_def.ClearField("tensorflow_version")
        mg.meta_info_def.ClearField("tensorflow_git_version")
    (folder / "saved_model.pb").write_bytes(sm.SerializeToString())
    (folder / "fingerprint.pb").unlink(missing_ok=True)  # the fingerprint hashes no longer match


def step_load_check(c):
    """Record what the real loaders (Keras 3 and tf-keras, fresh process) say about each full model sample
    (``load_model``; ``model_from_json`` for the ``*_arch.json`` architectures)."""
    import subprocess

    names = [n for n, s in c.SAMPLES.items()
             if n.startswith(("tfk_", "k3_")) and s["format"] in ("h5-full", "keras-zip", "keras-dir", "savedmodel", "keras-json")]
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample_models_loadcheck.py")
    env = {k: v for k, v in os.environ.items() if k != "H5LINT_PWN"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    proc = subprocess.run([sys.executable, script, str(c.OUT), *names], capture_output=True, text=True, env=env,
                          check=True)
    results = c.json.loads(proc.stdout.strip().splitlines()[-1])
    for name, res in results.items():
        c.SAMPLES[name]["load_check"] = res


# ---------------------------------------------------------------------------------------------------
# coverage: for each rule, positive samples and the matching negatives, per format
# ---------------------------------------------------------------------------------------------------

LABELS = {
    "tfk_h5": "legacy H5 (tf-keras)", "k3_h5": "legacy H5 (Keras 3)", "k3_keras": ".keras (Keras 3)",
    "tfk_keras": ".keras (tf-keras)", "tfk_sm": "SavedModel (tf-keras)", "tfk_weights": "weights H5 (tf-keras)",
    "k3_weights": "weights H5 (Keras 3)", "tfk_json": "JSON (tf-keras)", "k3_json": "JSON (Keras 3)",
}
H5_KERAS = ("tfk_h5", "k3_h5", "k3_keras")
ALL4 = H5_KERAS + ("tfk_sm",)


def _each(code, kinds, positives, negatives):
    """Rows of one rule for the samples the writers ``kinds`` made of the bases ``positives`` / ``negatives``."""
    return [(code, kind, list(positives), list(negatives)) for kind in kinds]


# (code, writer kind or format label, positive samples, matching negative samples). A writer kind stands for
# the file that writer made of each base name; a label is followed by sample names. What is missing, and why,
# is in NOT_APPLICABLE.
COVERAGE = [
    ("H5L001", "legacy H5", ["broken_truncated.h5", "broken_empty.h5", "broken_lfs_pointer.h5",
                             "broken_bad_model_config.h5"], ["tfk_sigmoid_head_bce.h5"]),
    ("H5L001", ".keras", ["broken_no_config.keras", "broken_cut_config.keras"], ["k3_sigmoid_head_bce.keras"]),
    ("H5L001", "SavedModel (tf-keras)", ["broken_savedmodel_corrupt_pb"], ["tfk_sigmoid_head_bce_savedmodel"]),
    ("H5L001", "JSON (tf-keras)", ["broken_cut_arch.json"], ["tfk_sigmoid_head_bce_arch.json"]),
    ("H5L002", "tfk_weights", ["sigmoid_head_bce", "nonfinite_weights"], ["tfk_sigmoid_head_bce.h5"]),
    ("H5L002", "k3_weights", ["sigmoid_head_bce", "nonfinite_weights"], ["k3_sigmoid_head_bce.h5"]),
    ("H5L002", "weights H5 (Keras 3, sharded)", ["k3_sharded_weights/model.weights.json"], ["k3_sigmoid_head_bce.h5"]),
    ("H5L003", "legacy H5 named .keras", ["broken_hdf5_named.keras"], ["tfk_sigmoid_head_bce.h5"]),
    ("H5L003", ".keras named .h5", ["broken_keras_zip_named.h5"], ["k3_sigmoid_head_bce.keras"]),
    ("H5L003", "SavedModel named .h5", ["broken_savedmodel_named.h5"], ["k3_sigmoid_head_bce_export"]),
    ("H5L004", "SavedModel (tf-keras)", ["broken_savedmodel_no_variables", "broken_savedmodel_renamed_pb",
                                         "broken_savedmodel_cut_keras_metadata"], ["tfk_sigmoid_head_bce_savedmodel"]),
    ("H5L101", "tfk_h5", ["lambda_anon", "lambda_named", "lambda_nested", "lambda_time_distributed",
                          "lambda_os_system", "lambda_writes_file"], ["sigmoid_head_bce"]),
    ("H5L101", "k3_h5", ["lambda_anon", "lambda_nested"], ["sigmoid_head_bce"]),
    ("H5L101", "k3_keras", ["lambda_anon", "lambda_named", "lambda_nested", "lambda_time_distributed",
                            "lambda_os_system", "lambda_writes_file"], ["sigmoid_head_bce"]),
    ("H5L101", "tfk_sm", ["lambda_anon", "lambda_py_function"], ["sigmoid_head_bce"]),
    ("H5L101", "TF.js", ["tfjs_lambda_anon/model.json"], ["tfjs_sigmoid_head_bce/model.json"]),
    ("H5L102", "SavedModel (TensorFlow)", ["tf_module_file_ops_savedmodel"], ["tf_module_clean_savedmodel"]),
    ("H5L102", "tfk_sm", ["lambda_py_function"], ["lambda_anon"]),
    ("H5L103", "tfk_h5", ["edited_tfk_module_os_system.h5"], ["sigmoid_head_bce"]),
    ("H5L103", "k3_h5", ["edited_k3_module_os_system.h5"], ["sigmoid_head_bce"]),
    ("H5L103", "k3_keras", ["edited_k3_module_os_system.keras", "edited_k3_builtins_exec_activation.keras"],
     ["sigmoid_head_bce"]),
    ("H5L104", "tfk_h5", ["edited_external_link.h5", "edited_virtual_dataset.h5", "edited_external_storage.h5"],
     ["sigmoid_head_bce"]),
    ("H5L104", "k3_h5", ["edited_k3_external_link.h5"], ["sigmoid_head_bce"]),
    ("H5L104", "k3_keras", ["edited_k3_weights_external_link.keras"], ["sigmoid_head_bce"]),
    ("H5L105", "k3_keras", ["edited_zip_slip.keras", "edited_absolute_member.keras", "edited_duplicate_config.keras",
                            "k3_sigmoid_head_bce_npz.keras"], ["sigmoid_head_bce"]),
    *_each("H5L201", H5_KERAS, ["linear_head_bce", "linear_head_cce", "linear_reshape_flatten_dropout",
                                "multi_loss_list_missing_activation"],
           ["sigmoid_head_bce", "softmax3_cce", "softmax_reshape_flatten_dropout", "activation_layer_softmax"]),
    ("H5L201", "tfk_sm", ["linear_head_bce"], ["sigmoid_head_bce"]),
    ("H5L201", "TF.js", ["tfjs_linear_head_bce/model.json"], ["tfjs_sigmoid_head_bce/model.json"]),
    *_each("H5L202", ALL4, ["sigmoid_head_bce_from_logits"], ["sigmoid_head_bce", "logits_scce_from_logits"]),
    ("H5L203", "tfk_h5", ["single_unit_softmax", "single_unit_softmax_bce"], ["softmax3_cce", "sigmoid_head_bce"]),
    *_each("H5L203", ("k3_h5", "k3_keras"), ["single_unit_softmax"], ["softmax3_cce", "sigmoid_head_bce"]),
    ("H5L203", "tfk_sm", ["single_unit_softmax"], ["sigmoid_head_bce"]),
    *_each("H5L204", H5_KERAS, ["sigmoid3_cce", "softmax3_bce", "sigmoid_mse"], ["softmax3_cce", "sigmoid_head_bce"]),
    ("H5L204", "tfk_sm", ["sigmoid3_cce"], ["sigmoid_head_bce"]),
    *_each("H5L205", H5_KERAS, ["logits_scce_from_logits", "multi_loss_dict", "multi_loss_list"],
           ["sigmoid_head_bce", "softmax3_cce"]),
    ("H5L205", "tfk_sm", ["logits_scce_from_logits"], ["sigmoid_head_bce"]),
    *_each("H5L206", ALL4, ["float16_softmax_output"], ["float16_hidden_float32_output"]),
    ("H5L301", "tfk_h5", ["custom_layer_unregistered", "custom_layer_registered_acme", "custom_activation",
                          "custom_initializer", "custom_loss", "custom_metric"], ["sigmoid_head_bce"]),
    ("H5L301", "k3_h5", ["custom_layer_unregistered"], ["sigmoid_head_bce"]),
    ("H5L301", "k3_keras", ["custom_layer_unregistered", "custom_layer_registered_acme", "custom_activation",
                            "custom_initializer", "custom_loss", "custom_metric"], ["sigmoid_head_bce"]),
    ("H5L301", "tfk_sm", ["custom_layer_unregistered"], ["sigmoid_head_bce"]),
    *_each("H5L304", ("tfk_h5", "tfk_keras", "tfk_sm"), ["tfoplambda"], ["sigmoid_head_bce"]),
    ("H5L401", "tfk_h5", ["edited_no_keras_version.h5"], ["sigmoid_head_bce"]),
    ("H5L401", "k3_h5", ["edited_k3_no_keras_version.h5"], ["sigmoid_head_bce"]),
    ("H5L401", "k3_keras", ["edited_no_metadata.keras"], ["sigmoid_head_bce"]),
    ("H5L401", "tfk_sm", ["edited_tfk_savedmodel_no_tf_version"], ["sigmoid_head_bce"]),
    ("H5L401", "SavedModel (Keras 3 export)", ["edited_savedmodel_no_tf_version"], ["k3_sigmoid_head_bce_export"]),
    ("H5L402", "tfk_h5", ["edited_backend_theano.h5"], ["sigmoid_head_bce"]),
    ("H5L402", "tfk_json", ["edited_backend_theano_arch.json"], ["sigmoid_head_bce"]),
    ("H5L403", "tfk_h5", ["stateful_lstm", "lstm_not_stateful", "float16_softmax_output", "sigmoid_head_bce_from_logits",
                          "tfoplambda", "sigmoid_mse", "lambda_time_distributed"], ["sigmoid_head_bce"]),
    ("H5L403", "k3_h5", ["sigmoid_mse"], ["sigmoid_head_bce", "k3_sigmoid_mse.keras"]),
    ("H5L403", ".keras", ["tfk_sigmoid_head_bce.keras"], ["k3_sigmoid_head_bce.keras"]),
    ("H5L403", "SavedModel", ["tfk_sigmoid_head_bce_savedmodel"], ["k3_sigmoid_head_bce_export"]),
    ("H5L403", "JSON", ["tfk_sigmoid_head_bce_arch.json"], ["k3_sigmoid_head_bce_arch.json"]),
    *_each("H5L501", ALL4[:3], ["stateful_lstm", "stateful_bilstm"], ["lstm_not_stateful"]),
    ("H5L501", "tfk_sm", ["stateful_lstm"], ["lstm_not_stateful"]),
    *_each("H5L502", H5_KERAS + ("tfk_weights", "k3_weights"), ["nonfinite_weights"], ["sigmoid_head_bce"]),
    ("H5L502", "TF.js", ["tfjs_nonfinite_weights/model.json"], ["tfjs_sigmoid_head_bce/model.json"]),
    *_each("H5L503", H5_KERAS, ["zero_output_kernel"], ["sigmoid_head_bce"]),
    *_each("H5L504", H5_KERAS, ["normalization_unadapted"], ["normalization_adapted"]),
    ("H5L505", "tfk_h5", ["broken_weights_missing_group.h5", "broken_weights_wrong_shape.h5"], ["sigmoid_head_bce"]),
    ("H5L505", "k3_h5", ["broken_k3_weights_wrong_shape.h5"], ["sigmoid_head_bce"]),
    ("H5L505", "k3_keras", ["broken_k3_weights_wrong_shape.keras"], ["sigmoid_head_bce"]),
]

# Rules no TF 2.21 writer can produce honestly (NOT_APPLICABLE says why); real-world tests cover them.
UNMAKEABLE = {"H5L302", "H5L303"}

# Rules, or formats of a rule, with no sample, and why (rendered into the README next to the coverage table).
NOT_APPLICABLE = {
    "TF.js": "converted from tf-keras `.h5` samples for H5L101, H5L201 and H5L502 only: the converter copies the "
             "same Keras config, training config and weights, which the other rules read the same way.",
    "H5L302": "cannot be made honestly with TF 2.21: it needs the third-party package itself (a layer registered "
              "by tensorflow_addons / keras_nlp ...); registering a fake class under a third party's package name "
              "would not be a real file. Covered by the real-world files in `../shared/realworld/`.",
    "H5L303": "cannot be made with TF 2.21: `CuDNNLSTM` / `CuDNNGRU` no longer exist in TF 2.21 / tf-keras 2.21 / "
              "Keras 3. Covered by the real-world files.",
    "H5L304": "applies to files whose Keras had classes the target has not: Keras 3 cannot build `TFOpLambda` or "
              "other removed classes, so there are tf-keras samples only.",
    "H5L402": "Theano / CNTK ran only under Keras 1-2: no Keras 3 or SavedModel sample (a SavedModel is TensorFlow's "
              "own format).",
    "H5L403": "under the default target (Keras 3) every Keras 3 `.keras` sample loads: no positive `.keras (Keras 3)`.",
    "H5L102": "SavedModel graphs only (the other formats store no graph ops).",
    "H5L103": "configs with `module`s only (`.keras`, and the `.h5` both Keras lines write); tf-keras SavedModel "
              "metadata is stored without modules.",
    "H5L104": "HDF5 only (legacy `.h5`, `.keras`'s `model.weights.h5`, `.weights.h5`).",
    "H5L105": "`.keras` zips only.",
    "H5L502-H5L505": "read stored weights, which h5lint reads from HDF5 and `.keras` but not from SavedModel "
                     "checkpoints (`variables/`): no SavedModel samples.",
    "H5L503-H5L505": "need the model config next to the weights (which layer is the output, which one a "
                     "Normalization, what shape a kernel must have): no weights-only samples.",
    "H5L201-H5L206": "need the compiled loss or the layer config: no weights-only or `to_json` samples (to_json "
                     "stores no loss).",
}


def coverage_rows(c):
    """COVERAGE with writer kinds resolved to (code, label, positive names, negative names)."""
    rows = []
    for code, kind, positives, negatives in COVERAGE:
        if kind in LABELS:
            pattern = c.WRITERS[kind][0]
            name = (lambda n: n if n in c.SAMPLES else pattern.format(n))
            rows.append((code, LABELS[kind], [name(n) for n in positives], [name(n) for n in negatives]))
        else:
            rows.append((code, kind, positives, negatives))
    return rows


def apply_coverage(c) -> None:
    """Check COVERAGE against the registry and record each positive's matching negatives in it."""
    codes_of = {n: {f["code"] for f in s["findings"]} for n, s in c.SAMPLES.items()}
    covered = set()
    for code, label, positives, negatives in coverage_rows(c):
        for name in positives + negatives:
            assert name in c.SAMPLES, f"{code} {label}: no sample {name}"
        for name in positives:
            assert code in codes_of[name], f"{code} {label}: positive {name} has no {code} finding"
            c.SAMPLES[name].setdefault("negatives", {}).setdefault(code, [])
            c.SAMPLES[name]["negatives"][code] += [n for n in negatives if n not in c.SAMPLES[name]["negatives"][code]]
        for name in negatives:
            assert code not in codes_of[name], f"{code} {label}: negative {name} has a {code} finding"
        covered.add(code)
    catalog = {p.stem for p in (c.ROOT / "rules" / "catalog").glob("H5L*.toml")}
    missing = catalog - covered - UNMAKEABLE
    assert not missing, f"rules without a positive and a negative sample: {sorted(missing)}"


STEPS = [step_formats, step_savedmodels, step_correctness, step_security, step_tfjs, step_broken, step_edited,
         step_load_check]


# ---------------------------------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------------------------------

README_HEAD = """# sample_models — real model files for h5lint's tests

**Generated — do not edit by hand.** Rebuild everything (this README and `expected.json` included) with

    /work/tfvenv/bin/python tools/make_sample_models.py

from the repository root, using a Python that has TensorFlow {tf}, tf-keras {tfk}, Keras {k3}, h5py and
tensorflowjs 4.22.0 (`pip install --no-deps tensorflowjs==4.22.0`; the converter's unused optional imports are stubbed
in `sys.modules` by the generator). h5lint itself never imports TensorFlow; only this generator does.
`--docs-only` rewrites only this README, `expected.json` and samples that are new (or named with `--refresh`), so the
other binary files stay as they are; the expectations live in `tools/sample_models_cases.py`.

Every model file was written by a real writer. Name prefixes:

| prefix | writer |
| --- | --- |
| `tfk_` | tf-keras {tfk} (`import tf_keras`) |
| `k3_` | Keras {k3} (`import keras`, TensorFlow backend) |
| `tf_` | TensorFlow {tf} without Keras (`tf.saved_model.save`, TF1 `SavedModelBuilder`) |
| `tfjs_` | tensorflowjs 4.22.0 converter run on a `tfk_` `.h5` file |
| `broken_` | a copy of a real file cut or damaged by the generator (truncated, bytes overwritten, member removed, file renamed) |
| `edited_` | a copy of a real file edited by the generator so that it stays readable but carries the problem under test (HDF5 attribute rewritten / link added with h5py, zip member added / removed / rewritten, protobuf field cleared) |

Suffixes: `.h5` full legacy HDF5 model; `_weights.h5` / `.weights.h5` weights only; `.keras` zip;
`_unzipped/` Keras 3 `save_model(zipped=False)` folder; `_savedmodel/` / `_export/` SavedModel folders;
`_arch.json` `model.to_json()` output; `tfjs_*/model.json` TF.js layers model.

Models are tiny (a few Dense units), seeds are fixed (`keras.utils.set_random_seed(1234)` and the tf-keras
equivalent). Timestamps (`date_saved`), fingerprint hashes, Keras 3 `shared_object_id`s and the marshalled Lambda
bytecode (which embeds the generator's path) still change between runs.

## Expected findings (exact)

`tests/test_samples.py` runs h5lint once over this folder with every rule enabled and the default target
(`keras>=3`) and asserts, for each sample below: its format (`unreadable` = h5lint cannot read it, no format), the
Keras version h5lint reads from it (— = none recorded: Keras 3 weights stores and `to_json`, `model.export`, unreadable
files), and **exactly** the findings listed (code + location, nothing more, nothing less). It also asserts that h5lint
finds no artifact in this folder that is not listed here. `pytest tests/test_samples.py -k <sample name>` checks one.

Location syntax (each rule's convention, see `h5lint explain CODE`):

* `layer:<path>` — layer names from the top model joined with `/` (`layer:inner_seq/inner_lambda`); inside a
  single-layer wrapper the wrapped layer's name (`layer:td/td_lambda`). A `Bidirectional` whose two directions are
  both stateful is one H5L501 finding at the wrapper (`layer:bilstm`). TFOpLambda layers use their auto names
  (`layer:tf.math.multiply`).
* `output:<output layer name>` — a model output, named after the layer that produces it (H5L201-H5L205). H5L203
  and H5L206 report the layer that computes the softmax / in float16 (`layer:out`).
* `op:<OpName>` — a graph op type in a SavedModel.
* `member:<name>` — a zip member of a `.keras` file, a `.npy` inside its `model.weights.npz`, a damaged file of a
  SavedModel folder, or the missing part of one (`member:variables/`).
* `object:<name>` — a custom object by the key `custom_objects` needs to load it (`object:Scale`,
  `object:acme>AcmeScale`, `object:my_loss`).
* `hdf5:<path>` — an HDF5 object path (`hdf5:/model_weights/ext`), also inside a `.keras`'s `model.weights.h5`.
* `file` — the whole file/folder.

A finding marked `when target_keras>=3` (`"when": "target_keras>=3"` in `expected.json`) depends on the target:
H5L403 (the file as a whole cannot be loaded by Keras 3, one finding per file) and H5L304 (per layer of a class
Keras 3 does not have). h5lint's default target is Keras 3; under a Keras 2 / tf-keras target they are not reported.
A sample whose list is empty is a negative sample: h5lint must report nothing for it.

`expected.json` holds the same table: `{{"<name>": {{"format": "h5-full|h5-weights|keras-zip|keras-dir|savedmodel|tfjs|keras-json" or null when the file cannot be read, "keras_version": "..." or null, "findings": [{{"code", "location", "when"?}}], "made_by": "...", "notes"?, "negatives"?: {{"<code>": [matching negative samples]}}, "load_check"?}}}}`.
Folders are listed by the folder name (SavedModel, unzipped Keras) or by their entry file (`tfjs_*/model.json`,
`k3_sharded_weights/model.weights.json` and each shard).

### Ground truth: what the real loaders say (`load_check`)

For every `tfk_`/`k3_` full-model sample the generator also runs, in a fresh process without any of the generator's
custom classes, `keras.models.load_model(path, safe_mode=True)` (Keras {k3}) and `tf_keras.models.load_model(path)`
(tf-keras {tfk}); `model_from_json` for the `*_arch.json` files. tf-keras is not given the `*_lambda_*` samples, whose
code its loaders would execute. The result is stored per sample as `load_check` in `expected.json` and summarized in
the "loads?" column below (`k3`/`tfk`: ✓ loads, ✗ fails with the exception type shown). The H5L403 expectations come
from these runs:

* Keras 3 refuses every tf-keras SavedModel folder ("File format not supported"), every tf-keras `.keras` zip and
  every tf-keras `to_json` file ("Could not locate class 'Functional'") → `H5L403 file`.
* tf-keras `.h5` with an `LSTM` fails in Keras 3 ("Unrecognized keyword arguments passed to LSTM: {{'time_major': False}}"),
  also inside `Bidirectional`; with a `mixed_float16` layer (`keras.mixed_precision` `Policy` dict) it fails with
  `AttributeError: 'str' object has no attribute 'quantization_mode'`; a loss **object** in `training_config`
  (`BinaryCrossentropy(from_logits=True)`, `SparseCategoricalCrossentropy(from_logits=True)`, which tf-keras saves with
  `"reduction": "auto"` and `"fn"`) fails on compile; a `Lambda` inside `TimeDistributed` keeps tf-keras-only keys
  (`function_type`, `module`, …) that Keras 3 rejects; `TFOpLambda`/`SlicingOpLambda` are unknown layers.
* `loss="mse"` saved to legacy `.h5` fails to load in Keras 3 **even when Keras 3 wrote it** (`k3_sigmoid_mse.h5`:
  "Could not deserialize 'keras.metrics.mse'"), so it is `H5L403 file` there too; the `.keras` of the same model loads.
* Custom objects make both loaders fail; that is H5L301's finding, not H5L403's.
* The reverse direction: tf-keras {tfk} cannot load any `k3_` `.h5` or `.keras` sample (Keras 3 configs) — these
  are H5L403 under a `keras<3` target, which `expected.json` does not list.

### Other facts

* Every TF2 SavedModel (clean ones included) contains the checkpoint ops `SaveV2`, `RestoreV2`, `MergeV2Checkpoints`,
  `ShardedFilename`, `StringJoin`, `StaticRegexFullMatch` in its `__inference__traced_save/restore` functions; only
  `tf_module_file_ops_savedmodel` (`ReadFile`/`WriteFile`) and `tfk_lambda_py_function_savedmodel` (`EagerPyFunc`)
  have ops that H5L102 reports.
* Keras 3 weight stores (`model.weights.h5` in `.keras`, `*.weights.h5`, shards) name layers by auto-generated paths
  (`layers/dense`, `layers/dense_1`, `layers/normalization`), **not** by the `name=` given; map them to config
  layers by order and class.
* Keras 3 stores a `def`-ed function in a `Lambda` only by name (`{{"class_name": "function", "config": "double_it"}}`);
  only real `lambda`s get marshalled bytecode (`__lambda__`). tf-keras marshals both.
* Both Keras lines write `keras_version` on the HDF5 root **and** on `model_weights/`, and readers fall back to the
  second, so `edited_*no_keras_version.h5` delete both.
* Keras 3 cannot write a SavedModel with Keras metadata (only `model.export`), so stateful / head rules on
  SavedModels are only sampled with tf-keras.

"""


def _short_load(lc: dict) -> str:
    parts = []
    for loader, res in lc.items():
        tag = "k3" if loader.startswith("keras") else "tfk"
        if res == "ok":
            parts.append(f"{tag} ✓")
        elif res.startswith("error: "):
            parts.append(f"{tag} ✗ {res[7:].split(':', 1)[0]}")
        else:
            parts.append(f"{tag} –")
    return ", ".join(parts)


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def render_readme(c) -> str:
    out = [README_HEAD.format(tf=c.TF_VERSION, tfk=c.TFK_VERSION, k3=c.K3_VERSION)]
    out.append("## Coverage: a positive and a matching negative per rule and format\n\n"
               "Checked by the generator and by `tests/test_samples.py` (each positive lists its negatives in "
               "`expected.json` under `negatives`).\n\n"
               "| rule | format | positive samples | matching negative samples |\n| --- | --- | --- | --- |\n")
    for code, label, positives, negatives in coverage_rows(c):
        out.append(f"| {code} | {label} | {_names(positives)} | {_names(negatives)} |\n")
    out.append("\nNot sampled (a rule, or a format of a rule), and why:\n\n")
    out.extend(f"* **{code}**: {why}\n" for code, why in sorted(NOT_APPLICABLE.items()))
    out.append("\n## Samples\n\n"
               "| name | format | keras_version | how it was made | expected findings (exact) | loads? |\n"
               "| --- | --- | --- | --- | --- | --- |\n")
    for name, s in sorted(c.SAMPLES.items()):
        fs = "; ".join(f"{f['code']} `{f['location']}`" + (f" (when {f['when']})" if f.get("when") else "")
                       for f in s["findings"]) or "— (none)"
        notes = s.get("notes", "")
        how = s["made_by"] + (f". {notes[0].upper()}{notes[1:]}" if notes else "")
        how = how.replace("|", "\\|")
        loads = _short_load(s["load_check"]) if s.get("load_check") else ""
        out.append(f"| `{name}` | {s['format'] or 'unreadable'} | {s['keras_version'] or '—'} | {how} | {fs} | {loads} |\n")
    return "".join(out)
