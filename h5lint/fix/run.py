"""What ``h5lint fix`` runs once the CLI has parsed its arguments: read, plan, diff or write, report, exit code.

The model is read and the plan made in a supervised worker within check's time and memory budgets (a file that
hangs libhdf5 or crashes a reader ends that worker, not h5lint); only the plan comes back to be written here.
"""

from __future__ import annotations

import difflib
import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import exitcodes
from ..budgets import Budgets, within_memory, within_time
from ..discover import discover
from ..engine import died, too_slow
from ..keras.model import KerasModel, interpret
from ..keras.versions import Target
from ..parsers import read_candidate
from ..workers import GRACE_SECONDS, TIME_UP, Supervisor
from .plan import FIXED, NOTHING_TO_FIX, REFUSED, FixPlan, plan_fix
from .write import write_fix


class FixUsageError(ValueError):
    """The request cannot be carried out (not one model, unreadable); the message says why."""


@dataclass(frozen=True)
class FixRequest:
    path: str
    target: Target
    output: Path | None = None
    diff: bool = False
    output_format: str = "text"  # text | json


def read_model(path: str) -> KerasModel:
    """The one model artifact at ``path`` (a file, or a model folder), interpreted."""
    candidates = list(discover([path]))
    if len(candidates) != 1:
        found = f"{len(candidates)} model artifacts" if candidates else "no model artifact"
        raise FixUsageError(f"{path}: fix takes one model file or folder; found {found} there")
    outcome = read_candidate(candidates[0])
    if outcome.artifact is None:
        said = "; ".join(p.hit.message for p in outcome.problems) or "unreadable"
        raise FixUsageError(f"cannot read it: {said}")
    return interpret(outcome.artifact)


Planned = tuple[FixPlan, "str | None"] | str  # the plan and the model's layout, or why there is none


def _plan(path: str, target: Target) -> Planned:
    try:
        model = read_model(path)
    except FixUsageError as exc:
        return str(exc)
    return plan_fix(model, target), model.layout


def _within_budgets(path: str, target: Target, budgets: Budgets) -> Planned:
    planned = within_time(budgets.timeout, lambda: within_memory(budgets.memory_mib, lambda: _plan(path, target)))
    return planned if planned is not None else _said(too_slow(path, budgets.timeout))


def _said(outcome: Any) -> str:
    return "cannot read it: " + "; ".join(p.hit.message for p in outcome.problems)


def _lost(path: str, why: str, budgets: Budgets) -> str:
    return _said(too_slow(path, budgets.timeout) if why == TIME_UP else died(path, why))


def _supervised_plan(path: str, target: Target, budgets: Budgets) -> Planned:
    job = functools.partial(_within_budgets, target=target, budgets=budgets)
    lost = functools.partial(_lost, budgets=budgets)
    deadline = budgets.timeout + GRACE_SECONDS if budgets.timeout else None
    (planned,) = Supervisor(1, job, lost, deadline).run([path])
    return planned


def _pretty(doc: Any) -> list[str]:
    return (json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=True) + "\n").splitlines(keepends=True)


def diff_text(plan: FixPlan) -> str:
    """Unified diffs of every stored document the fix changes."""
    out = []
    for name in plan.after:
        before, after = _pretty(plan.before.get(name)), _pretty(plan.after[name])
        out += difflib.unified_diff(before, after, f"{plan.path} {name}", f"fixed {name}", n=2)
    return "".join(out)


def _text(plan: FixPlan, request: FixRequest, written: Path | None) -> str:
    head = f"{plan.path} ({plan.format}) for {plan.target}"
    if plan.status == REFUSED:
        lines = [f"{head}: cannot fix it, nothing written:"] + [f"  - {reason}" for reason in plan.refusals]
        return "\n".join(lines) + "\n"
    if plan.status == NOTHING_TO_FIX:
        return f"{head}: nothing to fix, the target loads it as it is; nothing written\n"
    noun = "change" if len(plan.changes) == 1 else "changes"
    lines = [f"{head}: {len(plan.changes)} {noun}"] + [f"  {c.text}" for c in plan.changes]
    if written is not None:
        lines.append(f"wrote {written} (fixed config sha256 {plan.config_sha256})")
    return "\n".join(lines) + "\n"


def _json(plan: FixPlan, written: Path | None) -> str:
    doc = {
        "path": plan.path,
        "format": plan.format,
        "target": plan.target,
        "status": plan.status,
        "changes": [{"transformation": c.transformation, "location": c.location, "text": c.text} for c in plan.changes],
        "refusals": list(plan.refusals),
        "output": str(written) if written is not None else None,
        "config_sha256": plan.config_sha256,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def run_fix(request: FixRequest) -> int:
    if request.output is None and not request.diff:
        raise FixUsageError("name the new file with -o OUT, or show the changes with --diff")
    planned = _supervised_plan(request.path, request.target, Budgets())
    if isinstance(planned, str):
        raise FixUsageError(planned)
    plan, layout = planned
    written = None
    if plan.status == FIXED and request.output is not None and not request.diff:
        write_fix(plan, request.output, layout)
        written = request.output
    if request.output_format == "json":
        sys.stdout.write(_json(plan, written))
    else:
        sys.stdout.write(_text(plan, request, written))
        if request.diff and plan.status == FIXED:
            sys.stdout.write(diff_text(plan))
    return exitcodes.FINDINGS if plan.status == REFUSED else exitcodes.OK
