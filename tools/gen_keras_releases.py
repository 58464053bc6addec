"""Generate h5lint/keras/data/keras_releases.json: per-release built-in names and constructor arguments
of every Keras line, measured from the real packages.

Run by hand (never from h5lint or its tests), with any Python >= 3.8 and the pyenv interpreters
under /root/.pyenv/versions/*/bin/python:

    python tools/gen_keras_releases.py                 # probe what is not cached yet, then merge
    python tools/gen_keras_releases.py --only keras-3  # one line (or keras-3:3.8 for one release)
    python tools/gen_keras_releases.py --force ...     # probe again even when cached
    python tools/gen_keras_releases.py --retest        # re-probe releases that were not asked about
                                                       # arguments later releases revealed
    python tools/gen_keras_releases.py --merge-only    # rebuild the JSON from the cache
    python tools/gen_keras_releases.py --check         # print what the table says for known failures

For each release it makes a scratch venv (at most two at a time, ``--jobs``), pip-installs the
package, runs tools/keras_release_probe.py inside it (which prints JSON: built-in names per kind and,
per built-in class, the constructor arguments ``from_config`` accepts), caches that raw output as
tools/.release_cache/<line>@<minor>.json (gitignored) and deletes the venv. The merge step turns the
cache into the compact, sorted table; a re-run without changes gives no diff.

How arguments are determined. For each class the probe builds a default instance (required
arguments from a value table), takes ``get_config()``, checks ``from_config`` rebuilds it, then
rebuilds it once per candidate argument: every argument any cached release wrote or accepted for
that class, a fixed list of cross-line arguments (``batch_input_shape``, ``time_major``, ``groups``,
optimizer ``lr``, initializer ``dtype`` ...) and a made-up name that tells whether the class swallows
arbitrary keyword arguments. "Unrecognized keyword arguments", "unexpected keyword argument",
"Keyword argument not understood", "Argument(s) not recognized", "multiple values for", "Zeros() takes
no arguments" and the TF 2.11+ / tf-keras "is deprecated in the new (TF-)Keras optimizer" count as
rejections; any other error means the name was taken and only the value was wrong. Classes that
cannot be built here (they need TensorFlow on a TF-free Keras 3, a file, a callable...) fall back to
reading the ``__init__`` chain: parameters, names popped from or checked in ``**kwargs``,
``allowed_kwargs`` sets, following ``**kwargs`` up the MRO while it is forwarded; ``by_signature`` in
the output lists those releases. The probe also lists the names each release registers for its own
objects in the global custom-object registry (tf-keras' "Custom>Adam").

Lines measured:
  keras-3   keras==3.N.* on Python 3.11 with KERAS_BACKEND=numpy (jax and scipy installed because the
            numpy backend borrows jax's FFT helpers; no TensorFlow, so the TF-only preprocessing
            layers StringLookup/IntegerLookup/Hashing/TextVectorization fall back to signatures).
  tf-keras  tf-keras==2.N.* with the matching tensorflow-cpu on Python 3.11.
  tf.keras  tensorflow(-cpu)==2.N.* (and 1.15) on the Python each supports; in TF 2.6-2.15 tf.keras
            is the ``keras`` 2.6-2.15 package, which is why standalone keras 2.4-2.15 is not a line of
            its own (2.4-2.5 only re-export tf.keras, 2.6-2.15 are tf.keras).
  keras-2   standalone keras==2.0.* ... 2.3.* with the Theano backend on Python 3.7.
  keras-1   standalone keras==1.2.* with the Theano backend on Python 3.7.
A release that does not install is recorded under ``skipped`` with pip's reason (every line installs
here, Keras 1.2 and 2.0-2.3 included, so nothing in the table is hand-written).

Timing on the 2-core build machine: keras-3 releases take about 40 s each (install + probe), TF
releases 1.5-3 min each (tensorflow wheels are 200-600 MB); a full run is about an hour with
``--jobs 2`` and needs about 6 GB of scratch space at peak. The pip cache makes re-runs faster.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROBE = HERE / "keras_release_probe.py"
CACHE = HERE / ".release_cache"
OUT = HERE.parent / "h5lint" / "keras" / "data" / "keras_releases.json"
PYENV = Path("/root/.pyenv/versions")
LINES = ("keras-1", "keras-2", "tf.keras", "tf-keras", "keras-3")
KINDS = (
    "layers",
    "models",
    "activations",
    "initializers",
    "regularizers",
    "constraints",
    "losses",
    "metrics",
    "optimizers",
    "dtype_policies",
)
BOGUS = "h5lint_probe_no_such_argument"


# ------------------------------------------------------------------------------------ the releases
def _release(line, minor, python, requirements, flavour, env=None, also=(), fallback_env=()):
    """One venv: what to install, and the (line, minor, flavour) probes to run in it; a probe that
    fails is run again with each fallback environment (Keras 3.0's numpy backend imports torch)."""
    return {
        "id": "%s@%s" % (line, minor),
        "python": python,
        "requirements": requirements,
        "env": env or {},
        "fallback_env": list(fallback_env),
        "probes": [(line, minor, flavour)] + list(also),
    }


def releases():
    out = []
    # Keras 3: TF-free numpy backend.
    for n in range(0, 16):
        out.append(_release("keras-3", "3.%d" % n, "3.11", ["keras==3.%d.*" % n, "jax", "scipy", "packaging"], "keras3",
                            {"KERAS_BACKEND": "numpy"}, fallback_env=[{"KERAS_BACKEND": "jax"}]))
    # tf-keras 2.16-2.21 (2.14 and 2.15 share the venv of tf.keras 2.14 / 2.15 below).
    for n in range(16, 22):
        out.append(_release("tf-keras", "2.%d" % n, "3.11", ["tf-keras==2.%d.*" % n, "tensorflow-cpu==2.%d.*" % n],
                            "tf_keras"))
    # tf.keras inside TensorFlow: the newest Python each TF minor has wheels for.
    python_of = {0: "3.7", 1: "3.7", 2: "3.8", 3: "3.8", 4: "3.8", 5: "3.9", 6: "3.9", 7: "3.9", 8: "3.10",
                 9: "3.10", 10: "3.10", 11: "3.10", 12: "3.11", 13: "3.11", 14: "3.11", 15: "3.11"}
    for n in range(15, -1, -1):
        package = "tensorflow-cpu" if n >= 1 else "tensorflow"
        reqs = ["%s==2.%d.*" % (package, n)]
        if n <= 8:
            reqs.append("protobuf<3.20")  # TF <= 2.8 breaks on protobuf 4 ("Descriptors cannot be created")
        if 4 <= n <= 12:
            # Built against numpy 1: numpy 2 fails at import ("_pywrap_bfloat16 ... Unable to convert function
            # return value"), and TF <= 2.11 still use the aliases numpy 1.24 removed (np.object, np.bool).
            reqs.append("numpy<1.24" if n <= 11 else "numpy<2")
        if n <= 3:
            reqs.append("numpy<1.19")  # TF 2.0-2.3 predate numpy 1.20's removed aliases
            reqs.append("h5py<3")
        also = [("tf-keras", "2.%d" % n, "tf_keras")] if n in (14, 15) else []
        if also:
            reqs.append("tf-keras==2.%d.*" % n)
        out.append(_release("tf.keras", "2.%d" % n, python_of[n], reqs, "tfkeras", also=also))
    out.append(_release("tf.keras", "1.15", "3.7", ["tensorflow==1.15.*", "protobuf<3.20", "numpy<1.19", "h5py<3"],
                        "tfkeras"))
    # Standalone multi-backend Keras on Theano (pure Python without a C compiler: THEANO_FLAGS cxx=).
    theano_env = {"KERAS_BACKEND": "theano", "THEANO_FLAGS": "cxx=,device=cpu"}
    theano_reqs = ["theano==1.0.5", "numpy<1.19", "scipy<1.6", "h5py<3"]
    for n in range(3, -1, -1):
        out.append(_release("keras-2", "2.%d" % n, "3.7", ["keras==2.%d.*" % n] + theano_reqs, "keras", theano_env))
    out.append(_release("keras-1", "1.2", "3.7", ["keras==1.2.*"] + theano_reqs, "keras", theano_env))
    return out


# ------------------------------------------------------------------------------------------ probing
def _python(version):
    matches = sorted(PYENV.glob("%s.*/bin/python" % version))
    if not matches:
        raise RuntimeError("no Python %s under %s" % (version, PYENV))
    return str(matches[-1])


def _vkey(version):
    return tuple(int(p) for p in re.findall(r"\d+", version))


def _cache_path(line, minor):
    return CACHE / ("%s@%s.json" % (line, minor))


def candidates_from_cache():
    """kind -> class -> {argument: a value some release wrote}: what every probe is asked about."""
    out = {}
    for path in sorted(CACHE.glob("*.json")):
        document = json.loads(path.read_text())
        probe = document.get("probe") or {}
        for kind, classes in (probe.get("classes") or {}).items():
            for name, entry in classes.items():
                wanted = out.setdefault(kind, {}).setdefault(name, {})
                for arg, value in (entry.get("config") or {}).items():
                    if wanted.get(arg) is None:
                        wanted[arg] = value
                for arg in entry.get("accepts", ()):
                    if wanted.get(arg) is None:
                        wanted[arg] = (entry.get("defaults") or {}).get(arg)
    return out


def _run(cmd, log, env=None, timeout=3600):
    started = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=timeout,
                          text=True)
    log.append("$ %s (%.0fs, rc %d)\n%s" % (" ".join(cmd), time.time() - started, proc.returncode, proc.stdout[-4000:]))
    return proc


