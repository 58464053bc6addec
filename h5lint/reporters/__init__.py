"""Reporters turn a finished :class:`Report` into text; they never filter or re-rank findings.

Each module named in :data:`REPORTERS` exposes ``render(report, options) -> str``. A reporter
knows nothing about rule logic: rule metadata comes from the catalog, findings from the report.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from ..findings import Report

# --format name -> module exposing render(report, options) -> str
REPORTERS = {
    "text": "text",
    "json": "json",
    "sarif": "sarif",
    "github": "github",
}

# Same as [project.urls] Homepage in pyproject.toml; SARIF informationUri and rule help links.
HOMEPAGE = "https://github.com/h5lint/h5lint"


@dataclass(frozen=True)
class RenderOptions:
    quiet: bool = False  # text: findings only, no headers, fix hints or summary
    statistics: bool = False  # text: counts per rule
    show_versions: bool = False  # text: every version tag of every artifact
    show_load: bool = False  # text: the call that loads each artifact in the target runtime
    color: bool = False  # text: ANSI colours (the CLI enables them on a terminal without NO_COLOR)
    # sarif/github: paths are made relative to this folder; None = the git root around the
    # working directory (or the working directory itself outside git).
    source_root: Path | None = None


def render(name: str, report: Report, options: RenderOptions = RenderOptions()) -> str:
    module = importlib.import_module(f"{__name__}.{REPORTERS[name]}")
    return module.render(report, options)
