"""h5lint benchmark: builds its own corpus (h5py, zipfile and h5lint's own protobuf subset; no TensorFlow)
and prints a Markdown report of timings for bench/README.md, side by side with modelscan.

    python bench/run_bench.py [--corpus DIR] [--runs 5] [--small 1000] [--big-gb 1.0] [--keep]
                              [--modelscan-venv DIR] [--many 100000]

Every timing is the median of ``--runs`` runs (made in rounds) of the ``h5lint`` command beside this
Python, wall clock and CPU (user + system, worker processes included); peak RSS is the largest run.
Measured: start-up, one small file, 1,000 small legacy ``.h5`` files cold (``--no-cache``) and warm
(results cache primed) with ``--jobs 1`` and ``--jobs 2``, a mixed corpus, the 1 GB legacy HDF5 and
``.weights.h5`` files config-only and with the weight rules, weight-scan MB/s from the page cache, and a
SavedModel of 20,000 library functions, and the peak RSS of one run over ``--many`` files (hard links
to the small legacy ``.h5`` in folders of 1,000: each a path h5lint reads) against the run over 1,000. ``modelscan`` (and ``modelaudit``) run on the same files when on
PATH; ``--modelscan-venv DIR`` installs ``modelscan[h5py]`` into that scratch venv first. The 1 GB files
are deleted at the end unless --keep is given (the small corpora are kept: cheap to reuse and small).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from h5lint.parsers.savedmodel.protoschema import message_class

HERE = Path(__file__).resolve().parent
FORMAT_EXAMPLES = HERE.parent.parent / "shared" / "format-examples"
REAL_SAVEDMODEL = FORMAT_EXAMPLES / "tfk_savedmodel_func"
# Rules that read weight values or shapes (catalog reads_weights); "config only" runs ignore them.
WEIGHT_RULES = "H5L502,H5L503,H5L504,H5L505"
SCAN_RULE = "H5L502"  # non-finite-weights: reads every float value
# What modelscan looks for in these formats: Lambda layers (H5L101) and unsafe graph ops (H5L102).
MODELSCAN_LIKE = "H5L101,H5L102"
# The large SavedModel: library functions called from the graph, and nodes in each.
BIG_SM_FUNCTIONS, BIG_SM_NODES = 20_000, 40


# ------------------------------------------------------------------------------------------ corpus


def _dense_config(n_layers: int, units: int) -> dict:
    layers = [{"class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [None, units]}}]
    layers += [
        {"class_name": "Dense", "config": {"name": f"dense_{i}", "units": units, "activation": "relu"}}
        for i in range(n_layers - 1)
    ]
    layers.append({"class_name": "Dense", "config": {"name": "out", "units": 1, "activation": "sigmoid"}})
    return {"class_name": "Sequential", "config": {"name": "bench", "layers": layers}}


TRAINING = {
    "loss": "binary_crossentropy",
    "metrics": ["accuracy"],
    "optimizer_config": {"class_name": "Adam", "config": {}},
}


def _fill(dataset: h5py.Dataset) -> None:
    """Write values slab by slab so building a 1 GB file needs little memory."""
    rows = dataset.shape[0]
    row_values = int(np.prod(dataset.shape[1:])) if len(dataset.shape) > 1 else 1
    step = max(1, (64 << 20) // (dataset.dtype.itemsize * row_values))
    rng = np.random.default_rng(0)
    for start in range(0, rows, step):
        stop = min(rows, start + step)
        dataset[start:stop] = rng.standard_normal((stop - start, *dataset.shape[1:]), dtype=np.float32)


def _write_legacy_h5(path: Path, units: int = 8, big_kernel_rows: int = 0) -> None:
    """A tf.keras-style full-model HDF5; ``big_kernel_rows`` makes dense_0's kernel that tall."""
    config = _dense_config(3, units)
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(config).encode()
        f.attrs["training_config"] = json.dumps(TRAINING).encode()
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        mw = f.create_group("model_weights")
        layers = config["config"]["layers"]
        mw.attrs["layer_names"] = np.array([layer["config"]["name"].encode() for layer in layers])
        for layer in layers:
            name = layer["config"]["name"]
            group = mw.create_group(name)
            if layer["class_name"] != "Dense":
                group.attrs["weight_names"] = np.array([], dtype="S1")
                continue
            out = layer["config"]["units"]
            rows = big_kernel_rows if (big_kernel_rows and name == "dense_0") else units
            group.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()])
            _fill(group.create_dataset(f"{name}/kernel:0", shape=(rows, out), dtype="f4"))
            group.create_dataset(f"{name}/bias:0", data=np.zeros(out, dtype="f4"))


