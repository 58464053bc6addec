"""``h5lint inspect``: on every sample, format example and real-world file it renders without a traceback, its JSON
is valid against its schema, and the parameter counts are the element counts of the stored weights."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import FORMAT_EXAMPLES, REALWORLD, REPO, SAMPLES
from typer.testing import CliRunner

from h5lint.cli import app
from h5lint.discover import discover
from h5lint.inspect import json as inspect_json
from h5lint.inspect import text as inspect_text
from h5lint.inspect.items import Unreadable
from h5lint.inspect.run import inspect_paths
from h5lint.keras.model import interpret
from h5lint.keras.summary import ModelSummary
from h5lint.keras.versions import DEFAULT_TARGET
from h5lint.parsers import read_candidate

SCHEMA = json.loads((REPO / "h5lint" / "schemas" / "inspect.schema.json").read_text(encoding="utf-8"))
REPORT_SCHEMA = json.loads((REPO / "h5lint" / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CORPORA = [SAMPLES, FORMAT_EXAMPLES, REALWORLD / "files"]


def test_schema_is_valid_and_shares_the_load_object():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$defs"]["load"] == REPORT_SCHEMA["$defs"]["load"]


@pytest.fixture(scope="module", params=CORPORA, ids=lambda p: p.name)
def inspected(request):
    return inspect_paths([str(request.param)], DEFAULT_TARGET)


def test_json_is_valid_for_every_artifact(inspected):
    doc = json.loads(inspect_json.render(inspected, 100))
    VALIDATOR.validate(doc)
    assert len(doc["artifacts"]) == len(inspected)


def test_text_fits_the_terminal(inspected):
    text = inspect_text.render(inspected, 100)
    for item in inspected:
        assert item.path in text
    table_rows = [line for line in text.splitlines() if "  " in line and not line.startswith(" ")]
    assert all(len(line) <= 100 for line in table_rows if "(" in line.split("  ")[0])


def _stored_elements(path: str) -> dict[str, int]:
    candidate = next(iter(discover([path])))
    model = interpret(read_candidate(candidate).artifact)
    return {entry.name: sum(w.size for w in entry.weights) for entry in model.weights or ()}


def test_parameter_counts_are_the_stored_element_counts(inspected):
    checked = 0
    for item in inspected:
        if not isinstance(item, ModelSummary) or item.weights is None:
            continue
        stored = _stored_elements(item.path)
        top = [row for row in item.layers if row.depth == 0]
        for row in top:
            assert row.params == stored.get(row.name, 0), (item.path, row.name)
        counted = sum(row.params for row in top) + sum(stored[name] for name in item.weights.unassigned)
        if top:
            assert counted == item.weights.parameters == sum(stored.values()), item.path
        # Inside a wrapper or nested model, what the rows below a layer show adds up to at most what it stores.
        for index, row in enumerate(item.layers):
            inner = [r.params for r in item.layers[index + 1 :] if r.location.startswith(row.location + "/")]
            if row.depth == 0 and inner and None not in inner:
                assert sum(inner) <= row.params, (item.path, row.location)
        checked += 1
    assert checked


def test_weights_are_never_read(monkeypatch):
    from h5lint.ir import WeightArray

    def refuse(self, max_elements=1 << 20):
        raise AssertionError("inspect read weight values")

    monkeypatch.setattr(WeightArray, "chunks", refuse)
    assert inspect_paths([str(SAMPLES / "tfk_nonfinite_weights.h5")], DEFAULT_TARGET)


def test_summary_of_a_sample():
    (summary,) = inspect_paths([str(SAMPLES / "tfk_stateful_bilstm.h5")], DEFAULT_TARGET)
    assert [(r.location, r.class_name, r.params) for r in summary.layers] == [
        ("inp", "InputLayer", 0),
        ("bilstm", "Bidirectional", 64),
        ("bilstm/lstm_fw", "LSTM", 64),
        ("out", "Dense", 5),
    ]
    assert summary.inputs[0].shape == (2, 3, 1)
    assert summary.stateful_layers == ("bilstm/lstm_fw",)
    assert (summary.weights.arrays, summary.weights.parameters, summary.weights.bytes) == (8, 69, 276)
    (output,) = summary.outputs
    assert (output.activation, output.loss, output.from_logits) == ("sigmoid", "binary_crossentropy", False)
    assert summary.load.call is None and "time_major" in summary.load.blockers[0]


def test_outputs_metrics_custom_objects_and_lambdas():
    (multi,) = inspect_paths([str(SAMPLES / "tfk_multi_loss_dict.h5")], DEFAULT_TARGET)
    assert [(o.name, o.loss, o.from_logits) for o in multi.outputs] == [
        ("out_a", "binary_crossentropy", False),
        ("out_b", "sparse_categorical_crossentropy", True),
    ]
    (metric,) = inspect_paths([str(SAMPLES / "k3_custom_metric.keras")], DEFAULT_TARGET)
    assert metric.outputs[0].metrics == ("my_metric",) and metric.custom_objects == ("my_metric",)
    (nested,) = inspect_paths([str(SAMPLES / "k3_lambda_nested.keras")], DEFAULT_TARGET)
    assert nested.lambda_layers == ("inner_seq/inner_lambda",) and nested.nested_models == ("inner_seq",)


def test_savedmodel_signatures_and_unreadable_files():
    (saved,) = inspect_paths([str(SAMPLES / "tf_module_file_ops_savedmodel")], DEFAULT_TARGET)
    assert {s.key for s in saved.signatures} >= {"read", "write"}
    (empty,) = inspect_paths([str(SAMPLES / "broken_empty.h5")], DEFAULT_TARGET)
    assert isinstance(empty, Unreadable) and "empty" in empty.messages[0]


def test_cli(tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(app, ["inspect", str(SAMPLES / "tfk_sigmoid_head_bce.h5")])
    assert result.exit_code == 0, result.output
    assert "hidden (Dense)" in result.output and "Total params: 49" in result.output
    result = runner.invoke(app, ["inspect", "--format", "json", str(SAMPLES / "broken_empty.h5")])
    assert result.exit_code == 1
    VALIDATOR.validate(json.loads(result.output))


def test_a_reader_that_dies_costs_its_own_entry_only(tmp_path, monkeypatch):
    # inspect reads in supervised workers, like check: a crash in C (here SIGSEGV) is that file's entry.
    import os
    import shutil
    import signal

    from h5lint.parsers.json_model import read as json_model

    doomed = tmp_path / "doomed.json"
    shutil.copy(SAMPLES / "tfk_sigmoid_head_bce_arch.json", doomed)
    real_read = json_model.read

    def read(path, **kwargs):
        if path.endswith("doomed.json"):
            os.kill(os.getpid(), signal.SIGSEGV)
        return real_read(path, **kwargs)

    monkeypatch.setattr(json_model, "read", read)
    clean = SAMPLES / "tfk_sigmoid_head_bce.h5"
    first, lost, last = inspect_paths([str(clean), str(doomed), str(clean.with_suffix(".keras"))], DEFAULT_TARGET)
    assert isinstance(first, ModelSummary) and isinstance(last, ModelSummary)
    assert isinstance(lost, Unreadable) and "SIGSEGV" in lost.messages[0]
