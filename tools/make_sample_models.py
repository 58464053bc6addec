#!/usr/bin/env python
"""Generate h5lint's sample model files (``sample_models/``) with real TensorFlow / Keras.

Run from the repository root with a Python that has TensorFlow, tf-keras, Keras 3, h5py and tensorflowjs
(``pip install tensorflow-cpu==2.21.0 tf-keras==2.21.0 h5py && pip install --no-deps tensorflowjs==4.22.0``;
h5lint itself never imports TensorFlow)::

    python tools/make_sample_models.py                  # rewrite every sample and samples.json
    python tools/make_sample_models.py --facts-only     # only samples.json (+ samples that are new)
    python tools/make_sample_models.py --facts-only --refresh edited_no_keras_version.h5

Every model file is written by a real writer (tf-keras 2.21, Keras 3.15, raw TensorFlow 2.21 or the
tensorflowjs 4.22 converter; the TorchModuleWrapper sample by Keras 3.15 on the PyTorch backend, in the Python that
``--torch-python`` names, e.g. a venv with ``pip install torch==2.13.0 keras==3.15.1 h5py``).  ``broken_*`` and ``edited_*`` samples are copies of those real files that
were cut or edited here (truncate, corrupt bytes, drop a zip member, rewrite an HDF5 attribute, ...).

Besides the files the generator records only what needs TensorFlow to know, in ``sample_models/samples.json``:
per sample ``made_by`` (the writer call and the model), ``notes`` (facts about the file or its writer),
``load_check`` (what the real Keras 3 and tf-keras loaders say about it, see step_load_check) and, for samples with
custom objects, ``custom_objects`` (the keys each loader had to be given, see step_custom_objects).  What h5lint
reports on each sample is h5lint's own snapshot, not this script's business: ``python -m pytest
--update-snapshots`` regenerates it and ``sample_models/README.md`` without TensorFlow, and a person reviews
the diff.

Samples are always built in a temporary folder (the registry below is filled while the files are written, so
it needs the real writers) and then published into ``sample_models/``: every sample, or with ``--facts-only``
only the samples that ``sample_models/`` does not have yet or that ``--refresh`` names, so that the other binary
files stay byte-identical (a rewritten ``.keras`` differs on every run by its ``date_saved``).  ``samples.json``
is always replaced.  Files that are not samples (README.md, h5lint's snapshot, a sample that is no longer
made) are never deleted, only listed.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.pop("TF_USE_LEGACY_KERAS", None)  # tf.keras must stay Keras 3; tf-keras is imported explicitly
os.environ.pop("H5LINT_PWN", None)  # the guard of the "malicious" Lambda samples must be off while building

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
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
PUBLISHED = ROOT / "sample_models"
FACTS = "samples.json"
# Files of sample_models/ that are not samples and that this script neither writes nor reports as stale:
# README.md is written by h5lint's snapshot tooling, fix_results.json by tools/verify_fixes.py.
NOT_SAMPLES = {FACTS, "README.md", "fix_results.json"}
OUT: Path  # the temporary build folder, set by main()
SEED = 1234

TFK_VERSION = tf_keras.__version__
K3_VERSION = keras.__version__
TF_VERSION = tf.__version__

# ---------------------------------------------------------------------------------------------------
# registry
# ---------------------------------------------------------------------------------------------------

# One entry per written sample: {"made_by": ..., "notes"?: ...}; step_load_check adds "load_check".
SAMPLES: dict[str, dict] = {}
# The full models written by a Keras writer, in writing order: what step_load_check gives the real loaders.
LOADABLE: list[str] = []


def register(name: str, made_by: str, notes: str = "") -> None:
    """Record a written sample: how it was made and facts about the file or its writer."""
    assert name not in SAMPLES, name
    path = OUT / name
    assert path.exists(), f"sample was not written: {path}"
    SAMPLES[name] = {"made_by": made_by}
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
    # key: (file name pattern, API text, whether the file holds a whole model that load_model /
    # model_from_json can rebuild: weights-only stores cannot be given to a loader)
    "tfk_h5": ("tfk_{}.h5", "tf_keras {v}: model.save('{f}')", True),
    "tfk_keras": ("tfk_{}.keras", "tf_keras {v}: model.save('{f}')", True),
    "tfk_sm": ("tfk_{}_savedmodel", "tf_keras {v}: model.save('{f}', save_format='tf')", True),
    "tfk_weights": ("tfk_{}_weights.h5", "tf_keras {v}: model.save_weights('{f}')", False),
    "tfk_json": ("tfk_{}_arch.json", "tf_keras {v}: open('{f}', 'w').write(model.to_json())", True),
    "k3_h5": ("k3_{}.h5", "keras {v}: model.save('{f}') (legacy HDF5 saver)", True),
    "k3_keras": ("k3_{}.keras", "keras {v}: model.save('{f}')", True),
    "k3_weights": ("k3_{}.weights.h5", "keras {v}: model.save_weights('{f}')", False),
    "k3_json": ("k3_{}_arch.json", "keras {v}: open('{f}', 'w').write(model.to_json())", True),
    "k3_dir": ("k3_{}_unzipped", "keras {v}: keras.saving.save_model(model, '{f}', zipped=False)", True),
    "k3_npz": ("k3_{}_npz.keras",
               "keras {v}: keras.src.saving.saving_lib.save_model(model, '{f}', weights_format='npz')", True),
    "k3_export": ("k3_{}_export", "keras {v}: model.export('{f}', format='tf_saved_model')", True),
}

# What Keras 3 refuses whatever the model holds (seen in step_load_check): the reason goes into the notes of
# every sample of these writers.
K3_REFUSES_WRITER = {
    "tfk_sm": "keras.models.load_model does not read SavedModels ('File format not supported')",
    "tfk_keras": "a tf-keras .keras zip names tf-keras modules ('Could not locate class 'Functional'')",
    "tfk_json": "keras.models.model_from_json cannot read tf-keras JSON ('Could not locate class 'Functional'')",
}


def write(kind: str, model, base: str, desc: str, notes: str = "", refusal: str | None = None) -> str:
    pattern, api, loadable = WRITERS[kind]
    name = pattern.format(base)
    path = OUT / name
    if kind in ("tfk_h5", "tfk_keras", "k3_h5", "k3_keras"):
        model.save(str(path))
    elif kind == "tfk_sm":
        model.save(str(path), save_format="tf")
    elif kind in ("tfk_weights", "k3_weights"):
        model.save_weights(str(path))
    elif kind in ("tfk_json", "k3_json"):
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
    # What this model's file fails on, else what every file of the writer fails on.
    refusal = refusal or K3_REFUSES_WRITER.get(kind)
    if refusal:
        notes = with_k3_refusal(notes, refusal)
    register(name, api.format(v=v, f=name) + "; " + desc, notes)
    if loadable:
        LOADABLE.append(name)
    return name


def with_k3_refusal(notes: str, reason: str) -> str:
    """``notes`` plus why Keras 3 cannot load the sample (what step_load_check saw)."""
    return "; ".join(x for x in (notes, f"Keras {K3_VERSION} cannot load it: {reason}") if x)


def write_all(kinds, build, base, desc, notes="", k3_refuses=None):
    """Build the model with the right Keras for each writer and save it.

    ``k3_refuses``: {writer kind: why Keras 3 cannot load that writer's file of this model} (found by really
    loading it, see step_load_check); the reason goes into that sample's notes.
    """
    out = []
    for kind in kinds:
        fresh()
        K = tf_keras if kind.startswith("tfk") else keras
        model = build(K)
        out.append(write(kind, model, base, desc, notes, (k3_refuses or {}).get(kind)))
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

def _top(name: str) -> str:
    """The file or folder of sample_models/ that holds a sample (``tfjs_x/model.json`` -> ``tfjs_x``)."""
    return name.split("/", 1)[0]


def publish(build: Path, refresh: set[str] | None) -> None:
    """Copy samples.json and the samples from ``build`` into sample_models/: every sample when ``refresh`` is
    None, else only the new ones and those ``refresh`` names."""
    tops = sorted({_top(n) for n in SAMPLES})
    unknown = (refresh or set()) - set(tops)
    assert not unknown, f"--refresh names no sample: {sorted(unknown)}"
    PUBLISHED.mkdir(exist_ok=True)
    for top in tops:
        src, dst = build / top, PUBLISHED / top
        if dst.exists() and refresh is not None and top not in refresh:
            continue
        print(f"[make_sample_models] {'refresh' if dst.exists() else 'add'} {top}", flush=True)
        if dst.is_dir():
            shutil.rmtree(dst)
        elif dst.exists():
            dst.unlink()
        (shutil.copytree if src.is_dir() else shutil.copyfile)(src, dst)
    shutil.copyfile(build / FACTS, PUBLISHED / FACTS)
    stale = sorted(p.name for p in PUBLISHED.iterdir() if p.name not in tops and p.name not in NOT_SAMPLES)
    if stale:
        print(f"[make_sample_models] not a sample (delete by hand if it is not h5lint's): {stale}", flush=True)


def main() -> None:
    global OUT
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("steps", nargs="*",
                        help="only run these steps (e.g. step_formats) and keep the build folder without "
                             "publishing anything, for debugging")
    parser.add_argument("--facts-only", action="store_true",
                        help="update samples.json, but copy only new samples (and --refresh ones) into sample_models/")
    parser.add_argument("--refresh", nargs="+", default=[], metavar="SAMPLE",
                        help="with --facts-only: also replace these samples' files (file or folder names)")
    parser.add_argument("--torch-python", default=os.environ.get("H5LINT_TORCH_PYTHON"), metavar="PYTHON",
                        help="a Python with torch and Keras 3 that writes the TorchModuleWrapper sample "
                             "(sample_models_torch.py; default $H5LINT_TORCH_PYTHON); without it that sample is "
                             "kept as published")
    args = parser.parse_args()
    assert not args.refresh or args.facts_only, "--refresh needs --facts-only"
    assert not (args.steps and args.facts_only), "--facts-only needs every step"

    OUT = Path(tempfile.mkdtemp(prefix="h5lint_sample_models_"))
    seed_all()

    ctx = types.SimpleNamespace(OUT=OUT, write_all=write_all, register=register, fresh=fresh,
                                copy_sample=copy_sample, rewrite_zip=rewrite_zip, K3_VERSION=K3_VERSION,
                                TF_VERSION=TF_VERSION, keras=keras, tf_keras=tf_keras, tf=tf, h5py=h5py, np=np,
                                hashlib=hashlib, json=json, shutil=shutil, zipfile=zipfile, SAMPLES=SAMPLES,
                                LOADABLE=LOADABLE, PUBLISHED=PUBLISHED, TORCH_PYTHON=args.torch_python)
    for step in cases.STEPS:
        if args.steps and step.__name__ not in args.steps:
            continue
        print(f"[make_sample_models] {step.__name__}", flush=True)
        step(ctx)

    (OUT / FACTS).write_text(json.dumps(dict(sorted(SAMPLES.items())), indent=2, sort_keys=False) + "\n")
    if args.steps:
        print(f"[make_sample_models] {len(SAMPLES)} samples built in {OUT} (not published)")
        return
    publish(OUT, set(args.refresh) if args.facts_only else None)
    shutil.rmtree(OUT)
    total = sum(p.stat().st_size for p in PUBLISHED.rglob("*") if p.is_file())
    print(f"[make_sample_models] {len(SAMPLES)} samples, {total} bytes in {PUBLISHED}")


if __name__ == "__main__":
    main()
