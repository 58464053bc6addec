#!/usr/bin/env python
"""Generate h5lint's sample model files (``sample_models/``) with real TensorFlow / Keras.

Run from the repository root with the TensorFlow venv (h5lint itself never imports TensorFlow)::

    /work/tfvenv/bin/python tools/make_sample_models.py                     # rewrite everything
    /work/tfvenv/bin/python tools/make_sample_models.py --docs-only         # only README.md + expected.json
    /work/tfvenv/bin/python tools/make_sample_models.py --docs-only --refresh edited_no_keras_version.h5

``--docs-only`` builds every sample in a temporary folder (the registry below is filled while the files are
written, so it needs the real writers), then copies only ``README.md``, ``expected.json`` and the samples that
``sample_models/`` does not have yet, or that ``--refresh`` names, into ``sample_models/``: the other binary
files stay byte-identical (a rewritten ``.keras`` differs on every run by its ``date_saved``).

Every model file is written by a real writer (tf-keras 2.21, Keras 3.15, raw TensorFlow 2.21 or the
tensorflowjs 4.22 converter).  ``broken_*`` and ``edited_*`` samples are copies of those real files that
were cut or edited here (truncate, corrupt bytes, drop a zip member, rewrite an HDF5 attribute, ...).
Without ``--docs-only`` the script deletes and rewrites the whole ``sample_models/`` folder, including
``README.md`` and ``expected.json`` which are generated from the registry below, so the two can never drift apart.
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
OUT = PUBLISHED  # where samples are written; a temporary folder under --docs-only
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


# Findings that depend on the target runtime: expected under h5lint's default target (keras>=3) only.
K3_SKEW = "target_keras>=3"


def register(name: str, fmt: str | None, keras_version: str | None, findings: list, made_by: str,
             notes: str = "") -> None:
    """Record a written sample; ``findings`` is every finding h5lint must report on it (default target)."""
    assert name not in SAMPLES, name
    path = OUT / name
    assert path.exists(), f"sample was not written: {path}"
    norm = [_as_dict(f) for f in findings]
    keys = [(f["code"], f["location"]) for f in norm]
    assert len(keys) == len(set(keys)), f"{name}: a finding is listed twice: {keys}"
    SAMPLES[name] = {
        "format": fmt,
        "keras_version": keras_version,
        "findings": sorted(norm, key=lambda f: (f["code"], f["location"])),
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
    # key: (file name pattern, format, keras_version h5lint reads from the file, API text)
    "tfk_h5": ("tfk_{}.h5", "h5-full", TFK_VERSION, "tf_keras {v}: model.save('{f}')"),
    "tfk_keras": ("tfk_{}.keras", "keras-zip", TFK_VERSION, "tf_keras {v}: model.save('{f}')"),
    "tfk_sm": ("tfk_{}_savedmodel", "savedmodel", TFK_VERSION,
               "tf_keras {v}: model.save('{f}', save_format='tf')"),
    "tfk_weights": ("tfk_{}_weights.h5", "h5-weights", TFK_VERSION, "tf_keras {v}: model.save_weights('{f}')"),
    "tfk_json": ("tfk_{}_arch.json", "keras-json", TFK_VERSION,
                 "tf_keras {v}: open('{f}', 'w').write(model.to_json())"),
    "k3_h5": ("k3_{}.h5", "h5-full", K3_VERSION, "keras {v}: model.save('{f}') (legacy HDF5 saver)"),
    "k3_keras": ("k3_{}.keras", "keras-zip", K3_VERSION, "keras {v}: model.save('{f}')"),
    # Keras 3 weights stores record no version at all
    "k3_weights": ("k3_{}.weights.h5", "h5-weights", None, "keras {v}: model.save_weights('{f}')"),
    # Keras 3's to_json records no version either
    "k3_json": ("k3_{}_arch.json", "keras-json", None, "keras {v}: open('{f}', 'w').write(model.to_json())"),
    "k3_dir": ("k3_{}_unzipped", "keras-dir", K3_VERSION,
               "keras {v}: keras.saving.save_model(model, '{f}', zipped=False)"),
    "k3_npz": ("k3_{}_npz.keras", "keras-zip", K3_VERSION,
               "keras {v}: keras.src.saving.saving_lib.save_model(model, '{f}', weights_format='npz')"),
    "k3_export": ("k3_{}_export", "savedmodel", None,
                  "keras {v}: model.export('{f}', format='tf_saved_model')"),
}

# What Keras 3 refuses whatever the model holds (seen in step_load_check), so h5lint reports H5L403 on every
# sample of these writers under its default target.
K3_REFUSES_WRITER = {
    "tfk_sm": "keras.models.load_model does not read SavedModels ('File format not supported')",
    "tfk_keras": "a tf-keras .keras zip names tf-keras modules ('Could not locate class 'Functional'')",
    "tfk_json": "keras.models.model_from_json cannot read tf-keras JSON ('Could not locate class 'Functional'')",
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
    findings = list(findings)
    if kind in K3_REFUSES_WRITER:
        findings, notes = with_k3_refusal(findings, notes, K3_REFUSES_WRITER[kind])
    if kind in ("tfk_weights", "k3_weights"):
        findings.insert(0, finding("H5L002", "file"))
    register(name, fmt, kv, findings, api.format(v=v, f=name) + "; " + desc, notes)
    return name


def _as_dict(f) -> dict:
    return f if isinstance(f, dict) else finding(*f)


def with_k3_refusal(findings: list, notes: str, reason: str) -> tuple[list, str]:
    """The one H5L403 ``file`` finding h5lint reports (default target) when Keras 3 cannot load a sample, and
    the reason in its notes."""
    if not any(_as_dict(f)["code"] == "H5L403" for f in findings):
        findings = findings + [finding("H5L403", "file", K3_SKEW)]
    return findings, "; ".join(x for x in (notes, f"Keras {K3_VERSION} cannot load it: {reason}") if x)


def write_all(kinds, build, base, findings, desc, notes="", k3_refuses=None):
    """Build the model with the right Keras for each writer and save it.

    ``k3_refuses``: {writer kind: why Keras 3 cannot load that writer's file of this model} (found by really
    loading it, see step_load_check); each adds the one H5L403 ``file`` finding h5lint reports under its
    default Keras 3 target, and the reason goes into the sample's notes.
    """
    out = []
    for kind in kinds:
        fresh()
        K = tf_keras if kind.startswith("tfk") else keras
        model = build(K)
        f, n = list(findings), notes
        if kind in (k3_refuses or {}):
            f, n = with_k3_refusal(f, n, k3_refuses[kind])
        out.append(write(kind, model, base, f, desc, n))
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


def publish(build: Path, refresh: set[str]) -> None:
    """--docs-only: copy README.md, expected.json and the new or refreshed samples from ``build``."""
    tops = sorted({_top(n) for n in SAMPLES})
    unknown = refresh - set(tops)
    assert not unknown, f"--refresh names no sample: {sorted(unknown)}"
    for top in tops:
        src, dst = build / top, PUBLISHED / top
        if dst.exists() and top not in refresh:
            continue
        print(f"[make_sample_models] {'refresh' if dst.exists() else 'add'} {top}", flush=True)
        if dst.is_dir():
            shutil.rmtree(dst)
        elif dst.exists():
            dst.unlink()
        (shutil.copytree if src.is_dir() else shutil.copyfile)(src, dst)
    for doc in ("expected.json", "README.md"):
        shutil.copyfile(build / doc, PUBLISHED / doc)
    stale = sorted(p.name for p in PUBLISHED.iterdir() if p.name not in tops and p.name not in ("expected.json", "README.md"))
    if stale:
        print(f"[make_sample_models] not a sample any more (delete by hand): {stale}", flush=True)


def main() -> None:
    global OUT
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("steps", nargs="*", help="only run these steps (e.g. step_formats), for debugging")
    parser.add_argument("--docs-only", action="store_true",
                        help="build in a temporary folder; update only README.md, expected.json and new samples")
    parser.add_argument("--refresh", nargs="+", default=[], metavar="SAMPLE",
                        help="with --docs-only: also replace these samples' files (file or folder names)")
    args = parser.parse_args()
    assert not args.refresh or args.docs_only, "--refresh needs --docs-only"
    assert not (args.steps and args.docs_only), "--docs-only needs every step"

    if args.docs_only:
        OUT = Path(tempfile.mkdtemp(prefix="h5lint_sample_models_"))
    else:
        if OUT.exists():
            shutil.rmtree(OUT)
        OUT.mkdir(parents=True)
    seed_all()

    ctx = types.SimpleNamespace(OUT=OUT, write=write, write_all=write_all, register=register, finding=finding,
                                fresh=fresh, copy_sample=copy_sample, rewrite_zip=rewrite_zip,
                                TFK_VERSION=TFK_VERSION, K3_VERSION=K3_VERSION, TF_VERSION=TF_VERSION,
                                K3_SKEW=K3_SKEW, keras=keras, tf_keras=tf_keras, tf=tf, h5py=h5py, np=np,
                                hashlib=hashlib, json=json, shutil=shutil, zipfile=zipfile, SAMPLES=SAMPLES,
                                WRITERS=WRITERS, ROOT=ROOT)
    for step in cases.STEPS:
        if args.steps and step.__name__ not in args.steps:
            continue
        print(f"[make_sample_models] {step.__name__}", flush=True)
        step(ctx)
    if not args.steps:
        cases.apply_coverage(ctx)

    (OUT / "expected.json").write_text(json.dumps(dict(sorted(SAMPLES.items())), indent=2) + "\n")
    (OUT / "README.md").write_text(cases.render_readme(ctx))
    if args.docs_only:
        publish(OUT, set(args.refresh))
        shutil.rmtree(OUT)
    total = sum(p.stat().st_size for p in PUBLISHED.rglob("*") if p.is_file())
    print(f"[make_sample_models] {len(SAMPLES)} samples, {total} bytes in {PUBLISHED}")


if __name__ == "__main__":
    main()
