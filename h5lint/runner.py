"""What ``h5lint check`` runs once the CLI has parsed its arguments: settings -> engine -> baseline -> reporter -> exit code."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from . import exitcodes
from .baseline import apply_baseline, load_baseline, write_baseline
from .budgets import Budgets
from .engine import default_jobs, lint_paths
from .findings import Report
from .settings import Settings, settings_for


@dataclass(frozen=True)
class CheckRequest:
    paths: tuple[str, ...]
    output_format: str = "text"
    output: Path | None = None
    cli_config: Mapping[str, Any] = field(default_factory=dict)
    config_file: str | None = None
    exit_zero: bool = False
    quiet: bool = False
    statistics: bool = False
    show_versions: bool = False
    show_load: bool = False
    baseline: Path | None = None
    write_baseline: Path | None = None
    jobs: int | None = None
    color: bool = False
    timeout: float | None = None  # seconds per artifact; None: the default, 0: no limit
    max_memory: int | None = None  # MiB of memory per artifact; None: the default, 0: no limit


def exit_code(report: Report, settings: Settings) -> int:
    """1 when any reported finding is at or above ``fail-on``; findings hidden by a baseline do not count."""
    threshold = settings.fail_on.rank
    return exitcodes.FINDINGS if any(f.severity.rank >= threshold for f in report.findings) else exitcodes.OK


def _emit(text: str, output: Path | None) -> None:
    # File names are not always valid UTF-8 (surrogate escapes); show their bytes escaped
    # instead of failing the whole run on them.
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def run_check(request: CheckRequest) -> int:
    from .reporters import RenderOptions, render

    settings = settings_for(request.paths, request.config_file, request.cli_config)
    # Fail on a bad baseline before spending time on the models.
    known = load_baseline(request.baseline) if request.baseline is not None else None
    defaults = Budgets()
    budgets = Budgets(
        timeout=defaults.timeout if request.timeout is None else request.timeout,
        memory_mib=defaults.memory_mib if request.max_memory is None else request.max_memory,
    )
    report = lint_paths(request.paths, settings, jobs=request.jobs or default_jobs(), budgets=budgets)
    if request.write_baseline is not None:
        count = write_baseline(request.write_baseline, report)
        noun = "finding" if count == 1 else "findings"
        print(f"h5lint: recorded {count} {noun} in {request.write_baseline}", file=sys.stderr)
    if known is not None:
        report = apply_baseline(report, known)
    options = RenderOptions(
        quiet=request.quiet,
        statistics=request.statistics,
        show_versions=request.show_versions,
        show_load=request.show_load,
        color=request.color,
    )
    _emit(render(request.output_format, report, options), request.output)
    crashed = [(a.path, e) for a in report.artifacts for e in a.crashed_checks]
    for path, error in crashed:
        print(f"h5lint: internal error in rule {error} while checking {path}; please report it", file=sys.stderr)
    if crashed:
        return exitcodes.ERROR
    if request.exit_zero or request.write_baseline is not None:
        return exitcodes.OK
    return exit_code(report, settings)
