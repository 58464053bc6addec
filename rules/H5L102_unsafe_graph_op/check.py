"""H5L102 unsafe-graph-op: SavedModel graphs that read/write files or run Python when executed."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit, Severity
from h5lint.ir import OpUse
from h5lint.keras import knowledge
from h5lint.keras.model import KerasModel


def _outside_checkpointing(use: OpUse, table) -> tuple[str, ...]:
    """Places of a checkpoint op other than the ones TF's savers use (TF1 graph, traced save/restore)."""
    if use.op not in table["checkpoint_ops"]:
        return use.places
    return tuple(
        place
        for place in use.places
        if place != "graph" and not any(fragment in place for fragment in table["checkpoint_functions"])
    )


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.savedmodel is None:
        return
    table = knowledge.table("graph_ops")
    allowed = set(ctx.options.get("allow-ops", ()))
    kinds = (
        ("run_python", "runs Python code in the process that loads the model", Severity.ERROR),
        ("write_files", "writes files", Severity.ERROR),
        ("read_files", "reads files or lists folders", None),
    )
    for use in model.savedmodel.ops:
        if use.op in allowed:
            continue
        for key, effect, severity in kinds:
            if use.op not in table[key]:
                continue
            places = _outside_checkpointing(use, table)
            if not places:
                break
            where = ", ".join(places[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")
            yield Hit(
                message=f"The graph uses {use.op}, which {effect}, in {where}; serving or calling this "
                "SavedModel executes it with the permissions of the loading process.",
                location=f"op:{use.op}",
                fix="Re-export the model without file or Python ops (keep I/O in the input pipeline, outside the "
                f"saved graph), or allow the op in [tool.h5lint.rule-options.{ctx.code}] allow-ops if it is intended.",
                severity=severity,
            )
            break
