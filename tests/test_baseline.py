"""Baselines: written sorted and versioned, matched by fingerprint, stable when a model is re-saved."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from conftest import SAMPLES
from sample_reports import LAMBDA, MISMATCH, UNREADABLE, sample_report
from typer.testing import CliRunner

from h5lint.baseline import (
    BaselineError,
    apply_baseline,
    baseline_document,
    baseline_entries,
    load_baseline,
    write_baseline,
)
from h5lint.cli import app
from h5lint.findings import Report
from h5lint.reporters import render

runner = CliRunner()


def _entries(report: Report) -> list[dict]:
    return [entry for artifact in report.artifacts for entry in baseline_entries(artifact)]


def test_document_is_versioned_and_sorted(tmp_path):
    path = tmp_path / "baseline.json"
    assert write_baseline(path, _entries(sample_report())) == 3
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc == baseline_document(_entries(sample_report()))
    assert doc["version"] == 1 and doc["tool"] == {"name": "h5lint", "version": "0.1.0"}
    assert doc["findings"] == [
        {"fingerprint": f.fingerprint, "code": f.code, "path": f.path, "location": f.location}
        for f in (MISMATCH, LAMBDA, UNREADABLE)  # by path, then code
    ]


def test_apply_hides_recorded_findings_and_counts_them():
    known = frozenset({LAMBDA.fingerprint, UNREADABLE.fingerprint, "unknown"})
    applied = [apply_baseline(artifact, known) for artifact in sample_report().artifacts]
    report = Report(tuple(a for a, _ in applied), hidden_by_baseline=sum(hidden for _, hidden in applied))
    assert report.findings == (MISMATCH,)
    assert report.hidden_by_baseline == 2
    assert [a.path for a in report.artifacts] == [a.path for a in sample_report().artifacts]
    assert json.loads(render("json", report))["summary"]["hidden_by_baseline"] == 2
    summary = render("text", report).splitlines()[-1]
    assert summary.endswith("1 finding (0 errors, 1 warning, 0 info); 2 findings hidden by the baseline.")


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "baseline file not found; create it with --write-baseline"),
        ("{not json", "not a baseline file (invalid JSON"),
        ('{"version": 2, "findings": []}', "baseline version 2 is not supported (expected 1)"),
        ('{"version": 1, "findings": [{"code": "H5L001"}]}', "'findings' must be a list of objects with a"),
    ],
)
def test_unusable_baselines_are_errors_naming_the_file(tmp_path, content, expected):
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=re.escape(expected)) as raised:
        load_baseline(path)
    assert str(raised.value).startswith(f"{path}: ")


def _check(*args: str):
    return runner.invoke(app, ["check", *args])


def test_cli_round_trip_survives_a_resave(tmp_path, monkeypatch):
    """H5L003 on HDF5 bytes named .keras; a different model saved under the same name keeps it baselined."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLES / "tfk_sigmoid_head_bce.h5", "model.keras")
    written = _check("model.keras", "--write-baseline", "baseline.json")
    assert written.exit_code == 0, written.output
    assert "recorded 1 finding in baseline.json" in written.stderr
    assert "model.keras: H5L003 [warning]" in written.stdout  # the report is still printed
    [entry] = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))["findings"]
    assert (entry["code"], entry["path"], entry["location"]) == ("H5L003", "model.keras", "file")

    shutil.copy(SAMPLES / "tfk_sigmoid_head_bce.h5", "model.keras")  # re-saved: same finding
    again = _check("model.keras", "--baseline", "baseline.json")
    assert again.exit_code == 0, again.output
    assert "H5L003" not in again.stdout
    assert again.stdout.endswith("0 findings (0 errors, 0 warnings, 0 info); 1 finding hidden by the baseline.\n")

    (tmp_path / "new.h5").write_bytes(b"")  # a new problem is still reported
    new = _check("model.keras", "new.h5", "--baseline", "baseline.json", "--format", "json")
    assert new.exit_code == 1
    doc = json.loads(new.stdout)
    assert [(f["code"], f["path"]) for f in doc["findings"]] == [("H5L001", "new.h5")]
    assert doc["summary"]["hidden_by_baseline"] == 1


def test_cli_bad_baseline_exits_2(tmp_path):
    (tmp_path / "bad.json").write_text("[]", encoding="utf-8")
    result = _check(str(tmp_path / "missing.h5"), "--baseline", str(tmp_path / "bad.json"))
    assert result.exit_code == 2
    assert "bad.json: baseline version None is not supported" in result.stderr
    assert result.stdout == ""
