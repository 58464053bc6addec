"""Generate h5lint/keras/data/keras3_arguments.json: the layer arguments tf-keras writes and Keras 3 rejects.

Run by hand in a venv that has Keras 3 and tf-keras installed (never from h5lint or its tests):

    /work/venvs/tf221/bin/python tools/gen_keras3_arguments.py

Measured, not read: every layer class both packages export is built by tf-keras with its defaults (plus the
few required arguments below), its ``get_config()`` is handed to Keras 3's ``from_config``, and each key Keras 3
refuses ("Unrecognized keyword arguments passed to LSTM: {'time_major': False}") is recorded with the value
tf-keras wrote for it by default, then removed and the config tried again. ``h5lint fix`` drops such an
argument only when a file holds exactly that default (then Keras 3 behaves as tf-keras did); H5L403 reports
any of them.

Which arguments Keras 3 rejects is keras_releases.json's (per release, tools/gen_keras_releases.py), and
h5lint judges with that table; this one adds what it cannot hold: the value tf-keras *writes into a config*
by default, which is not always its constructor's default (``rng_type='stateful'`` for a default of None,
initializers as serialized objects), and which arguments are build state. tests/test_keras_releases.py checks
that every argument listed here is one keras_releases.json says the newest Keras 3 rejects.

``batch_input_shape`` is not listed: every tf-keras layer may carry it and it is handled as input shapes are
(moved to an InputLayer). The output is sorted and stable, so a re-run without package changes gives no diff.
"""

from __future__ import annotations

import ast
import inspect
import json
import logging
import os
import re
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)

OUT = Path(__file__).resolve().parents[1] / "h5lint" / "keras" / "data" / "keras3_arguments.json"

# Values for constructor arguments without a default, by parameter name.
REQUIRED = {
    "units": 2,
    "filters": 2,
    "kernel_size": 2,
    "rate": 0.5,
    "output_dim": 2,
    "input_dim": 3,
    "target_shape": [2],
    "dims": [1],
    "n": 2,
    "num_heads": 2,
    "key_dim": 2,
    "size": 2,
    "pool_size": 2,
    "cropping": 1,
    "padding": 1,
    "height": 2,
    "width": 2,
    "axes": 1,
    "num_tokens": 3,
    "max_tokens": 3,
    "equation": "ab,bc->ac",
    "output_shape": [2],
    "factor": 0.1,
    "stddev": 0.1,
    "scale": 1.0,
    "num_bins": 2,
    "height_factor": 0.1,
    "width_factor": 0.1,
}
# Handled on its own (moved to an InputLayer), whatever the class.
NOT_LISTED = {"batch_input_shape"}
# Arguments tf-keras fills in when the layer is built, from the shapes it was called with; Keras 3 rebuilds the
# layer from the call, so any value may be dropped (tf_keras/src/layers/attention/multi_head_attention.py,
# get_config writes _query_shape, _key_shape and _value_shape set by _build_from_signature).
BUILD_STATE = {"MultiHeadAttention": ["key_shape", "query_shape", "value_shape"]}
_REFUSED = re.compile(r"(?:Unrecognized keyword arguments passed to \w+|Argument\(s\) not recognized): (\{.*\})", re.S)
_UNEXPECTED = re.compile(r"unexpected keyword argument '(\w+)'")


def _dict_end(text: str) -> int:
    """Where the dict ``text`` starts with ends: the message goes on after it, and nested dicts hold braces too."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return index + 1
    return len(text)


def _refused_keys(message: str) -> list[str]:
    match = _REFUSED.search(message)
    if match:
        text = match.group(1)
        return list(ast.literal_eval(text[: _dict_end(text)]))
    match = _UNEXPECTED.search(message)
    return [match.group(1)] if match else []


def _default_config(cls) -> dict | None:
    args = {}
    for param in list(inspect.signature(cls.__init__).parameters.values())[1:]:
        if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL) or param.default is not param.empty:
            continue
        if param.name not in REQUIRED:
            return None
        args[param.name] = REQUIRED[param.name]
    try:
        return cls(**args).get_config()
    except Exception:  # noqa: BLE001 - a layer that cannot be built from defaults is not measured
        return None


def measure() -> tuple[dict, list[str], dict]:
    import keras
    import tf_keras

    rejected: dict[str, dict] = {}
    unmeasured: list[str] = []
    for name in sorted(dir(tf_keras.layers)):
        tfk_cls, k3_cls = getattr(tf_keras.layers, name), getattr(keras.layers, name, None)
        if not inspect.isclass(tfk_cls) or not issubclass(tfk_cls, tf_keras.layers.Layer) or k3_cls is None:
            continue
        config = _default_config(tfk_cls)
        if config is None:
            unmeasured.append(name)
            continue
        found = {}
        for _attempt in range(16):
            try:
                k3_cls.from_config(dict(config))
                break
            except Exception as exc:  # noqa: BLE001 - the message names what Keras 3 refuses
                keys = [k for k in _refused_keys(str(exc)) if k in config]
                if not keys:
                    break  # refused for another reason (a value, a missing sublayer): not an argument fact
                for key in keys:
                    found[key] = config.pop(key)
        found = {k: v for k, v in sorted(found.items()) if k not in NOT_LISTED}
        if found:
            rejected[name] = found
    return rejected, unmeasured, {"keras": keras.__version__, "tf_keras": tf_keras.__version__}


def main() -> None:
    rejected, unmeasured, versions = measure()
    doc = {
        "about": "Layer arguments tf-keras writes into configs and Keras 3 rejects, with the value tf-keras writes "
        "by default. Generated by tools/gen_keras3_arguments.py (measured with the packages named in 'sources').",
        "sources": {"keras-3": f"keras {versions['keras']}", "tf-keras": f"tf_keras {versions['tf_keras']}"},
        "rejected": rejected,
        "build_state": BUILD_STATE,
        "unmeasured": unmeasured,
    }
    OUT.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(rejected)} classes, {len(unmeasured)} not measured")


if __name__ == "__main__":
    main()
