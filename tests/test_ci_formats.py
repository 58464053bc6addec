"""GitLab code quality and JUnit XML: GitLab's format as a JSON schema written from its docs, JUnit read back by a
real XML parser; both on hand-built reports, on every sample model and on hostile text."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO, SAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_reports import CLF, LAMBDA, MISMATCH, sample_report
from typer.testing import CliRunner

from h5lint.cli import app
from h5lint.engine import lint_paths
from h5lint.findings import Report, Severity
from h5lint.reporters import RenderOptions, render
from h5lint.settings import resolve

GITLAB_SCHEMA = json.loads((REPO / "tests" / "schemas" / "gitlab-code-quality.schema.json").read_text(encoding="utf-8"))
GITLAB_VALIDATOR = jsonschema.Draft202012Validator(GITLAB_SCHEMA)


def gitlab(report: Report, root: Path) -> list[dict]:
    out = render("gitlab", report, RenderOptions(source_root=root))
    issues = json.loads(out.encode("utf-8").decode("utf-8"))  # strict UTF-8: GitLab accepts nothing else
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in GITLAB_VALIDATOR.iter_errors(issues)]
    assert not errors, errors[:5]
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(fingerprints) == len(set(fingerprints)), "GitLab keeps one issue per fingerprint"
    return issues


def junit(report: Report, root: Path) -> ET.Element:
    out = render("junit", report, RenderOptions(source_root=root))
    suites = ET.fromstring(out.encode("utf-8"))  # the parser checks well-formedness and the declared encoding
    assert suites.tag == "testsuites"
    (suite,) = suites
    assert suite.tag == "testsuite"
    cases = list(suite)
    assert all(case.tag == "testcase" and case.get("name") and case.get("classname") for case in cases)
    failed = [case for case in cases if len(case)]
    assert all(child.tag == "failure" and child.get("type") and child.get("message") for c in failed for child in c)
    for element in (suites, suite):
        assert (element.get("tests"), element.get("failures"), element.get("errors")) == (
            str(len(cases)),
            str(len(failed)),
            "0",
        )
    return suite


# --- gitlab -----------------------------------------------------------------------------------


def test_gitlab_issue_per_finding_with_the_required_keys(tmp_path):
    issues = gitlab(sample_report(), tmp_path)
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues] == [
        ("H5L101", "major", {"path": "models/clf.h5", "lines": {"begin": 1}}),
        ("H5L003", "minor", {"path": "models/clf.h5", "lines": {"begin": 1}}),
        ("H5L001", "major", {"path": "models/ptr.h5", "lines": {"begin": 1}}),
    ]
    assert issues[0]["description"] == "layer:inner_seq/pwn: Lambda layer 'pwn' stores Python bytecode that calls 'os.system'."
    # the path is the issue's location; the description does not repeat it
    assert issues[2]["description"].startswith("this is a Git LFS pointer")
    assert [i["fingerprint"] for i in issues] == [f.fingerprint for a in sample_report().artifacts for f in a.findings]


def test_gitlab_info_and_empty_runs(tmp_path):
    note = replace(LAMBDA, severity=Severity.INFO)
    report = Report(artifacts=(replace(sample_report().artifacts[0], findings=(note,)),))
    assert gitlab(report, tmp_path)[0]["severity"] == "info"
    assert gitlab(Report(artifacts=()), tmp_path) == []


def test_gitlab_fingerprints_stay_unique_and_stable_when_findings_share_one(tmp_path):
    twice = replace(sample_report().artifacts[0], findings=(LAMBDA, replace(LAMBDA, message="again"), MISMATCH))
    first = [i["fingerprint"] for i in gitlab(Report(artifacts=(twice,)), tmp_path)]
    assert first[0] == LAMBDA.fingerprint and first[1] != LAMBDA.fingerprint
    assert first == [i["fingerprint"] for i in gitlab(Report(artifacts=(twice,)), tmp_path)]


def test_gitlab_output_of_every_sample(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    report = lint_paths(["sample_models"], resolve(), jobs=1)
    issues = gitlab(report, REPO)
    assert len(issues) == sum(len(a.findings) for a in report.artifacts) > 50
    assert {i["location"]["path"].split("/")[0] for i in issues} == {"sample_models"}
    # a SavedModel is shown on its main file, as GitLab links files
    assert any(i["location"]["path"].endswith("/saved_model.pb") for i in issues)


# --- junit ------------------------------------------------------------------------------------


def test_junit_testcase_per_artifact_and_failure_per_finding(tmp_path):
    suite = junit(sample_report(), tmp_path)
    cases = {case.get("name"): case for case in suite}
    assert list(cases) == ["models/clf.h5", "models/ok.keras", "models/ptr.h5"]
    assert [f.get("type") for f in cases[CLF]] == ["H5L101", "H5L003"]
    assert len(cases["models/ok.keras"]) == 0  # passed
    assert cases["models/ptr.h5"].get("classname") == "h5lint.unreadable"
    lambda_failure = cases[CLF][0]
    assert lambda_failure.get("message") == (
        "layer:inner_seq/pwn: H5L101 [error] Lambda layer 'pwn' stores Python bytecode that calls 'os.system'."
    )
    assert lambda_failure.text.splitlines() == [
        "H5L101 lambda-layer (error)",
        "layer:inner_seq/pwn: Lambda layer 'pwn' stores Python bytecode that calls 'os.system'.",
        "fix: replace the Lambda layer with a registered custom layer",
    ]


def test_junit_output_of_every_sample(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    report = lint_paths(["sample_models"], resolve(), jobs=1)
    suite = junit(report, REPO)
    assert len(suite) == len(report.artifacts) > 50
    assert sum(len(case) for case in suite) == sum(len(a.findings) for a in report.artifacts)


# --- hostile text -----------------------------------------------------------------------------

HOSTILE = [
    "\x00\x01\x08\x0b\x0c\x1b[31m\x7f\x85\x9f",  # controls XML 1.0 forbids or a terminal acts on
    "\ud800 \udfff \udce9",  # lone surrogates: from a JSON escape, from a non-UTF-8 file name
    "\ufffe\uffff",  # non-characters XML forbids
    "]]></failure></testcase><testcase name='forged'>",  # markup
    "\" onload='x' a=\"&amp;&lt;",  # attribute breaking
    "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;",  # entities
    "\n::error file=x::forged\r",
]


def _hostile(text: str) -> Report:
    finding = replace(LAMBDA, message=f"layer {text} calls eval", location=f"layer:outer/{text}", fix=text, path=f"m/{text}.h5")
    return Report(artifacts=(replace(sample_report().artifacts[0], path=finding.path, findings=(finding, MISMATCH)),))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_never_breaks_either_document(text, tmp_path):
    report = _hostile(text)
    assert len(gitlab(report, tmp_path)) == 2
    suite = junit(report, tmp_path)
    assert [case.get("name") for case in suite] != ["forged"] and len(suite) == 1 and len(suite[0]) == 2
    assert "forged" not in {case.get("name") for case in suite}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(st.characters(codec=None, exclude_categories=()), max_size=30))
def test_any_text_gives_valid_documents(text):
    report = _hostile(text)
    assert len(gitlab(report, REPO)) == 2
    assert len(junit(report, REPO)[0]) == 2


# --- command line -----------------------------------------------------------------------------


@pytest.mark.parametrize("flag, name, parse", [("--output-format", "gitlab", json.loads), ("--format", "junit", ET.fromstring)])
def test_cli_selects_the_formats(flag, name, parse, tmp_path):
    empty = tmp_path / "empty.h5"
    empty.write_bytes(b"")
    result = CliRunner().invoke(app, ["check", str(SAMPLES / "tfk_linear_head_bce.h5"), str(empty), flag, name])
    assert result.exit_code == 1
    parse(result.stdout)
    assert "H5L001" in result.stdout
