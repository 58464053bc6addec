"""Measure which ``custom_objects`` keys the real loaders need for each custom-object sample; run by
make_sample_models.py in a fresh process (the result is each sample's ``custom_objects`` in samples.json).

Usage: python sample_models_custom_objects.py <sample_models dir> <name>...   -> one JSON object on the last line:
{name: {"keras <v>": {"required_measured": [keys], "compile": true|false} | {"loads": false, "error": ...},
        "tf_keras <v>": ...}}

The candidate keys of each Python object the sample names are its ``__name__`` and, for a registered class, its
registered name (``acme>AcmeScale``); the objects are unregistered again, as for a user who has the code but did
not import the module that registers it. Subsets are tried smallest first with ``load_model``'s defaults
(``compile=True``, Keras 3 ``safe_mode=True``), then with ``compile=False``: the first that loads is recorded.
tf-keras is tried on tf-keras files only, Keras 3 on everything but SavedModels (it reads none).
"""

import itertools
import json
import os
import sys
import warnings

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
warnings.filterwarnings("ignore")

import keras  # noqa: E402
import tf_keras  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sample_models_cases as cases  # noqa: E402


def _keys(package, objects) -> dict[str, object]:
    keys = {}
    for obj in objects:
        keys[obj.__name__] = obj
        registered = package.saving.get_registered_name(obj)
        if ">" in registered:
            keys[registered] = obj
            package.saving.get_custom_objects().pop(registered, None)  # the user did not import the registering module
    return keys


def _loads(package, path: str, custom: dict, compile_: bool) -> str | None:
    try:
        if package is keras:
            keras.models.load_model(path, custom_objects=custom, compile=compile_, safe_mode=True)
        else:
            tf_keras.models.load_model(path, custom_objects=custom, compile=compile_)
        return None
    except Exception as exc:  # noqa: BLE001 - a failed load is a measurement
        return f"{type(exc).__name__}: {' '.join(str(exc).split())[:160]}"
    finally:
        package.backend.clear_session()


def measure(package, path: str, objects) -> dict:
    keys = _keys(package, objects)
    error = None
    for compile_ in (True, False):
        for size in range(len(keys) + 1):
            for subset in itertools.combinations(sorted(keys), size):
                error = _loads(package, path, {k: keys[k] for k in subset}, compile_)
                if error is None:
                    return {"required_measured": list(subset), "compile": compile_}
    return {"loads": False, "error": error}


def main():
    root, names = os.path.abspath(sys.argv[1]), sys.argv[2:]
    out = {}
    for name in names:
        path = os.path.join(root, name)
        base = cases.sample_base(name)
        result = {}
        if not name.endswith("_savedmodel"):
            result[f"keras {keras.__version__}"] = measure(keras, path, cases.CUSTOM_OBJECTS[base](keras))
        if name.startswith("tfk_"):
            result[f"tf_keras {tf_keras.__version__}"] = measure(tf_keras, path, cases.CUSTOM_OBJECTS[base](tf_keras))
        out[name] = result
    print(json.dumps(out))


if __name__ == "__main__":
    main()
