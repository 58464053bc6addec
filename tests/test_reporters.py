"""Text, JSON and GitHub reporters on hand-built reports and on real files through the engine."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from conftest import FORMAT_EXAMPLES, REALWORLD, REPO, SAMPLES
from sample_reports import CLF, LAMBDA, LFS_MESSAGE, POINTER, sample_report

from h5lint.engine import lint_paths
from h5lint.findings import Report
from h5lint.reporters import REPORTERS, RenderOptions, render
from h5lint.reporters.github import escape_data, escape_property
from h5lint.settings import resolve

SCHEMA = json.loads((REPO / "h5lint" / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

TEXT = """\
models/clf.h5 (h5-full, keras 2.15.0, backend tensorflow): 2 findings
models/clf.h5:layer:inner_seq/pwn: H5L101 [error] Lambda layer 'pwn' stores Python bytecode that calls 'os.system'.
    fix: replace the Lambda layer with a registered custom layer
models/clf.h5: H5L003 [warning] Named '.h5' but is a zip archive.
models/ok.keras (keras-zip, keras 3.4.1, backend jax): no findings
models/ptr.h5 (unreadable): 1 finding
models/ptr.h5: H5L001 [error] models/ptr.h5: this is a Git LFS pointer (a small text file), not the model itself.
    fix: run 'git lfs pull'

