"""What ``h5lint fix`` runs once the CLI has parsed its arguments: read, plan, diff or write, report, exit code."""

from __future__ import annotations

import difflib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import exitcodes
from ..discover import discover
from ..keras.model import KerasModel, interpret
from ..keras.versions import Target
from ..parsers import read_candidate
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
    model = read_model(request.path)
    plan = plan_fix(model, request.target)
    written = None
    if plan.status == FIXED and request.output is not None and not request.diff:
        write_fix(plan, request.output, model.layout)
        written = request.output
    if request.output_format == "json":
        sys.stdout.write(_json(plan, written))
    else:
        sys.stdout.write(_text(plan, request, written))
        if request.diff and plan.status == FIXED:
            sys.stdout.write(diff_text(plan))
    return exitcodes.FINDINGS if plan.status == REFUSED else exitcodes.OK
