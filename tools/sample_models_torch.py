"""Write the TorchModuleWrapper sample with Keras 3 on the PyTorch backend; run by make_sample_models.py.

Keras picks one backend per process and the TensorFlow venv has no torch, so make_sample_models.py runs this
script with the Python its ``--torch-python`` names (one with ``torch`` and the same Keras 3, e.g. ``pip install
torch==2.13.0 keras==3.15.1 h5py``).

Usage: python sample_models_torch.py <build folder>  -> writes k3_torch_module_wrapper.keras there and prints one
JSON object {"made_by", "notes", "load_check"} on the last line of stdout.

The wrapped module is a plain ``torch.nn.Linear``: its pickle names only torch's own classes and helpers. The
load check gives the file to ``keras.models.load_model(safe_mode=True)``, which refuses the pickle before
``torch.load`` runs.
"""
import json
import os
import sys
import warnings

os.environ["KERAS_BACKEND"] = "torch"
warnings.filterwarnings("ignore")

import keras  # noqa: E402
import torch  # noqa: E402

NAME = "k3_torch_module_wrapper.keras"


def main() -> None:
    out = sys.argv[1]
    keras.utils.set_random_seed(1234)
    inp = keras.Input(shape=(4,), name="inp")
    x = keras.layers.TorchModuleWrapper(torch.nn.Linear(4, 8), output_shape=(None, 8), name="torch_linear")(inp)
    out_layer = keras.layers.Dense(1, activation="sigmoid", name="out")(x)
    model = keras.Model(inp, out_layer, name="torch_module_wrapper")
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    path = os.path.join(out, NAME)
    model.save(path)
    keras.backend.clear_session()
    try:
        keras.models.load_model(path, safe_mode=True)
        result = "ok"
    except Exception as e:  # noqa: BLE001 - any loader failure is a result
        result = f"error: {type(e).__name__}: {' '.join(str(e).split())[:160]}"
    print(json.dumps({
        "made_by": f"keras {keras.__version__} (backend torch, torch {torch.__version__}): model.save('{NAME}'); "
                   "Input(4)->TorchModuleWrapper(torch.nn.Linear(4, 8), output_shape=(None, 8), name='torch_linear')"
                   "->Dense(1,sigmoid,'out'), compile(sgd, 'binary_crossentropy')",
        "notes": "config.json stores the wrapped module as base64 of torch.save's zip archive (archive/data.pkl is the "
                 "module's pickle, archive/data/* its tensors)",
        "load_check": {f"keras {keras.__version__} (torch backend)": result},
    }))


if __name__ == "__main__":
    main()
