"""Try to load generated samples with the real loaders; run by make_sample_models.py in a fresh process.

Usage: python sample_models_loadcheck.py <sample_models dir> <name>...   -> prints one JSON object
{name: {"keras <v>": "ok" | "error: ...", "tf_keras <v>": ...}} on the last line of stdout.

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


def attempt(fn):
    try:
        fn()
        return "ok"
    except Exception as e:  # noqa: BLE001 - any loader failure is a result
        msg = " ".join(str(e).split())
        return f"error: {type(e).__name__}: {msg[:160]}"


def main():
    root, names = sys.argv[1], sys.argv[2:]
    out = {}
    for name in names:
        path = os.path.join(root, name)
        res = {f"keras {keras.__version__}": attempt(lambda: keras.models.load_model(path, safe_mode=True))}
        if "_lambda_" in name:  # the Lambda samples (not tfk_tfoplambda: TFOpLambda runs TF ops only)
            res[f"tf_keras {tf_keras.__version__}"] = "not tried (Lambda layer: the loader would run its code)"
        else:
            res[f"tf_keras {tf_keras.__version__}"] = attempt(lambda: tf_keras.models.load_model(path))
        out[name] = res
        keras.backend.clear_session()
        tf_keras.backend.clear_session()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
