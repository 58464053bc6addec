"""What ``h5lint inspect`` runs: discover, read (weights as an inventory, values never read), summarize, render."""

from __future__ import annotations

import sys

from .. import exitcodes
from ..discover import discover
from ..keras.model import interpret
from ..keras.summary import ModelSummary, summarize
from ..keras.versions import Target
from ..parsers import read_candidate
from .items import Unreadable


def inspect_paths(paths: list[str], target: Target) -> list[ModelSummary | Unreadable]:
    found: list[ModelSummary | Unreadable] = []
    for candidate in discover(paths):
        outcome = read_candidate(candidate)
        if outcome.artifact is None:
            found.append(Unreadable(candidate.path, tuple(p.hit.message for p in outcome.problems)))
            continue
        found.append(summarize(interpret(outcome.artifact), target))
    return found


def run_inspect(paths: list[str], target: Target, output_format: str, width: int) -> int:
    items = inspect_paths(paths, target)
    if output_format == "json":
        from .json import render
    else:
        from .text import render
    sys.stdout.write(render(items, width))
    return exitcodes.OK if items and all(isinstance(i, ModelSummary) for i in items) else exitcodes.FINDINGS
