"""Every artifact under the paths given: discovered here, answered from the results cache here, or read
and checked (:mod:`.lint`) in supervised worker processes (:mod:`.workers`) within its time and memory
budgets. Reports come back in discovery order as soon as each is done. No printing: reporters render
what this yields.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from . import __version__
from .budgets import Budgets
from .cache import ResultCache
from .candidate import Candidate
from .discover import discover
from .findings import ArtifactReport, Report, Skipped
from .settings import Settings
from .workers import GRACE_SECONDS, Supervisor, cpu_count

Result = ArtifactReport | Skipped


def _load_checks() -> None:
    """The semantic layer, the parsers' entry points and every rule's check, imported here once before the
    first worker forks, so workers share them; a run the cache answers whole never imports them."""
    from .lint import all_checks

    all_checks()


def _check(candidate: Candidate, **options) -> Result:
    from .lint import check_candidate

    return check_candidate(candidate, **options)


def _lost(candidate: Candidate, why: str, settings: Settings, budgets: Budgets) -> ArtifactReport:
    from .lint import lost

    return lost(candidate, why, settings, budgets)


def default_jobs() -> int:
    return cpu_count()


def scan(
    paths: Sequence[str],
    settings: Settings,
    *,
    root: Path | None = None,
    jobs: int = 1,
    budgets: Budgets = Budgets(),
    isolate: bool = True,
    cache: ResultCache | None = None,
) -> Iterator[Result]:
    """Every artifact under ``paths``: its report, or why it was skipped, in discovery order, as each is done.

    With ``root`` (the project root) artifacts are named relative to it; without, as the paths were given.
    ``isolate=False`` reads them in this process instead of supervised workers (for callers that watch
    what h5lint does from inside, such as tests; a hang in C or a crash then takes the caller with it).
    With ``cache``, artifacts unchanged since a run with the same settings are answered from it here,
    without a worker, and the others are saved to it by the worker that reads them.
    """
    return check_all(
        discover(paths, settings, root), settings, root=root, jobs=jobs, budgets=budgets, isolate=isolate, cache=cache
    )


def check_all(
    candidates: Iterable[Candidate],
    settings: Settings,
    *,
    root: Path | None = None,
    jobs: int = 1,
    budgets: Budgets = Budgets(),
    isolate: bool = True,
    cache: ResultCache | None = None,
) -> Iterator[Result]:
    """:func:`scan` of candidates already discovered (a Dask partition of a listing, see :mod:`.distributed`)."""
    # Parsers' libraries are not imported here: each worker imports the heavy library its files need
    # (h5py, protobuf) once, and a run of JSON files none.
    job = functools.partial(
        _check,
        settings=settings,
        budgets=budgets,
        root=str(root.resolve()) if root is not None else None,
        cache=cache,
    )
    ready = cache.lookup if cache is not None else None
    if not isolate:
        if root is not None:
            raise ValueError("in-process scans name paths as given: pass root only with isolate=True")
        for candidate in candidates:
            yield (ready(candidate) if ready is not None else None) or job(candidate)
        return
    lost = functools.partial(_lost, settings=settings, budgets=budgets)
    deadline = budgets.timeout + GRACE_SECONDS if budgets.timeout else None
    yield from Supervisor(jobs, job, lost, deadline, ready, _load_checks).run(candidates)


def lint_paths(
    paths: Sequence[str],
    settings: Settings,
    jobs: int = 1,
    budgets: Budgets = Budgets(),
    root: Path | None = None,
    isolate: bool = True,
) -> Report:
    """Every artifact under ``paths`` in one :class:`Report` (files found that are not models are left out)."""
    results = scan(paths, settings, root=root, jobs=jobs, budgets=budgets, isolate=isolate)
    artifacts = tuple(r for r in results if isinstance(r, ArtifactReport))
    return Report(artifacts=artifacts, rules_run=settings.enabled, tool_version=__version__)
