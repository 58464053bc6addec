#!/usr/bin/env python
"""Generate h5lint's sample model files (``sample_models/``) with real TensorFlow / Keras.

Run from the repository root with the TensorFlow venv (h5lint itself never imports TensorFlow)::

    /work/tfvenv/bin/python tools/make_sample_models.py

Every model file is written by a real writer (tf-keras 2.21, Keras 3.15, raw TensorFlow 2.21 or the
tensorflowjs 4.22 converter).  ``broken_*`` and ``edited_*`` samples are copies of those real files that
were cut or edited here (truncate, corrupt bytes, drop a zip member, rewrite an HDF5 attribute, ...).
The script deletes and rewrites the whole ``sample_models/`` folder, including ``README.md`` and
``expected.json`` which are generated from the registry below, so the two can never drift apart.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.pop("TF_USE_LEGACY_KERAS", None)  # tf.keras must stay Keras 3; tf-keras is imported explicitly
os.environ.pop("H5LINT_PWN", None)  # the guard of the "malicious" Lambda samples must be off while building

import hashlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import shutil  # noqa: E402
import types  # noqa: E402
import warnings  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402

warnings.filterwarnings("ignore")
logging.getLogger("absl").setLevel(logging.ERROR)

import tensorflow as tf  # noqa: E402
import keras  # noqa: E402  (Keras 3)
import tf_keras  # noqa: E402  (Keras 2 API)

tf.get_logger().setLevel("ERROR")
try:
    from absl import logging as absl_logging

    absl_logging.set_verbosity(absl_logging.ERROR)
except ImportError:  # pragma: no cover
    pass

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sample_models_cases as cases  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "sample_models"
SEED = 1234

TFK_VERSION = tf_keras.__version__
K3_VERSION = keras.__version__
TF_VERSION = tf.__version__

# ---------------------------------------------------------------------------------------------------
# registry
# ---------------------------------------------------------------------------------------------------

SAMPLES: dict[str, dict] = {}


def finding(code: str, location: str, when: str | None = None) -> dict:
    f = {"code": code, "location": location}
    if when:
        f["when"] = when
    return f


K3_SKEW = "target_keras>=3"


def register(name: str, fmt: str | None, keras_version: str | None, findings: list, made_by: str,
             notes: str = "") -> None:
    assert name not in SAMPLES, name
    path = OUT / name
    assert path.exists(), f"sample was not written: {path}"
    norm = []
    for f in findings:
        norm.append(f if isinstance(f, dict) else finding(*f))
    SAMPLES[name] = {
        "format": fmt,
        "keras_version": keras_version,
        "findings": norm,
        "made_by": made_by,
    }
    if notes:
        SAMPLES[name]["notes"] = notes


def seed_all() -> None:
    np.random.seed(SEED)
    tf.random.set_seed(SEED)
    keras.utils.set_random_seed(SEED)
    tf_keras.utils.set_random_seed(SEED)


def fresh() -> None:
    keras.backend.clear_session()
    tf_keras.backend.clear_session()
    seed_all()


# ---------------------------------------------------------------------------------------------------
# writers
# ---------------------------------------------------------------------------------------------------

WRITERS = {
    # key: (file name pattern, format, keras version, API text)
    "tfk_h5": ("tfk_{}.h5", "h5-full", TFK_VERSION, "tf_keras {v}: model.save('{f}')"),
    "tfk_keras": ("tfk_{}.keras", "keras-zip", TFK_VERSION, "tf_keras {v}: model.save('{f}')"),
    "tfk_sm": ("tfk_{}_savedmodel", "savedmodel", TFK_VERSION,
               "tf_keras {v}: model.save('{f}', save_format='tf')"),
    "tfk_weights": ("tfk_{}_weights.h5", "h5-weights", TFK_VERSION, "tf_keras {v}: model.save_weights('{f}')"),
    "tfk_json": ("tfk_{}_arch.json", "keras-json", TFK_VERSION,
                 "tf_keras {v}: open('{f}', 'w').write(model.to_json())"),
    "k3_h5": ("k3_{}.h5", "h5-full", K3_VERSION, "keras {v}: model.save('{f}') (legacy HDF5 saver)"),
    "k3_keras": ("k3_{}.keras", "keras-zip", K3_VERSION, "keras {v}: model.save('{f}')"),
    "k3_weights": ("k3_{}.weights.h5", "h5-weights", K3_VERSION, "keras {v}: model.save_weights('{f}')"),
    "k3_dir": ("k3_{}_unzipped", "keras-dir", K3_VERSION,
               "keras {v}: keras.saving.save_model(model, '{f}', zipped=False)"),
    "k3_npz": ("k3_{}_npz.keras", "keras-zip", K3_VERSION,
               "keras {v}: keras.src.saving.saving_lib.save_model(model, '{f}', weights_format='npz')"),
    "k3_export": ("k3_{}_export", "savedmodel", None,
                  "keras {v}: model.export('{f}', format='tf_saved_model')"),
}


def write(kind: str, model, base: str, findings: list, desc: str, notes: str = "") -> str:
    pattern, fmt, kv, api = WRITERS[kind]
    name = pattern.format(base)
    path = OUT / name
    if kind in ("tfk_h5", "tfk_keras", "k3_h5", "k3_keras"):
        model.save(str(path))
    elif kind == "tfk_sm":
        model.save(str(path), save_format="tf")
    elif kind in ("tfk_weights", "k3_weights"):
        model.save_weights(str(path))
    elif kind == "tfk_json":
        path.write_text(model.to_json())
    elif kind == "k3_dir":
        keras.saving.save_model(model, str(path), zipped=False)
    elif kind == "k3_npz":
        from keras.src.saving import saving_lib
        saving_lib.save_model(model, str(path), weights_format="npz")
    elif kind == "k3_export":
        model.export(str(path), format="tf_saved_model", verbose=False)
    else:
        raise ValueError(kind)
    v = TFK_VERSION if kind.startswith("tfk") else K3_VERSION
    findings = list(findings)
    if kind in ("tfk_sm", "tfk_keras"):
        # Keras 3 load_model refuses SavedModels, and cannot read a tf-keras .keras zip
        # ("Could not locate class 'Functional'", seen in step_load_check)
        findings.append(finding("H5L403", "file", K3_SKEW))
    if kind in ("tfk_weights", "k3_weights"):
        findings.insert(0, finding("H5L002", "file"))
    register(name, fmt, kv, findings, api.format(v=v, f=name) + "; " + desc, notes)
    return name


def write_all(kinds, build, base, findings, desc, per_kind_findings=None, notes="", skew=()):
    """Build the model with the right Keras for each writer and save it.

    ``skew``: locations that Keras 3 cannot load in the tf-keras .h5/.keras files (found by really loading them,
    see step_load_check); each becomes an H5L403 finding expected under a Keras 3 target.
    """
    out = []
    for kind in kinds:
        fresh()
        K = tf_keras if kind.startswith("tfk") else keras
        model = build(K)
        f = list((per_kind_findings or {}).get(kind, findings))
        if kind in ("tfk_h5", "tfk_keras"):
            f += [finding("H5L403", loc, K3_SKEW) for loc in skew]
        out.append(write(kind, model, base, f, desc, notes))
    return out


# ---------------------------------------------------------------------------------------------------
# file-editing helpers (for broken_/edited_ samples)
# ---------------------------------------------------------------------------------------------------

def copy_sample(src: str, dst: str) -> Path:
    s, d = OUT / src, OUT / dst
    if s.is_dir():
        shutil.copytree(s, d)
    else:
        shutil.copyfile(s, d)
    return d


def rewrite_zip(src: str, dst: str, drop=(), replace=None, extra=()) -> Path:
    """Copy the zip ``src`` to ``dst`` member by member (same order, same compression)."""
    replace = replace or {}
    d = OUT / dst
    with zipfile.ZipFile(OUT / src) as zin, zipfile.ZipFile(d, "w") as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info.filename)
            if info.filename in replace:
                data = replace[info.filename](data)
            zout.writestr(info, data)
        for arcname, data in extra:
            zi = zipfile.ZipInfo(arcname, date_time=(2025, 1, 1, 0, 0, 0))  # keeps "../" and leading "/"
            zi.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(zi, data)
    return d


# ---------------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------------

def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    seed_all()

    ctx = types.SimpleNamespace(OUT=OUT, write=write, write_all=write_all, register=register, finding=finding,
                                fresh=fresh, copy_sample=copy_sample, rewrite_zip=rewrite_zip,
                                TFK_VERSION=TFK_VERSION, K3_VERSION=K3_VERSION, TF_VERSION=TF_VERSION,
                                K3_SKEW=K3_SKEW, keras=keras, tf_keras=tf_keras, tf=tf, h5py=h5py, np=np,
                                hashlib=hashlib, json=json, shutil=shutil, zipfile=zipfile, SAMPLES=SAMPLES)
    only = set(sys.argv[1:])  # optional: names of steps to run (e.g. step_formats), for debugging
    for step in cases.STEPS:
        if only and step.__name__ not in only:
            continue
        print(f"[make_sample_models] {step.__name__}", flush=True)
        step(ctx)

    (OUT / "expected.json").write_text(json.dumps(dict(sorted(SAMPLES.items())), indent=2) + "\n")
    (OUT / "README.md").write_text(cases.render_readme(ctx))
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"[make_sample_models] {len(SAMPLES)} samples, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
