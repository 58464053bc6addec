"""Scanning many artifacts on a Dask cluster: paths travel to the workers, never file bytes.

The artifacts are discovered here (for URLs: listings, no file's bytes), cut into partitions, and
each Dask worker checks its partition as a local run does, in supervised processes within the same
budgets, reading its remote artifacts by byte ranges. Results come back in discovery order, so the
reporters render them exactly as a run on one machine.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .budgets import Budgets
from .candidate import Candidate
from .discover import discover
from .engine import Result, check_all
from .project import ConfigError
from .settings import Settings

# Artifacts per partition: enough to amortise a task's overhead, few enough to spread a listing.
PER_PARTITION = 32
EXTRA = "pip install 'h5lint[dask]'"


def check_partition(
    candidates: Sequence[Candidate], settings: Settings, budgets: Budgets, root: Path | None
) -> list[Result]:
    """One partition, checked on a Dask worker (one supervised process: Dask already runs partitions side by side)."""
    if multiprocessing.current_process().daemon:
        # Python lets no daemonic process start children, and the budgets need h5lint's own worker processes.
        raise ConfigError(
            "the Dask worker runs as a daemonic process, which cannot start h5lint's supervised reading "
            "processes: start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False (or threads: "
            "LocalCluster(processes=False))"
        )
    return list(check_all(candidates, settings, root=root, jobs=1, budgets=budgets))


def scan_many(
    paths: Sequence[str],
    settings: Settings,
    *,
    client: Any = None,
    scheduler: str | None = None,
    budgets: Budgets = Budgets(),
    per_partition: int = PER_PARTITION,
    root: Path | None = None,
) -> Iterator[Result]:
    """Every artifact under ``paths`` (URLs or paths every worker sees alike), checked on Dask.

    Pass a ``distributed.Client`` or a scheduler address; results are what :func:`h5lint.engine.scan`
    yields, in the same order.
    """
    try:
        import dask.bag as db
        from distributed import Client
    except ImportError:
        raise ConfigError(f"--dask needs dask and distributed: {EXTRA}") from None
    candidates = list(discover(paths, settings, root))
    if not candidates:
        return
    own = client is None
    client = client if client is not None else Client(scheduler)
    try:
        partitions = max(1, math.ceil(len(candidates) / per_partition))
        bag = db.from_sequence(candidates, npartitions=partitions)
        checked = bag.map_partitions(check_partition, settings, budgets, root)
        results = checked.compute(scheduler=client.get)
    finally:
        if own:
            client.close()
    yield from results
