"""h5lint benchmark: builds its own corpus (h5py/zipfile, no TensorFlow) and prints timings.

    python bench/run_bench.py [--corpus DIR] [--runs 5] [--small 1000] [--big-gb 1.0]

Reports medians over ``--runs`` runs of the installed ``h5lint`` command: one-file latency, files
per second on the small-model corpus (serial and --jobs 2), the 1 GB legacy HDF5 and 1 GB
.weights.h5-style files with and without the weight scan, weight-scan MB/s, and peak RSS. When
``modelscan`` or ``modelaudit`` are on PATH it runs them on the same corpus and prints the ratios.
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
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent
REAL_SAVEDMODELS = HERE.parent.parent / "shared" / "format-examples"
WEIGHT_RULES = "H5L502,H5L503,H5L504,H5L505"


def _dense_config(n_layers: int, units: int) -> dict:
    layers = [{"class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [None, units]}}]
    layers += [
        {"class_name": "Dense", "config": {"name": f"dense_{i}", "units": units, "activation": "relu"}}
        for i in range(n_layers - 1)
    ]
    layers.append({"class_name": "Dense", "config": {"name": "out", "units": 1, "activation": "sigmoid"}})
    return {"class_name": "Sequential", "config": {"name": "bench", "layers": layers}}


TRAINING = {"loss": "binary_crossentropy", "metrics": ["accuracy"], "optimizer_config": {"class_name": "Adam", "config": {}}}


def _write_legacy_h5(path: Path, units: int = 8, big_kernel_rows: int = 0) -> None:
    config = _dense_config(3, units)
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(config).encode()
        f.attrs["training_config"] = json.dumps(TRAINING).encode()
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        mw = f.create_group("model_weights")
        names = [layer["config"]["name"] for layer in config["config"]["layers"]]
        mw.attrs["layer_names"] = np.array([n.encode() for n in names])
        for layer in config["config"]["layers"]:
            name = layer["config"]["name"]
            g = mw.create_group(name)
            if layer["class_name"] != "Dense":
                g.attrs["weight_names"] = np.array([], dtype=np.float64)
                continue
            out = layer["config"]["units"]
            rows = big_kernel_rows if (big_kernel_rows and name == "dense_0") else units
            g.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()])
            kernel = g.create_dataset(f"{name}/kernel:0", shape=(rows, out), dtype="f4")
            _fill(kernel)
            g.create_dataset(f"{name}/bias:0", data=np.zeros(out, dtype="f4"))


def _fill(dataset: h5py.Dataset) -> None:
    """Write values slab by slab so building a 1 GB file needs little memory."""
    rows = dataset.shape[0]
    step = max(1, (64 << 20) // max(1, dataset.dtype.itemsize * int(np.prod(dataset.shape[1:]) or 1)))
    rng = np.random.default_rng(0)
    for start in range(0, rows, step):
        stop = min(rows, start + step)
        dataset[start:stop] = rng.standard_normal((stop - start, *dataset.shape[1:]), dtype=np.float32)


def _write_weights_store(path_or_file, units: int = 8, big_rows: int = 0) -> None:
    with h5py.File(path_or_file, "w") as f:
        for i in range(3):
            g = f.create_group(f"layers/dense_{i}/vars")
            g.attrs["name"] = f"dense_{i}"
            rows = big_rows if (big_rows and i == 0) else units
            _fill(g.create_dataset("0", shape=(rows, units), dtype="f4"))
            g.create_dataset("1", data=np.zeros(units, dtype="f4"))
        f.create_group("optimizer/vars").create_dataset("0", data=np.int64(1))


def _write_keras_zip(path: Path) -> None:
    buffer = io.BytesIO()
    _write_weights_store(buffer)
    config = _dense_config(3, 8)
    config["compile_config"] = {"loss": "binary_crossentropy", "metrics": ["accuracy"]}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.15.1", "date_saved": "2026-11-21@00:00:00"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", buffer.getvalue())


def build_corpus(root: Path, small: int, big_gb: float) -> dict[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    small_dir = root / "small"
    if not small_dir.exists():
        small_dir.mkdir()
        real = [p for p in REAL_SAVEDMODELS.glob("tfk_savedmodel_*") if p.is_dir()]
        for i in range(small):
            kind = i % 4
            if kind == 0:
                _write_legacy_h5(small_dir / f"m{i:04d}.h5")
            elif kind == 1:
                _write_keras_zip(small_dir / f"m{i:04d}.keras")
            elif kind == 2:
                (small_dir / f"m{i:04d}.json").write_text(json.dumps({**_dense_config(3, 8), "keras_version": "2.15.0"}))
            elif real:
                shutil.copytree(real[i % len(real)], small_dir / f"sm{i:04d}")
            else:
                _write_legacy_h5(small_dir / f"m{i:04d}.h5")
    rows = int(big_gb * (1 << 30) / (4 * 1024))
    big_h5, big_store, tiny = root / "big_legacy.h5", root / "big.weights.h5", root / "tiny.h5"
    if not big_h5.exists():
        _write_legacy_h5(big_h5, units=1024, big_kernel_rows=rows)
    if not big_store.exists():
        _write_weights_store(big_store, units=1024, big_rows=rows)
    if not tiny.exists():
        _write_legacy_h5(tiny)
    return {"small": small_dir, "big_h5": big_h5, "big_store": big_store, "tiny": tiny}


def _seconds(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _median(cmd: list[str], runs: int) -> float:
    return statistics.median(_seconds(cmd) for _ in range(runs))


def _peak_rss_mb(cmd: list[str]) -> float:
    """Peak RSS of one run, measured in a fresh interpreter so earlier runs do not mask it."""
    probe = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True).stdout
    return int(out.strip() or 0) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=HERE / ".corpus")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--big-gb", type=float, default=1.0)
    args = parser.parse_args()
    h5lint = shutil.which("h5lint") or sys.exit("h5lint is not installed (pip install .)")
    corpus = build_corpus(args.corpus, args.small, args.big_gb)
    base = [h5lint, "--exit-zero", "--quiet"]
    n_small = sum(1 for _ in corpus["small"].iterdir())
    big_mb = corpus["big_h5"].stat().st_size / 1e6

    # Warm the page cache so the numbers measure h5lint, not the disk.
    for path in (corpus["big_h5"], corpus["big_store"]):
        with open(path, "rb") as fh:
            while fh.read(64 << 20):
                pass

    results = {
        "one small file, end to end (s)": _median([*base, str(corpus["tiny"])], args.runs),
        f"{n_small} small files, --jobs 1 (s)": _median([*base, "--jobs", "1", str(corpus["small"])], args.runs),
        f"{n_small} small files, --jobs 2 (s)": _median([*base, "--jobs", "2", str(corpus["small"])], args.runs),
        "10 KB legacy H5, config only (s)": _median([*base, "--ignore", WEIGHT_RULES, str(corpus["tiny"])], args.runs),
        f"{big_mb:,.0f} MB legacy H5, config only (s)": _median(
            [*base, "--ignore", WEIGHT_RULES, str(corpus["big_h5"])], args.runs
        ),
        f"{big_mb:,.0f} MB legacy H5, with weight scan (s)": _median(
            [*base, "--select", "H5L502", str(corpus["big_h5"])], args.runs
        ),
        f"{corpus['big_store'].stat().st_size / 1e6:,.0f} MB .weights.h5, with weight scan (s)": _median(
            [*base, "--select", "H5L502", str(corpus["big_store"])], args.runs
        ),
    }
    startup = _median([*base, "--select", "H5L001", str(corpus["tiny"])], args.runs)
    scan = results[f"{big_mb:,.0f} MB legacy H5, with weight scan (s)"] - startup
    results["weight scan throughput (MB/s, page cache)"] = big_mb / max(scan, 1e-9)
    results["peak RSS, 1 GB file with weight scan (MB)"] = _peak_rss_mb([*base, "--select", "H5L502", str(corpus["big_h5"])])
    results[f"files per second, --jobs 2"] = n_small / results[f"{n_small} small files, --jobs 2 (s)"]

    for tool, cmd in (
        ("modelscan", ["modelscan", "-p", str(corpus["small"])]),
        ("modelaudit", ["modelaudit", "scan", str(corpus["small"])]),
    ):
        if shutil.which(tool):
            other = _median(cmd, max(1, args.runs // 2))
            results[f"{tool} on the same {n_small} files (s)"] = other
            results[f"{tool} / h5lint --jobs 2 (x)"] = other / results[f"{n_small} small files, --jobs 2 (s)"]

    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value:10.3f}")


if __name__ == "__main__":
    main()
