"""Build a :class:`ModelArtifact` from a rule case document, without any file.

Used by the per-rule data tests, by the docs' bad/good examples and by third-party rule authors.
The document format is described in CONTRIBUTING.md ("Rule case documents").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Iterator

import numpy as np

from . import ir
from .findings import ParseOutcome
from .keras.model import KerasModel, interpret
from .parsers import format_named


def _weight_reader(values: np.ndarray):
    def read(max_elements: int) -> Iterator[np.ndarray]:
        flat = values.reshape(-1)
        for start in range(0, flat.size, max_elements):
            yield flat[start : start + max_elements]

    return read


def _weights(raw: Mapping[str, Mapping[str, Any]]) -> tuple[ir.WeightLayer, ...]:
    layers = []
    for layer_name, arrays in raw.items():
        weights = []
        for weight_name, value in arrays.items():
            # A list of values, or {"values": [...], "location": "<checkpoint key>"} for a variable a graph names.
            stored = value if isinstance(value, Mapping) else {"values": value}
            array = np.asarray(stored["values"], dtype=np.float32)
            weights.append(
                ir.WeightArray(
                    layer=layer_name,
                    name=weight_name,
                    shape=tuple(array.shape),
                    dtype=str(array.dtype),
                    location=stored.get("location", f"model_weights/{layer_name}/{weight_name}"),
                    _reader=_weight_reader(array),
                )
            )
        layers.append(ir.WeightLayer(layer_name, tuple(weights)))
    return tuple(layers)


def _tensor_specs(raw: Any) -> tuple[ir.TensorSpec, ...]:
    return tuple(
        ir.TensorSpec(
            t["name"], t.get("dtype", "DT_FLOAT"), tuple(t["shape"]) if "shape" in t else None, t.get("tensor")
        )
        for t in raw
    )


def _graph_function(raw: Mapping[str, Any]) -> ir.GraphFunction:
    nodes = {
        name: ir.GraphNode(n["op"], tuple(n.get("inputs", ())), n.get("dtype"), n.get("function"))
        for name, n in raw.get("nodes", {}).items()
    }
    return ir.GraphFunction(
        args=tuple(raw.get("args", ())),
        returns=tuple(raw.get("returns", ())),
        nodes=nodes,
        captures=tuple(raw.get("captures", ())),
    )


def _graph(raw: Mapping[str, Any]) -> ir.GraphSummary:
    functions = {name: _graph_function(f) for name, f in raw.get("functions", {}).items()}
    return ir.GraphSummary(_graph_function({"nodes": raw.get("nodes", {})}), functions)


def _savedmodel(raw: Mapping[str, Any]) -> ir.SavedModelInfo:
    ops = raw.get("ops", {})
    return ir.SavedModelInfo(
        graph_member=raw.get("graph_member", "saved_model.pb"),
        tags=tuple(tuple(t) for t in raw.get("tags", [["serve"]])),
        signatures=tuple(
            ir.Signature(
                s["key"],
                s.get("method_name", "tensorflow/serving/predict"),
                _tensor_specs(s.get("inputs", ())),
                _tensor_specs(s.get("outputs", ())),
            )
            for s in raw.get("signatures", ())
        ),
        ops=tuple(ir.OpUse(op, tuple(places)) for op, places in sorted(ops.items())),
        object_identifiers=tuple(raw.get("object_identifiers", ())),
        function_names=tuple(raw.get("function_names", ())),
        has_keras_metadata=bool(raw.get("has_keras_metadata", False)),
        graph=_graph(raw["graph"]) if "graph" in raw else None,
        asset_files=tuple(raw.get("asset_files", ())),
    )


def artifact_from_case(case: Mapping[str, Any] | str) -> ir.ModelArtifact:
    if isinstance(case, str):
        case = json.loads(case)
    keras_version = case.get("keras_version")
    if "compile_config" in case:
        training, source = case["compile_config"], "compile_config"
    else:
        training, source = case.get("training_config"), "training_config"
    return ir.ModelArtifact(
        path=case.get("path", "case.h5"),
        format=format_named(case.get("format", "h5-full")),
        versions=ir.VersionTags(
            keras_version=keras_version,
            backend=case.get("backend"),
            tensorflow_version=case.get("tensorflow_version"),
        ),
        keras=ir.KerasConfig(case.get("model_config"), training, training_source=source),
        weights=_weights(case["weights"]) if "weights" in case else None,
        savedmodel=_savedmodel(case["savedmodel"]) if "savedmodel" in case else None,
        archive_members=tuple(
            ir.ArchiveMember(
                m["name"],
                m.get("file_size", 0),
                m.get("compress_size", m.get("file_size", 0)),
                m.get("compress_type", 0),
            )
            for m in case.get("archive_members", ())
        ),
        npy_members=tuple(
            ir.NpyMember(m["name"], m["descr"], tuple(m.get("shape", ()))) for m in case.get("npy_members", ())
        ),
        h5_references=tuple(
            ir.H5Reference(r["kind"], r["location"], r["target"]) for r in case.get("h5_references", ())
        ),
    )


def model_from_case(case: Mapping[str, Any] | str) -> KerasModel:
    return interpret(artifact_from_case(case))


def interpreted(outcome: ParseOutcome) -> KerasModel | None:
    """What the rules see of a parser's outcome (None when the parser read no model)."""
    return interpret(outcome.artifact) if outcome.artifact is not None else None


def run_rule(
    code: str,
    case: Mapping[str, Any] | str,
    options: Mapping[str, Any] | None = None,
    target: str | None = None,
    custom_objects: tuple[str, ...] = (),
) -> list:
    """The hits one rule yields on a case document, with its default options overridden by ``options``."""
    from .catalog import load_catalog
    from .checks import RuleContext, all_checks
    from .keras.versions import DEFAULT_TARGET, parse_target

    spec = load_catalog()[code]
    ctx = RuleContext(
        code=code,
        options={**spec.default_options(), **(options or {})},
        target=parse_target(target) if target else DEFAULT_TARGET,
        custom_objects=frozenset(custom_objects),
    )
    return list(all_checks()[code](model_from_case(case), ctx))