def probe_release(spec, scratch_root):
    """Install one release into a fresh venv, run its probes, cache the results, delete the venv."""
    log = []
    venv = Path(tempfile.mkdtemp(prefix=spec["id"].replace("@", "-") + "-", dir=scratch_root))
    results = {}
    try:
        python = _python(spec["python"])
        started = time.time()
        proc = _run([python, "-m", "venv", str(venv / "env")], log)
        vpy = str(venv / "env" / "bin" / "python")
        if proc.returncode == 0:
            _run([vpy, "-m", "pip", "install", "-q", "pip<24.1"], log)  # newer pips refuse old metadata
            proc = _run([vpy, "-m", "pip", "install", "--prefer-binary", "-q"] + spec["requirements"], log)
        install_seconds = round(time.time() - started)
        if proc.returncode != 0:
            reason = _pip_reason(log[-1])
            for line, minor, _ in spec["probes"]:
                results[(line, minor)] = {"status": "skipped", "reason": reason, "spec": spec, "log": log[-1][-3000:]}
            return results
        freeze = _run([vpy, "-m", "pip", "freeze"], log).stdout
        installed = dict(l.split("==", 1) for l in freeze.splitlines() if "==" in l)
        candidates = venv / "candidates.json"
        candidates.write_text(json.dumps(candidates_from_cache()))
        home = venv / "home"
        home.mkdir()
        for line, minor, flavour in spec["probes"]:
            for extra in [{}] + spec["fallback_env"]:
                env = dict(os.environ, HOME=str(home), KERAS_HOME=str(home / ".keras"), PYTHONWARNINGS="ignore",
                           TF_CPP_MIN_LOG_LEVEL="3", PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION="python")
                env.update(spec["env"], **extra)
                env.pop("PYTHONPATH", None)
                out = venv / ("%s.json" % flavour)
                started = time.time()
                _run([vpy, str(PROBE), flavour, str(out), str(candidates)], log, env=env, timeout=3000)
                probe_seconds = round(time.time() - started)
                document = json.loads(out.read_text()) if out.exists() else {"failed": log[-1][-3000:]}
                if "failed" not in document:
                    break
            if "failed" in document:
                results[(line, minor)] = {"status": "skipped", "reason": "probe failed: " +
                                          document["failed"].strip().splitlines()[-1][:300],
                                          "spec": spec, "log": document["failed"][-3000:]}
                continue
            results[(line, minor)] = {
                "status": "ok", "spec": spec, "installed": installed, "probe": document,
                "install_seconds": install_seconds, "probe_seconds": probe_seconds,
            }
        return results
    except Exception as exc:  # noqa: BLE001 (one broken release must not stop the run)
        for line, minor, _ in spec["probes"]:
            results.setdefault((line, minor), {"status": "skipped", "reason": "%s: %s" % (type(exc).__name__, exc),
                                               "spec": spec, "log": "\n".join(log)[-3000:]})
        return results
    finally:
        shutil.rmtree(venv, ignore_errors=True)


