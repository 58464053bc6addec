#!/usr/bin/env python
"""Prove ``h5lint fix`` with the real loaders: every tf-keras sample, fixed for Keras 3, loaded and compared.

Run by hand from the repository root with the TensorFlow venv (TensorFlow 2.21, tf-keras 2.21, Keras 3.15.1);
h5lint runs in its own process, from the command given with ``--h5lint`` (default: ``h5lint`` on PATH)::

    /work/venvs/tf221/bin/python tools/verify_fixes.py --h5lint .venv/bin/h5lint
    /work/venvs/tf221/bin/python tools/verify_fixes.py --h5lint .venv/bin/h5lint --only tfk_stateful_lstm.h5

For every full model tf-keras wrote in ``sample_models/`` (``samples.json``: name ``tfk_*``, or ``edited_tfk_*`` for
copies edited the way older writers stored them, with a ``load_check``):

1. ``h5lint fix SAMPLE --target "keras>=3" -o COPY --format json``: fixed, refused (with its reasons) or
   nothing to fix;
2. the original is loaded by tf-keras (one process) and predicts on fixed random inputs (seeded by the sample's
   name; an architecture JSON gets the weights of the ``.h5`` sample of the same model);
3. each fixed copy is loaded by Keras 3 with ``load_model``'s defaults (``compile=True``, ``safe_mode=True``;
   ``model_from_json`` for architectures) in a fresh process and predicts on the same inputs;
4. the predictions are compared (``TOLERANCE``).

Before the fix, "Keras 3 loads it" is the sample's ``load_check`` (the generator loaded it the same way in a
fresh process). The result is ``sample_models/fix_results.json``; h5lint's tests check that h5lint still
produces exactly the configs recorded there (``config_sha256``) and that every recorded load succeeded with
equal predictions. Nothing here runs code stored in a sample: Lambda samples are refused by ``fix`` and never
loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_models"
RESULTS = SAMPLES / "fix_results.json"
TARGET = "keras>=3"
TOLERANCE = 1e-6
BATCH = 2
# Both loaders run TensorFlow ops; oneDNN's reordered float sums would add noise that is not the fix's.
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "TF_USE_LEGACY_KERAS": "0"}
ENV.pop("H5LINT_PWN", None)


# ------------------------------------------------------------------------------------------- worker side
def _quiet() -> None:
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)


def _weights_source(path: Path) -> Path | None:
    """The .h5 sample holding the weights of an architecture JSON (``tfk_x_arch.json`` -> ``tfk_x.h5``)."""
    if path.name.endswith("_arch.json"):
        sibling = path.with_name(path.name[: -len("_arch.json")] + ".h5")
        return sibling if sibling.exists() else None
    return None


def _load(package, path: Path, weights: Path | None):
    if path.suffix == ".json":
        model = package.models.model_from_json(path.read_text(encoding="utf-8"))
        if weights is not None:
            model.load_weights(str(weights))
        return model
    return package.models.load_model(str(path))


def _inputs(model, seed: int):
    import numpy as np

    rng = np.random.default_rng(seed)
    arrays = []
    for tensor in model.inputs:
        shape = [d if d is not None else (BATCH if i == 0 else 3) for i, d in enumerate(tensor.shape)]
        dtype = np.dtype(getattr(tensor.dtype, "name", str(tensor.dtype)))
        if dtype.kind in "iu":
            arrays.append(rng.integers(0, 3, size=shape).astype(dtype))
        else:
            arrays.append(rng.uniform(-1.0, 1.0, size=shape).astype(dtype))
    return arrays


def _flat(outputs):
    import numpy as np

    if isinstance(outputs, dict):
        outputs = [outputs[k] for k in sorted(outputs)]
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return [np.asarray(o, dtype="float64") for o in outputs]


def worker_reference(work: Path, root: Path, names: list[str]) -> None:
    """tf-keras: load each original, make inputs, predict; write <work>/<name>.npz."""
    _quiet()
    import numpy as np
    import tf_keras

    out = {}
    for name in names:
        path = root / name
        try:
            model = _load(tf_keras, path, _weights_source(path))
            inputs = _inputs(model, zlib.crc32(name.encode()))
            predicted = _flat(model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0))
            np.savez(
                work / f"{name}.npz",
                **{f"in{i}": a for i, a in enumerate(inputs)},
                **{f"out{i}": a for i, a in enumerate(predicted)},
            )
            out[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - reported per sample
            out[name] = f"error: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        tf_keras.backend.clear_session()
    print(json.dumps(out))


def worker_keras3(work: Path, root: Path, name: str, copy: Path) -> None:
    """Keras 3, fresh process: load the fixed copy with load_model's defaults and predict on the stored inputs."""
    _quiet()
    import keras

    result = {"load": "ok", "max_abs_diff": None}
    try:
        model = _load(keras, copy, _weights_source(root / name))
    except Exception as exc:  # noqa: BLE001 - the loader's verdict is the result
        result["load"] = f"error: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        print(json.dumps(result))
        return
    reference = work / f"{name}.npz"
    try:
        result["max_abs_diff"] = _compare(model, reference)
    except Exception as exc:  # noqa: BLE001 - a copy that loads but cannot predict did not load usefully
        result["load"] = f"error in predict: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    print(json.dumps(result))


