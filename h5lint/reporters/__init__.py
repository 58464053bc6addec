"""Reporters turn a finished :class:`Report` into text; they never filter or re-rank findings."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..findings import Report

# --format name -> module exposing render(report, options) -> str
REPORTERS = {
    "text": "text",
}


@dataclass(frozen=True)
class RenderOptions:
    quiet: bool = False
    statistics: bool = False
    show_versions: bool = False
    color: bool = False


def render(name: str, report: Report, options: RenderOptions = RenderOptions()) -> str:
    module = importlib.import_module(f"{__name__}.{REPORTERS[name]}")
    return module.render(report, options)