def _write_weights_store(target, units: int = 8, big_rows: int = 0) -> None:
    """A Keras 3 weights store (``model.weights.h5`` layout) to a path or file object."""
    with h5py.File(target, "w") as f:
        for i in range(3):
            group = f.create_group(f"layers/dense_{i}/vars")
            group.attrs["name"] = f"dense_{i}"
            rows = big_rows if (big_rows and i == 0) else units
            _fill(group.create_dataset("0", shape=(rows, units), dtype="f4"))
            group.create_dataset("1", data=np.zeros(units, dtype="f4"))
        f.create_group("optimizer/vars").create_dataset("0", data=np.int64(1))


def _write_keras_zip(path: Path) -> None:
    buffer = io.BytesIO()
    _write_weights_store(buffer)
    config = _dense_config(3, 8)
    config["compile_config"] = {"loss": "binary_crossentropy", "metrics": ["accuracy"]}
    with zipfile.ZipFile(path, "w") as z:  # members stored, as Keras writes them
        z.writestr("metadata.json", json.dumps({"keras_version": "3.15.1", "date_saved": "2026-11-21@00:00:00"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", buffer.getvalue())


def _write_json(path: Path) -> None:
    path.write_text(json.dumps({**_dense_config(3, 8), "keras_version": "2.15.0", "backend": "tensorflow"}))


def _node(message, name: str, op: str, inputs: tuple[str, ...] = (), func: str | None = None) -> None:
    node = message.add(name=name, op=op)
    node.input.extend(inputs)
    node.attr["T"].type = 1  # DT_FLOAT
    if func is not None:
        node.attr["f"].func.name = func


def _write_big_savedmodel(folder: Path, functions: int, nodes_per_function: int) -> None:
    """A tf.Module-style SavedModel whose graph calls ``functions`` library functions of
    ``nodes_per_function`` nodes each, written with h5lint's own schema subset."""
    folder.mkdir(parents=True)
    model = message_class("SavedModel")(saved_model_schema_version=1)
    meta = model.meta_graphs.add()
    meta.meta_info_def.tags.append("serve")
    meta.meta_info_def.tensorflow_version = "2.15.0"
    meta.meta_info_def.tensorflow_git_version = "v2.15.0-0-g6887368d6d4"
    graph = meta.graph_def
    graph.versions.producer = 1645
    _node(graph.node, "x", "Placeholder")
    _node(graph.node, "w", "VarHandleOp")
    ops = ("ReadVariableOp", "MatMul", "AddV2", "Relu", "Identity")
    for f in range(functions):
        name = f"__inference_layer_{f}_{1000 + f}"
        _node(graph.node, f"call_{f}", "StatefulPartitionedCall", ("x", "w"), func=name)
        function = graph.library.function.add()
        function.signature.name = name
        for k in range(nodes_per_function):
            _node(function.node_def, f"n{k}", ops[k % len(ops)], (f"n{k - 1}",) if k else ("x",))
    signature = meta.signature_def["serving_default"]
    signature.method_name = "tensorflow/serving/predict"
    signature.inputs["x"].name = "serving_default_x:0"
    signature.inputs["x"].dtype = 1
    signature.outputs["y"].name = "StatefulPartitionedCall:0"
    signature.outputs["y"].dtype = 1
    objects = meta.object_graph_def
    root = objects.nodes.add()
    root.user_object.identifier = "_generic_user_object"
    for f in range(functions):
        root.children.add(node_id=f + 1, local_name=f"layer_{f}")
        objects.nodes.add().function.concrete_functions.append(f"__inference_layer_{f}_{1000 + f}")
    (folder / "saved_model.pb").write_bytes(model.SerializeToString())
    # The graph has a variable, so the parser checks the checkpoint: a real one keeps that honest.
    shutil.copytree(REAL_SAVEDMODEL / "variables", folder / "variables")


@dataclass(frozen=True)
class Corpus:
    small: Path
    small_h5: Path
    tiny_h5: Path
    tiny_store: Path
    big_h5: Path
    big_store: Path
    real_savedmodel: Path
    big_savedmodel: Path


def build_corpus(root: Path, small: int, big_gb: float) -> Corpus:
    root.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(
        small=root / f"small-{small}",
        small_h5=root / f"small-h5-{small}",
        tiny_h5=root / "tiny.h5",
        tiny_store=root / "tiny.weights.h5",
        big_h5=root / "big_legacy.h5",
        big_store=root / "big.weights.h5",
        real_savedmodel=root / "real_savedmodel",
        big_savedmodel=root / f"savedmodel-{BIG_SM_FUNCTIONS}-functions",
    )
    if not corpus.small.exists():
        partial = corpus.small.with_suffix(".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        writers = (_write_legacy_h5, _write_keras_zip, _write_json)
        suffixes = (".h5", ".keras", ".json")
        for i in range(small):
            kind = i % 4
            if kind < 3:
                writers[kind](partial / f"m{i:04d}{suffixes[kind]}")
            else:  # a real tf-keras SavedModel folder
                shutil.copytree(REAL_SAVEDMODEL, partial / f"sm{i:04d}")
        partial.rename(corpus.small)
    if not corpus.small_h5.exists():
        partial = corpus.small_h5.with_suffix(".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        for i in range(small):
            _write_legacy_h5(partial / f"m{i:04d}.h5")
        partial.rename(corpus.small_h5)
    rows = int(big_gb * (1 << 30) / (4 * 1024))
    for path, write in (
        (corpus.tiny_h5, lambda p: _write_legacy_h5(p)),
        (corpus.tiny_store, lambda p: _write_weights_store(p)),
        (corpus.big_h5, lambda p: _write_legacy_h5(p, units=1024, big_kernel_rows=rows)),
        (corpus.big_store, lambda p: _write_weights_store(p, units=1024, big_rows=rows)),
    ):
        if not path.exists():
            partial = path.with_name(path.name + ".partial")
            write(partial)
            partial.rename(path)
    if not corpus.real_savedmodel.exists():
        shutil.copytree(REAL_SAVEDMODEL, corpus.real_savedmodel)
    if not corpus.big_savedmodel.exists():
        _write_big_savedmodel(corpus.big_savedmodel, BIG_SM_FUNCTIONS, BIG_SM_NODES)
    return corpus


def _many_links(root: Path, source: Path, count: int) -> Path:
    """``count`` hard links to copies of ``source`` in folders of 1,000 (distinct paths h5lint reads; little disk).

    Folders of 1,000, as a registry or bucket lays models out: h5lint sorts each folder it walks, so one folder
    of N files holds N names while it is listed, whatever the number of files overall."""
    folder = root / f"many-{count}"
    if not folder.exists():
        partial = folder.with_suffix(".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        for i in range(count):
            # ext4 allows 65,000 links to one file: a fresh copy (outside the folder) every 50,000.
            copy = root / f"many-source-{i // 50_000}.h5"
            if i % 50_000 == 0:
                shutil.copyfile(source, copy)
            if i % 1000 == 0:
                (partial / f"d{i // 1000:04d}").mkdir()
            os.link(copy, partial / f"d{i // 1000:04d}" / f"m{i:06d}.h5")
        partial.rename(folder)
    return folder


def _precompile() -> None:
    """Byte-compile h5lint and its rules, as ``pip install`` does: an editable install run with
    PYTHONDONTWRITEBYTECODE would otherwise compile every module in every run (100 ms or more)."""
    import compileall

    import h5lint.rules

    import h5lint

    for package in (h5lint, h5lint.rules):
        compileall.compile_dir(str(Path(package.__file__).parent), quiet=1)


# ------------------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Timing:
    wall: float  # median seconds
    cpu: float  # median user + system seconds, children included
    rss_mb: float  # largest peak RSS of one process over the runs


# Runs one command from a fresh, small interpreter: Linux carries a process's peak RSS across fork
# and exec, so a command started straight from this (large) process would report this one's peak.
_PROBE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
tail = done.stderr.decode("utf-8", "replace")[-2000:]
print(json.dumps([done.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, tail]))
"""


def _run_once(cmd: list[str], ok: tuple[int, ...]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system, worker processes included) and peak RSS in MB."""
    out = subprocess.run([sys.executable, "-c", _PROBE, *cmd], capture_output=True, text=True, check=True).stdout
    code, wall, cpu, rss_mb, stderr_tail = json.loads(out)
    if code not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited with {code}:\n{stderr_tail}")
    return wall, cpu, rss_mb


@dataclass(frozen=True)
class _Command:
    what: str
    argv: list[str]
    ok: tuple[int, ...]  # exit statuses that mean the command worked


class Plan:
    """Commands measured in rounds, each round running every command once: a machine shared with
    other work changes speed over minutes, and rounds spread that over every measurement alike, so
    the ratios between them stay fair."""

    def __init__(self) -> None:
        self.commands: list[_Command] = []

    def add(self, what: str, argv: list[str], ok: tuple[int, ...] = (0,)) -> int:
        self.commands.append(_Command(what, argv, ok))
        return len(self.commands) - 1

    def run(self, runs: int) -> list[Timing]:
        samples: list[list[tuple[float, float, float]]] = [[] for _ in self.commands]
        for round_number in range(runs):
            print(f"  round {round_number + 1} of {runs}", file=sys.stderr)
            for command, taken in zip(self.commands, samples):
                taken.append(_run_once(command.argv, command.ok))
        return [
            Timing(
                wall=statistics.median(s[0] for s in taken),
                cpu=statistics.median(s[1] for s in taken),
                rss_mb=max(s[2] for s in taken),
            )
            for taken in samples
        ]


def scan_mb_per_s(path: Path, runs: int) -> float:
    """MB/s of H5L502's own pass over every value of an HDF5 file, timed in this process: the CLI's
    start-up and parse, and their noise on a shared machine, are left out."""
    from h5lint.checks import RuleContext, all_checks
    from h5lint.keras.model import interpret
    from h5lint.openfiles import keep_open
    from h5lint.parsers.h5 import model as h5

    artifact = h5.read(str(path)).artifact
    assert artifact is not None, f"{path} did not parse"
    model = interpret(artifact)
    check = all_checks()[SCAN_RULE]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with keep_open():
            list(check(model, RuleContext()))
        times.append(time.perf_counter() - start)
    return _size_mb(path) / statistics.median(times)


def _warm(paths: list[Path]) -> None:
    """Read files into the page cache so the numbers measure h5lint, not the disk."""
    for path in paths:
        with open(path, "rb") as fh:
            while fh.read(64 << 20):
                pass


def _h5lint_command() -> list[str]:
    beside = Path(sys.executable).with_name("h5lint")
    found = str(beside) if beside.exists() else shutil.which("h5lint")
    return [found] if found else [sys.executable, "-m", "h5lint"]


def _machine() -> list[str]:
    model = platform.processor() or "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    import google.protobuf

    import h5lint

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return [
        f"- CPU: {model}, {os.cpu_count()} logical cores; memory: {_memory_gb():.0f} GB",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, h5py {h5py.__version__} (HDF5 {h5py.version.hdf5_version}), "
        f"numpy {np.__version__}, protobuf {google.protobuf.__version__}, h5lint {h5lint.__version__}",
        f"- load average when the run started: {load:.2f}",
    ]


def _memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30)
    except (ValueError, OSError, AttributeError):
        return float("nan")


def _size_mb(path: Path) -> float:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
    return path.stat().st_size / 1e6


def _modelscan(venv: Path | None) -> str | None:
    """The modelscan command: installed into ``venv`` (its own, scratch) when asked, else from PATH."""
    if venv is not None:
        tool = venv / "bin" / "modelscan"
        if not tool.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "modelscan[h5py]"], check=True)
        return str(tool)
    return shutil.which("modelscan")


def _prime(command: list[str]) -> None:
    """One run that fills the results cache, after the corpus has settled (files changed in the last 2 s
    are not cached)."""
    time.sleep(2.1)
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=HERE / ".corpus")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--big-gb", type=float, default=1.0)
    parser.add_argument("--keep", action="store_true", help="keep the 1 GB files for another run")
    parser.add_argument("--modelscan-venv", type=Path, help="install modelscan[h5py] into this scratch venv")
    parser.add_argument("--many", type=int, default=100_000, help="files of the RSS-over-many-files run (0: skip it)")
    args = parser.parse_args()

    machine = _machine()
    _precompile()
    started = time.perf_counter()
    corpus = build_corpus(args.corpus, args.small, args.big_gb)
    print(f"corpus ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    base = [*_h5lint_command(), "--exit-zero", "--quiet"]
    h5lint = [*base, "--no-cache"]
    warm = [*base, "--cache-dir", str(args.corpus / "results-cache")]
    config_only = [*h5lint, "--ignore", WEIGHT_RULES]
    scan_only = [*h5lint, "--select", SCAN_RULE]
    n_small = sum(1 for _ in corpus.small.iterdir())
    n_h5 = sum(1 for _ in corpus.small_h5.iterdir())
    big_mb, store_mb = _size_mb(corpus.big_h5), _size_mb(corpus.big_store)
    _warm([corpus.big_h5, corpus.big_store])
    small, small_h5, tiny_h5 = str(corpus.small), str(corpus.small_h5), str(corpus.tiny_h5)
    for jobs in ("1", "2"):
        _prime([*warm, "--jobs", jobs, small_h5])
    _prime([*warm, tiny_h5])

    plan = Plan()
    at: dict[str, int] = {}
    at["version"] = plan.add("h5lint --version", [*_h5lint_command(), "--version"])
    tiny_kb = _size_mb(corpus.tiny_h5) * 1000
    at["tiny"] = plan.add(f"one small legacy H5 ({tiny_kb:.0f} KB), all rules", [*h5lint, tiny_h5])
    at["tiny warm"] = plan.add("same, warm cache", [*warm, tiny_h5])
    plan.add("one real tf-keras SavedModel, all rules", [*h5lint, str(corpus.real_savedmodel)])
    for jobs in ("1", "2"):
        at[f"h5 {jobs}"] = plan.add(f"{n_h5} small legacy .h5, --jobs {jobs}", [*h5lint, "--jobs", jobs, small_h5])
    for jobs in ("1", "2"):
        at[f"h5 warm {jobs}"] = plan.add(f"same, --jobs {jobs}, warm cache", [*warm, "--jobs", jobs, small_h5])
    at["like"] = plan.add(
        f"{n_h5} small legacy .h5, --jobs 2, only modelscan's checks ({MODELSCAN_LIKE})",
        [*h5lint, "--jobs", "2", "--select", MODELSCAN_LIKE, small_h5],
    )
    at["mixed"] = plan.add(f"{n_small} mixed small files (.h5, .keras, .json, SavedModel), --jobs 2", [*h5lint, "--jobs", "2", small])
    at["tiny config"] = plan.add("small legacy H5, config only", [*config_only, tiny_h5])
    at["big config"] = plan.add(f"{big_mb:,.0f} MB legacy H5, config only", [*config_only, str(corpus.big_h5)])
    plan.add(f"{big_mb:,.0f} MB legacy H5, all rules (weights checked)", [*h5lint, str(corpus.big_h5)])
    plan.add(f"{big_mb:,.0f} MB legacy H5, {SCAN_RULE} only (reads every value)", [*scan_only, str(corpus.big_h5)])
    at["tiny store config"] = plan.add("small .weights.h5, config only", [*config_only, str(corpus.tiny_store)])
    at["store config"] = plan.add(f"{store_mb:,.0f} MB .weights.h5, config only", [*config_only, str(corpus.big_store)])
    plan.add(f"{store_mb:,.0f} MB .weights.h5, all rules (weights checked)", [*h5lint, str(corpus.big_store)])
    big_sm = f"{BIG_SM_FUNCTIONS:,} functions, {BIG_SM_FUNCTIONS * BIG_SM_NODES:,} nodes"
    big_sm_mb = _size_mb(corpus.big_savedmodel / "saved_model.pb")
    at["big sm"] = plan.add(
        f"SavedModel of {big_sm} ({big_sm_mb:.1f} MB saved_model.pb)", [*h5lint, "--jobs", "1", str(corpus.big_savedmodel)]
    )
    ours = len(plan.commands)
    modelscan = _modelscan(args.modelscan_venv)
    # modelscan exits 1 on findings and 2 when a scanner it needs (its SavedModel ones need TensorFlow) is missing.
    ok = (0, 1, 2)
    if modelscan:
        at["ms tiny"] = plan.add("modelscan, the same small legacy H5", [modelscan, "-p", tiny_h5], ok=ok)
        at["ms h5"] = plan.add(f"modelscan, the same {n_h5} small .h5", [modelscan, "-p", small_h5], ok=ok)
        plan.add(f"modelscan, the same {n_small} mixed files", [modelscan, "-p", small], ok=ok)
    modelaudit = shutil.which("modelaudit")
    if modelaudit:
        plan.add(f"modelaudit, the same {n_h5} small .h5", [modelaudit, "scan", small_h5], ok=ok)

    timings = plan.run(args.runs)
    rows = [(command.what, timing) for command, timing in zip(plan.commands, timings)]
    t = {key: timings[index] for key, index in at.items()}
    peak = max(timing.rss_mb for timing in timings[:ours])

    many = None
    if args.many:
        folder = _many_links(args.corpus, corpus.tiny_h5, args.many)
        print(f"  one run over {args.many:,} files", file=sys.stderr)
        many = Timing(*_run_once([*h5lint, "--jobs", "2", str(folder)], (0,)))
        rows.append((f"{args.many:,} small legacy .h5 (hard links, folders of 1,000), --jobs 2, one run", many))

    scan_mbps = scan_mb_per_s(corpus.big_h5, args.runs)
    store_mbps = scan_mb_per_s(corpus.big_store, args.runs)
    config_ratio = t["big config"].wall / t["tiny config"].wall
    store_ratio = t["store config"].wall / t["tiny store config"].wall
    derived: list[tuple[str, float, str, bool | None]] = [
        ("1 GB legacy H5 config-only / small one (x)", config_ratio, "<= 1.1", config_ratio <= 1.1),
        ("1 GB .weights.h5 config-only / small one (x)", store_ratio, "<= 1.1", store_ratio <= 1.1),
        ("peak RSS, 20,000-function SavedModel (MB)", t["big sm"].rss_mb, "<= 200", t["big sm"].rss_mb <= 200),
        (f"{SCAN_RULE} scan, legacy H5 (MB/s, page cache, in process)", scan_mbps, ">= 1000", scan_mbps >= 1000),
        (f"{SCAN_RULE} scan, .weights.h5 (MB/s, page cache, in process)", store_mbps, ">= 1000", store_mbps >= 1000),
        ("--jobs 2 / --jobs 1, small .h5, cold (x)", t["h5 2"].wall / t["h5 1"].wall, "~0.5 on 2 free cores", None),
        ("files per CPU second, small .h5, cold", n_h5 / t["h5 1"].cpu, "", None),
        *(
            [(f"peak RSS, {args.many:,} files minus {n_h5} files (MB)", many.rss_mb - t["h5 2"].rss_mb, "flat (within 20)",
              abs(many.rss_mb - t["h5 2"].rss_mb) <= 20)]
            if many is not None
            else []
        ),
        ("peak RSS of any h5lint run above (MB)", peak, "", None),
    ]
    if modelscan:
        for label, ours_key, theirs_key, target in (
            ("one small file", "tiny", "ms tiny", 0.8),
            (f"{n_h5} small .h5, --jobs 1, cold", "h5 1", "ms h5", 1.5),
            (f"{n_h5} small .h5, --jobs 2, cold", "h5 2", "ms h5", 1.0),
            (f"{n_h5} small .h5, --jobs 2, warm cache", "h5 warm 2", "ms h5", 0.25),
            (f"{n_h5} small .h5, --jobs 2, modelscan's checks only", "like", "ms h5", None),
        ):
            ratio = t[ours_key].wall / t[theirs_key].wall
            cpu = t[ours_key].cpu / t[theirs_key].cpu
            verdict = None if target is None else ratio <= target
            derived.append((f"h5lint / modelscan, {label}, wall (x)", ratio, f"<= {target}" if target else "", verdict))
            derived.append((f"h5lint / modelscan, {label}, CPU (x)", cpu, "", None))

    print("## Results\n")
    print("\n".join(machine))
    print(f"- runs per measurement: {args.runs}, in rounds (median wall and CPU; RSS: the largest run)\n")
    print("| measurement | wall (s) | CPU (s) | peak RSS (MB) |")
    print("| --- | ---: | ---: | ---: |")
    for what, timing in rows:
        print(f"| {what} | {timing.wall:.3f} | {timing.cpu:.3f} | {timing.rss_mb:.0f} |")
    print("\n| derived | value | target |")
    print("| --- | ---: | --- |")
    for what, value, target, met in derived:
        verdict = "" if met is None else (" (met)" if met else " (**missed**)")
        print(f"| {what} | {value:,.3f} | {target}{verdict} |")

    if not args.keep:
        for path in (corpus.big_h5, corpus.big_store):
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
