#!/usr/bin/env python
"""Throughput of h5lint's pure-Python CRC-32C, which bounds how many tensor bytes a checksum budget buys.

python tools/bench_crc32c.py            # 16 MiB of random bytes, best of 3
"""

from __future__ import annotations

import os
import time

from h5lint.tensorbundle import crc32c

SIZE = 16 << 20
TABLE_SIZE = 1 << 20


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    data = os.urandom(SIZE)
    crc32c.value(data[:8192])  # build the block masks once, as the first real checksum would
    blocks = best_of(3, lambda: crc32c.value(data))
    table = best_of(3, lambda: crc32c._by_table(0, data[:TABLE_SIZE]))
    print(f"big-integer blocks: {SIZE / blocks / 1e6:6.1f} MB/s")
    print(f"byte table:         {TABLE_SIZE / table / 1e6:6.1f} MB/s")


if __name__ == "__main__":
    main()
