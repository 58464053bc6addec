"""Try to load generated samples with the real loaders; run by make_sample_models.py in a fresh process
(the result is each sample's ``load_check`` in sample_models/samples.json).

Usage: python sample_models_loadcheck.py <sample_models dir> <name>...   -> prints one JSON object
{name: {"keras <v>": "ok" | "error: ...", "tf_keras <v>": ...}} on the last line of stdout.
Model files are given to ``load_model``, ``*.json`` architectures to ``model_from_json``. Error messages name
files relative to the samples folder, so the result does not depend on where the samples were built.

The fresh process has none of the generator's custom classes registered, like a user who only has the file.
Files with Lambda layers are not given to tf-keras (its legacy loaders rebuild the graph and so run the
marshalled code); Keras 3 refuses them in safe mode before running anything.
"""
import json
import os
import sys
import warnings

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ.pop("H5LINT_PWN", None)
warnings.filterwarnings("ignore")

import keras  # noqa: E402
import tf_keras  # noqa: E402


def attempt(fn, root):
    try:
        fn()
        return "ok"
    except Exception as e:  # noqa: BLE001 - any loader failure is a result
        msg = " ".join(str(e).replace(os.path.join(root, ""), "").split())
        return f"error: {type(e).__name__}: {msg[:160]}"


def loader(package, path):
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        return lambda: package.models.model_from_json(text)
    if package is keras:
        return lambda: keras.models.load_model(path, safe_mode=True)
    return lambda: package.models.load_model(path)


def main():
    root, names = os.path.abspath(sys.argv[1]), sys.argv[2:]
    out = {}
    for name in names:
        path = os.path.join(root, name)
        res = {f"keras {keras.__version__}": attempt(loader(keras, path), root)}
        if "_lambda_" in name:  # the Lambda samples (not tfk_tfoplambda: TFOpLambda runs TF ops only)
            res[f"tf_keras {tf_keras.__version__}"] = "not tried (Lambda layer: the loader would run its code)"
        else:
            res[f"tf_keras {tf_keras.__version__}"] = attempt(loader(tf_keras, path), root)
        out[name] = res
        keras.backend.clear_session()
        tf_keras.backend.clear_session()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
