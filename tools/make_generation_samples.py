"""Write the old- and other-generation samples of sample_models/ with the real libraries of that generation.

Each generation is one Keras/TensorFlow release that the main generator (make_sample_models.py, TF 2.21 /
Keras 3.15 / tf-keras 2.21) cannot be: TensorFlow 1.15, the tf.keras of TF 2.13 and 2.15, Keras 3.8 on
PyTorch. Run by hand from the repository root, with any Python >= 3.8 (never from h5lint or its tests):

    python tools/make_generation_samples.py tf1.15 tf2.13 tf2.15 keras3.8-torch   # or some of them

For each generation the script makes a scratch venv with the pyenv interpreter the release supports
(/root/.pyenv/versions/X.Y.Z/bin/python), installs the release, runs this same file inside it
(``--build GENERATION OUT``: the builders below, so this file stays Python 3.7 syntax), then asks the
real current loaders what they make of each file (tools/sample_models_loadcheck.py in the TF 2.21 venv,
``--loaders``: Keras 3.15.1 and tf_keras 2.21.0), copies the files into sample_models/ and records them in
sample_models/samples.json (``made_by``, ``notes``, ``load_check`` and ``generator``, which tells
make_sample_models.py to keep the entry), and deletes the venv.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SAMPLES = os.path.join(ROOT, "sample_models")
FACTS = os.path.join(SAMPLES, "samples.json")
PYENV = "/root/.pyenv/versions"
LOADERS = "/work/venvs/tf221/bin/python"  # tensorflow-cpu 2.21, tf-keras 2.21, keras 3.15.1

GENERATIONS = {
    "tf1.15": {"python": "3.7", "requirements": ["tensorflow==1.15.*", "protobuf<3.20", "numpy<1.19", "h5py<3"]},
    "tf2.13": {"python": "3.11", "requirements": ["tensorflow-cpu==2.13.*", "numpy<2"]},
    "tf2.15": {"python": "3.11", "requirements": ["tensorflow-cpu==2.15.*", "numpy<2"]},
    # torch==2.13.0 is the CPU wheel kept on this machine's disk for Python 3.11 (pip takes it from there).
    "keras3.8-torch": {"python": "3.11", "requirements": ["keras==3.8.*", "torch==2.13.0", "h5py"],
                       "env": {"KERAS_BACKEND": "torch"}},
    # keras-hub without its tokenizer dependencies (tensorflow-text pulls TensorFlow 2.20): a backbone-only
    # preset needs none of them. orbax-checkpoint for keras.callbacks.OrbaxCheckpoint (Keras >= 3.13).
    "keras3.15-jax": {"python": "3.11",
                      "requirements": ["keras==3.15.*", "jax", "jaxlib", "orbax-checkpoint", "h5py", "absl-py",
                                       "regex", "rich", "packaging", "kagglehub", "tokenizers", "sentencepiece"],
                      "no_deps": ["keras-hub==0.32.*"], "env": {"KERAS_BACKEND": "jax"}},
}
GENERATOR = "tools/make_generation_samples.py"


# ----------------------------------------------------------------------------- builders (inside the venv)
def _keras_version(tf):
    """tf.keras's version: its own attribute up to TF 2.5, the keras 2.6-2.15 package's after."""
    version = getattr(tf.keras, "__version__", None)
    if version is None:
        import keras

        version = keras.__version__
    return version


def _register(facts, name, made_by, notes=""):
    facts[name] = {"made_by": made_by}
    if notes:
        facts[name]["notes"] = notes


def build_tf115(out, facts):
    import numpy as np
    import tensorflow as tf

    version = tf.__version__
    keras = tf.keras
    model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,), name="hidden"),
                              keras.layers.Dense(1, activation="sigmoid", name="out")], name="dense_model")
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(np.zeros((4, 4)), np.zeros((4, 1)), verbose=0)
    name = "tf115_initializer_dtype.h5"
    model.save(os.path.join(out, name))
    _register(facts, name, "tensorflow %s (tf.keras %s): model.save('%s'); Sequential Dense(8,relu,'hidden',"
              "input_shape=(4,)) -> Dense(1,sigmoid,'out'), compile('adam', 'binary_crossentropy'), one fit step"
              % (version, _keras_version(tf), name),
              "TF 1.x tf.keras serializes its init_ops initializers with a dtype "
              "(GlorotUniform {'seed': None, 'dtype': 'float32'})")

    name = "tf115_experimental_export_savedmodel"
    keras.experimental.export_saved_model(model, os.path.join(out, name))
    _register(facts, name, "tensorflow %s: tf.keras.experimental.export_saved_model(model, '%s') of the model "
              "above" % (version, name), "the Keras config and version are in assets/saved_model.json")

    name = "tf115_simple_save_savedmodel"
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        w = tf.compat.v1.get_variable("w", [4, 1], initializer=tf.compat.v1.ones_initializer())
        y = tf.sigmoid(tf.matmul(x, w), name="y")
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            tf.compat.v1.saved_model.simple_save(sess, os.path.join(out, name), {"x": x}, {"y": y})
    _register(facts, name, "tensorflow %s: tf.compat.v1.saved_model.simple_save of y = sigmoid(x @ w), "
              "w a 4x1 variable of ones" % version, "a TF 1 graph SavedModel: signatures, no object graph, no Keras")


def _tf2_keras(out, facts, prefix):
    import numpy as np
    import tensorflow as tf

    version = tf.__version__
    keras = tf.keras
    tag = "tensorflow %s (tf.keras %s)" % (version, _keras_version(tf))
    seq = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,), name="hidden"),
                            keras.layers.Dense(1, activation="sigmoid", name="out")], name="sequential_dense")
    seq.compile(optimizer="adam", loss="binary_crossentropy")
    seq.fit(np.zeros((4, 4)), np.zeros((4, 1)), verbose=0)
    name = prefix + "_sequential.keras"
    seq.save(os.path.join(out, name))
    _register(facts, name, "%s: model.save('%s'); Sequential Dense(8,relu,'hidden',input_shape=(4,)) -> "
              "Dense(1,sigmoid,'out'), compile('adam', 'binary_crossentropy'), one fit step" % (tag, name))

    inp = keras.Input(shape=(4,), name="inp")
    hidden = keras.layers.Dense(8, activation="relu", name="hidden")(inp)
    func = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid", name="out")(hidden), name="functional_dense")
    func.compile(optimizer="adam", loss="binary_crossentropy")
    name = prefix + "_functional.keras"
    func.save(os.path.join(out, name))
    _register(facts, name, "%s: model.save('%s'); functional Input(4,'inp') -> Dense(8,relu,'hidden') -> "
              "Dense(1,sigmoid,'out'), compile('adam', 'binary_crossentropy')" % (tag, name))

    cnn = keras.Sequential([
        keras.layers.DepthwiseConv2D(3, input_shape=(8, 8, 3), name="dw"),
        keras.layers.GlobalAveragePooling2D(name="pool"),
        keras.layers.Dense(2, activation="softmax", name="out"),
    ], name="depthwise")
    cnn.compile(optimizer="adam", loss="categorical_crossentropy")
    for suffix in (".h5", ".keras"):
        name = prefix + "_depthwise" + suffix
        cnn.save(os.path.join(out, name))
        _register(facts, name, "%s: model.save('%s'); Sequential DepthwiseConv2D(3,'dw',input_shape=(8,8,3)) -> "
                  "GlobalAveragePooling2D('pool') -> Dense(2,softmax,'out') (the MobileNet / Teachable Machine "
                  "pattern), compile('adam', 'categorical_crossentropy')" % (tag, name),
                  "tf.keras writes groups=1 into every DepthwiseConv2D config")


def build_tf213(out, facts):
    _tf2_keras(out, facts, "tf213")


def build_tf215(out, facts):
    _tf2_keras(out, facts, "tf215")


def build_keras38_torch(out, facts):
    import keras
    import numpy as np

    inp = keras.Input(shape=(4,), name="inp")
    hidden = keras.layers.Dense(8, activation="relu", name="hidden")(inp)
    model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid", name="out")(hidden), name="torch_adam")
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(np.zeros((4, 4)), np.zeros((4, 1)), verbose=0)
    name = "k38_torch_adam.keras"
    model.save(os.path.join(out, name))
    _register(facts, name, "keras %s on the %s backend: model.save('%s'); functional Input(4,'inp') -> "
              "Dense(8,relu,'hidden') -> Dense(1,sigmoid,'out'), compile('adam', 'binary_crossentropy'), one fit "
              "step" % (keras.__version__, keras.backend.backend(), name),
              "the compiled optimizer is stored as keras.src.backend.torch.optimizers.torch_adam.Adam")


def build_keras315_jax(out, facts):
    import keras
    import keras_hub
    import numpy as np

    tag = "keras %s on the %s backend, keras-hub %s" % (keras.__version__, keras.backend.backend(),
                                                         keras_hub.__version__)
    backbone = keras_hub.models.GemmaBackbone(vocabulary_size=16, num_layers=1, num_query_heads=1,
                                              num_key_value_heads=1, hidden_dim=8, intermediate_dim=16, head_dim=8,
                                              name="gemma_tiny")
    name = "khub_gemma_tiny_preset"
    backbone.save_to_preset(os.path.join(out, name), max_shard_size=0.000001)
    reloaded = keras_hub.models.Backbone.from_preset(os.path.join(out, name))
    _register(facts, name, "%s: keras_hub.models.GemmaBackbone(vocabulary_size=16, num_layers=1, num_query_heads=1, "
              "num_key_value_heads=1, hidden_dim=8, intermediate_dim=16, head_dim=8).save_to_preset('%s', "
              "max_shard_size=0.000001)  # ~1 KB shards" % (tag, name),
              "a KerasHub preset: config.json (keras_hub>GemmaBackbone), metadata.json with keras_hub_version, "
              "sharded weights (model.weights.json and its shards); keras_hub.models.Backbone.from_preset loaded it "
              "back (%d weights)" % len(reloaded.weights))

    inp = keras.Input(shape=(4,), name="inp")
    hidden = keras.layers.Dense(8, activation="relu", name="hidden")(inp)
    model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid", name="out")(hidden), name="orbax_dense")
    model.compile(optimizer="adam", loss="binary_crossentropy")
    name = "k315_orbax_checkpoint"
    model.fit(np.zeros((4, 4)), np.zeros((4, 1)), epochs=1, verbose=0,
              callbacks=[keras.callbacks.OrbaxCheckpoint(os.path.join(out, name), save_freq="epoch")])
    reloaded = keras.saving.load_model(os.path.join(out, name))
    _register(facts, name, "%s: model.fit(..., epochs=1, callbacks=[keras.callbacks.OrbaxCheckpoint('%s', "
              "save_freq='epoch')]); functional Input(4,'inp') -> Dense(8,relu,'hidden') -> Dense(1,sigmoid,'out'), "
              "compile('adam', 'binary_crossentropy')" % (tag, name),
              "an Orbax checkpoint folder; keras.saving.load_model read it back in the writing venv (%s)"
              % reloaded.name)


BUILDERS = {"tf1.15": build_tf115, "tf2.13": build_tf213, "tf2.15": build_tf215,
            "keras3.8-torch": build_keras38_torch, "keras3.15-jax": build_keras315_jax}


def build(generation, out):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    facts = {}
    BUILDERS[generation](out, facts)
    with open(os.path.join(out, "facts.json"), "w") as fh:
        json.dump(facts, fh)


# ------------------------------------------------------------------------------ driver (outside the venv)
def _python(version):
    found = sorted(p for p in os.listdir(PYENV) if p.startswith(version + "."))
    if not found:
        raise SystemExit("no Python %s under %s" % (version, PYENV))
    return os.path.join(PYENV, found[-1], "bin", "python")


def make(generation, scratch):
    spec = GENERATIONS[generation]
    venv = os.path.join(scratch, generation)
    subprocess.run([_python(spec["python"]), "-m", "venv", venv], check=True)
    vpy = os.path.join(venv, "bin", "python")
    subprocess.run([vpy, "-m", "pip", "install", "-q", "pip<24.1"], check=True)
    subprocess.run([vpy, "-m", "pip", "install", "-q", "--prefer-binary"] + spec["requirements"], check=True)
    if spec.get("no_deps"):
        subprocess.run([vpy, "-m", "pip", "install", "-q", "--no-deps"] + spec["no_deps"], check=True)
    out = os.path.join(scratch, generation + "-out")
    os.makedirs(out)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **spec.get("env", {}))
    env.pop("PYTHONPATH", None)
    subprocess.run([vpy, os.path.abspath(__file__), "--build", generation, out], check=True, env=env, cwd=scratch)
    with open(os.path.join(out, "facts.json")) as fh:
        facts = json.load(fh)
    checked = subprocess.run([LOADERS, os.path.join(HERE, "sample_models_loadcheck.py"), out] + sorted(facts),
                             check=True, capture_output=True, text=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    loads = json.loads(checked.stdout.strip().splitlines()[-1])
    for name, entry in facts.items():
        entry["load_check"] = loads[name]
        entry["generator"] = "%s %s" % (GENERATOR, generation)
        target = os.path.join(SAMPLES, name)
        if os.path.isdir(target):
            shutil.rmtree(target)
        elif os.path.exists(target):
            os.remove(target)
        source = os.path.join(out, name)
        (shutil.copytree if os.path.isdir(source) else shutil.copyfile)(source, target)
    with open(FACTS) as fh:
        recorded = json.load(fh)
    recorded.update(facts)
    with open(FACTS, "w") as fh:
        fh.write(json.dumps(dict(sorted(recorded.items())), indent=2, sort_keys=False) + "\n")
    shutil.rmtree(venv, ignore_errors=True)
    print("[make_generation_samples] %s: %s" % (generation, ", ".join(sorted(facts))), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("generations", nargs="*", help="|".join(GENERATIONS))
    parser.add_argument("--build", nargs=2, metavar=("GENERATION", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        build(*args.build)
        return 0
    scratch = tempfile.mkdtemp(prefix="h5lint-generations-")
    try:
        for generation in args.generations or list(GENERATIONS):
            make(generation, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
