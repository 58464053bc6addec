"""Time h5lint.hdf5 against h5py on the same job: open a file, read every root attribute and walk
every link, reading each dataset's shape, dtype and layout (what h5lint's HDF5 parser needs).

    python bench/hdf5_reader_bench.py [FILES or folders ...] [--repeat 20]

Defaults to sample_models/. Prints per-file CPU time (median over the repeats, per file) for both
readers, the ratio, and the start-up cost of importing each (fresh interpreter, median of 7).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIGNATURE = b"\x89HDF\r\n\x1a\n"


def hdf5_files(paths: list[Path]) -> list[Path]:
    out = []
    for root in paths:
        for path in sorted([root] if root.is_file() else root.rglob("*")):
            if path.is_file():
                with open(path, "rb") as fh:
                    if fh.read(8) == SIGNATURE:
                        out.append(path)
    return out


def ours(path: Path) -> int:
    from h5lint import hdf5

    n = 0
    with hdf5.open_hdf5(path) as f:
        for name in f.root.attrs:
            f.root.attrs[name]
            n += 1
        for path_name, obj in f.walk():
            if isinstance(obj, hdf5.Dataset):
                obj.shape, obj.dtype, obj.layout
            n += path_name != "/"
    return n


def with_h5py(path: Path) -> int:
    import h5py

    n = 0
    with h5py.File(path, "r") as f:
        for name in f.attrs:
            f.attrs[name]
            n += 1
        seen = set()

        def walk(group) -> None:
            nonlocal n
            for key in group:
                link = group.get(key, getlink=True)
                if not isinstance(link, h5py.HardLink):
                    continue
                obj = group[key]
                addr = h5py.h5o.get_info(obj.id).addr
                if addr in seen:
                    continue
                seen.add(addr)
                n += 1
                if isinstance(obj, h5py.Dataset):
                    obj.shape, obj.dtype, obj.id.get_create_plist().get_layout()
                elif isinstance(obj, h5py.Group):
                    walk(obj)

        walk(f)
    return n


def readable(path: Path) -> bool:
    try:
        with_h5py(path)
        return True
    except OSError:
        return False


def per_file(fn, files: list[Path], repeat: int) -> tuple[float, float]:
    """(median, fastest) over ``repeat`` rounds of the CPU seconds per file (the fastest is the
    steadier figure on a shared machine)."""
    rounds = []
    for _ in range(repeat):
        start = time.process_time()
        for path in files:
            fn(path)
        rounds.append((time.process_time() - start) / len(files))
    return statistics.median(rounds), min(rounds)


def startup(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout) for _ in range(7)]
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*", type=Path, default=[REPO / "sample_models"])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    files = hdf5_files(args.paths)
    if not files:
        sys.exit("no HDF5 files found")
    files = [path for path in files if readable(path)]
    for path in files:  # same objects counted by both, and everything warm
        assert ours(path) == with_h5py(path), path
    t_ours = per_file(ours, files, args.repeat)
    t_h5py = per_file(with_h5py, files, args.repeat)
    s_ours = startup("import h5lint.hdf5")
    s_h5py = startup("import h5py")
    print(f"{len(files)} files, {args.repeat} rounds, CPU time per file: median (fastest round)")
    print(f"  h5lint.hdf5  {t_ours[0] * 1e3:7.3f} ({t_ours[1] * 1e3:.3f}) ms/file   import {s_ours * 1e3:6.1f} ms")
    print(f"  h5py         {t_h5py[0] * 1e3:7.3f} ({t_h5py[1] * 1e3:.3f}) ms/file   import {s_h5py * 1e3:6.1f} ms")
    print(f"  ratio        {t_h5py[0] / t_ours[0]:7.2f} x faster ({t_h5py[1] / t_ours[1]:.2f} x on the fastest rounds)")


if __name__ == "__main__":
    main()
