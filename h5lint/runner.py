"""What ``h5lint check`` runs once the CLI has parsed its arguments: project -> settings -> engine (streamed)
-> baseline -> reporter -> exit code.

Output streams: each artifact's findings are written as soon as it is done, in discovery order. On a
terminal, a progress line on stderr says how far the run is. Ctrl-C ends the run cleanly: the workers
stop, the report closes with what was checked (a JSON document stays valid), and the exit status is 130.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from . import __version__, exitcodes
from .baseline import apply_baseline, baseline_entries, load_baseline, write_baseline
from .budgets import Budgets
from .cache import FOLDER_NAME, open_cache
from .engine import default_jobs, scan
from .findings import ArtifactReport, Skipped
from .project import find_project
from .reporters import RenderOptions, RunInfo, Tally, stream
from .settings import settings_for


@dataclass(frozen=True)
class CheckRequest:
    paths: tuple[str, ...]
    output_format: str = "concise"
    output: Path | None = None
    cli_config: Mapping[str, Any] = field(default_factory=dict)
    config_file: str | None = None
    exit_zero: bool = False
    quiet: bool = False
    statistics: bool = False
    show_versions: bool = False
    show_skipped: bool = False
    show_load: bool = False
    baseline: Path | None = None
    write_baseline: Path | None = None
    jobs: int | None = None
    color: bool = False
    progress: bool = False  # a progress line on stderr (the CLI asks for it on a terminal)
    timeout: float | None = None  # seconds per artifact; None: the default, 0: no limit
    max_memory: int | None = None  # MiB of memory per artifact; None: the default, 0: no limit
    no_cache: bool = False  # neither read nor write the results cache
    cache_dir: Path | None = None  # None: .h5lint_cache in the project root
    remote_budget: float | None = None  # MiB fetched per remote artifact; None: the default, 0: no limit
    dask: str | None = None  # a Dask scheduler's address: check the artifacts on its workers


class _Progress:
    """One line on stderr, redrawn at most ten times a second and cleared before output is written."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.shown = False
        self.last = 0.0

    def update(self, tally: Tally) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.1:
            return
        self.last = now
        sys.stderr.write(f"\r\x1b[Kh5lint: {tally.artifacts:,} checked, {tally.findings:,} findings")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False


def _writer(output: Path | None) -> IO[str]:
    # File names are not always valid UTF-8 (surrogate escapes): write their bytes escaped instead of
    # failing the whole run on them.
    if output is not None:
        return open(output, "w", encoding="utf-8", errors="backslashreplace")
    sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    return sys.stdout


def run_check(request: CheckRequest) -> int:
    project = find_project(request.config_file)
    settings = settings_for(project, request.cli_config)
    # Fail on a bad baseline before spending time on the models.
    known = load_baseline(request.baseline) if request.baseline is not None else None
    defaults = Budgets()
    budgets = Budgets(
        timeout=defaults.timeout if request.timeout is None else request.timeout,
        memory_mib=defaults.memory_mib if request.max_memory is None else request.max_memory,
        remote_mib=defaults.remote_mib if request.remote_budget is None else request.remote_budget,
    )
    cache, cache_notes = (None, None)
    if not request.no_cache:
        cache, cache_notes = open_cache(request.cache_dir or project.root / FOLDER_NAME, settings, budgets, project.root)
    tally = Tally()
    progress = _Progress(request.progress and not request.quiet)
    recorded: list[dict] = []
    crashed: list[tuple[str, str]] = []
    interrupted = False

    def artifacts() -> Iterator[ArtifactReport]:
        nonlocal interrupted
        if request.dask is not None:
            from .distributed import scan_many

            results = scan_many(request.paths, settings, scheduler=request.dask, budgets=budgets, root=project.root)
        else:
            jobs = request.jobs or default_jobs()
            results = scan(request.paths, settings, root=project.root, jobs=jobs, budgets=budgets, cache=cache)
        try:
            for result in results:
                if isinstance(result, Skipped):
                    tally.skip(result, request.show_skipped)
                    continue
                crashed.extend((result.path, error) for error in result.crashed_checks)
                if request.write_baseline is not None:
                    recorded.extend(baseline_entries(result))
                if known is not None:
                    result, hidden = apply_baseline(result, known)
                    tally.hidden_by_baseline += hidden
                yield result
                progress.update(tally)
        except KeyboardInterrupt:
            interrupted = True  # the report closes with what was checked
        finally:
            results.close()  # stops the workers now, not when the generator is collected

    options = RenderOptions(
        quiet=request.quiet,
        statistics=request.statistics,
        show_versions=request.show_versions,
        show_skipped=request.show_skipped,
        show_load=request.show_load,
        color=request.color,
        source_root=project.root,
    )
    run = RunInfo(settings.enabled, __version__, str(project.config_file) if project.config_file else None)
    out = _writer(request.output)
    chunks = stream(request.output_format, artifacts(), run, tally, options)
    try:
        for chunk in chunks:
            progress.clear()
            out.write(chunk)
            out.flush()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        # Stops the workers now when the output failed (a reader that left the pipe), not at collection.
        chunks.close()
        progress.clear()
        if out is not sys.stdout:
            out.close()
    if cache is not None:
        cache.prune()
    for line in cache_notes.lines() if cache_notes is not None else ():
        print(line, file=sys.stderr)
    if interrupted:
        print(f"h5lint: interrupted after {tally.artifacts:,} artifacts", file=sys.stderr)
        return exitcodes.INTERRUPTED
    if request.write_baseline is not None:
        count = write_baseline(request.write_baseline, recorded)
        noun = "finding" if count == 1 else "findings"
        print(f"h5lint: recorded {count} {noun} in {request.write_baseline}", file=sys.stderr)
    for path, error in crashed:
        print(f"h5lint: internal error in rule {error} while checking {path}; please report it", file=sys.stderr)
    if crashed:
        return exitcodes.ERROR
    if request.exit_zero or request.write_baseline is not None:
        return exitcodes.OK
    threshold = settings.fail_on.rank
    failing = any(count and severity.rank >= threshold for severity, count in tally.by_severity.items())
    return exitcodes.FINDINGS if failing else exitcodes.OK