3 artifacts checked (1 unreadable): 3 findings (2 errors, 1 warning, 0 info).
"""


def text(report: Report, **options) -> str:
    return render("text", report, RenderOptions(**options))


# --- text -------------------------------------------------------------------------------------


def test_text_groups_findings_under_a_header_for_every_artifact():
    assert text(sample_report()) == TEXT


def test_text_quiet_prints_only_finding_lines():
    assert text(sample_report(), quiet=True).splitlines() == [
        line for line in TEXT.splitlines() if ": H5L" in line and not line.startswith(" ")
    ]


def test_text_statistics_counts_per_rule():
    out = text(sample_report(), statistics=True)
    assert out.endswith(
        "\nFindings by rule:\n  1  H5L001  unreadable-model\n  1  H5L003  format-mismatch\n  1  H5L101  lambda-layer\n"
        "\n3 artifacts checked (1 unreadable): 3 findings (2 errors, 1 warning, 0 info).\n"
    )


def test_text_show_versions_lists_every_tag():
    out = text(sample_report(), show_versions=True).splitlines()
    assert out[1] == (
        "    versions: format=h5-full, layout=legacy-h5, keras_version=2.15.0, backend=tensorflow, "
        "tensorflow_version=2.15.0, tensorflow_git_version=v2.15.0-rc1-8-g6887368d6d4, writer=tf.keras, producer=-"
    )
    assert out[6].startswith("    versions: format=keras-zip, layout=-, keras_version=3.4.1, backend=jax")


def test_text_summary_counts_findings_hidden_by_the_baseline():
    last = text(sample_report(hidden_by_baseline=2)).splitlines()[-1]
    assert last == (
        "3 artifacts checked (1 unreadable): 3 findings (2 errors, 1 warning, 0 info); "
        "2 findings hidden by the baseline."
    )


def test_text_colour_only_when_asked():
    assert "\x1b[" not in text(sample_report())
    coloured = text(sample_report(), color=True)
    assert "\x1b[1;31m[error]\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == TEXT


def test_text_empty_run_still_has_a_summary():
    assert text(Report(artifacts=())) == "0 artifacts checked: 0 findings (0 errors, 0 warnings, 0 info).\n"


# --- json -------------------------------------------------------------------------------------


def test_json_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_json_document_matches_schema_and_report():
    doc = json.loads(render("json", sample_report(hidden_by_baseline=1)))
    VALIDATOR.validate(doc)
    assert doc["schema_version"] == "1.2"
    assert doc["tool"] == {"name": "h5lint", "version": "0.1.0"}
    assert doc["summary"] == {
        "artifacts": 3,
        "unreadable": 1,
        "findings": 3,
        "by_severity": {"error": 2, "warning": 1, "info": 0},
        "hidden_by_baseline": 1,
        "skipped": 0,
        "remote_artifacts": 0,
        "bytes_fetched": 0,
    }
    assert doc["config"] is None
    assert doc["artifacts"][0] == {
        "path": CLF,
        "readable": True,
        "format": "h5-full",
        "layout": "legacy-h5",
        "versions": {
            "keras_version": "2.15.0",
            "backend": "tensorflow",
            "tensorflow_version": "2.15.0",
            "tensorflow_git_version": "v2.15.0-rc1-8-g6887368d6d4",
            "writer": "tf.keras",
            "producer": None,
        },
        "finding_count": 2,
        "load": None,
        "bytes_fetched": None,
    }
    assert doc["findings"][0] == {
        "code": "H5L101",
        "name": "lambda-layer",
        "severity": "error",
        "message": LAMBDA.message,
        "path": CLF,
        "location": "layer:inner_seq/pwn",
        "fix": LAMBDA.fix,
        "fingerprint": LAMBDA.fingerprint,
    }
    assert [(f["code"], f["path"], f["location"]) for f in doc["findings"]] == [
        ("H5L101", CLF, "layer:inner_seq/pwn"),
        ("H5L003", CLF, "file"),
        ("H5L001", POINTER, "file"),
    ]
    assert doc["unreadable"] == [
        {"path": POINTER, "messages": [LFS_MESSAGE]}
    ]


def _sample_paths() -> list[Path]:
    roots = [p for p in (SAMPLES, FORMAT_EXAMPLES) if p.is_dir()]
    return sorted(p for root in roots for p in root.iterdir() if p.suffix not in (".md", ".json") or p.is_dir())


def _assert_valid_json_report(paths: list[str]) -> dict:
    doc = json.loads(render("json", lint_paths(paths, resolve())))
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    return doc


@pytest.mark.parametrize("path", _sample_paths(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_json_output_of_every_sample_matches_schema(path):
    doc = _assert_valid_json_report([str(path)])
    assert doc["artifacts"] and all(a["path"].startswith(str(path)) for a in doc["artifacts"])


@pytest.mark.needs_shared
def test_json_output_of_the_realworld_files_matches_schema():
    doc = _assert_valid_json_report([str(REALWORLD / "files")])
    assert doc["summary"]["artifacts"] >= 60


# --- github -----------------------------------------------------------------------------------


def test_github_annotations(tmp_path):
    lines = render("github", sample_report(), RenderOptions(source_root=tmp_path)).splitlines()
    assert lines == [
        "::error file=models/clf.h5,title=H5L101 lambda-layer::layer:inner_seq/pwn: Lambda layer 'pwn' stores "
        "Python bytecode that calls 'os.system'.%0Afix: replace the Lambda layer with a registered custom layer",
        "::warning file=models/clf.h5,title=H5L003 format-mismatch::Named '.h5' but is a zip archive.",
        "::error file=models/ptr.h5,title=H5L001 unreadable-model::models/ptr.h5: this is a Git LFS pointer "
        "(a small text file), not the model itself.%0Afix: run 'git lfs pull'",
    ]


def test_github_escapes_per_the_runner_rules(tmp_path):
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    odd = replace(LAMBDA, path="dir,x/odd:name.h5", message="50% of\nlines", fix=None)
    report = Report(artifacts=(replace(sample_report().artifacts[0], path=odd.path, findings=(odd,)),))
    line = render("github", report, RenderOptions(source_root=tmp_path)).strip()
    assert line == (
        "::error file=dir%2Cx/odd%3Aname.h5,title=H5L101 lambda-layer::layer:inner_seq/pwn: 50%25 of%0Alines."
    )


def test_github_info_is_a_notice(tmp_path):
    note = replace(LAMBDA, severity=type(LAMBDA.severity)("info"), fix=None, location=None)
    report = Report(artifacts=(replace(sample_report().artifacts[0], findings=(note,)),))
    assert render("github", report, RenderOptions(source_root=tmp_path)).startswith("::notice file=models/clf.h5,")


# --- all reporters ----------------------------------------------------------------------------


# How each format shows the file name b"caf\xe9.h5" (not UTF-8; Python holds it as "caf\udce9.h5").
UNDECODABLE_SHOWN = {
    "text": "models/caf\\udce9.h5",  # after runner._emit's backslashreplace
    "json": "models/caf\\udce9.h5",  # JSON's own escape
    "sarif": "models/caf%E9.h5",  # a URI of the original bytes
    "github": "file=models/caf\\udce9.h5",
    "gitlab": '"path": "models/caf\\\\udce9.h5"',  # escaped before JSON: GitLab takes no lone surrogate
    "junit": 'file="models/caf\\udce9.h5"',  # XML cannot hold one at all
}


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_reporters_handle_paths_that_are_not_utf8(name, tmp_path):
    odd = replace(LAMBDA, path="models/caf\udce9.h5")
    report = Report(artifacts=(replace(sample_report().artifacts[0], path=odd.path, findings=(odd,)),))
    out = render(name, report, RenderOptions(source_root=tmp_path))
    written = out.encode("utf-8", "backslashreplace").decode("utf-8")  # what runner._emit writes
    assert UNDECODABLE_SHOWN.get(name, "caf") in written  # a new reporter is held to showing the name at all
