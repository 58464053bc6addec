"""``h5lint inspect --format json``: one document, described by ``h5lint/schemas/inspect.schema.json``.

Within ``schema_version`` 1.x keys are only ever added; every documented key is always present (null when
unknown), artifacts in discovery order, layers in model order.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .. import __version__
from ..ir import TensorSpec
from ..keras.summary import LayerRow, ModelSummary, OutputSummary
from ..reporters._describe import load_document
from .items import Unreadable

SCHEMA_VERSION = "1.0"


def _versions(summary: ModelSummary) -> dict[str, Any]:
    return summary.versions.named()


def _layer(row: LayerRow) -> dict[str, Any]:
    return {
        "location": row.location,
        "name": row.name,
        "class_name": row.class_name,
        "registered_name": row.registered_name,
        "depth": row.depth,
        "key_config": {key: value for key, value in row.key_config},
        "activation": row.activation,
        "trainable": row.trainable,
        "dtype_policy": row.dtype_policy,
        "params": row.params,
        "weights": [{"name": w.name, "shape": list(w.shape), "dtype": w.dtype} for w in row.weights],
        "inbound": list(row.inbound),
        "stateful": row.stateful,
        "lambda": row.is_lambda,
        "nested_model": row.is_model,
    }


def _output(output: OutputSummary) -> dict[str, Any]:
    return {
        "name": output.name,
        "layer": output.layer,
        "activation": output.activation,
        "loss": output.loss,
        "from_logits": output.from_logits,
        "loss_weight": output.loss_weight,
        "metrics": list(output.metrics),
    }


def _tensor(spec: TensorSpec) -> dict[str, Any]:
    return {"name": spec.name, "dtype": spec.dtype, "shape": list(spec.shape) if spec.shape is not None else None}


def _summary(summary: ModelSummary) -> dict[str, Any]:
    weights = summary.weights
    return {
        "path": summary.path,
        "readable": True,
        "messages": [],
        "format": summary.format,
        "layout": summary.layout,
        "versions": _versions(summary),
        "target": summary.target,
        "model": (
            {"class_name": summary.model_class, "name": summary.model_name, "kind": summary.kind}
            if summary.model_class is not None
            else None
        ),
        "inputs": [
            {"name": i.name, "shape": list(i.shape) if i.shape is not None else None, "dtype": i.dtype}
            for i in summary.inputs
        ],
        "layers": [_layer(row) for row in summary.layers],
        "nested_models": list(summary.nested_models),
        "outputs": [_output(o) for o in summary.outputs],
        "optimizer": (
            {"class_name": summary.optimizer, "learning_rate": summary.learning_rate} if summary.optimizer else None
        ),
        "dtype_policies": dict(summary.dtype_policies),
        "custom_objects": list(summary.custom_objects),
        "third_party": list(summary.third_party),
        "lambda_layers": list(summary.lambda_layers),
        "stateful_layers": list(summary.stateful_layers),
        "weights": (
            {
                "arrays": weights.arrays,
                "parameters": weights.parameters,
                "bytes": weights.bytes,
                "by_dtype": dict(weights.by_dtype),
                "unassigned": list(weights.unassigned),
            }
            if weights is not None
            else None
        ),
        "signatures": [
            {"key": s.key, "inputs": [_tensor(t) for t in s.inputs], "outputs": [_tensor(t) for t in s.outputs]}
            for s in summary.signatures
        ],
        "load": load_document(summary.load) if summary.load is not None else None,
        "problem": summary.problem,
    }


def _unreadable(item: Unreadable) -> dict[str, Any]:
    return {"path": item.path, "readable": False, "messages": list(item.messages)}


def document(items: list[ModelSummary | Unreadable]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "h5lint", "version": __version__},
        "artifacts": [_summary(i) if isinstance(i, ModelSummary) else _unreadable(i) for i in items],
    }


def render(items: list[ModelSummary | Unreadable], width: int) -> str:
    # Non-finite numbers a config holds (NaN learning rates, Infinity clip values) are not JSON: they become null.
    return json.dumps(_finite(document(items)), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