def _compare(model, reference: Path) -> float | None:
    import numpy as np

    if reference.exists():
        stored = np.load(reference)
        inputs = [stored[f"in{i}"] for i in range(sum(k.startswith("in") for k in stored.files))]
        expected = [stored[f"out{i}"] for i in range(sum(k.startswith("out") for k in stored.files))]
        got = _flat(model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0))
        if len(got) != len(expected) or any(g.shape != e.shape for g, e in zip(got, expected)):
            return float("inf")
        # NaN or Inf where the original predicts the same (a model with non-finite weights) is equal; else it is not.
        diffs = [np.where((g == e) | (np.isnan(g) & np.isnan(e)), 0.0, np.abs(g - e)) for g, e in zip(got, expected)]
        return max((float(np.nan_to_num(np.max(d), nan=np.inf)) if d.size else 0.0) for d in diffs)
    return None


# ------------------------------------------------------------------------------------------- driver side
def _run(cmd: list[str], statuses: tuple[int, ...] = (0, 1)) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=ROOT)
    if proc.returncode not in statuses:
        raise SystemExit(f"{shlex.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc.stdout if proc.returncode in (0, 1) else ""


def _last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def tf_keras_samples(facts: dict) -> list[str]:
    return sorted(n for n, e in facts.items() if n.startswith(("tfk_", "edited_tfk_")) and e.get("load_check"))


def _keras3_verdict(load_check: dict) -> str:
    return next((v for k, v in load_check.items() if k.startswith("keras ")), "not tried")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--h5lint", default="h5lint", help="command that runs h5lint (e.g. .venv/bin/h5lint)")
    parser.add_argument("--only", nargs="+", default=[], help="verify only these samples (merged into the record)")
    parser.add_argument(
        "--corpus",
        type=Path,
        help="verify every artifact of this folder instead of the samples (e.g. ../shared/realworld/files); Keras "
        "3's verdict on each original is measured too; the record goes to --results",
    )
    parser.add_argument("--results", type=Path, help="where a --corpus record goes")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        mode, work, root, *rest = args.worker
        if mode == "reference":
            worker_reference(Path(work), Path(root), rest)
        else:
            worker_keras3(Path(work), Path(root), rest[0], Path(rest[1]))
        return
    if args.corpus:
        assert args.results, "--corpus needs --results FILE"
        verify_corpus(args.corpus.resolve(), args.results, shlex.split(args.h5lint))
        return

    import keras
    import tf_keras

    facts = json.loads((SAMPLES / "samples.json").read_text(encoding="utf-8"))
    names = tf_keras_samples(facts)
    if args.only:
        unknown = set(args.only) - set(names)
        assert not unknown, f"not tf-keras samples with a load_check: {sorted(unknown)}"
        names = sorted(args.only)
    record = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() and args.only else {"samples": {}}
    h5lint = shlex.split(args.h5lint)
    with tempfile.TemporaryDirectory(prefix="h5lint_verify_") as tmp:
        work = Path(tmp)
        fixes = {}
        for name in names:
            copy = work / "fixed" / name
            copy.parent.mkdir(exist_ok=True)
            plan = json.loads(
                _run([*h5lint, "fix", str(SAMPLES / name), "--target", TARGET, "-o", str(copy), "--format", "json"])
            )
            fixes[name] = (plan, copy)
            print(f"[verify_fixes] {name}: {plan['status']}", flush=True)
        fixed = [n for n, (plan, _c) in fixes.items() if plan["status"] == "fixed"]
        me = [sys.executable, str(Path(__file__).resolve()), "--worker"]
        reference = _last_json(_run([*me, "reference", str(work), str(SAMPLES), *fixed])) if fixed else {}
        for name in names:
            plan, copy = fixes[name]
            entry = {
                "before": _keras3_verdict(facts[name]["load_check"]),
                "fix": plan["status"],
                "transformations": sorted({c["transformation"] for c in plan["changes"]}),
                "changes": [c["text"] for c in plan["changes"]],
                "refusals": plan["refusals"],
                "config_sha256": plan["config_sha256"],
            }
            if plan["status"] == "fixed":
                after = _last_json(_run([*me, "keras3", str(work), str(SAMPLES), name, str(copy)]))
                entry["reference"] = reference.get(name, "not made")
                entry["after"] = after["load"]
                entry["max_abs_diff"] = after["max_abs_diff"]
                entry["predictions_equal"] = after["max_abs_diff"] is not None and after["max_abs_diff"] <= TOLERANCE
                print(
                    f"[verify_fixes] {name}: Keras 3 {after['load'][:80]}, max |diff| {after['max_abs_diff']}",
                    flush=True,
                )
            record["samples"][name] = entry
    record["samples"] = dict(sorted(record["samples"].items()))
    record.update(_summary(record["samples"]))
    RESULTS.write_text(
        json.dumps(_ordered(record, keras.__version__, tf_keras.__version__), indent=1) + "\n", encoding="utf-8"
    )
    print(f"[verify_fixes] {json.dumps(record['summary'])}")


def verify_corpus(root: Path, results: Path, h5lint: list[str]) -> None:
    """Like the samples, for any folder of models (only what fix writes is loaded; refused files never are)."""
    me = [sys.executable, str(Path(__file__).resolve()), "--worker"]
    record = {}
    with tempfile.TemporaryDirectory(prefix="h5lint_verify_") as tmp:
        work = Path(tmp)
        (work / "fixed").mkdir()
        for entry in sorted(root.iterdir()):
            diff = _run([*h5lint, "fix", str(entry), "--target", TARGET, "--diff", "--format", "json"], (0, 1, 2))
            if not diff.strip():
                continue  # not one model artifact (h5lint said why on stderr)
            # Named as Keras 3 wants the format named (a real-world .h5 may be called .model or .keras).
            suffix = {"h5-full": ".h5", "keras-zip": ".keras", "keras-json": ".json"}.get(
                json.loads(diff)["format"], ""
            )
            copy = work / "fixed" / (entry.name + suffix)
            plan = json.loads(
                _run([*h5lint, "fix", str(entry), "--target", TARGET, "-o", str(copy), "--format", "json"])
            )
            found = {
                "fix": plan["status"],
                "changes": [c["text"] for c in plan["changes"]],
                "refusals": plan["refusals"],
            }
            if plan["status"] == "fixed":
                before = _last_json(_run([*me, "keras3", str(work), str(root), entry.name, str(entry)]))
                reference = _last_json(_run([*me, "reference", str(work), str(root), entry.name]))
                after = _last_json(_run([*me, "keras3", str(work), str(root), entry.name, str(copy)]))
                found.update(
                    before=before["load"],
                    reference=reference[entry.name],
                    after=after["load"],
                    max_abs_diff=after["max_abs_diff"],
                )
            record[entry.name] = found
            shown = {k: found.get(k) for k in ("fix", "before", "after", "max_abs_diff")}
            print(f"[verify_fixes] {entry.name}: {json.dumps(shown)[:300]}", flush=True)
    results.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def _loads_after(entry: dict) -> bool:
    """Keras 3 loads the sample after fix: the written copy with equal predictions, or the untouched original."""
    if entry["fix"] == "fixed":
        return entry.get("after") == "ok" and bool(entry.get("predictions_equal"))
    return entry["before"] == "ok"


def _summary(samples: dict) -> dict:
    fixable = [e for e in samples.values() if e["fix"] != "refused"]
    return {
        "summary": {
            "tf_keras_samples": len(samples),
            "keras3_loads_before": sum(e["before"] == "ok" for e in samples.values()),
            "keras3_loads_after": sum(_loads_after(e) for e in samples.values()),
            "fixed": sum(e["fix"] == "fixed" for e in samples.values()),
            "nothing_to_fix": sum(e["fix"] == "nothing-to-fix" for e in samples.values()),
            "refused": len(samples) - len(fixable),
            "fixable": len(fixable),
            "fixable_keras3_loads_after": sum(_loads_after(e) for e in fixable),
        }
    }


def _ordered(record: dict, keras_version: str, tf_keras_version: str) -> dict:
    return {
        "about": "What tools/verify_fixes.py measured: each tf-keras sample before and after `h5lint fix --target "
        "'keras>=3'`, the copy loaded by Keras 3 in a fresh process and compared with the original's "
        "tf-keras predictions. h5lint's tests compare config_sha256 with what h5lint produces now.",
        "loaders": {"keras": keras_version, "tf_keras": tf_keras_version},
        "target": TARGET,
        "tolerance": TOLERANCE,
        "summary": record["summary"],
        "samples": record["samples"],
    }


if __name__ == "__main__":
    main()