def _pip_reason(text):
    for pattern in (r"(ERROR: Could not find a version that satisfies[^\n]*)", r"(ERROR: No matching distribution[^\n]*)",
                    r"(ERROR: Cannot install[^\n]*)", r"(ERROR: [^\n]*)"):
        match = re.search(pattern, text)
        if match:
            return match.group(1)[:300]
    return "pip install failed: " + text.strip().splitlines()[-1][:300] if text.strip() else "pip install failed"


def _probe_unless_cached(spec, scratch, force):
    """Another run of the generator may have cached the release while this one waited in the queue."""
    if not force and all(_cache_path(l, m).exists() for l, m, _ in spec["probes"]):
        return {}
    return probe_release(spec, scratch)


def run_probes(specs, jobs, force):
    CACHE.mkdir(exist_ok=True)
    todo = [s for s in specs if force or not all(_cache_path(l, m).exists() for l, m, _ in s["probes"])]
    scratch = Path(tempfile.mkdtemp(prefix="h5lint-keras-releases-"))
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_probe_unless_cached, spec, scratch, force): spec for spec in todo}
            for future in concurrent.futures.as_completed(futures):
                for (line, minor), result in future.result().items():
                    _cache_path(line, minor).write_text(json.dumps(result, indent=1, sort_keys=True, default=repr))
                    what = result.get("reason") or "%ss install, %ss probe" % (
                        result.get("install_seconds"), result.get("probe_seconds"))
                    print("%-9s %-5s %s: %s" % (line, minor, result["status"], what), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def stale_releases(specs):
    """Releases whose probe was not asked about arguments the cache now knows for their classes."""
    wanted = candidates_from_cache()
    out = []
    for spec in specs:
        for line, minor, _ in spec["probes"]:
            path = _cache_path(line, minor)
            if not path.exists():
                continue
            document = json.loads(path.read_text())
            classes = (document.get("probe") or {}).get("classes") or {}
            missing = 0
            for kind, entries in classes.items():
                for name, entry in entries.items():
                    if entry.get("method") != "empirical":
                        continue
                    asked = set(entry.get("config") or ()) | set(entry.get("trials") or ())
                    missing += len(set(wanted.get(kind, {}).get(name, {})) - asked)
            if missing:
                out.append(spec)
                break
    return out


# ------------------------------------------------------------------------------------------ merging
def _spans(present, order):
    """[[first, last], ...] of the releases in `order` that are in `present`."""
    spans = []
    for version in order:
        if version in present:
            if spans and spans[-1][1] == order[order.index(version) - 1]:
                spans[-1][1] = version
            else:
                spans.append([version, version])
    return spans


def _value_spans(values, order):
    """[[first, last, value], ...] over consecutive releases holding the same value."""
    out = []
    previous = None
    for version in order:
        if version not in values:
            previous = None
            continue
        value = values[version]
        if out and previous == version and out[-1][2] == value:
            out[-1][1] = version
        else:
            out.append([version, version, value])
        previous = order[order.index(version) + 1] if order.index(version) + 1 < len(order) else None
    return out


def merge():
    measured = {line: {} for line in LINES}
    skipped = {}
    for path in sorted(CACHE.glob("*.json")):
        line, minor = path.stem.split("@")
        document = json.loads(path.read_text())
        if document["status"] == "ok":
            measured[line][minor] = document
        else:
            skipped.setdefault(line, {})[minor] = document["reason"]
    for spec in releases():
        for line, minor, _ in spec["probes"]:
            if minor not in measured[line] and minor not in skipped.get(line, {}):
                skipped.setdefault(line, {})[minor] = "not probed yet: no cache entry (run the generator again)"
    order = {line: sorted(measured[line], key=_vkey) for line in LINES}
    patches = {}
    sources = {}
    installed_with = {}  # line -> minor -> interpreter, companion packages and backend of the probe
    for line in LINES:
        patches[line] = {}
        backends = set()
        for minor in order[line]:
            document = measured[line][minor]
            versions = document["probe"]["versions"]
            patches[line][minor] = versions.get("tensorflow") if line == "tf.keras" else versions.get("keras")
            installed = document.get("installed", {})
            with_ = ["python %s" % versions["python"]]
            if line == "tf.keras":
                with_.append("%s %s" % (versions.get("keras_module"), versions.get("keras")))
            for package in ("tensorflow", "tensorflow-cpu", "tf-keras", "theano", "jax", "numpy"):
                if package in installed and not (line == "tf.keras" and package.startswith("tensorflow")):
                    with_.append("%s %s" % (package, installed[package]))
            if versions.get("backend"):
                with_.append("backend %s" % versions["backend"])
            installed_with.setdefault(line, {})[minor] = ", ".join(with_)
            if line == "tf.keras" and versions.get("keras_module"):
                backends.add(versions["keras_module"].split(".")[0])
            if versions.get("backend"):
                backends.add(versions["backend"])
        pythons = sorted({measured[line][m]["probe"]["versions"]["python"].rsplit(".", 1)[0] for m in order[line]},
                         key=_vkey)
        if line == "keras-3":
            sources[line] = "installed keras==3.N.* (latest patch of each minor) on Python %s with KERAS_BACKEND=%s " \
                            "(jax and scipy installed, no TensorFlow)" % ("/".join(pythons), "/".join(sorted(backends)))
        elif line == "tf-keras":
            sources[line] = "installed tf-keras==2.N.* with the matching tensorflow-cpu on Python %s" % "/".join(pythons)
        elif line == "tf.keras":
            sources[line] = ("installed tensorflow(-cpu)==X.Y.* and introspected tf.keras (TF's own "
                             "tensorflow.python.keras up to TF 2.5, the keras 2.6-2.15 package after) on Python %s; "
                             "standalone keras 2.4-2.15 are not measured separately: 2.4/2.5 re-export tf.keras and "
                             "2.6-2.15 are the tf.keras of the same TF" % "/".join(pythons))
        elif order[line]:
            sources[line] = "installed standalone keras (latest patch of %s) with the %s backend on Python %s" % (
                ", ".join(order[line]), "/".join(sorted(backends)), "/".join(pythons))
    objects = {kind: {} for kind in KINDS}
    for line in LINES:
        for minor in order[line]:
            for kind in KINDS:
                for name in measured[line][minor]["probe"]["objects"].get(kind, ()):
                    objects[kind].setdefault(name, {}).setdefault(line, set()).add(minor)
    object_gaps = {}
    for kind, names in objects.items():
        for name, lines in names.items():
            for line, present in list(lines.items()):
                spans = _spans(present, order[line])
                lines[line] = [spans[0][0], spans[-1][1]]
                if len(spans) > 1:
                    gaps = [v for v in order[line][order[line].index(spans[0][0]):order[line].index(spans[-1][1])]
                            if v not in present]
                    object_gaps.setdefault(kind, {}).setdefault(name, {})[line] = gaps
    arguments, defaults, stats = _merge_arguments(measured, order)
    return {
        "about": "Per-release built-in object names and constructor arguments of every Keras line, measured by "
                 "installing each release and introspecting it (tools/gen_keras_releases.py with "
                 "tools/keras_release_probe.py; do not edit by hand). objects: kind -> name -> line -> [first, last] "
                 "release holding the name (object_gaps lists releases inside that range without it). arguments: "
                 "kind -> class -> line -> {any, accepts: {argument: [[first, last], ...]}}; an argument that some "
                 "release of any line accepts is listed in every line of the class, with [] where that line never "
                 "accepts it; any_spans (when present) lists releases that accept arbitrary keyword arguments when "
                 "not all do; by_signature lists releases whose answer comes from reading the __init__ chain "
                 "instead of from_config trials. defaults: kind -> class -> line -> {argument: [[first, last, "
                 "value], ...]} for cheap JSON values. Generated %s." % _generated_date(),
        "lines": {line: order[line] for line in LINES},
        "patches": patches,
        "installed_with": installed_with,
        "sources": sources,
        "skipped": skipped,
        "stats": stats,
        "objects": objects,
        "object_gaps": object_gaps,
        "arguments": arguments,
        "defaults": defaults,
    }


def _generated_date():
    """Date of the newest cache entry, so re-running the merge alone gives no diff."""
    newest = max((p.stat().st_mtime for p in CACHE.glob("*.json")), default=0)
    return datetime.date.fromtimestamp(newest).isoformat()


def _merge_arguments(measured, order):
    per_class = {}  # (kind, class) -> line -> minor -> entry
    for line in LINES:
        for minor in order[line]:
            document = measured[line].get(minor)
            if document is None:
                continue
            for kind, classes in document["probe"]["classes"].items():
                for name, entry in classes.items():
                    per_class.setdefault((kind, name), {}).setdefault(line, {})[minor] = entry
    arguments, defaults = {}, {}
    stats = {line: {"empirical": 0, "signature": 0} for line in LINES}
    for (kind, name), lines in sorted(per_class.items()):
        known = set()
        for releases in lines.values():
            for entry in releases.values():
                known.update(a for a in entry["accepts"] if a != BOGUS)
        for line, releases in lines.items():
            line_order = [m for m in order[line] if m in releases]
            accepts = {}
            for arg in sorted(known):
                present = {m for m, e in releases.items() if e["any"] or arg in e["accepts"]}
                accepts[arg] = _spans(present, order[line])
            any_releases = {m for m, e in releases.items() if e["any"]}
            record = {"any": len(any_releases) == len(releases), "accepts": accepts}
            if any_releases and len(any_releases) != len(releases):
                record["any_spans"] = _spans(any_releases, order[line])
            by_signature = {m for m, e in releases.items() if e["method"] == "signature"}
            if by_signature:
                record["by_signature"] = _spans(by_signature, order[line])
            for m, e in releases.items():
                stats[line][e["method"]] += 1
            arguments.setdefault(kind, {}).setdefault(name, {})[line] = record
            values = {}
            for m in line_order:
                for arg, value in (releases[m].get("defaults") or {}).items():
                    values.setdefault(arg, {})[m] = value
            line_defaults = {arg: _value_spans(v, order[line]) for arg, v in sorted(values.items())}
            if line_defaults:
                defaults.setdefault(kind, {}).setdefault(name, {})[line] = line_defaults
    return arguments, defaults, stats


def dump(document):
    """Sorted JSON with one line per class (or name) entry: small, and diffs stay readable."""
    parts = ["{"]
    top = sorted(document)
    for i, key in enumerate(top):
        value = document[key]
        comma = "," if i < len(top) - 1 else ""
        if key in ("objects", "object_gaps", "arguments", "defaults"):
            parts.append(" %s: {" % json.dumps(key))
            kinds = sorted(value)
            for j, kind in enumerate(kinds):
                parts.append("  %s: {" % json.dumps(kind))
                names = sorted(value[kind])
                for k, name in enumerate(names):
                    parts.append("   %s: %s%s" % (json.dumps(name), json.dumps(value[kind][name], sort_keys=True,
                                                                                   separators=(",", ":")),
                                                 "," if k < len(names) - 1 else ""))
                parts.append("  }%s" % ("," if j < len(kinds) - 1 else ""))
            parts.append(" }%s" % comma)
        else:
            parts.append(" %s: %s%s" % (json.dumps(key), json.dumps(value, sort_keys=True, indent=None), comma))
    parts.append("}")
    return "\n".join(parts) + "\n"


# -------------------------------------------------------------------------------------------- check
def _accepted(table, kind, cls, line, version, arg):
    entry = table["arguments"].get(kind, {}).get(cls, {}).get(line)
    if entry is None:
        return None
    for first, last in entry.get("any_spans", []) + ([[table["lines"][line][0], table["lines"][line][-1]]]
                                                      if entry["any"] else []):
        if _vkey(first) <= _vkey(version) <= _vkey(last):
            return True
    return any(_vkey(f) <= _vkey(version) <= _vkey(l) for f, l in entry["accepts"].get(arg, []))


def check(table):
    """Print what the table says about the load failures h5lint must predict."""
    facts = [
        ("layers", "DepthwiseConv2D", "groups"),
        ("layers", "LSTM", "time_major"), ("layers", "GRU", "time_major"), ("layers", "SimpleRNN", "time_major"),
        ("layers", "Dense", "batch_input_shape"), ("layers", "Conv2D", "batch_input_shape"),
        ("layers", "InputLayer", "batch_input_shape"), ("layers", "InputLayer", "batch_shape"),
        ("layers", "Dense", "batch_shape"),
        ("initializers", "GlorotUniform", "dtype"), ("initializers", "RandomNormal", "dtype"),
        ("optimizers", "Adam", "lr"), ("optimizers", "SGD", "lr"), ("optimizers", "Adam", "decay"),
        ("losses", "BinaryCrossentropy", "reduction"),
    ]
    for kind, cls, arg in facts:
        print("%s %s(%s=...):" % (kind, cls, arg))
        for line in LINES:
            versions = table["lines"][line]
            if cls not in table["arguments"].get(kind, {}) or line not in table["arguments"][kind][cls]:
                continue
            present = [v for v in versions if _exists(table, kind, cls, line, v)]
            yes = [v for v in present if _accepted(table, kind, cls, line, v, arg)]
            no = [v for v in present if v not in yes]
            print("   %-9s accepted in %s; rejected in %s" % (line, _fmt(yes, versions), _fmt(no, versions)))
    layers = table["objects"]["layers"]
    k3 = table["lines"]["keras-3"]
    if not k3:
        return
    print("keras-3 layer classes that appear after 3.0 or disappear before %s:" % k3[-1])
    for name in sorted(layers):
        span = layers[name].get("keras-3")
        if span and (span[0] != k3[0] or span[1] != k3[-1]):
            print("   %-40s %s..%s" % (name, span[0], span[1]))
    for line in ("keras-3", "tf.keras", "tf-keras"):
        print("%s arguments accepted in only some releases (+added, -removed):" % line)
        for kind, cls, changes in changed_arguments(table, line):
            print("   %s %s: %s" % (kind, cls, "; ".join(changes)))
    print("tf.keras / tf-keras layer classes keras-3 does not have (last release holding them):")
    for name in sorted(layers):
        spans = layers[name]
        if "keras-3" not in spans and ("tf.keras" in spans or "tf-keras" in spans):
            print("   %-40s tf.keras %s  tf-keras %s" % (name, spans.get("tf.keras"), spans.get("tf-keras")))


def changed_arguments(table, line, kinds=("layers", "initializers", "optimizers", "losses")):
    """Arguments accepted in only part of the releases holding their class: "+3.4" added, "-3.8" gone."""
    versions = table["lines"][line]
    for kind in kinds:
        for cls, lines in sorted(table["arguments"].get(kind, {}).items()):
            entry = lines.get(line)
            if entry is None or entry["any"] or cls[:1].islower():
                continue
            present = [v for v in versions if _exists(table, kind, cls, line, v)]
            changes = []
            for arg, spans in sorted(entry["accepts"].items()):
                accepted = [v for v in present if any(_vkey(f) <= _vkey(v) <= _vkey(l) for f, l in spans)]
                if not accepted or accepted == present:
                    continue
                marks = []
                for i, v in enumerate(present[1:], 1):
                    if (v in accepted) != (present[i - 1] in accepted):
                        marks.append(("+" if v in accepted else "-") + v)
                if present[0] in accepted and not marks:
                    continue
                changes.append("%s %s" % (arg, " ".join(marks)))
            if changes:
                yield kind, cls, changes


def _exists(table, kind, name, line, version):
    span = table["objects"].get(kind, {}).get(name, {}).get(line)
    if span is None or not _vkey(span[0]) <= _vkey(version) <= _vkey(span[1]):
        return False
    return version not in table.get("object_gaps", {}).get(kind, {}).get(name, {}).get(line, [])


def _fmt(selected, versions):
    spans = _spans(set(selected), versions)
    return ", ".join(a if a == b else "%s-%s" % (a, b) for a, b in spans) or "none"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", default=[], help="LINE or LINE:MINOR (repeatable)")
    parser.add_argument("--force", action="store_true", help="probe again even when cached")
    parser.add_argument("--retest", action="store_true", help="re-probe releases not asked about newer arguments")
    parser.add_argument("--merge-only", action="store_true", help="only rebuild the JSON from the cache")
    parser.add_argument("--check", action="store_true", help="print what the table says about known failures")
    parser.add_argument("--jobs", type=int, default=2, help="venvs at a time (default 2: TF venvs are large)")
    args = parser.parse_args(argv)
    if args.check:
        check(json.loads(OUT.read_text()))
        return 0
    if not args.merge_only:
        specs = releases()
        if args.only:
            specs = [s for s in specs if any(_selected(o, l, m) for o in args.only for l, m, _ in s["probes"])]
        if args.retest:
            specs = stale_releases(specs)
            args.force = True
        run_probes(specs, max(1, min(args.jobs, 2)), args.force)
    document = merge()
    OUT.write_text(dump(document), encoding="utf-8")
    print("wrote %s (%d bytes)" % (OUT, OUT.stat().st_size), file=sys.stderr)
    return 0


def _selected(option, line, minor):
    wanted_line, _, wanted_minor = option.partition(":")
    return wanted_line == line and (not wanted_minor or wanted_minor == minor)


if __name__ == "__main__":
    raise SystemExit(main())
