"""What ``h5lint inspect`` runs: discover, read (weights as an inventory, values never read), summarize, render.

Each artifact is read in a supervised worker within the same time and memory budgets as ``check``: a file
that would hang libhdf5 or crash a reader costs its own entry, never the run.
"""

from __future__ import annotations

import functools
import sys

from .. import exitcodes
from ..budgets import Budgets, within_memory, within_time
from ..candidate import Candidate
from ..discover import discover
from ..engine import died, too_slow
from ..findings import ParseOutcome, Skipped
from ..keras.model import interpret
from ..keras.summary import ModelSummary, summarize
from ..keras.versions import Target
from ..parsers import read_candidate
from ..workers import GRACE_SECONDS, TIME_UP, Supervisor
from .items import Unreadable

Item = ModelSummary | Unreadable


def _unreadable(path: str, outcome: ParseOutcome) -> Unreadable:
    return Unreadable(path, tuple(p.hit.message for p in outcome.problems))


def _read(candidate: Candidate, target: Target) -> Item | Skipped:
    outcome = read_candidate(candidate)
    if outcome.artifact is not None:
        return summarize(interpret(outcome.artifact), target)
    if not candidate.named and outcome.not_a_model:
        return Skipped(candidate.path, outcome.not_a_model)  # a data file met while walking a folder
    return _unreadable(candidate.path, outcome)


def _summary(candidate: Candidate, target: Target, budgets: Budgets) -> Item | Skipped:
    result = within_time(budgets.timeout, lambda: within_memory(budgets.memory_mib, lambda: _read(candidate, target)))
    return result if result is not None else _unreadable(candidate.path, too_slow(candidate.path, budgets.timeout))


def _lost(candidate: Candidate, why: str, budgets: Budgets) -> Unreadable:
    outcome = too_slow(candidate.path, budgets.timeout) if why == TIME_UP else died(candidate.path, why)
    return _unreadable(candidate.path, outcome)


def inspect_paths(paths: list[str], target: Target, budgets: Budgets = Budgets()) -> list[Item]:
    """A summary (or why there is none) per artifact under ``paths``, in discovery order."""
    job = functools.partial(_summary, target=target, budgets=budgets)
    lost = functools.partial(_lost, budgets=budgets)
    deadline = budgets.timeout + GRACE_SECONDS if budgets.timeout else None
    results = Supervisor(1, job, lost, deadline).run(discover(paths))
    return [item for item in results if not isinstance(item, Skipped)]


def run_inspect(paths: list[str], target: Target, output_format: str, width: int) -> int:
    items = inspect_paths(paths, target)
    if output_format == "json":
        from .json import render
    else:
        from .text import render
    sys.stdout.write(render(items, width))
    return exitcodes.OK if items and all(isinstance(i, ModelSummary) for i in items) else exitcodes.FINDINGS
