"""The plain function behind ``h5lint check``: settings -> engine -> baseline -> reporter -> exit code."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .engine import lint_paths
from .findings import Report
from .settings import Settings, settings_for

EXIT_OK, EXIT_FINDINGS = 0, 1


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
    baseline: Path | None = None
    write_baseline: Path | None = None
    jobs: int | None = None
    color: bool = False


def exit_code(report: Report, settings: Settings) -> int:
    threshold = settings.fail_on.rank
    return EXIT_FINDINGS if any(f.severity.rank >= threshold for f in report.findings) else EXIT_OK


def run_check(request: CheckRequest) -> int:
    from .reporters import RenderOptions, render

    settings = settings_for(request.paths, request.config_file, request.cli_config)
    report = lint_paths(request.paths, settings)
    options = RenderOptions(
        quiet=request.quiet,
        statistics=request.statistics,
        show_versions=request.show_versions,
        color=request.color,
    )
    text = render(request.output_format, report, options)
    if request.output is not None:
        request.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if request.exit_zero:
        return EXIT_OK
    return exit_code(report, settings)
